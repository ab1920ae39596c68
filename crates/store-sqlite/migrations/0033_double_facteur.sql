-- The staff's second factor (issue "security", part 5): a TOTP secret per staff member, pending until a first
-- code confirms it; the step of the last accepted code, so that no code is accepted twice; and the caisse's
-- choice to require it of its staff.
CREATE TABLE double_facteur_personnels (
    personnel_id   INTEGER PRIMARY KEY REFERENCES personnels (id) ON DELETE CASCADE,
    secret         BLOB NOT NULL,
    active         INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    derniere_etape INTEGER
) STRICT;

ALTER TABLE caisses ADD COLUMN double_facteur_personnel INTEGER NOT NULL DEFAULT 0 CHECK (double_facteur_personnel IN (0, 1));
