-- The last verification of a usecase's data access: when, and each step's outcome (JSON).
ALTER TABLE usecases ADD COLUMN verified_at BIGINT;
ALTER TABLE usecases ADD COLUMN verification TEXT;
