-- The référentiel of each caisse: its partners, their conventions, the partners' agents and their
-- habilitations (SPEC TEN, CV, HB). Every natural key is unique within its caisse only (TEN-1, TEN-2).
-- STRICT tables: SQLite would otherwise store whatever type it is given, and a wrong type would only be found
-- when read back.

CREATE TABLE caisses (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    nom          TEXT NOT NULL,
    regime       TEXT NOT NULL CHECK (regime IN ('CAF', 'MSA')),
    -- JSON array of département codes.
    departements TEXT NOT NULL CHECK (json_valid(departements))
) STRICT;

CREATE TABLE partenaires (
    id           INTEGER PRIMARY KEY,
    caisse_id    INTEGER NOT NULL REFERENCES caisses (id),
    numero_tiers TEXT NOT NULL,
    nom          TEXT NOT NULL,
    categorie    TEXT NOT NULL,
    siret        TEXT NOT NULL,
    -- Champ de compétence: JSON array of département codes, all of the caisse's (TEN-3).
    departements TEXT NOT NULL CHECK (json_valid(departements)),
    UNIQUE (caisse_id, numero_tiers)
) STRICT;

CREATE TABLE conventions (
    id                INTEGER PRIMARY KEY,
    caisse_id         INTEGER NOT NULL REFERENCES caisses (id),
    numero            TEXT NOT NULL,
    partenaire_id     INTEGER NOT NULL REFERENCES partenaires (id),
    -- JSON array of bouquet codes.
    bouquets          TEXT NOT NULL CHECK (json_valid(bouquets)),
    -- Dates as ISO 8601 text (YYYY-MM-DD), which sorts and compares correctly as text.
    signee_le         TEXT NOT NULL,
    formalite_cnil_le TEXT,
    fin_le            TEXT,
    UNIQUE (caisse_id, numero)
) STRICT;

CREATE INDEX conventions_partenaire ON conventions (partenaire_id);

CREATE TABLE utilisateurs (
    id                   INTEGER PRIMARY KEY,
    caisse_id            INTEGER NOT NULL REFERENCES caisses (id),
    identifiant          TEXT NOT NULL,
    partenaire_id        INTEGER NOT NULL REFERENCES partenaires (id),
    civilite             TEXT NOT NULL,
    nom                  TEXT NOT NULL,
    prenom               TEXT NOT NULL,
    email                TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (caisse_id, identifiant)
) STRICT;

CREATE INDEX utilisateurs_partenaire ON utilisateurs (partenaire_id);

CREATE TABLE habilitations (
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    convention_id  INTEGER NOT NULL REFERENCES conventions (id),
    bouquet        TEXT NOT NULL,
    PRIMARY KEY (utilisateur_id, convention_id, bouquet)
) STRICT, WITHOUT ROWID;

-- Ending a convention must find every habilitation it opened (CV-8).
CREATE INDEX habilitations_convention ON habilitations (convention_id);

-- Deployment-wide secrets and settings, such as the key NIRs are hashed with.
CREATE TABLE parametres (
    nom    TEXT PRIMARY KEY,
    valeur BLOB NOT NULL
) STRICT, WITHOUT ROWID;
