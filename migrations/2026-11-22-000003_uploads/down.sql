ALTER TABLE files DROP COLUMN checksum;
DROP TABLE uploads;
