-- People, not only accounts: a name to show, the last sign-in, and the
-- moment before which their sessions no longer count (a disable, a
-- password reset, a deletion end every session at once).
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;
ALTER TABLE users ADD COLUMN sessions_after BIGINT NOT NULL DEFAULT 0;
-- A deleted user's row stays (their files and uploads name them) without
-- email or password; the audit trail keeps the email it recorded.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;

-- An organization the platform administrator disabled: no one of it acts.
ALTER TABLE tenants ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;

-- One-time links to choose a password (an invitation or a reset), stored
-- as the SHA-256 of the token: a copy of the database opens no account.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_by TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_links_by_user ON password_links (user_id);

-- Who made a grant, and when it was last changed.
ALTER TABLE grants ADD COLUMN created_by TEXT;
ALTER TABLE grants ADD COLUMN updated_at BIGINT;
