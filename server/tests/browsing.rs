//! The folder browser's server side, over HTTP against the embedded S3
//! endpoint: a file's details and previews of each kind, search through a
//! folder and everything below it past 10,000 keys, and the download link
//! that works without the page's script.

mod common;

use app::core::db::schema::audit_events;
use app::model::{ObjectDetails, Preview, Role, SearchPage};
use aws_sdk_s3::primitives::ByteStream;
use common::TestPortal;
use diesel::prelude::*;
use futures::StreamExt;

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R'];

async fn put(s3: &aws_sdk_s3::Client, key: &str, body: Vec<u8>, content_type: Option<&str>) {
    s3.put_object()
        .bucket("dataport-data")
        .key(key)
        .set_content_type(content_type.map(str::to_owned))
        .metadata("source", "camera-7")
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap();
}

async fn details(t: &TestPortal, client: &reqwest::Client, key: &str) -> (u16, String) {
    let u = t.default_usecase();
    t.call(client, "file_details", &[("usecase_id", u.id.as_str()), ("bucket", "dataport-data"), ("key", key)]).await
}

async fn preview_of(t: &TestPortal, client: &reqwest::Client, key: &str) -> ObjectDetails {
    let (status, body) = details(t, client, key).await;
    assert_eq!(status, 200, "{key}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_shows_its_details_and_a_preview_of_each_kind() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    put(&s3, "look/cat photo.png", PNG.to_vec(), Some("image/png")).await;
    put(&s3, "look/table.csv", b"name,note\n\"a, b\",\"say \"\"hi\"\"\"\nc,d\n".to_vec(), Some("text/csv")).await;
    put(&s3, "look/conf.json", br#"{"b":[1,2],"a":"x"}"#.to_vec(), None).await;
    let long = "line of a long log\n".repeat(20_000);
    put(&s3, "look/big.log", long.clone().into_bytes(), None).await;
    put(&s3, "look/model.bin", vec![0, 1, 2, 3], None).await;

    let png = preview_of(&t, &admin, "look/cat photo.png").await;
    assert_eq!(png.s3_uri(), "s3://dataport-data/look/cat photo.png");
    assert_eq!((png.size, png.content_type.as_deref()), (PNG.len() as i64, Some("image/png")));
    assert_eq!(png.metadata, [("source".to_owned(), "camera-7".to_owned())]);
    assert!(png.etag.as_deref().is_some_and(|e| !e.is_empty()));
    let Preview::Image { url } = &png.preview else { panic!("an image preview: {:?}", png.preview) };
    let shown = reqwest::get(url).await.unwrap();
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.headers()["content-type"], "image/png", "the browser is told it is an image");
    assert_eq!(shown.bytes().await.unwrap().as_ref(), PNG, "the preview is the file");

    let csv = preview_of(&t, &admin, "look/table.csv").await;
    let expected = [vec!["name", "note"], vec!["a, b", "say \"hi\""], vec!["c", "d"]];
    assert_eq!(
        csv.preview,
        Preview::Table {
            rows: expected.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect(),
            cut: false
        }
    );

    let json = preview_of(&t, &admin, "look/conf.json").await;
    assert_eq!(
        json.preview,
        Preview::Text { text: "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    2\n  ]\n}".into(), cut: false }
    );

    let log = preview_of(&t, &admin, "look/big.log").await;
    let Preview::Text { text, cut } = log.preview else { panic!("a text preview") };
    assert!(cut, "a file over 256 KiB says it was cut");
    assert_eq!(text.len(), 256 * 1024);
    assert!(long.starts_with(&text));

    let bin = preview_of(&t, &admin, "look/model.bin").await;
    assert!(matches!(bin.preview, Preview::None { .. }), "{:?}", bin.preview);

    let (status, body) = details(&t, &admin, "look/gone.txt").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = details(&t, &admin, "look/../etc").await;
    assert_eq!(status, 400, "{body}");

    let viewed: i64 = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.view"))
            .filter(audit_events::outcome.eq("success"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(viewed, 5, "each file viewed is audited");
}

async fn search(
    t: &TestPortal,
    client: &reqwest::Client,
    prefix: &str,
    words: &str,
    token: Option<&str>,
) -> (u16, String) {
    let u = t.default_usecase();
    let mut form =
        vec![("usecase_id", u.id.as_str()), ("bucket", "dataport-data"), ("prefix", prefix), ("words", words)];
    if let Some(token) = token {
        form.push(("token", token));
    }
    t.call(client, "search_files", &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_a_file_three_folders_down_past_ten_thousand_keys() {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    // 10,020 keys under `many/`, the one sought sorting after all of them.
    let keys: Vec<String> = (0..10_020).map(|i| format!("many/a/{:02}/file-{i:05}.txt", i % 40)).collect();
    futures::stream::iter(keys)
        .map(|k| {
            let s3 = s3.clone();
            async move {
                s3.put_object().bucket("dataport-data").key(k).body(ByteStream::from_static(b"x")).send().await.unwrap()
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    put(&s3, "many/z/one/two/Quarterly Report.CSV", b"q".to_vec(), None).await;
    put(&s3, "outside/quarterly report.csv", b"q".to_vec(), None).await;

    let usecase = t.default_usecase();
    let viewer = t.add_user(&usecase.tenant_id, "vi@example.com", Role::Viewer);
    t.grant(&viewer, &usecase, "many/", false);
    let client = t.sign_in("vi@example.com").await;

    let (status, body) = search(&t, &client, "many/", "report", None).await;
    assert_eq!(status, 200, "{body}");
    let first: SearchPage = serde_json::from_str(&body).unwrap();
    assert_eq!(first.scanned, 10_000, "one stretch looks at 10,000 keys");
    assert!(first.files.is_empty());
    let token = first.next_token.expect("the search goes on");
    let (status, body) = search(&t, &client, "many/", "report", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let rest: SearchPage = serde_json::from_str(&body).unwrap();
    let found: Vec<&str> = rest.files.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(found, ["many/z/one/two/Quarterly Report.CSV"], "found without regard to case, nothing outside");
    assert_eq!((rest.scanned, rest.next_token), (21, None));

    let (status, _) = search(&t, &client, "outside/", "report", None).await;
    assert_eq!(status, 403, "a folder outside the grant is not searched");
    let (status, body) = search(&t, &client, "many/", "  ", None).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_link_sends_the_file_from_s3_and_refuses_outside_the_grant() {
    let t = TestPortal::start().await;
    t.admin().await;
    let s3 = t.s3().await;
    put(&s3, "team/notes 100%.txt", b"the notes".to_vec(), Some("text/plain")).await;
    put(&s3, "private/secret.txt", b"no".to_vec(), None).await;
    let usecase = t.default_usecase();
    let ed = t.add_user(&usecase.tenant_id, "ed@example.com", Role::Editor);
    t.grant(&ed, &usecase, "team/", false);
    let client = t.sign_in("ed@example.com").await;
    let link = |key: &str| {
        format!(
            "{}/usecases/{}/buckets/dataport-data/download?key={}",
            t.portal.url,
            usecase.id,
            app::components::encode(key)
        )
    };

    let resp = client.get(link("team/notes 100%.txt")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"the notes", "the link ends at the file itself");

    let resp = client.get(link("private/secret.txt")).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("Ask an administrator"));
    let resp = client.get(link("team/../private/secret.txt")).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let outcomes: Vec<String> = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.download"))
            .order(audit_events::seq.asc())
            .select(audit_events::outcome)
            .load(c)
            .unwrap()
    });
    assert_eq!(outcomes, ["success", "denied"]);
}
