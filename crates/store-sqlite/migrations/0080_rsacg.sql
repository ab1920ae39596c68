-- RSACG (SPEC CO-3, BQ-RSA): the circonscriptions of a conseil départemental, each written
-- `DÉPARTEMENT/CODE` (JSON array), and the circonscriptions an RSACG habilitation reaches, all of its
-- partner's. Empty for the other partners and bouquets. A dossier's circonscription and RSA data are stored
-- with the dossier's JSON.
ALTER TABLE partenaires ADD COLUMN circonscriptions TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(circonscriptions));
ALTER TABLE habilitations ADD COLUMN circonscriptions TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(circonscriptions));
