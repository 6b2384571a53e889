-- Multipart uploads in progress: what the portal needs to resume, complete
-- or abort them. `requested_key` is the key the user asked for; `object_key`
-- is where the object goes after the conflict rule was applied.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    usecase_id TEXT NOT NULL REFERENCES usecases (id),
    owner_id TEXT NOT NULL REFERENCES users (id),
    bucket TEXT NOT NULL,
    requested_key TEXT NOT NULL,
    object_key TEXT NOT NULL,
    s3_upload_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    part_size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    file_modified BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'completed', 'aborted')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX uploads_for_resume ON uploads (owner_id, usecase_id, bucket, requested_key, status);
CREATE INDEX uploads_idle ON uploads (status, updated_at);

-- The checksum S3 stored for each uploaded file, `crc32c:<base64>`.
ALTER TABLE files ADD COLUMN checksum TEXT;
