//! Rows as Rust structs. `User` carries the password hash and is never sent
//! to the browser; pages get `model::SessionUser` instead.

use super::schema::*;
use super::text_enums::UploadStatus;
use crate::ids::{GrantId, UploadId, UsecaseId, UserId};
use crate::model::Role;
use diesel::prelude::*;

/// An organization; nothing of one tenant is visible to another.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub disabled: bool,
}

/// A person who signs in, with the password hash and lock-out counters.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub tenant_id: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub failed_logins: i32,
    pub locked_until: Option<i64>,
    pub created_at: i64,
    pub display_name: String,
    pub last_sign_in_at: Option<i64>,
    pub sessions_after: i64,
    pub deleted_at: Option<i64>,
}

/// A project of a tenant and where its data lives.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = usecases)]
pub struct Usecase {
    pub id: UsecaseId,
    pub tenant_id: String,
    pub name: String,
    pub account_id: String,
    pub s3_bucket: String,
    pub cross_account_role_arn: Option<String>,
    pub external_id: String,
    pub data_account_id: Option<String>,
    pub data_account_role_arn: Option<String>,
    pub data_account_external_id: Option<String>,
    pub data_s3_bucket: Option<String>,
    pub data_s3_prefix: Option<String>,
    pub sagemaker_execution_role_arn: Option<String>,
    pub region: String,
    pub created_at: i64,
    /// When the data access was last verified.
    pub verified_at: Option<i64>,
    /// The steps of the last verification, as JSON.
    pub verification: Option<String>,
}

impl Usecase {
    /// A new usecase whose data lives in `bucket` of the portal's own account, with a fresh external id.
    pub fn same_account(tenant_id: &str, name: &str, account_id: &str, bucket: &str, region: &str) -> Usecase {
        Usecase {
            id: UsecaseId::random(),
            tenant_id: tenant_id.into(),
            name: name.into(),
            account_id: account_id.into(),
            s3_bucket: bucket.into(),
            cross_account_role_arn: None,
            external_id: crate::core::new_id(),
            data_account_id: None,
            data_account_role_arn: None,
            data_account_external_id: None,
            data_s3_bucket: None,
            data_s3_prefix: None,
            sagemaker_execution_role_arn: None,
            region: region.into(),
            created_at: crate::core::now_ms(),
            verified_at: None,
            verification: None,
        }
    }

    /// The bucket that holds the usecase's data (and every user's home).
    pub fn data_bucket(&self) -> &str {
        self.data_s3_bucket.as_deref().unwrap_or(&self.s3_bucket)
    }
}

/// Rights of one user on one bucket prefix of one usecase.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grants)]
pub struct Grant {
    pub id: GrantId,
    pub user_id: UserId,
    pub usecase_id: UsecaseId,
    pub bucket: String,
    pub prefix: String,
    pub can_list: bool,
    pub can_read: bool,
    pub can_write: bool,
    pub can_delete: bool,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub created_by: Option<UserId>,
    pub updated_at: Option<i64>,
}

/// Metadata of an object uploaded through the portal.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = files)]
pub struct FileRecord {
    pub id: String,
    pub tenant_id: String,
    pub usecase_id: UsecaseId,
    pub owner_id: UserId,
    pub bucket: String,
    pub object_key: String,
    pub size: i64,
    pub content_type: String,
    pub etag: String,
    pub status: String,
    pub created_at: i64,
    pub checksum: Option<String>,
}

/// A multipart upload the portal started and has not forgotten.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = uploads)]
pub struct UploadRecord {
    pub id: UploadId,
    pub tenant_id: String,
    pub usecase_id: UsecaseId,
    pub owner_id: UserId,
    pub bucket: String,
    pub requested_key: String,
    pub object_key: String,
    pub s3_upload_id: String,
    pub size: i64,
    pub part_size: i64,
    pub content_type: String,
    pub file_modified: i64,
    pub status: UploadStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One row of the audit trail, chained to the one before by `prev_hash`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: i64,
    pub tenant_id: Option<String>,
    pub user_id: Option<UserId>,
    pub user_email: Option<String>,
    pub action: String,
    pub usecase_id: Option<UsecaseId>,
    pub bucket: Option<String>,
    pub object_key: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    pub credential: Option<String>,
}

/// A web session as the session layer stores it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub data: String,
    pub expires_at: i64,
}
