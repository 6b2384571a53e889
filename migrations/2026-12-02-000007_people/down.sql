ALTER TABLE grants DROP COLUMN updated_at;
ALTER TABLE grants DROP COLUMN created_by;
DROP TABLE password_links;
ALTER TABLE tenants DROP COLUMN disabled;
ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE users DROP COLUMN sessions_after;
ALTER TABLE users DROP COLUMN last_sign_in_at;
ALTER TABLE users DROP COLUMN display_name;
