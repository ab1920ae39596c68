-- Abuse detection (SPEC SU-1, CO-5): each caisse's rules, the alerts the analysis raises, and the users put
-- under surveillance (a history: a surveillance is ended, never deleted).

CREATE TABLE abus_regles (
    caisse_id                INTEGER PRIMARY KEY REFERENCES caisses (id),
    facteur_volume           INTEGER NOT NULL CHECK (facteur_volume >= 1),
    volume_minimum           INTEGER NOT NULL CHECK (volume_minimum >= 1),
    nuit_debut               INTEGER NOT NULL CHECK (nuit_debut BETWEEN 0 AND 23),
    nuit_fin                 INTEGER NOT NULL CHECK (nuit_fin BETWEEN 0 AND 23),
    seuil_introuvables       INTEGER NOT NULL CHECK (seuil_introuvables >= 1),
    seuil_agents_par_dossier INTEGER NOT NULL CHECK (seuil_agents_par_dossier >= 1),
    seuil_hors_perimetre     INTEGER NOT NULL CHECK (seuil_hors_perimetre >= 1),
    par                      TEXT NOT NULL,
    le                       TEXT NOT NULL
) STRICT;

-- One alert per rule, day and subject (an agent, or a dossier): the analysis of a day run twice inserts
-- nothing the second time (ON CONFLICT DO NOTHING on this key).
CREATE TABLE abus_alertes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    caisse_id   INTEGER NOT NULL REFERENCES caisses (id),
    regle       TEXT NOT NULL,
    jour        TEXT NOT NULL,
    sujet       TEXT NOT NULL,
    utilisateur TEXT,
    partenaire  TEXT,
    matricule   TEXT,
    compte      INTEGER NOT NULL,
    seuil       INTEGER NOT NULL,
    detectee_le TEXT NOT NULL,
    close_le    TEXT,
    close_par   TEXT,
    commentaire TEXT,
    UNIQUE (caisse_id, regle, jour, sujet),
    CHECK ((close_le IS NULL) = (close_par IS NULL) AND (close_le IS NULL) = (commentaire IS NULL))
) STRICT;

CREATE INDEX abus_alertes_jour ON abus_alertes (caisse_id, jour);

CREATE TABLE surveillances (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    caisse_id      INTEGER NOT NULL REFERENCES caisses (id),
    utilisateur    TEXT NOT NULL,
    utilisateur_id INTEGER REFERENCES utilisateurs (id) ON DELETE SET NULL,
    alerte_id      INTEGER REFERENCES abus_alertes (id),
    motif          TEXT NOT NULL,
    par            TEXT NOT NULL,
    le             TEXT NOT NULL,
    fin_le         TEXT,
    fin_par        TEXT,
    fin_motif      TEXT,
    CHECK ((fin_le IS NULL) = (fin_par IS NULL) AND (fin_le IS NULL) = (fin_motif IS NULL))
) STRICT;

-- At most one surveillance in force per user.
CREATE UNIQUE INDEX surveillances_en_cours ON surveillances (caisse_id, utilisateur) WHERE fin_le IS NULL;
