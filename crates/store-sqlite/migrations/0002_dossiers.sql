-- The caisse's dossiers and the keyed hashes of their people's NIRs (SPEC CO-1, CO-2, OP-1).
-- `contenu` holds the whole dossier as JSON; the columns beside it repeat what queries filter on.

CREATE TABLE dossiers (
    id          INTEGER PRIMARY KEY,
    caisse_id   INTEGER NOT NULL REFERENCES caisses (id),
    matricule   TEXT NOT NULL,
    departement TEXT NOT NULL,
    opposition  INTEGER NOT NULL CHECK (opposition IN (0, 1)),
    contenu     TEXT NOT NULL,
    UNIQUE (caisse_id, matricule)
) STRICT;

-- Not unique on (caisse, NIR): a child in shared custody belongs to both parents' dossiers.
-- The primary key clusters a dossier's hashes together, so replacing them on re-import is one range delete.
CREATE TABLE dossier_nirs (
    dossier_id INTEGER NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    nir_hash   TEXT NOT NULL,
    caisse_id  INTEGER NOT NULL REFERENCES caisses (id),
    PRIMARY KEY (dossier_id, nir_hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX dossier_nirs_caisse_nir ON dossier_nirs (caisse_id, nir_hash);
