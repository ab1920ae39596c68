-- Live sessions, keyed by the SHA-256 of their token: a stolen copy of this table opens no session.

CREATE TABLE sessions (
    token_hash     text PRIMARY KEY,
    utilisateur_id bigint NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL
);

CREATE INDEX sessions_utilisateur ON sessions (utilisateur_id);
