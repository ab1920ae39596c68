-- The PSU barème of each caisse (issue #5, the PSU family fee): its periods as one JSON document, replaced
-- whole by an import that carries any barème line of the caisse.
CREATE TABLE baremes_psu (
    caisse_id bigint PRIMARY KEY REFERENCES caisses (id),
    contenu jsonb NOT NULL
);
