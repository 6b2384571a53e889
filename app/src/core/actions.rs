//! The portal's vocabulary of actions: one name for each thing someone can
//! do, as the audit trail records it, and the access `authorize` checks for
//! it where one pairs with it.

use super::authz::Action;

macro_rules! audit_actions {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal => $access:expr;)*) => {
        /// Everything the audit trail records, one name per action.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($(#[doc = $doc])* $variant,)*
        }

        impl AuditAction {
            /// Every action.
            pub const ALL: &[AuditAction] = &[$(AuditAction::$variant,)*];

            /// The name the audit trail keeps, such as `object.upload`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }

            /// What `authorize` is asked for this action; `None` for actions
            /// that need no grant (signing in, setting up the portal).
            pub fn access(self) -> Option<Action> {
                match self {
                    $(AuditAction::$variant => $access,)*
                }
            }
        }
    };
}

audit_actions! {
    /// Signing in with email and password.
    SignIn = "auth.sign_in" => None;
    /// Signing out.
    SignOut = "auth.sign_out" => None;
    /// Creating the first administrator, organization, usecase and bucket.
    FirstAdmin = "setup.first_admin" => None;
    /// A state-changing request from another site, refused.
    CrossSiteRequest = "request.cross_site" => None;
    /// Choosing a password through a one-time link (an invitation or a reset).
    SetPassword = "user.password_set" => None;
    /// Listing the organizations (platform administrator).
    ListTenants = "tenant.list" => Some(Action::ManageTenants);
    /// Creating an organization with its first administrator (platform administrator).
    CreateTenant = "tenant.create" => Some(Action::ManageTenants);
    /// Disabling an organization (platform administrator).
    DisableTenant = "tenant.disable" => Some(Action::ManageTenants);
    /// Enabling a disabled organization (platform administrator).
    EnableTenant = "tenant.enable" => Some(Action::ManageTenants);
    /// Reading whether a bucket's CORS rules let the portal's pages upload.
    CheckUploadCors = "bucket.cors.check" => Some(Action::WriteObject);
    /// Adding the portal's CORS rule to a bucket, keeping its other rules.
    AllowUploadCors = "bucket.cors.allow" => Some(Action::ManageBuckets);
    /// Assigning buckets of the portal's account to an organization (platform administrator).
    AssignBuckets = "tenant.buckets.assign" => None;
    /// Listing the organization's usecases.
    ListUsecases = "usecase.list" => Some(Action::ViewUsecase);
    /// Listing the places the user may use ("My locations").
    ListLocations = "location.list" => Some(Action::ViewUsecase);
    /// Opening one usecase.
    ViewUsecase = "usecase.view" => Some(Action::ViewUsecase);
    /// Opening the usecase editor.
    UsecaseSetup = "usecase.setup" => Some(Action::ManageUsecase);
    /// Verifying and saving a usecase.
    SaveUsecase = "usecase.save" => Some(Action::ManageUsecase);
    /// Verifying a saved usecase's data access again.
    VerifyUsecase = "usecase.verify" => Some(Action::ManageUsecase);
    /// Choosing the usecase's data source.
    SetDataSource = "usecase.data_source" => Some(Action::ManageUsecase);
    /// Setting the usecase's SageMaker execution role.
    SetTrainingRole = "usecase.training_role" => Some(Action::ManageUsecase);
    /// Listing a usecase's buckets.
    ListBuckets = "bucket.list" => Some(Action::ListBuckets);
    /// Creating (or adopting) a bucket.
    CreateBucket = "bucket.create" => Some(Action::AttachBucket);
    /// Applying the recommended settings to a bucket again.
    ConfigureBucket = "bucket.configure" => Some(Action::ManageBuckets);
    /// Showing the training-access statements of a bucket.
    ViewTrainingAccess = "bucket.training_access.view" => Some(Action::ManageBuckets);
    /// Merging the training-access statements into a bucket's policy.
    ApplyTrainingAccess = "bucket.training_access" => Some(Action::ManageBuckets);
    /// Creating a folder.
    CreateFolder = "folder.create" => Some(Action::WriteObject);
    /// Listing a folder.
    ListObjects = "object.list" => Some(Action::ListObjects);
    /// Downloading an object.
    Download = "object.download" => Some(Action::ReadObject);
    /// Downloading a folder or a selection as one zip archive.
    DownloadArchive = "object.download.archive" => Some(Action::ReadObject);
    /// A file's thumbnail shown in the folder grid.
    ViewThumbnail = "object.thumbnail" => Some(Action::ReadObject);
    /// A file's details and preview opened.
    ViewObject = "object.view" => Some(Action::ReadObject);
    /// A folder and everything below it searched by name.
    SearchObjects = "object.search" => Some(Action::ListObjects);
    /// An older version of a file copied over it as the latest.
    RestoreVersion = "object.restore" => Some(Action::WriteObject);
    /// Deleted files brought back by removing their delete markers.
    Undelete = "object.undelete" => Some(Action::WriteObject);
    /// Listing a folder's deleted files.
    ListDeleted = "object.list.deleted" => Some(Action::ListObjects);
    /// Counting what a deletion would remove, for its confirmation.
    PreviewDelete = "object.delete.preview" => Some(Action::DeleteObject);
    /// Deleting objects or folders with everything under them.
    DeleteObjects = "object.delete" => Some(Action::DeleteObject);
    /// Starting an upload session.
    BeginUpload = "object.upload.begin" => Some(Action::WriteObject);
    /// Planning the files of a batch.
    StartUpload = "object.upload.start" => Some(Action::WriteObject);
    /// Signing parts of a multipart upload.
    SignParts = "object.upload.parts" => Some(Action::WriteObject);
    /// A file arriving and being recorded.
    Upload = "object.upload" => Some(Action::WriteObject);
    /// Cancelling (or sweeping) a multipart upload.
    AbortUpload = "object.upload.abort" => Some(Action::WriteObject);
    /// Listing the organization's people.
    ListUsers = "user.list" => Some(Action::ViewPeople);
    /// Adding a person with a one-time invitation link.
    InviteUser = "user.invite" => Some(Action::ManagePeople);
    /// Changing a person's role.
    ChangeRole = "user.role" => Some(Action::ManagePeople);
    /// Disabling a person (their sessions end).
    DisableUser = "user.disable" => Some(Action::ManagePeople);
    /// Enabling a disabled person again.
    EnableUser = "user.enable" => Some(Action::ManagePeople);
    /// Making a one-time link to choose a new password (sessions end).
    ResetPassword = "user.password_reset" => Some(Action::ManagePeople);
    /// Lifting a lock-out left by wrong passwords.
    UnlockUser = "user.unlock" => Some(Action::ManagePeople);
    /// Deleting a person; their audit events stay.
    DeleteUser = "user.delete" => Some(Action::ManagePeople);
    /// Listing the organization's grants.
    ListGrants = "grant.list" => Some(Action::ViewPeople);
    /// Giving someone rights on a bucket folder.
    CreateGrant = "grant.create" => Some(Action::ManagePeople);
    /// Changing a grant.
    UpdateGrant = "grant.update" => Some(Action::ManagePeople);
    /// Revoking a grant.
    RevokeGrant = "grant.revoke" => Some(Action::ManagePeople);
    /// Reading one's own events ("My activity"); not itself recorded, so
    /// that looking does not fill the page being looked at.
    ViewActivity = "activity.view" => Some(Action::ViewOwnActivity);
    /// Opening the administrators' dashboard.
    ViewDashboard = "dashboard.view" => Some(Action::ViewAudit);
    /// Reading the audit trail on its page.
    ViewAudit = "audit.view" => Some(Action::ViewAudit);
    /// Exporting the audit trail as CSV.
    ExportAudit = "audit.export" => Some(Action::ViewAudit);
    /// Listing access tokens: one's own, or the organization's for administrators.
    ListTokens = "token.list" => Some(Action::ManageOwnAccess);
    /// Creating an access token for the REST API.
    CreateToken = "token.create" => Some(Action::ManageOwnAccess);
    /// Revoking an access token.
    RevokeToken = "token.revoke" => Some(Action::ManageOwnAccess);
    /// Making a share link to a file or folder.
    CreateShare = "share.create" => Some(Action::ReadObject);
    /// Listing share links: one's own, or the organization's for administrators.
    ListShares = "share.list" => Some(Action::ManageOwnAccess);
    /// Revoking a share link.
    RevokeShare = "share.revoke" => Some(Action::ManageOwnAccess);
    /// A visit of a share link: its page opened, or a visit refused (unknown, ended, wrong password).
    VisitShare = "share.visit" => None;
    /// Listing the records of uploaded files.
    ListFiles = "file.list" => Some(Action::ViewUsecase);
    /// Issuing temporary S3 keys for command-line tools, limited to one location.
    IssueCredentials = "credentials.issue" => Some(Action::ListObjects);
    /// A call of the REST API with a token that is unknown, expired, revoked
    /// or whose user may no longer act; refused.
    TokenRefused = "token.refused" => None;
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_name() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
        assert!(names.iter().all(|n| n.contains('.') && n.chars().all(|c| c.is_ascii_lowercase() || "._".contains(c))));
    }
}
