//! The forms people may send before the page's script has loaded, posted
//! as a browser posts a plain HTML form (asking for a page back): each
//! lands on the page that shows its result, or back on its own page with
//! the error to show. They run on one thread on purpose: a page that
//! stalls its own server render (reading a resource outside the Suspense
//! that awaits it) shows up here as a timeout instead of a rare flake.

mod common;

use common::{PASSWORD, SETUP_TOKEN, TestPortal};

/// Posts `form` to a server function as a plain HTML form from `page`, and
/// returns where the browser was sent and what that page says.
async fn post(
    t: &TestPortal,
    client: &reqwest::Client,
    endpoint: &str,
    page: &str,
    form: &[(&str, &str)],
) -> (String, String) {
    let resp = client
        .post(format!("{}/api/{endpoint}", t.portal.url))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", format!("{}{page}", t.portal.url))
        .form(form)
        .send()
        .await
        .unwrap();
    let landed = resp.url().path().to_owned();
    (landed, resp.text().await.unwrap())
}

#[tokio::test]
async fn the_first_administrator_sign_in_and_set_password_land_on_their_start_pages() {
    let t = TestPortal::start().await;
    let setup = [("email", "admin@example.com"), ("password", PASSWORD), ("confirm", PASSWORD), ("token", SETUP_TOKEN)];
    let (landed, page) = post(&t, &t.browser(), "create_first_admin", "/setup", &setup).await;
    assert_eq!(landed, "/");
    assert!(page.contains("<h1>Usecases"), "the new administrator sees the usecases");

    let browser = t.browser();
    let wrong = [("email", "admin@example.com"), ("password", "not the password")];
    let (landed, page) = post(&t, &browser, "sign_in", "/sign-in", &wrong).await;
    assert_eq!(landed, "/sign-in");
    assert!(page.contains("Email or password is incorrect"), "the error is on the page");
    let right = [("email", "admin@example.com"), ("password", PASSWORD)];
    let (landed, page) = post(&t, &browser, "sign_in", "/sign-in", &right).await;
    assert_eq!(landed, "/dashboard");
    assert!(page.contains("<h1>Dashboard"), "{landed}");

    let invite = [("email", "partner@acme.example"), ("display_name", ""), ("role", "Editor")];
    let (landed, page) = post(&t, &browser, "invite_person", "/users", &invite).await;
    assert!(landed.starts_with("/users/"), "{landed}");
    let token = page.split("token=").nth(1).and_then(|rest| rest.get(..64)).expect("the link on the page").to_owned();
    let partner = t.browser();
    let choose =
        [("token", token.as_str()), ("password", "the partner chose this"), ("confirm", "the partner chose this")];
    let (landed, page) = post(&t, &partner, "set_password", &format!("/set-password?token={token}"), &choose).await;
    assert_eq!(landed, "/");
    assert!(page.contains("<h1>My locations"), "signed in and on their start page");
}

#[tokio::test]
async fn a_bucket_and_a_folder_are_created_without_the_pages_script() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase().id.to_string();
    let usecase_page = format!("/usecases/{u}");
    let bucket =
        [("usecase_id", u.as_str()), ("adopt", "false"), ("name", "made-without-script"), ("region", "us-east-1")];
    let (landed, page) = post(&t, &admin, "create_bucket", &usecase_page, &bucket).await;
    assert_eq!(landed, usecase_page);
    assert!(page.contains("made-without-script"), "the new bucket is listed");
    let bad = [("usecase_id", u.as_str()), ("adopt", "false"), ("name", "Not_A_Bucket"), ("region", "us-east-1")];
    let (landed, page) = post(&t, &admin, "create_bucket", &usecase_page, &bad).await;
    assert_eq!(landed, usecase_page);
    assert!(page.contains("role=\"alert\""), "the refusal is shown on the page");

    let folder_page = format!("/usecases/{u}/buckets/dataport-data?prefix=");
    let folder = [("usecase_id", u.as_str()), ("bucket", "dataport-data"), ("prefix", ""), ("name", "plain")];
    let (_, page) = post(&t, &admin, "create_folder", &folder_page, &folder).await;
    assert!(page.contains("plain/"), "the new folder is listed");
}
