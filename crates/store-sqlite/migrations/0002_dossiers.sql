-- The caisse's dossiers and the keyed hashes of their people's NIRs (SPEC CO-1, CO-2, OP-1).
-- `contenu` holds the whole dossier as JSON; the columns beside it repeat what queries filter on.

CREATE TABLE dossiers (
    id          INTEGER PRIMARY KEY,
    caisse_id   INTEGER NOT NULL REFERENCES caisses (id),
    matricule   TEXT NOT NULL,
    departement TEXT NOT NULL,
    opposition  INTEGER NOT NULL CHECK (opposition IN (0, 1)),
    contenu     TEXT NOT NULL,
    UNIQUE (caisse_id, matricule),
    -- The parent key of dossier_nirs' foreign key below.
    UNIQUE (id, caisse_id)
) STRICT;

-- Not unique on (caisse, NIR): a child in shared custody belongs to both parents' dossiers.
-- The primary key clusters a dossier's hashes together, so replacing them on re-import is one range delete.
-- The foreign key carries the caisse: a hash can only ever lead to a dossier of its own caisse (TEN-1).
CREATE TABLE dossier_nirs (
    dossier_id INTEGER NOT NULL,
    nir_hash   TEXT NOT NULL,
    caisse_id  INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, nir_hash),
    FOREIGN KEY (dossier_id, caisse_id) REFERENCES dossiers (id, caisse_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX dossier_nirs_caisse_nir ON dossier_nirs (caisse_id, nir_hash);
