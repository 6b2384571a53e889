-- Identity, data locations, rights, records of uploaded files, the audit
-- trail and web sessions. Ids are text (UUIDs made by the portal) and times
-- are Unix milliseconds, so the same SQL runs on SQLite and PostgreSQL.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE usecases (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    account_id TEXT NOT NULL,
    s3_bucket TEXT NOT NULL,
    cross_account_role_arn TEXT,
    external_id TEXT NOT NULL,
    data_account_id TEXT,
    data_account_role_arn TEXT,
    data_account_external_id TEXT,
    data_s3_bucket TEXT,
    data_s3_prefix TEXT,
    sagemaker_execution_role_arn TEXT,
    region TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE grants (
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
CREATE INDEX grants_by_user ON grants (user_id, usecase_id);

CREATE TABLE files (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    usecase_id TEXT NOT NULL REFERENCES usecases (id),
    owner_id TEXT NOT NULL REFERENCES users (id),
    bucket TEXT NOT NULL,
    object_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    etag TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_by_location ON files (usecase_id, bucket, object_key);

-- Append-only: every row carries the hash of the row before it.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    tenant_id TEXT,
    user_id TEXT,
    user_email TEXT,
    action TEXT NOT NULL,
    usecase_id TEXT,
    bucket TEXT,
    object_key TEXT,
    client_ip TEXT,
    user_agent TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'error')),
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_tenant_time ON audit_events (tenant_id, at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
