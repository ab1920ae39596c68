-- Retention of traces (issue #6, part 9; docs/journal-verifiable.md, « La purge »). Past the retention
-- period, the purge blanks a trace's personal content and keeps its row, instant, caisse, partner, action,
-- bouquet and result, with the leaf hash it had in the verifiable log and the instant of the purge.

ALTER TABLE traces ADD COLUMN purgee_le TEXT;
ALTER TABLE traces ADD COLUMN feuille_conservee BLOB CHECK (feuille_conservee IS NULL OR length(feuille_conservee) = 32);

-- Traces stay append-only except for that one change, once: every other update is refused as before.
-- The trigger cannot check the kept hash (no SHA-256 in SQLite): `partage traces verify` does, against the
-- signed checkpoints, and refuses a trace blanked before the end of its retention period.
DROP TRIGGER traces_sans_modification;

CREATE TRIGGER traces_sans_modification BEFORE UPDATE ON traces
WHEN NOT (
    OLD.purgee_le IS NULL AND NEW.purgee_le IS NOT NULL AND NEW.feuille_conservee IS NOT NULL
    AND NEW.id = OLD.id AND NEW.horodatage = OLD.horodatage AND NEW.caisse IS OLD.caisse
    AND NEW.partenaire IS OLD.partenaire AND NEW.action = OLD.action AND NEW.bouquet IS OLD.bouquet
    AND NEW.resultat = OLD.resultat AND NEW.utilisateur IS NULL AND NEW.source = ''
    AND NEW.rubriques IS NULL AND NEW.matricule IS NULL AND NEW.nir_hache IS NULL
)
BEGIN
    SELECT RAISE(ABORT, 'traces en ajout seul (TR-2) : une trace ne peut être ni modifiée ni supprimée');
END;

-- The purge's search: traces not purged yet, oldest first.
CREATE INDEX traces_a_purger ON traces (horodatage) WHERE purgee_le IS NULL;
