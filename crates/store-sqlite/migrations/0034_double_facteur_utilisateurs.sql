-- The partner users' second factor (issue "security", part 5): optional for every agent, and required of the
-- partners' administrators (gestion déléguée) when their caisse chooses so.
CREATE TABLE double_facteur_utilisateurs (
    utilisateur_id INTEGER PRIMARY KEY REFERENCES utilisateurs (id) ON DELETE CASCADE,
    secret         BLOB NOT NULL,
    active         INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    derniere_etape INTEGER
) STRICT;

ALTER TABLE caisses ADD COLUMN double_facteur_administrateurs INTEGER NOT NULL DEFAULT 0 CHECK (double_facteur_administrateurs IN (0, 1));
