-- CV-11: data-breach notifications from the partner, with the references of their documents.
CREATE TABLE convention_violations (
    id            bigserial PRIMARY KEY,
    convention_id bigint NOT NULL REFERENCES conventions (id),
    notifiee_le   date NOT NULL,
    description   text NOT NULL,
    documents     text[] NOT NULL,
    par           text NOT NULL,
    horodatage    timestamptz NOT NULL
);

CREATE INDEX convention_violations_convention ON convention_violations (convention_id);
