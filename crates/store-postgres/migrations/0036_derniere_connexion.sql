-- HB-8: an agent with no login for nine full months may be deactivated. Each user's last login is kept by
-- the database itself, from every session opened, so no login path can forget it.
ALTER TABLE utilisateurs ADD COLUMN derniere_connexion timestamptz;

CREATE FUNCTION noter_derniere_connexion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE utilisateurs SET derniere_connexion = NEW.created_at WHERE id = NEW.utilisateur_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sessions_derniere_connexion AFTER INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION noter_derniere_connexion();
