-- A convention's versions (SPEC CV-7): stored from its first avenant on, with version 1, the convention as
-- imported. The key makes a version impossible to record twice.
CREATE TABLE convention_versions (
    convention_id       INTEGER NOT NULL REFERENCES conventions (id),
    numero              INTEGER NOT NULL CHECK (numero > 0),
    -- The domain's Contenu as JSON.
    contenu             TEXT NOT NULL CHECK (json_valid(contenu)),
    signe_partenaire_le TEXT NOT NULL,
    signe_caisse_le     TEXT NOT NULL,
    effet_le            TEXT NOT NULL,
    reference           TEXT NOT NULL,
    par                 TEXT NOT NULL,
    horodatage          TEXT NOT NULL,
    PRIMARY KEY (convention_id, numero)
) STRICT;
