DROP TABLE sessions;
DROP TABLE audit_events;
DROP TABLE files;
DROP TABLE grants;
DROP TABLE usecases;
DROP TABLE users;
DROP TABLE tenants;
