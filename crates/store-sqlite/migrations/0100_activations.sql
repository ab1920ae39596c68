-- Activation links (HB-3, HB-6), keyed by the SHA-256 of their secret: a copy of this table opens no account.
-- A user's unused links are deleted when a newer one is made or his credentials are reset; a used one is
-- kept with the instant it was used. Instants as in sessions: fixed-width UTC text, so text order is time
-- order.

CREATE TABLE activations (
    token_hash     TEXT PRIMARY KEY,
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    cree_le        TEXT NOT NULL,
    expire_le      TEXT NOT NULL,
    utilise_le     TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX activations_utilisateur ON activations (utilisateur_id);
