-- A convention's lifecycle (SPEC CV-2 to CV-8). `conventions.signee_le / formalite_cnil_le / fin_le` stay the
-- access dates the perimeter reads; each transition rewrites them with the state, in one transaction.
-- `revision` makes every write a compare-and-swap; the history's key (convention, revision) makes a
-- transition impossible to record twice, even from two servers at once.

CREATE TABLE convention_cycles (
    convention_id      bigint PRIMARY KEY REFERENCES conventions (id),
    -- The domain's Cycle (model and state) as JSON.
    cycle              jsonb NOT NULL,
    revision           bigint NOT NULL CHECK (revision > 0),
    -- The next day time alone changes the state (renewal, end taking effect): the scheduler's index.
    prochaine_echeance date
);

CREATE INDEX convention_cycles_echeance ON convention_cycles (prochaine_echeance)
    WHERE prochaine_echeance IS NOT NULL;

CREATE TABLE convention_transitions (
    convention_id      bigint NOT NULL REFERENCES conventions (id),
    revision           bigint NOT NULL,
    acte               text NOT NULL,
    cycle              jsonb NOT NULL,
    par                text,
    horodatage         timestamptz NOT NULL,
    date_effet         date NOT NULL,
    document_reference text,
    document_recu_le   date,
    PRIMARY KEY (convention_id, revision)
);
