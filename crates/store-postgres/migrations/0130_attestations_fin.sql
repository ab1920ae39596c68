-- CV-8 (000 art. 6-1): when a convention ends, the partner returns or destroys the data and attests it in
-- writing. One attestation per convention: the key refuses a second one.
CREATE TABLE convention_attestations (
    convention_id bigint PRIMARY KEY REFERENCES conventions (id),
    nature        text NOT NULL CHECK (nature IN ('restitution', 'destruction')),
    attestee_le   date NOT NULL,
    reference     text NOT NULL,
    par           text NOT NULL,
    horodatage    timestamptz NOT NULL
);
