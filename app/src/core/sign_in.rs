//! Signing in and out, audited. Starting or ending the session itself is
//! the door's business (a web session, later a token); these services check
//! the credentials and keep the record.

use super::actions::AuditAction;
use super::audit::Outcome;
use super::db::models::User;
use super::guard::{Guard, Services};
use super::principal::Principal;
use super::{CoreError, identity};

/// Checks email and password, audits the attempt, and returns the user.
/// Every refusal is the same `SignInFailed`; the trail keeps the reason.
pub async fn sign_in(s: &Services, p: &Principal, email: &str, password: &str) -> Result<User, CoreError> {
    let g = Guard::new(s, p, AuditAction::SignIn);
    let mut event = g.event();
    event.user_email = Some(email.trim().to_lowercase());
    let (email, password) = (email.to_owned(), password.to_owned());
    let result = s.db.run(move |c| Ok(identity::sign_in(c, &email, &password))).await?;
    match result {
        Ok(user) => {
            event.tenant_id = Some(user.tenant_id.clone());
            event.user_id = Some(user.id.clone());
            g.audit(event, Outcome::Success).await;
            Ok(user)
        }
        Err(refusal) => {
            if let Some(user) = &refusal.user {
                event.tenant_id = Some(user.tenant_id.clone());
                event.user_id = Some(user.id.clone());
            }
            event.detail = refusal.reason;
            g.audit(event, Outcome::Denied).await;
            Err(CoreError::SignInFailed)
        }
    }
}

/// Records that the principal signs out; refused when nobody is signed in.
pub async fn sign_out(s: &Services, p: &Principal) -> Result<(), CoreError> {
    let g = Guard::new(s, p, AuditAction::SignOut);
    g.actor().await?;
    g.audit(g.event(), Outcome::Success).await;
    Ok(())
}
