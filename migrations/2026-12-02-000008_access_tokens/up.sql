-- Access tokens of the REST API. Only the SHA-256 of a token is kept: the
-- secret is shown once, and a copy of the database calls no API.
CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    read_only BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX access_tokens_by_tenant ON access_tokens (tenant_id);
CREATE INDEX access_tokens_by_user ON access_tokens (user_id);
