-- CV-8 (000 art. 6-1): when a convention ends, the partner returns or destroys the data and attests it in
-- writing. One attestation per convention: the key refuses a second one.
CREATE TABLE convention_attestations (
    convention_id INTEGER PRIMARY KEY REFERENCES conventions (id),
    nature        TEXT NOT NULL CHECK (nature IN ('restitution', 'destruction')),
    attestee_le   TEXT NOT NULL,
    reference     TEXT NOT NULL,
    par           TEXT NOT NULL,
    horodatage    TEXT NOT NULL
) STRICT;
