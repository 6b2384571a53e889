-- Background jobs (the upload sweeper) run on one replica at a time: the
-- one holding the job's lease, which it renews on every run and which
-- passes to another replica when it lapses (a crashed holder renews nothing).
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
