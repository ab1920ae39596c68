-- When the staff member last typed his password in this session (AU-4, issue "security" part 4): sensitive
-- acts need it within the last minutes. NULL: not since the login, so the session's creation.
ALTER TABLE sessions_personnel ADD COLUMN authentifie_le timestamptz;
