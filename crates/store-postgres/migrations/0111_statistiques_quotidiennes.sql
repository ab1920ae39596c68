-- TR-4's daily statistics (issue #6 part 3; partage_store::statistiques). Once a day is over, its traces are
-- counted per caisse, partner, convention, bouquet and agent into `statistiques_quotidiennes`, which the
-- retention purge never touches: the per-agent counts of a month outlive the agent's name in its traces.
-- Caisse, partner, convention and agent are text, not foreign keys, like the traces they come from.

-- The days built, for every caisse at once. Its key makes a day built once, even by two servers at the same
-- moment: the builder inserts the marker first (ON CONFLICT DO NOTHING, which waits for the other
-- builder's transaction), in the transaction that inserts the day's counts, and adds nothing if the marker
-- was there.
CREATE TABLE statistiques_jours (
    -- A UTC calendar day.
    jour         date PRIMARY KEY,
    construit_le timestamptz NOT NULL
);

CREATE TABLE statistiques_quotidiennes (
    jour             date NOT NULL REFERENCES statistiques_jours (jour),
    caisse           text NOT NULL,
    partenaire       text,
    -- The convention of the partner carrying the bouquet when the day was built; NULL if none or several.
    convention       text,
    -- NULL for failed logins.
    bouquet          text,
    -- NULL for traces already purged when their day was built.
    utilisateur      text,
    consultations    bigint NOT NULL CHECK (consultations >= 0),
    trouves          bigint NOT NULL CHECK (trouves >= 0),
    introuvables     bigint NOT NULL CHECK (introuvables >= 0),
    oppositions      bigint NOT NULL CHECK (oppositions >= 0),
    refus            bigint NOT NULL CHECK (refus >= 0),
    echecs_connexion bigint NOT NULL CHECK (echecs_connexion >= 0)
);

-- One line per caisse, day, partner, bouquet and agent (the convention follows from the partner and the
-- bouquet); its leading columns serve a caisse's month.
CREATE UNIQUE INDEX statistiques_quotidiennes_ligne ON statistiques_quotidiennes
    (caisse, jour, COALESCE(partenaire, ''), COALESCE(bouquet, ''), COALESCE(utilisateur, ''));
