//! Organizations over HTTP: the platform administrator creates one with its
//! first administrator, disables and enables it; no one else may.

mod common;

use app::model::{PasswordLink, Person, TenantRow};
use common::{TestPortal, error_of};

const PASSWORD: &str = "the new organization's own";

#[tokio::test]
async fn the_platform_administrator_creates_an_organization_whose_administrator_starts_alone() {
    let t = TestPortal::start().await;
    let platform = t.admin().await;
    let (status, body) =
        t.call(&platform, "create_tenant", &[("name", "Acme Imaging"), ("admin_email", "boss@acme.example")]).await;
    assert_eq!(status, 200, "{body}");
    let link: PasswordLink = serde_json::from_str(&body).unwrap();
    let token = link.url.split_once("token=").unwrap().1.to_owned();
    let boss = t.browser();
    let form = [("token", token.as_str()), ("password", PASSWORD), ("confirm", PASSWORD)];
    assert_eq!(t.call(&boss, "set_password", &form).await.0, 200);

    let (_, body) = t.call(&boss, "list_people", &[]).await;
    let people: Vec<Person> = serde_json::from_str(&body).unwrap();
    assert_eq!(people.iter().map(|p| p.email.as_str()).collect::<Vec<_>>(), ["boss@acme.example"], "alone in it");
    let (_, body) = t.call(&boss, "list_usecases", &[]).await;
    assert_eq!(body, "[]", "nothing of the platform's organization");
    assert_eq!(
        t.call(&boss, "list_tenants", &[]).await.0,
        403,
        "only the platform's administrators list organizations"
    );
    let (status, _) = t.call(&boss, "create_tenant", &[("name", "Mine"), ("admin_email", "x@acme.example")]).await;
    assert_eq!(status, 403);

    let (_, body) = t.call(&platform, "list_tenants", &[]).await;
    let all: Vec<TenantRow> = serde_json::from_str(&body).unwrap();
    assert_eq!(
        all.iter().map(|r| (r.name.as_str(), r.people)).collect::<Vec<_>>(),
        [("Default organization", 1), ("Acme Imaging", 1)]
    );
    let (status, body) =
        t.call(&platform, "create_tenant", &[("name", "Acme Imaging"), ("admin_email", "b@c.example")]).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) =
        t.call(&platform, "create_tenant", &[("name", "Acme\u{202E}gnigamI"), ("admin_email", "b@c.example")]).await;
    assert_eq!((status, matches!(error_of(&body), app::error::AppError::Invalid(_))), (400, true), "{body}");
    assert_eq!(t.audit_count("tenant.create", "success"), 1);
}

#[tokio::test]
async fn a_disabled_organization_is_signed_out_and_kept_out_until_enabled() {
    let t = TestPortal::start().await;
    let platform = t.admin().await;
    let (tenant, _) = t.other_tenant();
    t.add_user(&tenant, "boss@other.example", app::model::Role::Admin);
    let boss = t.sign_in("boss@other.example").await;
    assert_eq!(t.call(&boss, "list_people", &[]).await.0, 200);

    let off = [("tenant_id", tenant.as_str()), ("disabled", "true")];
    assert_eq!(t.call(&platform, "set_tenant_disabled", &off).await.0, 200);
    assert_eq!(t.call(&boss, "list_people", &[]).await.0, 401, "signed out at the next request");
    let again = [("email", "boss@other.example"), ("password", common::PASSWORD)];
    assert_eq!(t.call(&t.browser(), "sign_in", &again).await.0, 401, "and kept out");

    let on = [("tenant_id", tenant.as_str()), ("disabled", "false")];
    assert_eq!(t.call(&platform, "set_tenant_disabled", &on).await.0, 200);
    assert_eq!(t.call(&t.browser(), "sign_in", &again).await.0, 200);

    let (_, body) = t.call(&platform, "list_tenants", &[]).await;
    let own = serde_json::from_str::<Vec<TenantRow>>(&body).unwrap()[0].id.clone();
    let (status, _) =
        t.call(&platform, "set_tenant_disabled", &[("tenant_id", own.as_str()), ("disabled", "true")]).await;
    assert_eq!(status, 409, "the platform's own organization stays on");
}
