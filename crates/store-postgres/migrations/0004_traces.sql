-- Traces of every connection, attempt and consultation (SPEC TR-1). Caisse, user and partner are the text the
-- application recorded, not foreign keys: a failed login names an identifier that may exist nowhere, and a
-- trace must outlive any row it mentions.

CREATE TABLE traces (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    horodatage  timestamptz NOT NULL,
    caisse      text,
    utilisateur text,
    partenaire  text,
    source      text NOT NULL,
    action      text NOT NULL,
    bouquet     text,
    rubriques   text,
    matricule   text,
    nir_hache   text,
    resultat    text NOT NULL
);

-- Trace requests (TR-3): by user, by partner, by dossier, over a period.
CREATE INDEX traces_utilisateur ON traces (caisse, utilisateur, horodatage);
CREATE INDEX traces_partenaire ON traces (caisse, partenaire, horodatage);
CREATE INDEX traces_matricule ON traces (caisse, matricule, horodatage) WHERE matricule IS NOT NULL;
CREATE INDEX traces_horodatage ON traces (horodatage);

-- TR-2: traces are append-only, for the application and for anyone with a SQL session alike. Only the
-- table's owner can drop these triggers, and the verifiable log (BY-2) is there to reveal it if he does.
CREATE FUNCTION traces_en_ajout_seul() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'traces en ajout seul (TR-2) : une trace ne peut être ni modifiée ni supprimée'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER traces_sans_modification
    BEFORE UPDATE OR DELETE ON traces
    FOR EACH ROW EXECUTE FUNCTION traces_en_ajout_seul();

-- TRUNCATE fires no row trigger: it needs a statement trigger of its own.
CREATE TRIGGER traces_sans_troncature
    BEFORE TRUNCATE ON traces
    FOR EACH STATEMENT EXECUTE FUNCTION traces_en_ajout_seul();
