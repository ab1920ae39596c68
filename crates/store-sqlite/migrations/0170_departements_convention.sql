-- TEN-3, CV-7 (000 art. 7-1): the départements a convention narrows its access to, as its version in force
-- lists them (JSON list of codes). NULL: not narrowed, the partner's competence applies, as before.
ALTER TABLE conventions ADD COLUMN departements TEXT CHECK (departements IS NULL OR json_valid(departements));
