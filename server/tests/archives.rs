//! A folder, or a selection of it, downloaded as one zip: streamed by the
//! portal from the embedded S3 endpoint, unpacked by an independent reader
//! (Python's zipfile) and compared byte for byte; names with every
//! character S3 allows; one refused name refuses the whole archive.

mod common;

use app::core::db::schema::audit_events;
use app::model::Role;
use aws_sdk_s3::primitives::ByteStream;
use common::TestPortal;
use common::uploads::sample;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// Keys under `set/`, with the names people give files.
const NAMES: &[&str] = &[
    "a b.txt",
    "c+d.csv",
    "100%.txt",
    "#hash.txt",
    "what?.txt",
    "this&that.txt",
    "ünïcødé/naïve.txt",
    "trailing.",
    "photo.png",
    "nested/deep/x.bin",
];

fn content(name: &str) -> Vec<u8> {
    if name.ends_with(".bin") {
        sample(3 * 1024 * 1024 + 17, 5)
    } else {
        format!("contents of {name}\n").repeat(50).into_bytes()
    }
}

async fn post_archive(
    t: &TestPortal,
    client: &reqwest::Client,
    prefix: &str,
    picks: &[&str],
) -> (u16, String, Vec<u8>) {
    let usecase = t.default_usecase();
    let mut form = vec![("prefix", prefix)];
    form.extend(picks.iter().map(|p| ("pick", *p)));
    let url = format!("{}/usecases/{}/buckets/{}/archive", t.portal.url, usecase.id, usecase.data_bucket());
    let resp = client.post(url).form(&form).send().await.unwrap();
    let status = resp.status().as_u16();
    let kind = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, resp.bytes().await.unwrap().to_vec())
}

/// Name → (bytes, stored or deflated), as Python's zipfile unpacks the archive.
async fn unpack(zip: Vec<u8>) -> BTreeMap<String, (Vec<u8>, String)> {
    let script = r#"
import base64, io, json, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
assert z.testzip() is None
out = {i.filename: [base64.b64encode(z.read(i)).decode(), "stored" if i.compress_type == 0 else "deflated"] for i in z.infolist()}
print(json.dumps(out))
"#;
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&zip).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "python reads the archive: {}", String::from_utf8_lossy(&out.stderr));
    let parsed: BTreeMap<String, (String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    use base64::Engine;
    parsed
        .into_iter()
        .map(|(k, (b, m))| (k, (base64::engine::general_purpose::STANDARD.decode(b).unwrap(), m)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_downloads_as_one_zip_with_every_name_and_byte() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    for name in NAMES {
        let key = format!("set/{name}");
        s3.put_object().bucket("dataport-data").key(&key).body(ByteStream::from(content(name))).send().await.unwrap();
    }
    s3.put_object()
        .bucket("dataport-data")
        .key("elsewhere.txt")
        .body(ByteStream::from_static(b"no"))
        .send()
        .await
        .unwrap();

    let (status, kind, zip) = post_archive(&t, &admin, "set/", &["set/"]).await;
    assert_eq!((status, kind.as_str()), (200, "application/zip"), "{}", String::from_utf8_lossy(&zip));
    let files = unpack(zip).await;
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = NAMES.to_vec();
    expected.sort();
    assert_eq!(names, expected, "names relative to the folder, nothing from outside it");
    for name in NAMES {
        assert_eq!(files[*name].0, content(name), "{name} comes back byte for byte");
    }
    assert_eq!(files["photo.png"].1, "stored", "compressed types are stored");
    assert_eq!(files["c+d.csv"].1, "deflated");

    // A selection: two files and a folder, relative to the folder shown.
    let picks = ["set/a b.txt", "set/#hash.txt", "set/nested/"];
    let (status, _, zip) = post_archive(&t, &admin, "set/", &picks).await;
    assert_eq!(status, 200);
    let picked: Vec<String> = unpack(zip).await.into_keys().collect();
    assert_eq!(picked, ["#hash.txt", "a b.txt", "nested/deep/x.bin"]);

    let detail: String = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.download.archive"))
            .filter(audit_events::outcome.eq("success"))
            .order(audit_events::seq.asc())
            .select(audit_events::detail)
            .first(c)
            .unwrap()
    });
    let bytes: usize = NAMES.iter().map(|n| content(n).len()).sum();
    assert_eq!(detail, format!("{} objects, {bytes} bytes as set.zip", NAMES.len()), "audited with count and bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_name_outside_the_grant_refuses_the_whole_archive() {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    for key in ["team/a.txt", "private/b.txt"] {
        s3.put_object().bucket("dataport-data").key(key).body(ByteStream::from_static(b"x")).send().await.unwrap();
    }
    let usecase = t.default_usecase();
    let ed = t.add_user(&usecase.tenant_id, "ed@example.com", Role::Editor);
    t.grant(&ed, &usecase, "team/", false);
    let client = t.sign_in("ed@example.com").await;

    let (status, kind, _) = post_archive(&t, &client, "team/", &["team/"]).await;
    assert_eq!((status, kind.as_str()), (200, "application/zip"), "the granted folder downloads");
    let (status, _, body) = post_archive(&t, &client, "", &["team/a.txt", "private/b.txt"]).await;
    let said = String::from_utf8_lossy(&body);
    assert_eq!(status, 403, "{said}");
    assert!(said.contains("Nothing was sent"), "{said}");
    let (status, _, body) = post_archive(&t, &client, "team/", &["team/a.txt", "private/b.txt"]).await;
    assert_eq!(status, 403, "refused before the folder rule is checked: {}", String::from_utf8_lossy(&body));
    let denied: i64 = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.download.archive"))
            .filter(audit_events::outcome.eq("denied"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(denied, 2, "each refusal is audited");
    let (status, _, body) = post_archive(&t, &client, "team/", &[]).await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("Choose at least one"));
}
