-- Gestion déléguée or centralisée per convention (SPEC CV-12, HB-9, HB-10), and the partner's own
-- administrators (gestionnaire principal and suppléant, 003:9.1).

-- NULL: the default of the caisse's régime (delegated for a CAF, centralised for an MSA).
ALTER TABLE conventions ADD COLUMN gestion TEXT CHECK (gestion IN ('centralisee', 'deleguee'));

-- NULL: an agent like the others. An administrator manages his own organisation's habilitations on the
-- conventions in delegated mode, never another administrator's.
ALTER TABLE utilisateurs ADD COLUMN administrateur TEXT CHECK (administrateur IN ('principal', 'suppleant'));
