-- Secrets the portal makes for itself, shared by every replica: the key
-- that signs device tokens (browsers that signed in before).
CREATE TABLE portal_keys (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
