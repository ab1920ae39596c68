-- The partner users' second factor (issue "security", part 5): optional for every agent, and required of the
-- partners' administrators (gestion déléguée) when their caisse chooses so.
CREATE TABLE double_facteur_utilisateurs (
    utilisateur_id bigint PRIMARY KEY REFERENCES utilisateurs (id) ON DELETE CASCADE,
    secret         bytea NOT NULL,
    active         boolean NOT NULL DEFAULT false,
    derniere_etape bigint
);

ALTER TABLE caisses ADD COLUMN double_facteur_administrateurs boolean NOT NULL DEFAULT false;
