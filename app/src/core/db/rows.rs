//! Whole rows of the tables the services read only in parts, so that a
//! database can be copied into another (`dataport copy-db`) table by table.

#![allow(missing_docs)]

use super::schema::*;
use diesel::prelude::*;

/// A bucket a usecase created or adopted.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = usecase_buckets)]
pub struct UsecaseBucketRow {
    pub usecase_id: String,
    pub bucket: String,
    pub origin: String,
    pub created_at: i64,
}

/// A bucket name pattern an organization may attach.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenant_buckets)]
pub struct TenantBucketRow {
    pub tenant_id: String,
    pub pattern: String,
    pub created_at: i64,
}

/// A secret or setting the portal keeps for every replica.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = portal_keys)]
pub struct PortalKeyRow {
    pub name: String,
    pub value: String,
    pub created_at: i64,
}

/// A one-time link to choose a password.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_links)]
pub struct PasswordLinkRow {
    pub token_hash: String,
    pub user_id: String,
    pub purpose: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// An access token of the REST API (its hash only).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_tokens)]
pub struct AccessTokenRow {
    pub id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub read_only: bool,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Temporary S3 keys the embedded endpoint issued.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = s3_credentials)]
pub struct S3CredentialRow {
    pub access_key: String,
    pub token_hash: String,
    pub tenant_id: String,
    pub user_id: String,
    pub usecase_id: String,
    pub bucket: String,
    pub prefix: String,
    pub can_list: bool,
    pub can_read: bool,
    pub can_write: bool,
    pub can_delete: bool,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A share link (its hash only).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = share_links)]
pub struct ShareLinkRow {
    pub id: String,
    pub token_hash: String,
    pub tenant_id: String,
    pub owner_id: String,
    pub usecase_id: String,
    pub bucket: String,
    pub path: String,
    pub password_hash: Option<String>,
    pub max_downloads: Option<i64>,
    pub downloads: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub upload_only: bool,
}
