-- How the actor proved who it is: web session, access token, command line, system job.
ALTER TABLE audit_events ADD COLUMN credential TEXT;
