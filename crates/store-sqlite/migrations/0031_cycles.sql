-- A convention's lifecycle (SPEC CV-2 to CV-8). `conventions.signee_le / formalite_cnil_le / fin_le` stay the
-- access dates the perimeter reads; each transition rewrites them with the state, in one transaction.
-- `revision` makes every write a compare-and-swap; the history's key (convention, revision) makes a
-- transition impossible to record twice.

CREATE TABLE convention_cycles (
    convention_id      INTEGER PRIMARY KEY REFERENCES conventions (id),
    -- The domain's Cycle (model and state) as JSON.
    cycle              TEXT NOT NULL CHECK (json_valid(cycle)),
    revision           INTEGER NOT NULL CHECK (revision > 0),
    -- The next day time alone changes the state (renewal, end taking effect): the scheduler's index.
    prochaine_echeance TEXT
) STRICT;

CREATE INDEX convention_cycles_echeance ON convention_cycles (prochaine_echeance)
    WHERE prochaine_echeance IS NOT NULL;

CREATE TABLE convention_transitions (
    convention_id      INTEGER NOT NULL REFERENCES conventions (id),
    revision           INTEGER NOT NULL,
    acte               TEXT NOT NULL,
    cycle              TEXT NOT NULL CHECK (json_valid(cycle)),
    par                TEXT,
    horodatage         TEXT NOT NULL,
    date_effet         TEXT NOT NULL,
    document_reference TEXT,
    document_recu_le   TEXT,
    PRIMARY KEY (convention_id, revision)
) STRICT, WITHOUT ROWID;
