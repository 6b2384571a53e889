-- Share links: a portal URL for people without an account, to one file or
-- the files of one folder. Only the SHA-256 of the token is kept, and the
-- password (if any) as an argon2id hash.
CREATE TABLE share_links (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    usecase_id TEXT NOT NULL REFERENCES usecases (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    path TEXT NOT NULL,
    password_hash TEXT,
    max_downloads BIGINT,
    downloads BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    -- A drop box: visitors upload into the folder and see nothing of it.
    upload_only BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX share_links_by_tenant ON share_links (tenant_id);
