-- HB-9 (003:9.1): a partner designates one gestionnaire principal and one gestionnaire suppléant. Before
-- this rule a partner could have several of each: the first designated (lowest id) keeps the role, the
-- others become agents again, and the caisse designates anew if it meant otherwise.
UPDATE utilisateurs SET administrateur = NULL
WHERE administrateur IS NOT NULL
  AND EXISTS (SELECT 1 FROM utilisateurs o
              WHERE o.partenaire_id = utilisateurs.partenaire_id
                AND o.administrateur = utilisateurs.administrateur
                AND o.id < utilisateurs.id);

CREATE UNIQUE INDEX utilisateurs_un_gestionnaire_par_role
    ON utilisateurs (partenaire_id, administrateur) WHERE administrateur IS NOT NULL;
