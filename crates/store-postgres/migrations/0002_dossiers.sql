-- The caisse's dossiers and the keyed hashes of their people's NIRs (SPEC CO-1, CO-2, OP-1).
-- `contenu` holds the whole dossier; the columns beside it repeat what queries filter on.

CREATE TABLE dossiers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caisse_id   bigint NOT NULL REFERENCES caisses (id),
    matricule   text NOT NULL,
    departement text NOT NULL,
    opposition  boolean NOT NULL,
    contenu     jsonb NOT NULL,
    UNIQUE (caisse_id, matricule),
    -- The parent key of dossier_nirs' foreign key below.
    UNIQUE (id, caisse_id)
);

-- Not unique on (caisse, NIR): a child in shared custody belongs to both parents' dossiers. No primary key:
-- the import writes each dossier's hashes once, deduplicated, and a unique index on 64-character hashes
-- would only slow it down.
-- The foreign key carries the caisse: a hash can only ever lead to a dossier of its own caisse (TEN-1). One
-- composite key rather than one to dossiers and one to caisses: each costs a lookup per row on import.
CREATE TABLE dossier_nirs (
    dossier_id bigint NOT NULL,
    nir_hash   text NOT NULL,
    caisse_id  bigint NOT NULL,
    FOREIGN KEY (dossier_id, caisse_id) REFERENCES dossiers (id, caisse_id) ON DELETE CASCADE
);

CREATE INDEX dossier_nirs_caisse_nir ON dossier_nirs (caisse_id, nir_hash);
-- Replacing a dossier's hashes on re-import.
CREATE INDEX dossier_nirs_dossier ON dossier_nirs (dossier_id);
