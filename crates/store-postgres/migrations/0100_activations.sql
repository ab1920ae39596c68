-- Activation links (HB-3, HB-6), keyed by the SHA-256 of their secret: a copy of this table opens no account.
-- A user's unused links are deleted when a newer one is made or his credentials are reset; a used one is
-- kept with the instant it was used.

CREATE TABLE activations (
    token_hash     text PRIMARY KEY,
    utilisateur_id bigint NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    cree_le        timestamptz NOT NULL,
    expire_le      timestamptz NOT NULL,
    utilise_le     timestamptz
);

CREATE INDEX activations_utilisateur ON activations (utilisateur_id);
