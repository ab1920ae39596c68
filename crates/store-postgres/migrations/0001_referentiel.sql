-- The référentiel of each caisse: its partners, their conventions, the partners' agents and their
-- habilitations (SPEC TEN, CV, HB). Every natural key is unique within its caisse only (TEN-1, TEN-2).

CREATE TABLE caisses (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code         text NOT NULL UNIQUE,
    nom          text NOT NULL,
    regime       text NOT NULL CHECK (regime IN ('CAF', 'MSA')),
    departements text[] NOT NULL
);

CREATE TABLE partenaires (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id    bigint NOT NULL REFERENCES caisses (id),
    numero_tiers text NOT NULL,
    nom          text NOT NULL,
    categorie    text NOT NULL,
    siret        text NOT NULL,
    -- Champ de compétence: all of them départements of the caisse (TEN-3).
    departements text[] NOT NULL,
    UNIQUE (caisse_id, numero_tiers)
);

CREATE TABLE conventions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id         bigint NOT NULL REFERENCES caisses (id),
    numero            text NOT NULL,
    partenaire_id     bigint NOT NULL REFERENCES partenaires (id),
    bouquets          text[] NOT NULL,
    signee_le         date NOT NULL,
    formalite_cnil_le date,
    fin_le            date,
    UNIQUE (caisse_id, numero)
);

CREATE INDEX conventions_partenaire ON conventions (partenaire_id);

CREATE TABLE utilisateurs (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id            bigint NOT NULL REFERENCES caisses (id),
    identifiant          text NOT NULL,
    partenaire_id        bigint NOT NULL REFERENCES partenaires (id),
    civilite             text NOT NULL,
    nom                  text NOT NULL,
    prenom               text NOT NULL,
    email                text NOT NULL,
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT true,
    active               boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (caisse_id, identifiant)
);

CREATE INDEX utilisateurs_partenaire ON utilisateurs (partenaire_id);

CREATE TABLE habilitations (
    utilisateur_id bigint NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    convention_id  bigint NOT NULL REFERENCES conventions (id),
    bouquet        text NOT NULL,
    PRIMARY KEY (utilisateur_id, convention_id, bouquet)
);

-- Ending a convention must find every habilitation it opened (CV-8).
CREATE INDEX habilitations_convention ON habilitations (convention_id);

-- Deployment-wide secrets and settings, such as the key NIRs are hashed with.
CREATE TABLE parametres (
    nom    text PRIMARY KEY,
    valeur bytea NOT NULL
);
