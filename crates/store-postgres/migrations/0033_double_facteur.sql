-- The staff's second factor (issue "security", part 5): a TOTP secret per staff member, pending until a first
-- code confirms it; the step of the last accepted code, so that no code is accepted twice; and the caisse's
-- choice to require it of its staff.
CREATE TABLE double_facteur_personnels (
    personnel_id   bigint PRIMARY KEY REFERENCES personnels (id) ON DELETE CASCADE,
    secret         bytea NOT NULL,
    active         boolean NOT NULL DEFAULT false,
    derniere_etape bigint
);

ALTER TABLE caisses ADD COLUMN double_facteur_personnel boolean NOT NULL DEFAULT false;
