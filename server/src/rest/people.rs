//! People and their permissions (grants), for administrators' scripts.

use super::caller::{Caller, Input, Params, page};
use super::problem::Problem;
use app::api::state::AppState;
use app::core::audit::format_ms;
use app::core::grant_admin::{self, GrantFilter};
use app::core::people;
use app::ids::{GrantId, UsecaseId, UserId};
use app::model::{GrantForm, GrantRow, Person, Role};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A grant: rights of one person on one folder of a usecase's bucket.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PermissionOut {
    /// Grant id.
    pub id: String,
    /// Who holds it.
    pub user_id: String,
    /// Their email.
    pub user_email: String,
    /// The usecase.
    pub usecase_id: String,
    /// Bucket.
    pub bucket: String,
    /// Folder (empty: the whole bucket).
    pub prefix: String,
    /// See what the folder holds.
    pub list: bool,
    /// Download.
    pub read: bool,
    /// Upload and create folders.
    pub write: bool,
    /// Delete.
    pub delete: bool,
    /// When it ends, RFC 3339 UTC, if it does.
    pub expires_at: Option<String>,
    /// `Active`, `ExpiresSoon` or `Expired`.
    pub state: String,
}

impl From<GrantRow> for PermissionOut {
    fn from(g: GrantRow) -> Self {
        PermissionOut {
            id: g.id.to_string(),
            user_id: g.user_id.to_string(),
            user_email: g.user_email,
            usecase_id: g.usecase_id.to_string(),
            bucket: g.bucket,
            prefix: g.prefix,
            list: g.rights.list,
            read: g.rights.read,
            write: g.rights.write,
            delete: g.rights.delete,
            expires_at: g.expires_at.map(format_ms),
            state: format!("{:?}", g.state),
        }
    }
}

/// A page of grants.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PermissionList {
    /// The grants.
    pub permissions: Vec<PermissionOut>,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// Which grants to list.
#[derive(Deserialize, IntoParams)]
pub struct PermissionParams {
    /// Only this person's.
    pub user_id: Option<String>,
    /// Only on this usecase.
    pub usecase_id: Option<String>,
    /// Most items (1 to 1000, 100 when not given).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

/// The organization's grants (administrators).
#[utoipa::path(get, path = "/api/v1/permissions", tag = "people", params(PermissionParams),
    responses((status = 200, description = "A page of grants", body = PermissionList),
        (status = 403, description = "Administrators only", body = Problem)))]
pub async fn list_permissions(
    State(state): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<PermissionParams>,
) -> Result<Json<PermissionList>, Problem> {
    let filter = GrantFilter { user_id: q.user_id.map(UserId::from), usecase_id: q.usecase_id.map(UsecaseId::from) };
    let all = grant_admin::list(&state, &p, filter).await?;
    let (items, next) = page(all, q.limit, q.next.as_deref())?;
    Ok(Json(PermissionList { permissions: items.into_iter().map(PermissionOut::from).collect(), next }))
}

/// A grant to give.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewPermission {
    /// Who gets it (a person of the organization).
    pub user_id: String,
    /// The usecase.
    pub usecase_id: String,
    /// One of its buckets.
    pub bucket: String,
    /// Folder, ending in `/` (empty: the whole bucket).
    #[serde(default)]
    pub prefix: String,
    /// See what the folder holds.
    #[serde(default)]
    pub list: bool,
    /// Download.
    #[serde(default)]
    pub read: bool,
    /// Upload and create folders.
    #[serde(default)]
    pub write: bool,
    /// Delete.
    #[serde(default)]
    pub delete: bool,
    /// When it ends, `2026-12-31T18:00` (UTC); none when not given.
    #[serde(default)]
    pub expires: String,
}

/// Gives a person rights on a folder (administrators); the person's role caps them.
#[utoipa::path(post, path = "/api/v1/permissions", tag = "people", request_body = NewPermission,
    responses((status = 201, description = "The grant", body = PermissionOut),
        (status = 400, description = "A bad person, bucket, folder or expiry", body = Problem),
        (status = 403, description = "Administrators only", body = Problem)))]
pub async fn create_permission(
    State(state): State<AppState>,
    Caller(p): Caller,
    Input(body): Input<NewPermission>,
) -> Result<(StatusCode, Json<PermissionOut>), Problem> {
    let form = GrantForm {
        id: None,
        user_id: body.user_id.into(),
        usecase_id: body.usecase_id.into(),
        bucket: body.bucket,
        prefix: body.prefix,
        list: body.list,
        read: body.read,
        write: body.write,
        delete: body.delete,
        expires: body.expires,
    };
    let row = grant_admin::save(&state, &p, form).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Revokes a grant (administrators); it ends at the holder's next request.
#[utoipa::path(delete, path = "/api/v1/permissions/{permission_id}", tag = "people",
    params(("permission_id" = String, Path, description = "Grant id")),
    responses((status = 204, description = "Revoked"),
        (status = 403, description = "Administrators only", body = Problem),
        (status = 404, description = "No such grant in your organization", body = Problem)))]
pub async fn revoke_permission(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(permission_id): Path<GrantId>,
) -> Result<StatusCode, Problem> {
    grant_admin::revoke(&state, &p, &permission_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person of the organization.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UserOut {
    /// User id.
    pub id: String,
    /// Email (how they sign in).
    pub email: String,
    /// The name shown beside it.
    pub display_name: String,
    /// `Admin`, `Editor` or `Viewer`.
    pub role: String,
    /// `Active`, `Invited`, `Disabled` or `Locked`.
    pub status: String,
    /// Last sign-in, RFC 3339 UTC.
    pub last_sign_in_at: Option<String>,
    /// Grants they hold.
    pub grants: i64,
}

impl From<Person> for UserOut {
    fn from(p: Person) -> Self {
        UserOut {
            id: p.id.to_string(),
            email: p.email,
            display_name: p.display_name,
            role: format!("{:?}", p.role),
            status: format!("{:?}", p.status),
            last_sign_in_at: p.last_sign_in_at.map(format_ms),
            grants: p.grants,
        }
    }
}

/// A page of people.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UserList {
    /// The people.
    pub users: Vec<UserOut>,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// Which people to list.
#[derive(Deserialize, IntoParams)]
pub struct UserParams {
    /// Only people whose email or name contains this.
    #[serde(default)]
    pub search: String,
    /// Most items (1 to 1000, 100 when not given).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub next: Option<String>,
}

/// The organization's people (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "people", params(UserParams),
    responses((status = 200, description = "A page of people", body = UserList),
        (status = 403, description = "Administrators only", body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    Caller(p): Caller,
    Params(q): Params<UserParams>,
) -> Result<Json<UserList>, Problem> {
    let all = people::list(&state, &p, &q.search).await?;
    let (items, next) = page(all, q.limit, q.next.as_deref())?;
    Ok(Json(UserList { users: items.into_iter().map(UserOut::from).collect(), next }))
}

/// A person to add.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewUser {
    /// Their email.
    pub email: String,
    /// The name shown beside it.
    #[serde(default)]
    pub display_name: String,
    /// `Admin`, `Editor` or `Viewer`.
    #[schema(value_type = String)]
    pub role: Role,
}

/// A person added, with the one-time link to choose a password.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct InvitedUser {
    /// User id.
    pub id: String,
    /// Their email.
    pub email: String,
    /// The one-time link (72 hours) to send them; shown only here.
    pub password_link: String,
    /// When the link stops working, RFC 3339 UTC.
    pub link_expires_at: String,
}

/// Adds a person (administrators); they choose a password through the link.
#[utoipa::path(post, path = "/api/v1/users", tag = "people", request_body = NewUser,
    responses((status = 201, description = "Added", body = InvitedUser),
        (status = 400, description = "A bad email", body = Problem),
        (status = 403, description = "Administrators only", body = Problem),
        (status = 409, description = "The email is taken", body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    Caller(p): Caller,
    Input(body): Input<NewUser>,
) -> Result<(StatusCode, Json<InvitedUser>), Problem> {
    let link = people::invite(&state, &p, &body.email, &body.display_name, body.role).await?;
    let out = InvitedUser {
        id: link.user_id.to_string(),
        email: link.email,
        password_link: link.url,
        link_expires_at: format_ms(link.expires_at),
    };
    Ok((StatusCode::CREATED, Json(out)))
}
