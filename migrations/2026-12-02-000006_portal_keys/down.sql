DROP TABLE portal_keys;
