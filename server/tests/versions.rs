//! Versions and recovery through the portal, over HTTP against the
//! embedded S3 endpoint: a file's versions on its details, an older version
//! downloaded and restored, a deleted file listed and brought back, a
//! restore copied in parts, and the refusals that change nothing.

mod common;

use app::model::{DeletedListing, ObjectDetails, Role};
use aws_sdk_s3::primitives::ByteStream;
use common::TestPortal;

const BUCKET: &str = "dataport-data";

async fn put(s3: &aws_sdk_s3::Client, key: &str, body: &[u8]) {
    s3.put_object().bucket(BUCKET).key(key).body(ByteStream::from(body.to_vec())).send().await.unwrap();
}

async fn latest(s3: &aws_sdk_s3::Client, key: &str) -> Option<Vec<u8>> {
    let got = s3.get_object().bucket(BUCKET).key(key).send().await.ok()?;
    Some(got.body.collect().await.unwrap().to_vec())
}

async fn details(t: &TestPortal, client: &reqwest::Client, key: &str) -> ObjectDetails {
    let u = t.default_usecase().id.to_string();
    let (status, body) = t.call(client, "file_details", &[("usecase_id", &u), ("bucket", BUCKET), ("key", key)]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn link(t: &TestPortal, key: &str, version: &str) -> String {
    let (u, e) = (t.default_usecase().id, app::components::encode);
    format!("{}/usecases/{u}/buckets/{BUCKET}/download?key={}&version={}", t.portal.url, e(key), e(version))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overwritten_file_keeps_its_versions_and_an_older_one_comes_back() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    let state = s3.get_bucket_versioning().bucket(BUCKET).send().await.unwrap();
    assert_eq!(state.status().map(|s| s.as_str()), Some("Enabled"), "the bucket the portal made keeps versions");
    put(&s3, "team/report #1.csv", b"a,b\n1,2\n").await;
    put(&s3, "team/report #1.csv", b"a,b\n9,9\n").await;

    let d = details(&t, &admin, "team/report #1.csv").await;
    assert_eq!(d.versions.len(), 2);
    assert!(d.versions[0].latest && !d.versions[1].latest);
    let first = d.versions[1].id.clone();

    // The older version downloads through the portal's link, straight from S3.
    let resp = admin.get(link(&t, "team/report #1.csv", &first)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"a,b\n1,2\n");

    // A viewer may read versions but not restore one; nothing changes.
    let ids = t.default_usecase();
    let viewer = t.add_user(&ids.tenant_id, "vi@example.com", Role::Viewer);
    t.grant(&viewer, &ids, "team/", false);
    let viewer = t.sign_in("vi@example.com").await;
    let u = ids.id.to_string();
    let restore = [("usecase_id", u.as_str()), ("bucket", BUCKET), ("key", "team/report #1.csv"), ("version", &first)];
    assert_eq!(t.call(&viewer, "restore_version", &restore).await.0, 403);
    assert_eq!(details(&t, &admin, "team/report #1.csv").await.versions.len(), 2);
    let bad = [("usecase_id", u.as_str()), ("bucket", BUCKET), ("key", "team/report #1.csv"), ("version", "")];
    assert_eq!(t.call(&admin, "restore_version", &bad).await.0, 400, "an empty version id is refused");
    let gone = [("usecase_id", u.as_str()), ("bucket", BUCKET), ("key", "team/report #1.csv"), ("version", "no-such")];
    assert_eq!(t.call(&admin, "restore_version", &gone).await.0, 404, "a version that does not exist");
    assert_eq!(details(&t, &admin, "team/report #1.csv").await.versions.len(), 2, "refusals change nothing");

    let (status, body) = t.call(&admin, "restore_version", &restore).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        latest(&s3, "team/report #1.csv").await.unwrap(),
        b"a,b\n1,2\n",
        "the first version is the latest again"
    );
    let after = details(&t, &admin, "team/report #1.csv").await;
    assert_eq!(after.versions.len(), 3, "the version it replaced is kept");
    assert_eq!(t.audit_count("object.restore", "success"), 1);
    assert_eq!(t.audit_count("object.restore", "denied"), 2, "the viewer, and the empty version id");
    assert_eq!(t.audit_count("object.restore", "error"), 1, "the version that does not exist");
    assert_eq!(t.audit_count("object.download", "success"), 1);
    assert_eq!(t.audit_report().first_broken, None, "the audit chain is intact");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_file_is_listed_and_brought_back_by_whom_may_write() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    put(&s3, "team/keep.txt", b"stays").await;
    put(&s3, "team/gone.txt", b"the content").await;
    put(&s3, "team/sub/deeper.txt", b"below").await;
    let u = t.default_usecase().id.to_string();
    let delete = [
        ("usecase_id", u.as_str()),
        ("bucket", BUCKET),
        ("keys[0]", "team/gone.txt"),
        ("keys[1]", "team/sub/deeper.txt"),
    ];
    assert_eq!(t.call(&admin, "delete_objects", &delete).await.0, 200);
    assert!(latest(&s3, "team/gone.txt").await.is_none());

    let folder = [("usecase_id", u.as_str()), ("bucket", BUCKET), ("prefix", "team/")];
    let (status, body) = t.call(&admin, "deleted_files", &folder).await;
    assert_eq!(status, 200, "{body}");
    let listing: DeletedListing = serde_json::from_str(&body).unwrap();
    assert!(listing.versioned);
    let names: Vec<(&str, i64)> = listing.files.iter().map(|f| (f.key.as_str(), f.size)).collect();
    assert_eq!(names, vec![("team/gone.txt", 11)], "only the deleted file, with the size it comes back with");
    assert_eq!(listing.folders, vec!["team/sub/".to_owned()], "the sub-folder to look in");

    // A reader sees it but may not bring it back.
    let ids = t.default_usecase();
    let viewer = t.add_user(&ids.tenant_id, "vi@example.com", Role::Viewer);
    t.grant(&viewer, &ids, "team/", false);
    let viewer = t.sign_in("vi@example.com").await;
    let (status, body) = t.call(&viewer, "deleted_files", &folder).await;
    assert_eq!(status, 200, "{body}");
    assert!(!serde_json::from_str::<DeletedListing>(&body).unwrap().rights.write);
    let undelete = [("usecase_id", u.as_str()), ("bucket", BUCKET), ("key", "team/gone.txt")];
    assert_eq!(t.call(&viewer, "undelete_file", &undelete).await.0, 403);
    assert!(latest(&s3, "team/gone.txt").await.is_none(), "a refusal changes nothing");

    let (status, body) = t.call(&admin, "undelete_file", &undelete).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(latest(&s3, "team/gone.txt").await.unwrap(), b"the content");
    let (_, body) = t.call(&admin, "deleted_files", &folder).await;
    assert!(serde_json::from_str::<DeletedListing>(&body).unwrap().files.is_empty());
    let never = [("usecase_id", u.as_str()), ("bucket", BUCKET), ("key", "team/never-was.txt")];
    assert_eq!(t.call(&admin, "undelete_file", &never).await.0, 404, "nothing to bring back");
    assert_eq!(t.audit_count("object.undelete", "success"), 1);
    assert_eq!(t.audit_count("object.undelete", "denied"), 1);
    assert_eq!(t.audit_count("object.list.deleted", "success"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_above_the_copy_limit_is_restored_in_parts() {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    let big: Vec<u8> = (0..12 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    put(&s3, "large/model.bin", &big).await;
    put(&s3, "large/model.bin", b"replaced by a small file").await;
    let versions = app::core::versions::of_key(&s3, BUCKET, "large/model.bin").await.unwrap();
    let first = versions.iter().find(|v| !v.latest).unwrap().id.clone();
    // A 5 MiB limit stands in for S3's 5 GiB, so the parts path runs: 5 + 5 + 2 MiB.
    let mib = 1024 * 1024;
    let new =
        app::core::versions::copy_version(&s3, BUCKET, "large/model.bin", &first, 5 * mib, 5 * mib).await.unwrap();
    assert_ne!(new, first);
    assert_eq!(latest(&s3, "large/model.bin").await.unwrap(), big, "byte for byte");
    let etag = s3.head_object().bucket(BUCKET).key("large/model.bin").send().await.unwrap().e_tag().unwrap().to_owned();
    assert!(etag.ends_with("-3\""), "copied as a three-part upload: {etag}");
    assert_eq!(app::core::versions::of_key(&s3, BUCKET, "large/model.bin").await.unwrap().len(), 3);
}
