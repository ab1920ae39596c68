-- Retention of traces (issue #6, part 9; docs/journal-verifiable.md, « La purge »). Past the retention
-- period, the purge blanks a trace's personal content and keeps its row, instant, caisse, partner, action,
-- bouquet and result, with the leaf hash it had in the verifiable log and the instant of the purge.

ALTER TABLE traces ADD COLUMN purgee_le timestamptz;
ALTER TABLE traces ADD COLUMN feuille_conservee bytea
    CHECK (feuille_conservee IS NULL OR length(feuille_conservee) = 32);

-- Traces stay append-only except for that one change, once: every other update, any delete and TRUNCATE
-- are refused as before. The trigger does not check the kept hash: `partage traces verify` does, against
-- the signed checkpoints, and refuses a trace blanked before the end of its retention period.
CREATE FUNCTION traces_purge_seule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.purgee_le IS NULL AND NEW.purgee_le IS NOT NULL AND NEW.feuille_conservee IS NOT NULL
        AND NEW.id = OLD.id AND NEW.horodatage = OLD.horodatage
        AND NEW.caisse IS NOT DISTINCT FROM OLD.caisse
        AND NEW.partenaire IS NOT DISTINCT FROM OLD.partenaire
        AND NEW.action = OLD.action AND NEW.bouquet IS NOT DISTINCT FROM OLD.bouquet
        AND NEW.resultat = OLD.resultat AND NEW.utilisateur IS NULL AND NEW.source = ''
        AND NEW.rubriques IS NULL AND NEW.matricule IS NULL AND NEW.nir_hache IS NULL
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'traces en ajout seul (TR-2) : une trace ne peut être ni modifiée ni supprimée'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

DROP TRIGGER traces_sans_modification ON traces;

CREATE TRIGGER traces_sans_modification
    BEFORE UPDATE OR DELETE ON traces
    FOR EACH ROW EXECUTE FUNCTION traces_purge_seule();

-- The purge's search: traces not purged yet, oldest first.
CREATE INDEX traces_a_purger ON traces (horodatage) WHERE purgee_le IS NULL;
