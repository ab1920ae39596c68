-- The caisse's staff (SPEC Actors) and their sessions, apart from the partners' agents and theirs: a token of
-- one kind is unknown to the other's lookup, so no staff session reaches a partner bouquet and no partner
-- session reaches the back office.

CREATE TABLE personnels (
    id                   INTEGER PRIMARY KEY,
    caisse_id            INTEGER NOT NULL REFERENCES caisses (id),
    identifiant          TEXT NOT NULL,
    nom                  TEXT NOT NULL,
    prenom               TEXT NOT NULL,
    email                TEXT NOT NULL,
    -- Comma-separated role codes, at least one.
    roles                TEXT NOT NULL CHECK (roles <> ''),
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (caisse_id, identifiant)
) STRICT;

CREATE TABLE sessions_personnel (
    token_hash    TEXT PRIMARY KEY,
    personnel_id  INTEGER NOT NULL REFERENCES personnels (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_personnel_personnel ON sessions_personnel (personnel_id);
