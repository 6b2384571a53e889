DROP TABLE s3_credentials;
