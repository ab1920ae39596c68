-- The PSU barème of each caisse (issue #5, the PSU family fee): its periods as one JSON document, replaced
-- whole by an import that carries any barème line of the caisse.
CREATE TABLE baremes_psu (
    caisse_id INTEGER PRIMARY KEY REFERENCES caisses (id),
    contenu TEXT NOT NULL CHECK (json_valid(contenu))
) STRICT;
