-- The verifiable trace log (SPEC TR-2, BY-2; docs/journal-verifiable.md). Leaf hashes are recorded when a
-- checkpoint covers their traces, not when the traces are written: the consultation's path is unchanged.
-- Neither table is trusted by itself: a checkpoint is believed for its Ed25519 signature, made with a key
-- kept outside the database, and a leaf only once a signed root has vouched for it.

CREATE TABLE traces_feuilles (
    position bigint PRIMARY KEY CHECK (position >= 0),
    trace_id bigint NOT NULL UNIQUE,
    feuille  bytea NOT NULL CHECK (length(feuille) = 32)
);

CREATE TABLE points_de_controle (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taille           bigint NOT NULL CHECK (taille >= 0),
    racine           bytea NOT NULL CHECK (length(racine) = 32),
    horodatage       timestamptz NOT NULL,
    signature        bytea NOT NULL CHECK (length(signature) = 64),
    dernier_trace_id bigint NOT NULL,
    -- The right edge of the tree (32-byte nodes end to end), so the next checkpoint hashes only new traces.
    frontiere        bytea NOT NULL
);

CREATE FUNCTION journal_en_ajout_seul() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal en ajout seul (TR-2) : ni modification ni suppression'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER traces_feuilles_sans_modification
    BEFORE UPDATE OR DELETE ON traces_feuilles
    FOR EACH ROW EXECUTE FUNCTION journal_en_ajout_seul();

CREATE TRIGGER traces_feuilles_sans_troncature
    BEFORE TRUNCATE ON traces_feuilles
    FOR EACH STATEMENT EXECUTE FUNCTION journal_en_ajout_seul();

CREATE TRIGGER points_de_controle_sans_modification
    BEFORE UPDATE OR DELETE ON points_de_controle
    FOR EACH ROW EXECUTE FUNCTION journal_en_ajout_seul();

CREATE TRIGGER points_de_controle_sans_troncature
    BEFORE TRUNCATE ON points_de_controle
    FOR EACH STATEMENT EXECUTE FUNCTION journal_en_ajout_seul();
