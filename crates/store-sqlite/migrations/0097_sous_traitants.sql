-- CV-9: the sub-contractors a partner declares on a convention, at least six months ahead.
CREATE TABLE convention_sous_traitants (
    id                        INTEGER PRIMARY KEY,
    convention_id             INTEGER NOT NULL REFERENCES conventions (id),
    nom                       TEXT NOT NULL,
    localisation_prestataires TEXT NOT NULL,
    localisation_bases        TEXT NOT NULL,
    regime_juridique          TEXT NOT NULL,
    taches                    TEXT NOT NULL,
    declare_le                TEXT NOT NULL,
    debut_le                  TEXT NOT NULL,
    par                       TEXT NOT NULL,
    horodatage                TEXT NOT NULL
) STRICT;

CREATE INDEX convention_sous_traitants_convention ON convention_sous_traitants (convention_id);
