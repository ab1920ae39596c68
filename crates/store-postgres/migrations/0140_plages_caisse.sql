-- CO-7: the opening window each caisse sets for its bouquets, in minutes after midnight, French time. A
-- bouquet without a row keeps the deployment's default. The conventions' minimum (open at the latest at
-- 5 h, closed at the earliest at 23 h, 000:5 and 001:5) is checked here too.
CREATE TABLE plages_caisse (
    caisse_id bigint NOT NULL REFERENCES caisses (id),
    bouquet text NOT NULL CHECK (bouquet IN ('QF', 'PSU', 'RSACG', 'MCP-QF', 'MCP-ADRESSE')),
    ouverture integer NOT NULL CHECK (ouverture BETWEEN 0 AND 300),
    fermeture integer NOT NULL CHECK (fermeture BETWEEN 1380 AND 1439),
    par text NOT NULL,
    le timestamptz NOT NULL,
    PRIMARY KEY (caisse_id, bouquet)
);
