-- Habilitation requests and what their grant changes (SPEC HB-1 to HB-7, HB-10): the agent's fields of the
-- annex forms, his profile on each habilitation (HB-4), each convention's cap (HB-7), and the requests with
-- their whole history.

-- NULL: no cap. Set by the import (`plafond_habilitations`) or by the caisse.
ALTER TABLE conventions ADD COLUMN plafond_habilitations INTEGER CHECK (plafond_habilitations >= 0);

ALTER TABLE utilisateurs ADD COLUMN service TEXT;
ALTER TABLE utilisateurs ADD COLUMN adresse_service TEXT;
ALTER TABLE utilisateurs ADD COLUMN fonction TEXT;

-- HB-4: one of the bouquet's profiles, NULL for a bouquet without any.
ALTER TABLE habilitations ADD COLUMN profil TEXT;

CREATE TABLE demandes_habilitation (
    id            INTEGER PRIMARY KEY,
    caisse_id     INTEGER NOT NULL REFERENCES caisses (id),
    partenaire_id INTEGER NOT NULL REFERENCES partenaires (id),
    convention_id INTEGER NOT NULL REFERENCES conventions (id),
    bouquet       TEXT NOT NULL,
    nature        TEXT NOT NULL CHECK (nature IN ('acces', 'modification', 'suppression')),
    -- The agent concerned: named by a modification or suppression, produced by the grant of an access.
    utilisateur   TEXT,
    -- Mirrors the last step of the history, so lists filter on it.
    etat          TEXT NOT NULL,
    -- The domain's Demande (agent, signature, every step with who, when and why) as JSON.
    demande       TEXT NOT NULL CHECK (json_valid(demande)),
    -- The number of steps: every write is a compare-and-swap on it.
    revision      INTEGER NOT NULL CHECK (revision > 0),
    -- The caisse agent who recorded the partner's signed form.
    saisie_par    TEXT NOT NULL
) STRICT;

CREATE INDEX demandes_habilitation_caisse ON demandes_habilitation (caisse_id, etat);
