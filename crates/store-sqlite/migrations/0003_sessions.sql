-- Live sessions, keyed by the SHA-256 of their token: a stolen copy of this table opens no session.
-- Instants are UTC text with six fractional digits (as PostgreSQL's timestamptz keeps), fixed width so that
-- text order is time order and max() picks the later one.

CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_utilisateur ON sessions (utilisateur_id);
