//! The access manager over HTTP against the running portal: invitations,
//! roles, disabling, resets and deletion, and what each does to the
//! person's sessions.

mod common;

use app::core::db::schema::password_links;
use app::error::AppError;
use app::model::{PasswordLink, Person, PersonStatus};
use common::{PASSWORD, TestPortal, error_of};
use diesel::prelude::*;

const NEW_PASSWORD: &str = "a partner's own password";

async fn invite(t: &TestPortal, admin: &reqwest::Client, email: &str, role: &str) -> PasswordLink {
    let form = [("email", email), ("display_name", "Acme Partner"), ("role", role)];
    let (status, body) = t.call(admin, "invite_person", &form).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn token_of(link: &PasswordLink) -> String {
    link.url.split_once("token=").map(|(_, t)| t.to_owned()).expect("a token in the link")
}

async fn choose_password(t: &TestPortal, token: &str) -> (reqwest::Client, u16, String) {
    let client = t.browser();
    let form = [("token", token), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
    let (status, body) = t.call(&client, "set_password", &form).await;
    (client, status, body)
}

async fn people(t: &TestPortal, admin: &reqwest::Client) -> Vec<Person> {
    let (status, body) = t.call(admin, "list_people", &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn signed_in_as(t: &TestPortal, client: &reqwest::Client) -> Option<String> {
    let (_, body) = t.call(client, "whoami", &[]).await;
    let info: app::model::SessionInfo = serde_json::from_str(&body).unwrap();
    info.user.map(|u| u.email)
}

#[tokio::test]
async fn an_invitation_link_opens_the_account_once_and_expires() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let link = invite(&t, &admin, "Partner@Acme.example", "Editor").await;
    assert_eq!(link.email, "partner@acme.example");
    assert!(link.url.starts_with(&format!("{}/set-password?token=", t.portal.url)), "{}", link.url);
    let token = token_of(&link);
    assert!(token.len() >= 64, "at least 256 random bits");
    let stored: Vec<String> = t.db(|c| password_links::table.select(password_links::token_hash).load(c).unwrap());
    assert!(!stored.contains(&token), "only a hash of the token is stored");

    let listed = people(&t, &admin).await;
    let partner = listed.iter().find(|p| p.email == "partner@acme.example").expect("listed");
    assert_eq!((partner.status, partner.display_name.as_str()), (PersonStatus::Invited, "Acme Partner"));
    let (status, _) = t.call(&t.browser(), "sign_in", &[("email", "partner@acme.example"), ("password", "")]).await;
    assert_eq!(status, 401, "an invited account has no password to guess");

    let (status, body) = t.call(&t.browser(), "password_link_holder", &[("token", &token)]).await;
    assert_eq!((status, body.as_str()), (200, "\"partner@acme.example\""));
    let (partner_browser, status, body) = choose_password(&t, &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(signed_in_as(&t, &partner_browser).await.as_deref(), Some("partner@acme.example"));
    assert_eq!(t.audit_count("user.password_set", "success"), 1);

    let (_, status, body) = choose_password(&t, &token).await;
    assert_eq!(status, 400, "a link works once: {body}");
    assert!(error_of(&body).to_string().contains("has been used, has expired"), "{body}");
    let (status, _) = t.call(&t.browser(), "password_link_holder", &[("token", &token)]).await;
    assert_eq!(status, 400);

    let reset = invite(&t, &admin, "late@acme.example", "Viewer").await;
    t.db(|c| diesel::update(password_links::table).set(password_links::expires_at.eq(1)).execute(c).unwrap());
    let (_, status, body) = choose_password(&t, &token_of(&reset)).await;
    assert_eq!(status, 400, "an expired link opens nothing: {body}");
    let (status, _) =
        t.call(&t.browser(), "sign_in", &[("email", "late@acme.example"), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn disabling_a_person_ends_their_live_session_at_once() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let editor = t.add_user(&usecase.tenant_id, "editor@example.com", app::model::Role::Editor);
    let browser = t.sign_in("editor@example.com").await;
    assert_eq!(t.call(&browser, "list_usecases", &[]).await.0, 200);

    let (status, body) =
        t.call(&admin, "set_person_disabled", &[("user_id", editor.as_str()), ("disabled", "true")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.call(&browser, "list_usecases", &[]).await.0, 401, "the next request is refused");
    let (status, _) = t.call(&t.browser(), "sign_in", &[("email", "editor@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 401, "a disabled person cannot sign in");

    let (status, _) =
        t.call(&admin, "set_person_disabled", &[("user_id", editor.as_str()), ("disabled", "false")]).await;
    assert_eq!(status, 200);
    assert_eq!(t.call(&browser, "list_usecases", &[]).await.0, 401, "the ended session stays ended");
    let again = t.sign_in("editor@example.com").await;
    assert_eq!(t.call(&again, "list_usecases", &[]).await.0, 200);
    assert_eq!(t.audit_count("user.disable", "success"), 1);
    assert_eq!(t.audit_count("user.enable", "success"), 1);
}

#[tokio::test]
async fn a_password_reset_ends_sessions_and_only_the_new_password_works() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let viewer = t.add_user(&usecase.tenant_id, "viewer@example.com", app::model::Role::Viewer);
    let browser = t.sign_in("viewer@example.com").await;
    let (status, body) = t.call(&admin, "reset_person_password", &[("user_id", viewer.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    let link: PasswordLink = serde_json::from_str(&body).unwrap();
    assert_eq!(t.call(&browser, "list_usecases", &[]).await.0, 401, "sessions end with the reset");
    let (_, status, body) = choose_password(&t, &token_of(&link)).await;
    assert_eq!(status, 200, "{body}");
    let old = [("email", "viewer@example.com"), ("password", PASSWORD)];
    assert_eq!(t.call(&t.browser(), "sign_in", &old).await.0, 401);
    let new = [("email", "viewer@example.com"), ("password", NEW_PASSWORD)];
    assert_eq!(t.call(&t.browser(), "sign_in", &new).await.0, 200);
}

#[tokio::test]
async fn the_last_active_administrator_cannot_lock_the_organization_out() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let me = people(&t, &admin).await.into_iter().find(|p| p.email == "admin@example.com").unwrap().id;
    let id = me.as_str();
    for (call, form) in [
        ("set_person_role", vec![("user_id", id), ("role", "Viewer")]),
        ("set_person_disabled", vec![("user_id", id), ("disabled", "true")]),
        ("delete_person", vec![("user_id", id)]),
    ] {
        let (status, body) = t.call(&admin, call, &form).await;
        assert_eq!(status, 409, "{call}: {body}");
        assert!(error_of(&body).to_string().contains("last active administrator"), "{body}");
    }
    assert_eq!(t.call(&admin, "list_people", &[]).await.0, 200, "still an administrator");

    // An invited administrator who never chose a password does not count.
    invite(&t, &admin, "second@example.com", "Admin").await;
    assert_eq!(t.call(&admin, "set_person_role", &[("user_id", id), ("role", "Editor")]).await.0, 409);
    let usecase = t.default_usecase();
    t.add_user(&usecase.tenant_id, "deputy@example.com", app::model::Role::Admin);
    let (status, body) = t.call(&admin, "set_person_role", &[("user_id", id), ("role", "Editor")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.call(&admin, "list_people", &[]).await.0, 403, "the role change holds at the next request");
}

#[tokio::test]
async fn a_deleted_person_is_gone_but_their_audit_events_stay() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let editor = t.add_user(&usecase.tenant_id, "leaver@example.com", app::model::Role::Editor);
    t.grant(&editor, &usecase, "acme/", true);
    let browser = t.sign_in("leaver@example.com").await;
    let (status, body) = t.call(&admin, "delete_person", &[("user_id", editor.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.call(&browser, "list_usecases", &[]).await.0, 401);
    assert!(people(&t, &admin).await.iter().all(|p| p.email != "leaver@example.com"));
    let grants: i64 = t.db(|c| {
        use app::core::db::schema::grants;
        grants::table.filter(grants::user_id.eq(&editor)).count().get_result(c).unwrap()
    });
    assert_eq!(grants, 0, "their grants go");
    let csv = admin.get(format!("{}/audit/export.csv", t.portal.url)).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("leaver@example.com"), "their events keep their email");
    let (status, body) = t.call(&admin, "get_person", &[("user_id", editor.as_str())]).await;
    assert_eq!((status, error_of(&body)), (403, AppError::Denied));
    // The email is free for a new account.
    invite(&t, &admin, "leaver@example.com", "Viewer").await;
}

#[tokio::test]
async fn only_administrators_manage_people_and_only_in_their_organization() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let usecase = t.default_usecase();
    let editor = t.add_user(&usecase.tenant_id, "editor@example.com", app::model::Role::Editor);
    let browser = t.sign_in("editor@example.com").await;
    for (call, form) in [
        ("list_people", vec![]),
        ("invite_person", vec![("email", "x@example.com"), ("role", "Admin")]),
        ("set_person_role", vec![("user_id", editor.as_str()), ("role", "Admin")]),
        ("reset_person_password", vec![("user_id", editor.as_str())]),
    ] {
        let (status, body) = t.call(&browser, call, &form).await;
        assert_eq!(status, 403, "{call}: {body}");
    }
    let (tenant, _) = t.other_tenant();
    let stranger = t.add_user(&tenant, "stranger@other.example", app::model::Role::Editor);
    let (status, _) = t.call(&admin, "reset_person_password", &[("user_id", stranger.as_str())]).await;
    assert_eq!(status, 403, "a person of another organization is out of reach");
    assert!(people(&t, &admin).await.iter().all(|p| p.email != "stranger@other.example"));
    let (status, body) = t.call(&admin, "invite_person", &[("email", "editor@example.com"), ("role", "Viewer")]).await;
    assert_eq!(status, 409, "{body}");
    assert!(t.audit_count("user.invite", "denied") >= 1);
}

#[tokio::test]
async fn a_plain_form_post_lands_on_the_persons_page_which_shows_the_link() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let resp = admin
        .post(format!("{}/api/invite_person", t.portal.url))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", format!("{}/users", t.portal.url))
        .form(&[("email", "partner@acme.example"), ("display_name", ""), ("role", "Editor")])
        .send()
        .await
        .unwrap();
    // The browser follows the redirect to the new person's page.
    assert!(resp.url().path().starts_with("/users/"), "{}", resp.url());
    let page = resp.text().await.unwrap();
    assert!(page.contains("One-time password link") && page.contains("/set-password?token="), "the link is shown");
}
