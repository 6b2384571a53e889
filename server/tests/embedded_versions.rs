//! Object versions on the embedded endpoint, spoken to with aws-sdk-s3 the
//! way the portal uses S3: overwrites and deletes keep what was there, any
//! version reads, copies and deletes by its id, and buckets without
//! versioning keep behaving as a plain store.

mod common;

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketVersioningStatus, CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier, VersioningConfiguration,
};
use common::TestPortal;

async fn versioned_bucket(t: &TestPortal, name: &str) -> Client {
    let s3 = t.s3().await;
    s3.create_bucket().bucket(name).send().await.unwrap();
    let on = VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build();
    s3.put_bucket_versioning().bucket(name).versioning_configuration(on).send().await.unwrap();
    s3
}

async fn put(s3: &Client, bucket: &str, key: &str, body: &[u8]) -> String {
    let out = s3.put_object().bucket(bucket).key(key).body(ByteStream::from(body.to_vec())).send().await.unwrap();
    out.version_id().expect("a versioned bucket names the new version").to_owned()
}

async fn read(s3: &Client, bucket: &str, key: &str, version: Option<&str>) -> Option<Vec<u8>> {
    let got = s3.get_object().bucket(bucket).key(key).set_version_id(version.map(str::to_owned)).send().await.ok()?;
    Some(got.body.collect().await.unwrap().to_vec())
}

/// (version id, is latest, is a delete marker) of `key`, newest first.
async fn versions_of(s3: &Client, bucket: &str, key: &str) -> Vec<(String, bool, bool)> {
    let out = s3.list_object_versions().bucket(bucket).prefix(key).send().await.unwrap();
    let mut all: Vec<(String, bool, bool, i64)> = Vec::new();
    for v in out.versions().iter().filter(|v| v.key() == Some(key)) {
        let at = v.last_modified().unwrap().to_millis().unwrap();
        all.push((v.version_id().unwrap().to_owned(), v.is_latest().unwrap(), false, at));
    }
    for m in out.delete_markers().iter().filter(|m| m.key() == Some(key)) {
        let at = m.last_modified().unwrap().to_millis().unwrap();
        all.push((m.version_id().unwrap().to_owned(), m.is_latest().unwrap(), true, at));
    }
    // Latest first, then by time, as S3 lists one key's versions.
    all.sort_by_key(|(_, latest, _, at)| (!latest, std::cmp::Reverse(*at)));
    all.into_iter().map(|(id, latest, marker, _)| (id, latest, marker)).collect()
}

#[tokio::test]
async fn overwrites_and_deletes_keep_every_version_until_one_is_removed() {
    let t = TestPortal::start().await;
    let s3 = versioned_bucket(&t, "kept").await;
    let first = put(&s3, "kept", "notes/plan v1.txt", b"first").await;
    let second = put(&s3, "kept", "notes/plan v1.txt", b"second, longer").await;
    assert_ne!(first, second);
    assert_eq!(read(&s3, "kept", "notes/plan v1.txt", None).await.unwrap(), b"second, longer");
    assert_eq!(read(&s3, "kept", "notes/plan v1.txt", Some(&first)).await.unwrap(), b"first");
    let head = s3.head_object().bucket("kept").key("notes/plan v1.txt").version_id(&first).send().await.unwrap();
    assert_eq!(head.content_length(), Some(5));
    assert_eq!(head.version_id(), Some(first.as_str()));
    let listed = versions_of(&s3, "kept", "notes/plan v1.txt").await;
    assert_eq!(listed, vec![(second.clone(), true, false), (first.clone(), false, false)]);

    // A copy of the first version over the key is the new latest, with the first's bytes.
    let source = format!("kept/{}?versionId={first}", app::url::percent_encode("notes/plan v1.txt", b"-._~/"));
    let copied = s3.copy_object().bucket("kept").key("notes/plan v1.txt").copy_source(source).send().await.unwrap();
    let third = copied.version_id().unwrap().to_owned();
    assert_eq!(copied.copy_source_version_id(), Some(first.as_str()));
    assert_eq!(read(&s3, "kept", "notes/plan v1.txt", None).await.unwrap(), b"first");
    assert_eq!(read(&s3, "kept", "notes/plan v1.txt", Some(&second)).await.unwrap(), b"second, longer");
    assert_eq!(versions_of(&s3, "kept", "notes/plan v1.txt").await.len(), 3);

    // A delete leaves a marker: the key is gone, its versions are not.
    let deleted = s3.delete_object().bucket("kept").key("notes/plan v1.txt").send().await.unwrap();
    assert_eq!(deleted.delete_marker(), Some(true));
    let marker = deleted.version_id().unwrap().to_owned();
    assert!(read(&s3, "kept", "notes/plan v1.txt", None).await.is_none());
    let page = s3.list_objects_v2().bucket("kept").prefix("notes/").send().await.unwrap();
    let files: Vec<&str> = page.contents().iter().filter_map(|o| o.key()).filter(|k| !k.ends_with('/')).collect();
    assert!(files.is_empty(), "a deleted file is not listed: {files:?}");
    assert_eq!(versions_of(&s3, "kept", "notes/plan v1.txt").await[0], (marker.clone(), true, true));

    // Removing the marker brings the file back as it was.
    s3.delete_object().bucket("kept").key("notes/plan v1.txt").version_id(&marker).send().await.unwrap();
    assert_eq!(read(&s3, "kept", "notes/plan v1.txt", None).await.unwrap(), b"first");

    // Removing one older version removes only that one.
    s3.delete_object().bucket("kept").key("notes/plan v1.txt").version_id(&second).send().await.unwrap();
    assert!(read(&s3, "kept", "notes/plan v1.txt", Some(&second)).await.is_none());
    let left: Vec<String> = versions_of(&s3, "kept", "notes/plan v1.txt").await.into_iter().map(|v| v.0).collect();
    assert_eq!(left, vec![third.clone(), first.clone()]);

    // Removing the latest version makes the one below it current.
    s3.delete_object().bucket("kept").key("notes/plan v1.txt").version_id(&third).send().await.unwrap();
    assert_eq!(read(&s3, "kept", "notes/plan v1.txt", None).await.unwrap(), b"first");
    let marker_read =
        s3.get_object().bucket("kept").key("notes/plan v1.txt").version_id("no-such-version").send().await;
    assert!(marker_read.is_err(), "an unknown version is refused");
}

#[tokio::test]
async fn deleting_many_leaves_markers_and_a_folder_lists_its_deleted_files() {
    let t = TestPortal::start().await;
    let s3 = versioned_bucket(&t, "many").await;
    for key in ["f/a.txt", "f/b.txt", "f/sub/c.txt", "g/d.txt"] {
        put(&s3, "many", key, key.as_bytes()).await;
    }
    let objects: Vec<ObjectIdentifier> =
        ["f/a.txt", "f/sub/c.txt"].iter().map(|k| ObjectIdentifier::builder().key(*k).build().unwrap()).collect();
    let delete = Delete::builder().set_objects(Some(objects)).build().unwrap();
    let out = s3.delete_objects().bucket("many").delete(delete).send().await.unwrap();
    assert!(out.errors().is_empty());
    assert!(out.deleted().iter().all(|d| d.delete_marker() == Some(true) && d.delete_marker_version_id().is_some()));

    let folder = s3.list_object_versions().bucket("many").prefix("f/").delimiter("/").send().await.unwrap();
    let prefixes: Vec<&str> = folder.common_prefixes().iter().filter_map(|p| p.prefix()).collect();
    assert_eq!(prefixes, vec!["f/sub/"]);
    let deleted: Vec<&str> =
        folder.delete_markers().iter().filter(|m| m.is_latest() == Some(true)).filter_map(|m| m.key()).collect();
    assert_eq!(deleted, vec!["f/a.txt"]);
    let live: Vec<&str> =
        folder.versions().iter().filter(|v| v.is_latest() == Some(true)).filter_map(|v| v.key()).collect();
    assert_eq!(live, vec!["f/b.txt"]);

    // Pages of one version each walk every version once.
    let mut seen = Vec::new();
    let (mut key_marker, mut version_marker) = (None, None);
    loop {
        let page = s3
            .list_object_versions()
            .bucket("many")
            .max_keys(1)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(version_marker.clone())
            .send()
            .await
            .unwrap();
        seen.extend(page.versions().iter().map(|v| format!("{}@{}", v.key().unwrap(), v.version_id().unwrap())));
        seen.extend(page.delete_markers().iter().map(|v| format!("{}@{}", v.key().unwrap(), v.version_id().unwrap())));
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_owned);
        version_marker = page.next_version_id_marker().map(str::to_owned);
    }
    // Four objects, two markers, and the folder c.txt leaves: the embedded store keeps folders as directories.
    assert_eq!(seen.len(), 7, "{seen:?}");
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), 7);
}

#[tokio::test]
async fn a_multipart_upload_over_a_file_keeps_the_old_one_and_parts_copy_from_any_version() {
    let t = TestPortal::start().await;
    let s3 = versioned_bucket(&t, "parts").await;
    let old = put(&s3, "parts", "big.bin", b"the old small file").await;
    let part: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let upload = s3.create_multipart_upload().bucket("parts").key("big.bin").send().await.unwrap();
    let id = upload.upload_id().unwrap();
    let p1 = s3
        .upload_part()
        .bucket("parts")
        .key("big.bin")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from(part.clone()))
        .send()
        .await
        .unwrap();
    // The second part is the old version's bytes, copied from it by id.
    let p2 = s3
        .upload_part_copy()
        .bucket("parts")
        .key("big.bin")
        .upload_id(id)
        .part_number(2)
        .copy_source(format!("parts/big.bin?versionId={old}"))
        .send()
        .await
        .unwrap();
    let done = CompletedMultipartUpload::builder()
        .parts(CompletedPart::builder().part_number(1).e_tag(p1.e_tag().unwrap()).build())
        .parts(CompletedPart::builder().part_number(2).e_tag(p2.copy_part_result().unwrap().e_tag().unwrap()).build())
        .build();
    let out =
        s3.complete_multipart_upload().bucket("parts").key("big.bin").upload_id(id).multipart_upload(done).send().await;
    let new = out.unwrap().version_id().expect("the completed upload is a new version").to_owned();
    let mut expected = part;
    expected.extend_from_slice(b"the old small file");
    assert_eq!(read(&s3, "parts", "big.bin", None).await.unwrap(), expected);
    assert_eq!(read(&s3, "parts", "big.bin", Some(&old)).await.unwrap(), b"the old small file");
    let listed: Vec<String> = versions_of(&s3, "parts", "big.bin").await.into_iter().map(|v| v.0).collect();
    assert_eq!(listed, vec![new, old]);
}

#[tokio::test]
async fn files_from_before_versioning_are_the_null_version_and_unversioned_buckets_keep_nothing() {
    let t = TestPortal::start().await;
    let s3 = t.s3().await;
    s3.create_bucket().bucket("plain").send().await.unwrap();
    let out = s3.put_object().bucket("plain").key("a.txt").body(ByteStream::from_static(b"one")).send().await.unwrap();
    assert_eq!(out.version_id(), None);
    s3.put_object().bucket("plain").key("a.txt").body(ByteStream::from_static(b"two")).send().await.unwrap();
    assert_eq!(versions_of(&s3, "plain", "a.txt").await, vec![("null".to_owned(), true, false)]);
    s3.delete_object().bucket("plain").key("a.txt").send().await.unwrap();
    assert!(versions_of(&s3, "plain", "a.txt").await.is_empty(), "a plain delete keeps nothing");

    // Turned on later: what was there becomes the null version and is kept.
    s3.put_object().bucket("plain").key("b.txt").body(ByteStream::from_static(b"before")).send().await.unwrap();
    let on = VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build();
    s3.put_bucket_versioning().bucket("plain").versioning_configuration(on).send().await.unwrap();
    let after = put(&s3, "plain", "b.txt", b"after").await;
    assert_eq!(versions_of(&s3, "plain", "b.txt").await, vec![(after, true, false), ("null".into(), false, false)]);
    assert_eq!(read(&s3, "plain", "b.txt", Some("null")).await.unwrap(), b"before");
}
