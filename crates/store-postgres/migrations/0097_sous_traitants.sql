-- CV-9: the sub-contractors a partner declares on a convention, at least six months ahead.
CREATE TABLE convention_sous_traitants (
    id                        bigserial PRIMARY KEY,
    convention_id             bigint NOT NULL REFERENCES conventions (id),
    nom                       text NOT NULL,
    localisation_prestataires text NOT NULL,
    localisation_bases        text NOT NULL,
    regime_juridique          text NOT NULL,
    taches                    text NOT NULL,
    declare_le                date NOT NULL,
    debut_le                  date NOT NULL,
    par                       text NOT NULL,
    horodatage                timestamptz NOT NULL
);

CREATE INDEX convention_sous_traitants_convention ON convention_sous_traitants (convention_id);
