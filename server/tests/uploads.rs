//! Uploads on the embedded endpoint over HTTP: batches of small files,
//! conflict rules, multipart with checksummed parts, resume, abort, and the
//! sweeper for idle uploads.

mod common;

use app::core::db::schema::{audit_events, files, uploads};
use app::error::AppError;
use app::model::{FileOffer, FilePlan, ObjectEntry, Role, SignedPart};
use common::uploads::{MIB, large_offer, object_bytes, plan, sample, send_part, sign};
use common::{TestPortal, crc32c_b64, error_of, offer, send_as_planned};
use diesel::prelude::*;

#[tokio::test]
async fn a_batch_of_small_files_keeps_folders_and_each_is_checked_by_s3() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    let files = [("a.csv", sample(1000, 1)), ("run1/logs/b.txt", sample(5, 2)), ("run1/c.bin", Vec::new())];
    let batch = plan(&t, &admin, &u.id, "in/", "Overwrite", files.iter().map(|(p, b)| offer(p, b)).collect()).await;
    assert_eq!(batch.concurrency, 4);
    for ((path, bytes), plan) in files.iter().zip(&batch.plans) {
        let FilePlan::Single(plan) = plan else { panic!("small files go in one piece") };
        assert_eq!(plan.key, format!("in/{path}"));
        assert!(plan.headers.iter().any(|(k, _)| k == "x-amz-checksum-crc32c"), "the checksum is signed in");
        assert_eq!(send_as_planned(plan, bytes.clone()).await.status(), 200);
        let (status, body) = t
            .call(
                &admin,
                "complete_upload",
                &[("usecase_id", u.id.as_str()), ("bucket", "dataport-data"), ("key", &plan.key)],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(&object_bytes(&t.s3().await, &plan.key).await, bytes);
    }
    let sums: Vec<Option<String>> =
        t.db(|c| files::table.order(files::object_key).select(files::checksum).load(c).unwrap());
    assert_eq!(sums[0], Some(format!("crc32c:{}", crc32c_b64(&files[0].1))), "the record keeps S3's checksum");
    assert_eq!(t.audit_count("object.upload", "success"), 3);
    assert_eq!(t.audit_count("object.upload.start", "success"), 3);

    // Bytes that do not match the signed checksum are refused by S3.
    let batch = plan(&t, &admin, &u.id, "in/", "Overwrite", vec![offer("d.txt", b"expected")]).await;
    let FilePlan::Single(p) = &batch.plans[0] else { panic!() };
    let resp = send_as_planned(p, b"corrupt!".to_vec()).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("BadDigest"));
}

#[tokio::test]
async fn existing_keys_are_skipped_kept_both_or_overwritten_as_asked() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    let first = plan(&t, &admin, &u.id, "", "Overwrite", vec![offer("r.csv", b"one")]).await;
    let FilePlan::Single(p) = &first.plans[0] else { panic!() };
    assert_eq!(send_as_planned(p, b"one".to_vec()).await.status(), 200);

    let skip = plan(&t, &admin, &u.id, "", "Skip", vec![offer("r.csv", b"two"), offer("new.csv", b"n")]).await;
    assert_eq!(skip.plans[0], FilePlan::Skip { key: "r.csv".into() });
    assert!(matches!(&skip.plans[1], FilePlan::Single(p) if p.key == "new.csv"));

    // A name given to one file of the batch counts as taken for the next.
    let both =
        plan(&t, &admin, &u.id, "", "KeepBoth", vec![offer("r.csv", b"two"), offer("r (1).csv", b"three")]).await;
    let keys: Vec<&str> = both
        .plans
        .iter()
        .map(|p| match p {
            FilePlan::Single(p) => p.key.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(keys, ["r (1).csv", "r (1) (1).csv"]);

    let over = plan(&t, &admin, &u.id, "", "Overwrite", vec![offer("r.csv", b"four")]).await;
    let FilePlan::Single(p) = &over.plans[0] else { panic!() };
    assert_eq!(p.key, "r.csv");
    assert_eq!(send_as_planned(p, b"four".to_vec()).await.status(), 200);
    assert_eq!(object_bytes(&t.s3().await, "r.csv").await, b"four");
}

#[tokio::test]
async fn one_bad_name_refuses_the_whole_batch_and_nothing_is_signed() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    let big = FileOffer { size: 64 * MIB as u64, ..large_offer("big.bin", b"") };
    let (status, body) = t
        .plan_uploads(&admin, u.id.as_str(), "", "Overwrite", vec![big, offer("ok.txt", b"x"), offer("a/../b", b"x")])
        .await;
    assert_eq!(status, 400);
    assert!(matches!(error_of(&body), AppError::Invalid(_)), "{body}");
    assert_eq!(t.db(|c| uploads::table.count().get_result::<i64>(c).unwrap()), 0, "no multipart upload started");
    // A checksum that is not one is refused too.
    let bad_sum = FileOffer { crc32c: Some("not a checksum".into()), ..offer("x.txt", b"x") };
    let (status, body) = t.plan_uploads(&admin, u.id.as_str(), "", "Overwrite", vec![bad_sum]).await;
    assert_eq!(status, 400);
    assert!(matches!(error_of(&body), AppError::Invalid(m) if m.contains("CRC32C")), "{body}");
    // Without one (a script), the length alone is signed in: S3 takes exactly that many bytes.
    let no_sum = FileOffer { crc32c: None, ..offer("x.txt", b"x") };
    let (status, body) = t.plan_uploads(&admin, u.id.as_str(), "", "Overwrite", vec![no_sum]).await;
    assert_eq!(status, 200, "{body}");
    let batch: app::model::UploadBatch = serde_json::from_str(&body).unwrap();
    let app::model::FilePlan::Single(plan) = &batch.plans[0] else { panic!("one PUT: {body}") };
    assert!(plan.headers.iter().any(|(k, v)| k == "content-length" && v == "1"), "{:?}", plan.headers);
    assert!(!plan.headers.iter().any(|(k, _)| k.contains("checksum")), "{:?}", plan.headers);
    assert_ne!(send_as_planned(plan, b"xx".to_vec()).await.status(), 200, "another length is refused");
}

#[tokio::test]
async fn a_multipart_upload_resumes_with_only_the_missing_parts_and_completes() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    let bytes = sample(17 * MIB + 3, 7);
    let batch = plan(&t, &admin, &u.id, "big/", "Overwrite", vec![large_offer("model.bin", &bytes)]).await;
    let FilePlan::Multipart { key, upload_id, part_size, part_count, stored } = batch.plans[0].clone() else {
        panic!("a 17 MiB file goes in parts: {:?}", batch.plans)
    };
    assert_eq!((key.as_str(), part_size, part_count, stored.len()), ("big/model.bin", 8 * MIB as u64, 3, 0));
    let part = |n: u32| &bytes[(n as usize - 1) * 8 * MIB..(n as usize * 8 * MIB).min(bytes.len())];
    let etag1 = send_part(&t, &admin, &upload_id, 1, part(1)).await;
    let _etag2 = send_part(&t, &admin, &upload_id, 2, part(2)).await;

    // The tab is gone; the same file picked again continues the same upload.
    let again = plan(&t, &admin, &u.id, "big/", "Overwrite", vec![large_offer("model.bin", &bytes)]).await;
    let FilePlan::Multipart { upload_id: resumed, stored, .. } = again.plans[0].clone() else { panic!() };
    assert_eq!(resumed, upload_id);
    assert_eq!(stored.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(stored[0].etag, etag1.trim_matches('"'));
    assert_eq!(stored[0].crc32c.as_deref(), Some(crc32c_b64(part(1)).as_str()));

    // Completing before every part is there says which are missing.
    let (status, body) =
        t.call_json(&admin, "complete_multipart", serde_json::json!({"upload_id": upload_id, "parts": []})).await;
    assert_eq!(status, 409);
    assert!(matches!(error_of(&body), AppError::Conflict(m) if m.contains("part(s) 3")), "{body}");

    let etag3 = send_part(&t, &admin, &upload_id, 3, part(3)).await;
    let sent = serde_json::json!([{"number": 3, "etag": etag3, "crc32c": crc32c_b64(part(3))}]);
    let (status, body) =
        t.call_json(&admin, "complete_multipart", serde_json::json!({"upload_id": upload_id, "parts": sent})).await;
    assert_eq!(status, 200, "{body}");
    let entry: ObjectEntry = serde_json::from_str(&body).unwrap();
    assert_eq!(entry.size, bytes.len() as i64);
    assert!(object_bytes(&t.s3().await, "big/model.bin").await == bytes, "the object is the file, byte for byte");
    let status: String = t.db(|c| uploads::table.select(uploads::status).first(c).unwrap());
    assert_eq!(status, "completed");
    assert_eq!(t.audit_count("object.upload", "success"), 1);
    // Finished uploads cannot be signed for again.
    let (status, body) = sign(&t, &admin, upload_id.as_str(), &[(1, part(1))]).await;
    assert_eq!(status, 409);
    assert!(matches!(error_of(&body), AppError::Conflict(_)), "{body}");
}

#[tokio::test]
async fn a_corrupted_part_is_refused_by_s3_and_the_checksum_header_is_signed() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    let bytes = sample(20 * MIB, 3);
    let batch = plan(&t, &admin, &u.id, "", "Overwrite", vec![large_offer("c.bin", &bytes)]).await;
    let FilePlan::Multipart { upload_id, .. } = batch.plans[0].clone() else { panic!() };
    let good = &bytes[..8 * MIB];
    let (status, body) = sign(&t, &admin, upload_id.as_str(), &[(1, good)]).await;
    assert_eq!(status, 200, "{body}");
    let signed: Vec<SignedPart> = serde_json::from_str(&body).unwrap();
    let mut corrupt = good.to_vec();
    corrupt[4 * MIB] ^= 0x55;
    let resp = send_as_planned(&signed[0].request, corrupt.clone()).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("BadDigest"));
    // Sending the corrupt bytes with their own checksum breaks the signature.
    let mut forged = signed[0].request.clone();
    for (k, v) in forged.headers.iter_mut() {
        if k == "x-amz-checksum-crc32c" {
            *v = crc32c_b64(&corrupt);
        }
    }
    let resp = send_as_planned(&forged, corrupt).await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("SignatureDoesNotMatch"));
    // S3 kept nothing of either attempt.
    let record_id = upload_id.clone();
    let s3_id: String = t.db(|c| uploads::table.find(record_id).select(uploads::s3_upload_id).first(c).unwrap());
    let parts = t.s3().await.list_parts().bucket("dataport-data").key("c.bin").upload_id(&s3_id).send().await.unwrap();
    assert!(parts.parts().is_empty());
}

#[tokio::test]
async fn cancelling_aborts_on_s3_and_nobody_else_can_touch_the_upload() {
    let t = TestPortal::start().await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    let editor_id = t.add_user(&u.tenant_id, "editor@example.com", Role::Editor);
    t.grant(&editor_id, &u, "", true);
    let editor = t.sign_in("editor@example.com").await;
    let bytes = sample(16 * MIB, 9);
    let batch = plan(&t, &admin, &u.id, "", "Overwrite", vec![large_offer("x.bin", &bytes)]).await;
    let FilePlan::Multipart { upload_id, .. } = batch.plans[0].clone() else { panic!() };
    send_part(&t, &admin, &upload_id, 1, &bytes[..8 * MIB]).await;

    // Another user with write rights on the same folder gets nothing.
    let (status, body) = sign(&t, &editor, upload_id.as_str(), &[(2, &bytes[8 * MIB..])]).await;
    assert_eq!(status, 403);
    assert_eq!(error_of(&body), AppError::Denied);
    let (status, _) = t.call(&editor, "abort_upload", &[("upload_id", upload_id.as_str())]).await;
    assert_eq!(status, 403);
    assert_eq!(t.audit_count("object.upload.abort", "denied"), 1);

    let (status, body) = t.call(&admin, "abort_upload", &[("upload_id", upload_id.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    let record_id = upload_id.clone();
    let s3_id: String = t.db(|c| uploads::table.find(record_id).select(uploads::s3_upload_id).first(c).unwrap());
    let err =
        t.s3().await.list_parts().bucket("dataport-data").key("x.bin").upload_id(&s3_id).send().await.unwrap_err();
    assert_eq!(aws_sdk_s3::error::ProvideErrorMetadata::code(&err), Some("NoSuchUpload"));
    let (status, body) = sign(&t, &admin, upload_id.as_str(), &[(2, &bytes[8 * MIB..])]).await;
    assert_eq!(status, 409);
    assert!(matches!(error_of(&body), AppError::Conflict(_)), "{body}");
    // Picking the file again starts a new upload instead of the cancelled one.
    let again = plan(&t, &admin, &u.id, "", "Overwrite", vec![large_offer("x.bin", &bytes)]).await;
    let FilePlan::Multipart { upload_id: fresh, stored, .. } = again.plans[0].clone() else { panic!() };
    assert_ne!(fresh, upload_id);
    assert!(stored.is_empty());
}

#[tokio::test]
async fn list_parts_on_the_embedded_endpoint_pages_with_etags() {
    let t = TestPortal::start().await;
    let _admin = t.admin().await;
    let s3 = t.s3().await;
    let up = s3.create_multipart_upload().bucket("dataport-data").key("p.bin").send().await.unwrap();
    let id = up.upload_id().unwrap();
    for n in 1..=3 {
        let body = aws_sdk_s3::primitives::ByteStream::from(sample(5 * MIB, n as u8));
        s3.upload_part()
            .bucket("dataport-data")
            .key("p.bin")
            .upload_id(id)
            .part_number(n)
            .body(body)
            .send()
            .await
            .unwrap();
    }
    let page = s3.list_parts().bucket("dataport-data").key("p.bin").upload_id(id).max_parts(2).send().await.unwrap();
    assert_eq!(page.parts().iter().map(|p| p.part_number().unwrap()).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(page.is_truncated(), Some(true));
    assert!(page.parts().iter().all(|p| p.e_tag().is_some()));
    let rest = s3
        .list_parts()
        .bucket("dataport-data")
        .key("p.bin")
        .upload_id(id)
        .part_number_marker(page.next_part_number_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.parts().iter().map(|p| p.part_number().unwrap()).collect::<Vec<_>>(), [3]);
    assert_eq!(rest.is_truncated(), Some(false));
}

#[tokio::test]
async fn the_sweeper_aborts_uploads_left_idle() {
    let t = TestPortal::start_with(|args| {
        args.abandon_uploads_after = 1;
        args.sweep_every = 1;
    })
    .await;
    let admin = t.admin().await;
    let u = t.default_usecase();
    let bytes = sample(16 * MIB, 1);
    let batch = plan(&t, &admin, &u.id, "", "Overwrite", vec![large_offer("idle.bin", &bytes)]).await;
    let FilePlan::Multipart { upload_id, .. } = batch.plans[0].clone() else { panic!() };
    let mut status = String::new();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let id = upload_id.clone();
        status = t.db(|c| uploads::table.find(id).select(uploads::status).first(c).unwrap());
        if status == "aborted" {
            break;
        }
    }
    assert_eq!(status, "aborted");
    let id = upload_id.clone();
    let s3_id: String = t.db(|c| uploads::table.find(id).select(uploads::s3_upload_id).first(c).unwrap());
    let err =
        t.s3().await.list_parts().bucket("dataport-data").key("idle.bin").upload_id(&s3_id).send().await.unwrap_err();
    assert_eq!(aws_sdk_s3::error::ProvideErrorMetadata::code(&err), Some("NoSuchUpload"));
    assert_eq!(t.audit_count("object.upload.abort", "success"), 1);
    let credential: Option<String> = t.db(|c| {
        audit_events::table
            .filter(audit_events::action.eq("object.upload.abort"))
            .select(audit_events::credential)
            .first(c)
            .unwrap()
    });
    assert_eq!(credential.as_deref(), Some("system job upload sweeper"), "the trail says the sweeper did it");
}
