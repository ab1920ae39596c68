-- RSACG (SPEC CO-3, BQ-RSA): the circonscriptions of a conseil départemental, each written
-- `DÉPARTEMENT/CODE`, and the circonscriptions an RSACG habilitation reaches, all of its partner's. Empty
-- for the other partners and bouquets. A dossier's circonscription and RSA data are stored with the
-- dossier's JSON.
ALTER TABLE partenaires ADD COLUMN circonscriptions text[] NOT NULL DEFAULT '{}';
ALTER TABLE habilitations ADD COLUMN circonscriptions text[] NOT NULL DEFAULT '{}';
