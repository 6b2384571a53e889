//! Deleting objects and folders over HTTP against the running portal and
//! the embedded S3 endpoint: the delete right is needed on every key, a
//! request with one forbidden key deletes nothing, and one audit event
//! names what went.

mod common;

use app::core::db::schema::grants;
use app::model::{DeleteSummary, Role};
use aws_sdk_s3::primitives::ByteStream;
use common::{TestPortal, error_of};
use diesel::prelude::*;

async fn put(t: &TestPortal, key: &str, body: &'static [u8]) {
    let s3 = t.s3().await;
    s3.put_object().bucket("dataport-data").key(key).body(ByteStream::from_static(body)).send().await.unwrap();
}

async fn keys(t: &TestPortal, prefix: &str) -> Vec<String> {
    let out = t.s3().await.list_objects_v2().bucket("dataport-data").prefix(prefix).send().await.unwrap();
    out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
}

/// An editor with list, read, write and delete on `team/`.
async fn editor(t: &TestPortal) -> reqwest::Client {
    let usecase = t.default_usecase();
    let id = t.add_user(&usecase.tenant_id, "editor@example.com", Role::Editor);
    t.grant(&id, &usecase, "team/", true);
    t.db(|c| diesel::update(grants::table).set(grants::can_delete.eq(true)).execute(c).unwrap());
    t.sign_in("editor@example.com").await
}

#[tokio::test]
async fn a_folder_goes_with_everything_under_it_after_its_count_is_shown() {
    let t = TestPortal::start().await;
    t.admin().await;
    let browser = editor(&t).await;
    for (key, body) in [("team/run1/a.csv", &b"aaaa"[..]), ("team/run1/b.csv", b"bb"), ("team/run1/deep/c.csv", b"c")] {
        put(&t, key, body).await;
    }
    put(&t, "team/run10/kept.csv", b"kept").await;
    let u = t.default_usecase().id.to_string();
    let form = [("usecase_id", u.as_str()), ("bucket", "dataport-data"), ("folders[0]", "team/run1/")];
    let (status, body) = t.call(&browser, "preview_delete", &form).await;
    assert_eq!(status, 200, "{body}");
    let preview: DeleteSummary = serde_json::from_str(&body).unwrap();
    // The portal made the bucket, versioned: its confirmation says the delete can be undone.
    assert_eq!((preview.objects, preview.bytes, preview.versioned), (3, 7, true));
    assert_eq!(keys(&t, "team/run1/").await.len(), 3, "a preview deletes nothing");

    let (status, body) = t.call(&browser, "delete_objects", &form).await;
    assert_eq!(status, 200, "{body}");
    let left = keys(&t, "team/run1/").await;
    assert!(left.is_empty(), "gone from S3: {left:?}");
    assert_eq!(keys(&t, "team/run10/").await, ["team/run10/kept.csv"], "a sibling with a longer name stays");
    let details: Vec<String> = t.db(|c| {
        use app::core::db::schema::audit_events as e;
        e::table.filter(e::action.eq("object.delete")).select(e::detail).load(c).unwrap()
    });
    assert_eq!(details.len(), 1, "one event per request");
    assert!(details[0].starts_with("3 objects, 7 bytes deleted") && details[0].contains("team/run1/deep/c.csv"));
}

#[tokio::test]
async fn one_forbidden_key_and_nothing_is_deleted() {
    let t = TestPortal::start().await;
    t.admin().await;
    let browser = editor(&t).await;
    put(&t, "team/mine.csv", b"m").await;
    put(&t, "finance/salaries.csv", b"s").await;
    let u = t.default_usecase().id.to_string();
    let form = [
        ("usecase_id", u.as_str()),
        ("bucket", "dataport-data"),
        ("keys[0]", "team/mine.csv"),
        ("keys[1]", "finance/salaries.csv"),
    ];
    let (status, body) = t.call(&browser, "delete_objects", &form).await;
    assert_eq!((status, error_of(&body)), (403, app::error::AppError::Denied));
    assert_eq!(keys(&t, "team/").await, ["team/mine.csv"]);
    assert_eq!(keys(&t, "finance/").await, ["finance/salaries.csv"]);
    assert_eq!(t.audit_count("object.delete", "denied"), 1);
    let folder = [("usecase_id", u.as_str()), ("bucket", "dataport-data"), ("folders[0]", "")];
    assert_eq!(t.call(&browser, "delete_objects", &folder).await.0, 403, "not the whole bucket");
    let nothing = [("usecase_id", u.as_str()), ("bucket", "dataport-data")];
    assert_eq!(t.call(&browser, "delete_objects", &nothing).await.0, 400);
}

#[tokio::test]
async fn a_viewer_never_deletes_whatever_the_grant_says() {
    let t = TestPortal::start().await;
    t.admin().await;
    let usecase = t.default_usecase();
    let id = t.add_user(&usecase.tenant_id, "viewer@example.com", Role::Viewer);
    t.grant(&id, &usecase, "team/", true);
    t.db(|c| diesel::update(grants::table).set(grants::can_delete.eq(true)).execute(c).unwrap());
    let browser = t.sign_in("viewer@example.com").await;
    put(&t, "team/a.csv", b"a").await;
    let u = usecase.id.to_string();
    let form = [("usecase_id", u.as_str()), ("bucket", "dataport-data"), ("keys[0]", "team/a.csv")];
    assert_eq!(t.call(&browser, "delete_objects", &form).await.0, 403);
    assert_eq!(keys(&t, "team/").await, ["team/a.csv"]);
    let (_, body) =
        t.call(&browser, "list_objects", &[("usecase_id", &u), ("bucket", "dataport-data"), ("prefix", "team/")]).await;
    let listing: app::model::Listing = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (listing.rights.read, listing.rights.write, listing.rights.delete),
        (true, false, false),
        "no Delete button"
    );
}
