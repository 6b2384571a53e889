-- Buckets a usecase created or adopted; with its data bucket, the only
-- buckets its actions may touch.
CREATE TABLE usecase_buckets (
    usecase_id TEXT NOT NULL REFERENCES usecases (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('created', 'adopted')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (usecase_id, bucket)
);

-- Buckets of the portal's own account that a tenant may attach to its
-- usecases (same-account mode): an exact name, a name prefix ending in
-- `*`, or `*` for every bucket.
CREATE TABLE tenant_buckets (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    pattern TEXT NOT NULL CHECK (length(pattern) BETWEEN 1 AND 64),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, pattern)
);

-- The oldest tenant is the platform's own and keeps every bucket; every
-- tenant keeps the data buckets its usecases use and the buckets they made.
INSERT INTO tenant_buckets (tenant_id, pattern, created_at)
    SELECT id, '*', created_at FROM tenants ORDER BY created_at LIMIT 1;
INSERT INTO tenant_buckets (tenant_id, pattern, created_at)
    SELECT DISTINCT tenant_id, COALESCE(data_s3_bucket, s3_bucket), 0 FROM usecases
    WHERE NOT EXISTS (SELECT 1 FROM tenant_buckets t
                      WHERE t.tenant_id = usecases.tenant_id AND t.pattern = COALESCE(data_s3_bucket, s3_bucket));
INSERT INTO usecase_buckets (usecase_id, bucket, origin, created_at)
    SELECT DISTINCT usecase_id, bucket, 'created', 0 FROM audit_events
    WHERE action = 'bucket.create' AND outcome = 'success' AND usecase_id IS NOT NULL AND bucket IS NOT NULL
      AND usecase_id IN (SELECT id FROM usecases);

-- A grant's prefix is a folder (ending in `/`) or the whole bucket (empty),
-- so that a grant on `acme/team/` never reaches `acme/team-finance/`.
CREATE TABLE grants_checked (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    usecase_id TEXT NOT NULL REFERENCES usecases (id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '' CHECK (prefix = '' OR (prefix LIKE '%/' AND prefix NOT LIKE '/%')),
    can_list BOOLEAN NOT NULL DEFAULT FALSE,
    can_read BOOLEAN NOT NULL DEFAULT FALSE,
    can_write BOOLEAN NOT NULL DEFAULT FALSE,
    can_delete BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
INSERT INTO grants_checked
    SELECT id, user_id, usecase_id, bucket,
           CASE WHEN prefix = '' OR prefix LIKE '%/' THEN ltrim(prefix, '/') ELSE ltrim(prefix, '/') || '/' END,
           can_list, can_read, can_write, can_delete, expires_at, created_at
    FROM grants;
DROP TABLE grants;
ALTER TABLE grants_checked RENAME TO grants;
CREATE INDEX grants_by_user ON grants (user_id, usecase_id);
