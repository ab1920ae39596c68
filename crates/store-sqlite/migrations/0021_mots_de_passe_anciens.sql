-- The hashes of each user's previous passwords (AU-1: none of the last five may come back). Kept by a trigger
-- on every change of `password_hash`, whatever made it, and pruned to the five newest.

CREATE TABLE mots_de_passe_anciens (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    utilisateur_id INTEGER NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    password_hash  TEXT NOT NULL
) STRICT;

CREATE INDEX mots_de_passe_anciens_utilisateur ON mots_de_passe_anciens (utilisateur_id, id);

CREATE TRIGGER mots_de_passe_anciens_conserves AFTER UPDATE OF password_hash ON utilisateurs
WHEN OLD.password_hash IS NOT NEW.password_hash
BEGIN
    INSERT INTO mots_de_passe_anciens (utilisateur_id, password_hash) VALUES (OLD.id, OLD.password_hash);
    DELETE FROM mots_de_passe_anciens
    WHERE utilisateur_id = OLD.id
      AND id NOT IN (SELECT id FROM mots_de_passe_anciens WHERE utilisateur_id = OLD.id ORDER BY id DESC LIMIT 5);
END;
