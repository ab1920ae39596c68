-- Traces of every connection, attempt and consultation (SPEC TR-1). Caisse, user and partner are the text the
-- application recorded, not foreign keys: a failed login names an identifier that may exist nowhere, and a
-- trace must outlive any row it mentions.
-- AUTOINCREMENT so an id is never handed out twice: readers page through traces by id.

CREATE TABLE traces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    horodatage  TEXT NOT NULL,
    caisse      TEXT,
    utilisateur TEXT,
    partenaire  TEXT,
    source      TEXT NOT NULL,
    action      TEXT NOT NULL,
    bouquet     TEXT,
    rubriques   TEXT,
    matricule   TEXT,
    nir_hache   TEXT,
    resultat    TEXT NOT NULL
) STRICT;

-- Trace requests (TR-3): by user, by partner, by dossier, over a period.
CREATE INDEX traces_utilisateur ON traces (caisse, utilisateur, horodatage);
CREATE INDEX traces_partenaire ON traces (caisse, partenaire, horodatage);
CREATE INDEX traces_matricule ON traces (caisse, matricule, horodatage) WHERE matricule IS NOT NULL;
CREATE INDEX traces_horodatage ON traces (horodatage);

-- TR-2: traces are append-only. These triggers stop the application and anyone with a SQL shell on the file
-- alike; only rewriting the file itself gets around them, which the verifiable log (BY-2) is meant to reveal.
CREATE TRIGGER traces_sans_modification BEFORE UPDATE ON traces
BEGIN
    SELECT RAISE(ABORT, 'traces en ajout seul (TR-2) : une trace ne peut être ni modifiée ni supprimée');
END;

CREATE TRIGGER traces_sans_suppression BEFORE DELETE ON traces
BEGIN
    SELECT RAISE(ABORT, 'traces en ajout seul (TR-2) : une trace ne peut être ni modifiée ni supprimée');
END;
