-- Temporary S3 keys the embedded endpoint issued for command-line tools:
-- one granted location each, for at most an hour. The secret is derived
-- from the endpoint's own key and never stored; the session token only as
-- its SHA-256.
CREATE TABLE s3_credentials (
    access_key TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    usecase_id TEXT NOT NULL REFERENCES usecases (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    prefix TEXT NOT NULL,
    can_list BOOLEAN NOT NULL,
    can_read BOOLEAN NOT NULL,
    can_write BOOLEAN NOT NULL,
    can_delete BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX s3_credentials_by_user ON s3_credentials (user_id);
