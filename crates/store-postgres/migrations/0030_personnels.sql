-- The caisse's staff (SPEC Actors) and their sessions, apart from the partners' agents and theirs: a token of
-- one kind is unknown to the other's lookup, so no staff session reaches a partner bouquet and no partner
-- session reaches the back office.

CREATE TABLE personnels (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id            bigint NOT NULL REFERENCES caisses (id),
    identifiant          text NOT NULL,
    nom                  text NOT NULL,
    prenom               text NOT NULL,
    email                text NOT NULL,
    -- Comma-separated role codes, at least one.
    roles                text NOT NULL CHECK (roles <> ''),
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT true,
    active               boolean NOT NULL DEFAULT true,
    UNIQUE (caisse_id, identifiant)
);

CREATE TABLE sessions_personnel (
    token_hash    text PRIMARY KEY,
    personnel_id  bigint NOT NULL REFERENCES personnels (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);

CREATE INDEX sessions_personnel_personnel ON sessions_personnel (personnel_id);
