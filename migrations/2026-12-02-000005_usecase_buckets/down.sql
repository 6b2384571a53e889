CREATE TABLE grants_unchecked (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    usecase_id TEXT NOT NULL REFERENCES usecases (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    can_list BOOLEAN NOT NULL DEFAULT FALSE,
    can_read BOOLEAN NOT NULL DEFAULT FALSE,
    can_write BOOLEAN NOT NULL DEFAULT FALSE,
    can_delete BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
INSERT INTO grants_unchecked SELECT * FROM grants;
DROP TABLE grants;
ALTER TABLE grants_unchecked RENAME TO grants;
CREATE INDEX grants_by_user ON grants (user_id, usecase_id);
DROP TABLE tenant_buckets;
DROP TABLE usecase_buckets;
