ALTER TABLE usecases DROP COLUMN verification;
ALTER TABLE usecases DROP COLUMN verified_at;
