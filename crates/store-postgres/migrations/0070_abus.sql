-- Abuse detection (SPEC SU-1, CO-5): each caisse's rules, the alerts the analysis raises, and the users put
-- under surveillance (a history: a surveillance is ended, never deleted).

CREATE TABLE abus_regles (
    caisse_id                bigint PRIMARY KEY REFERENCES caisses (id),
    facteur_volume           bigint NOT NULL CHECK (facteur_volume >= 1),
    volume_minimum           bigint NOT NULL CHECK (volume_minimum >= 1),
    nuit_debut               bigint NOT NULL CHECK (nuit_debut BETWEEN 0 AND 23),
    nuit_fin                 bigint NOT NULL CHECK (nuit_fin BETWEEN 0 AND 23),
    seuil_introuvables       bigint NOT NULL CHECK (seuil_introuvables >= 1),
    seuil_agents_par_dossier bigint NOT NULL CHECK (seuil_agents_par_dossier >= 1),
    seuil_hors_perimetre     bigint NOT NULL CHECK (seuil_hors_perimetre >= 1),
    par                      text NOT NULL,
    le                       timestamptz NOT NULL
);

-- One alert per rule, day and subject (an agent, or a dossier): the analysis of a day run twice inserts
-- nothing the second time (ON CONFLICT DO NOTHING on this key).
CREATE TABLE abus_alertes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id   bigint NOT NULL REFERENCES caisses (id),
    regle       text NOT NULL,
    jour        date NOT NULL,
    sujet       text NOT NULL,
    utilisateur text,
    partenaire  text,
    matricule   text,
    compte      bigint NOT NULL,
    seuil       bigint NOT NULL,
    detectee_le timestamptz NOT NULL,
    close_le    timestamptz,
    close_par   text,
    commentaire text,
    UNIQUE (caisse_id, regle, jour, sujet),
    CHECK ((close_le IS NULL) = (close_par IS NULL) AND (close_le IS NULL) = (commentaire IS NULL))
);

CREATE INDEX abus_alertes_jour ON abus_alertes (caisse_id, jour);

CREATE TABLE surveillances (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id      bigint NOT NULL REFERENCES caisses (id),
    utilisateur    text NOT NULL,
    utilisateur_id bigint REFERENCES utilisateurs (id) ON DELETE SET NULL,
    alerte_id      bigint REFERENCES abus_alertes (id),
    motif          text NOT NULL,
    par            text NOT NULL,
    le             timestamptz NOT NULL,
    fin_le         timestamptz,
    fin_par        text,
    fin_motif      text,
    CHECK ((fin_le IS NULL) = (fin_par IS NULL) AND (fin_le IS NULL) = (fin_motif IS NULL))
);

-- At most one surveillance in force per user.
CREATE UNIQUE INDEX surveillances_en_cours ON surveillances (caisse_id, utilisateur) WHERE fin_le IS NULL;
