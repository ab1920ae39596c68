-- A convention's versions (SPEC CV-7): stored from its first avenant on, with version 1, the convention as
-- imported. The key makes a version impossible to record twice.
CREATE TABLE convention_versions (
    convention_id       bigint NOT NULL REFERENCES conventions (id),
    numero              bigint NOT NULL CHECK (numero > 0),
    -- The domain's Contenu as JSON.
    contenu             jsonb NOT NULL,
    signe_partenaire_le date NOT NULL,
    signe_caisse_le     date NOT NULL,
    effet_le            date NOT NULL,
    reference           text NOT NULL,
    par                 text NOT NULL,
    horodatage          timestamptz NOT NULL,
    PRIMARY KEY (convention_id, numero)
);
