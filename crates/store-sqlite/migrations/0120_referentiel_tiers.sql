-- The référentiel des tiers kept by the caisse's staff (SPEC TEN, issue 3): address, representative and
-- function, contacts, structures of a gestionnaire, delegation document of an association (002 art. 1).
-- One JSON object, read and written whole by the back office; an imported partner has it empty, and a
-- re-import leaves it as the staff wrote it.
ALTER TABLE partenaires ADD COLUMN coordonnees TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(coordonnees));
