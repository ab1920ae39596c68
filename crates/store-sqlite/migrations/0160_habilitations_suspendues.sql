-- HB-9 (003:9.1): the partner's administrators suspend and reactivate their organisation's habilitations. A
-- suspended habilitation is still held (it counts toward the convention's cap, HB-7) but grants nothing: the
-- perimeter skips it until it is reactivated.
ALTER TABLE habilitations ADD COLUMN suspendue INTEGER NOT NULL DEFAULT 0 CHECK (suspendue IN (0, 1));
