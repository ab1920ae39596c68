-- TEN-3, CV-7 (000 art. 7-1): the départements a convention narrows its access to, as its version in force
-- lists them. NULL: not narrowed, the partner's competence applies, as before.
ALTER TABLE conventions ADD COLUMN departements text[];
