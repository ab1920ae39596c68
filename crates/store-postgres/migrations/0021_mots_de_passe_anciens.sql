-- The hashes of each user's previous passwords (AU-1: none of the last five may come back). Kept by a trigger
-- on every change of `password_hash`, whatever made it, and pruned to the five newest.

CREATE TABLE mots_de_passe_anciens (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    utilisateur_id bigint NOT NULL REFERENCES utilisateurs (id) ON DELETE CASCADE,
    password_hash  text NOT NULL
);

CREATE INDEX mots_de_passe_anciens_utilisateur ON mots_de_passe_anciens (utilisateur_id, id);

CREATE FUNCTION mots_de_passe_anciens_conserver() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mots_de_passe_anciens (utilisateur_id, password_hash) VALUES (OLD.id, OLD.password_hash);
    DELETE FROM mots_de_passe_anciens
    WHERE utilisateur_id = OLD.id
      AND id NOT IN (SELECT id FROM mots_de_passe_anciens WHERE utilisateur_id = OLD.id ORDER BY id DESC LIMIT 5);
    RETURN NULL;
END;
$$;

CREATE TRIGGER mots_de_passe_anciens_conserves
    AFTER UPDATE OF password_hash ON utilisateurs
    FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION mots_de_passe_anciens_conserver();
