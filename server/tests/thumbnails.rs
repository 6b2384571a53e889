//! The folder grid's thumbnails, over HTTP against the embedded S3
//! endpoint: made small by the server, cached by the file's ETag, and
//! refused with a sentence for files that are no image, too large or
//! unreadable, or outside the viewer's grant.

mod common;

use app::model::Role;
use aws_sdk_s3::primitives::ByteStream;
use common::TestPortal;
use std::io::Cursor;

const BUCKET: &str = "dataport-data";

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 40]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

async fn put(s3: &aws_sdk_s3::Client, key: &str, body: Vec<u8>, content_type: &str) {
    let put = s3.put_object().bucket(BUCKET).key(key).content_type(content_type).body(ByteStream::from(body));
    put.send().await.unwrap();
}

async fn thumbnail(t: &TestPortal, client: &reqwest::Client, key: &str) -> reqwest::Response {
    let url = format!(
        "{}/usecases/{}/buckets/{BUCKET}/thumbnail?key={}",
        t.portal.url,
        t.default_usecase().id,
        app::components::encode(key)
    );
    client.get(url).send().await.unwrap()
}

async fn size_of(resp: reqwest::Response) -> (u32, u32) {
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    assert_eq!(resp.headers()["cache-control"], "private, max-age=86400");
    let img = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
    (img.width(), img.height())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_gets_a_small_thumbnail_made_once_per_version() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    put(&s3, "photos/wide shot #1.png", png(1600, 1200), "image/png").await;

    assert_eq!(size_of(thumbnail(&t, &admin, "photos/wide shot #1.png").await).await, (256, 192));
    assert_eq!(size_of(thumbnail(&t, &admin, "photos/wide shot #1.png").await).await, (256, 192));
    let details: Vec<String> = t.db(|c| {
        use app::core::db::schema::audit_events as e;
        use diesel::prelude::*;
        e::table.filter(e::action.eq("object.thumbnail")).order(e::seq.asc()).select(e::detail).load(c).unwrap()
    });
    assert!(details[0].starts_with("thumbnail made from"), "{details:?}");
    assert_eq!(details[1], "thumbnail from the cache", "the second is not made again");
    let cached = std::fs::read_dir(t.dir.path().join("thumbnails")).unwrap().count();
    assert_eq!(cached, 1);

    // A new version of the file is a new thumbnail.
    put(&s3, "photos/wide shot #1.png", png(300, 600), "image/png").await;
    assert_eq!(size_of(thumbnail(&t, &admin, "photos/wide shot #1.png").await).await, (128, 256));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_gets_no_thumbnail_is_told_why_and_nothing_is_read_past_the_limit() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    put(&s3, "photos/notes.txt", b"no pixels here".to_vec(), "text/plain").await;
    put(&s3, "photos/broken.png", b"\x89PNG\r\n\x1a\nnot really".to_vec(), "image/png").await;
    put(&s3, "photos/huge.png", vec![0; 33 * 1024 * 1024], "image/png").await;
    put(&s3, "photos/drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(), "image/svg+xml").await;
    put(&s3, "private/secret.png", png(10, 10), "image/png").await;

    for (key, says) in [
        ("photos/notes.txt", "is no image"),
        ("photos/drawing.svg", "is no image"),
        ("photos/broken.png", "cannot be read as an image"),
        ("photos/huge.png", "larger than 32 MiB"),
    ] {
        let resp = thumbnail(&t, &admin, key).await;
        assert_eq!(resp.status(), 400, "{key}");
        let text = resp.text().await.unwrap();
        assert!(text.contains(says), "{key}: {text}");
    }
    assert_eq!(thumbnail(&t, &admin, "photos/missing.png").await.status(), 404);
    assert_eq!(std::fs::read_dir(t.dir.path().join("thumbnails")).map(|d| d.count()).unwrap_or(0), 0);

    let ids = t.default_usecase();
    let viewer = t.add_user(&ids.tenant_id, "vi@example.com", Role::Viewer);
    t.grant(&viewer, &ids, "photos/", false);
    let viewer = t.sign_in("vi@example.com").await;
    assert_eq!(thumbnail(&t, &viewer, "private/secret.png").await.status(), 403);
    assert_eq!(t.audit_count("object.thumbnail", "denied"), 1);
    let nobody = common::browser_for(&t.portal.url);
    let resp = thumbnail(&t, &nobody, "photos/notes.txt").await;
    assert!(resp.url().path().starts_with("/sign-in"), "{}", resp.url());
}
