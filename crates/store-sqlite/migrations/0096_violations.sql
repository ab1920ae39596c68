-- CV-11: data-breach notifications from the partner, with the references of their documents (JSON array).
CREATE TABLE convention_violations (
    id            INTEGER PRIMARY KEY,
    convention_id INTEGER NOT NULL REFERENCES conventions (id),
    notifiee_le   TEXT NOT NULL,
    description   TEXT NOT NULL,
    documents     TEXT NOT NULL CHECK (json_valid(documents)),
    par           TEXT NOT NULL,
    horodatage    TEXT NOT NULL
) STRICT;

CREATE INDEX convention_violations_convention ON convention_violations (convention_id);
