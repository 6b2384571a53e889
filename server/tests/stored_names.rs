//! Keys exactly as S3 stores them: names with spaces, `+`, `%`, `#`, `?`,
//! `&`, unicode, a trailing dot, and a folder named `%2F` list, open,
//! download and delete through the portal, over HTTP against the embedded
//! endpoint, with every link and presigned URL encoding them right.

mod common;

use app::model::{Listing, ObjectDetails};
use aws_sdk_s3::primitives::ByteStream;
use common::TestPortal;

const BUCKET: &str = "dataport-data";
const NAMES: &[&str] =
    &["a b.txt", "c+d.csv", "100%.txt", "#hash.txt", "what?.txt", "this&that.txt", "naïve ünïcødé.txt", "trailing."];

async fn listing(t: &TestPortal, client: &reqwest::Client, prefix: &str) -> Listing {
    let u = t.default_usecase().id.to_string();
    let (status, body) =
        t.call(client, "list_objects", &[("usecase_id", &u), ("bucket", BUCKET), ("prefix", prefix)]).await;
    assert_eq!(status, 200, "{prefix}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_names_list_open_download_and_delete_as_stored() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let s3 = t.s3().await;
    let keys: Vec<String> = NAMES.iter().map(|n| format!("odd/{n}")).chain(["odd/%2F/inside.txt".to_owned()]).collect();
    for key in &keys {
        let body = ByteStream::from(format!("bytes of {key}").into_bytes());
        s3.put_object().bucket(BUCKET).key(key).body(body).send().await.unwrap();
    }

    let top = listing(&t, &admin, "odd/").await;
    let mut names: Vec<&str> = top.files.iter().map(|f| f.name.as_str()).collect();
    names.sort();
    let mut expected = NAMES.to_vec();
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(top.folders, ["odd/%2F/"], "a folder named %2F is a folder, not a slash");
    let inside = listing(&t, &admin, "odd/%2F/").await;
    assert_eq!(inside.files.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(), ["odd/%2F/inside.txt"]);

    let u = t.default_usecase().id.to_string();
    for key in &keys {
        let (status, body) =
            t.call(&admin, "file_details", &[("usecase_id", &u), ("bucket", BUCKET), ("key", key)]).await;
        assert_eq!(status, 200, "{key}: {body}");
        let d: ObjectDetails = serde_json::from_str(&body).unwrap();
        assert_eq!((d.key.as_str(), d.s3_uri()), (key.as_str(), format!("s3://{BUCKET}/{key}")));
        let link =
            format!("{}/usecases/{u}/buckets/{BUCKET}/download?key={}", t.portal.url, app::components::encode(key));
        let resp = admin.get(link).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{key}");
        assert_eq!(resp.text().await.unwrap(), format!("bytes of {key}"), "{key}");
    }

    let mut form: Vec<(String, String)> = vec![("usecase_id".into(), u.clone()), ("bucket".into(), BUCKET.into())];
    form.extend(keys.iter().enumerate().map(|(i, k)| (format!("keys[{i}]"), k.clone())));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = t.call(&admin, "delete_objects", &pairs).await;
    assert_eq!(status, 200, "{body}");
    assert!(listing(&t, &admin, "odd/").await.files.is_empty(), "every odd name deleted");
    assert!(listing(&t, &admin, "odd/%2F/").await.files.is_empty());
}
