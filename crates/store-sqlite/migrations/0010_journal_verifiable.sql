-- The verifiable trace log (SPEC TR-2, BY-2; docs/journal-verifiable.md). Leaf hashes are recorded when a
-- checkpoint covers their traces, not when the traces are written: the consultation's path is unchanged.
-- Neither table is trusted by itself: a checkpoint is believed for its Ed25519 signature, made with a key
-- kept outside the database, and a leaf only once a signed root has vouched for it.

CREATE TABLE traces_feuilles (
    position INTEGER PRIMARY KEY,
    trace_id INTEGER NOT NULL UNIQUE,
    feuille  BLOB NOT NULL CHECK (length(feuille) = 32)
) STRICT;

CREATE TABLE points_de_controle (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    taille           INTEGER NOT NULL CHECK (taille >= 0),
    racine           BLOB NOT NULL CHECK (length(racine) = 32),
    horodatage       TEXT NOT NULL,
    signature        BLOB NOT NULL CHECK (length(signature) = 64),
    dernier_trace_id INTEGER NOT NULL,
    -- The right edge of the tree (32-byte nodes end to end), so the next checkpoint hashes only new traces.
    frontiere        BLOB NOT NULL
) STRICT;

CREATE TRIGGER traces_feuilles_sans_modification BEFORE UPDATE ON traces_feuilles
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul (TR-2) : une empreinte ne peut être ni modifiée ni supprimée');
END;

CREATE TRIGGER traces_feuilles_sans_suppression BEFORE DELETE ON traces_feuilles
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul (TR-2) : une empreinte ne peut être ni modifiée ni supprimée');
END;

CREATE TRIGGER points_de_controle_sans_modification BEFORE UPDATE ON points_de_controle
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul (TR-2) : un point de contrôle ne peut être ni modifié ni supprimé');
END;

CREATE TRIGGER points_de_controle_sans_suppression BEFORE DELETE ON points_de_controle
BEGIN
    SELECT RAISE(ABORT, 'journal en ajout seul (TR-2) : un point de contrôle ne peut être ni modifié ni supprimé');
END;
