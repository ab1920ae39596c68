-- Failed-login counters (AU-1, lock-out), keyed by what was typed (space, caisse, identifier) or by source
-- address: an unknown identifier is counted like a known one. `nombre` is the current run of failures;
-- `verrouille_le` is set by the failure that locked the account and only an unlock (a DELETE) clears it.

CREATE TABLE echecs_connexion (
    cle           TEXT PRIMARY KEY,
    nombre        INTEGER NOT NULL CHECK (nombre > 0),
    dernier       TEXT NOT NULL,
    verrouille_le TEXT
) STRICT, WITHOUT ROWID;
