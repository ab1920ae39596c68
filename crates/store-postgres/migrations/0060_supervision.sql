-- Supervision (SPEC TR-3, SU-2, AU-6, BY-1).
--
-- Trace requests page by trace id (keyset), so each filter's index ends with the id: a request by user, by
-- partner or by dossier reads its own traces in order and stops at the page's end, however big the log.
-- These replace the (…, horodatage) indexes of 0004, so that the consultation's append maintains no more
-- indexes per filter than before; a period alone still uses traces_horodatage.
DROP INDEX traces_utilisateur;
DROP INDEX traces_partenaire;
DROP INDEX traces_matricule;
CREATE INDEX traces_utilisateur_id ON traces (caisse, utilisateur, id);
CREATE INDEX traces_partenaire_id ON traces (caisse, partenaire, id);
CREATE INDEX traces_matricule_id ON traces (caisse, matricule, id) WHERE matricule IS NOT NULL;
CREATE INDEX traces_nir_hache_id ON traces (caisse, nir_hache, id) WHERE nir_hache IS NOT NULL;

-- Suspensions of a user or of a whole partner, temporary (jusqu_au) or definitive, and their lifting: a
-- history, never an overwrite of utilisateurs.active. The target is kept as text too, so the history still
-- says whom it was about if the row it points to is removed.
CREATE TABLE suspensions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id      bigint NOT NULL REFERENCES caisses (id),
    type_cible     text NOT NULL CHECK (type_cible IN ('utilisateur', 'partenaire')),
    cible          text NOT NULL,
    utilisateur_id bigint REFERENCES utilisateurs (id) ON DELETE SET NULL,
    partenaire_id  bigint REFERENCES partenaires (id) ON DELETE SET NULL,
    jusqu_au       timestamptz,
    motif          text NOT NULL,
    par            text NOT NULL,
    le             timestamptz NOT NULL,
    levee_le       timestamptz,
    levee_par      text,
    levee_motif    text,
    CHECK ((levee_le IS NULL) = (levee_par IS NULL) AND (levee_le IS NULL) = (levee_motif IS NULL))
);

-- Login asks whether a user, or his partner, is suspended now.
CREATE INDEX suspensions_utilisateur ON suspensions (utilisateur_id) WHERE levee_le IS NULL;
CREATE INDEX suspensions_partenaire ON suspensions (partenaire_id) WHERE levee_le IS NULL;
CREATE INDEX suspensions_caisse ON suspensions (caisse_id, id);
