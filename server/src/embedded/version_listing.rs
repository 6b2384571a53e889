//! ListObjectVersions over the histories and the current objects: objects
//! written before versioning began appear with the version id `null`, as
//! in S3. Everything under the prefix is gathered, then paged by key and
//! version markers; the embedded endpoint is for a laptop, not for buckets
//! of millions of versions.

use super::listing;
use super::versions::{NULL_ID, Version, Versions};
use s3s::S3Result;
use s3s::dto::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

/// One name of the listing: a folder, or a key with its versions.
enum Item {
    Prefix,
    Key(Vec<Version>),
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from(UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

fn millis(t: Option<Timestamp>) -> i64 {
    t.map_or(0, |t| (time::OffsetDateTime::from(t).unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The current objects under the prefix, grouped by the delimiter.
async fn current(root: &Path, input: &ListObjectVersionsInput, items: &mut BTreeMap<String, Item>) -> S3Result<()> {
    let mut token = None;
    loop {
        let page = listing::list_v2(
            root,
            ListObjectsV2Input {
                bucket: input.bucket.clone(),
                prefix: input.prefix.clone(),
                delimiter: input.delimiter.clone(),
                continuation_token: token.take(),
                ..Default::default()
            },
        )
        .await?;
        for p in page.common_prefixes.unwrap_or_default().into_iter().filter_map(|p| p.prefix) {
            items.insert(p, Item::Prefix);
        }
        for o in page.contents.unwrap_or_default() {
            let Some(key) = o.key else { continue };
            let null = Version {
                id: NULL_ID.to_owned(),
                marker: false,
                at_ms: millis(o.last_modified),
                size: o.size.unwrap_or(0).max(0) as u64,
                etag: String::new(),
            };
            items.insert(key, Item::Key(vec![null]));
        }
        match page.next_continuation_token {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}

/// Lists the versions of `input.bucket` under `root`.
pub async fn list(
    root: &Path,
    versions: &Versions,
    input: ListObjectVersionsInput,
) -> S3Result<ListObjectVersionsOutput> {
    let prefix = input.prefix.clone().unwrap_or_default();
    let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
    let max_keys = usize::try_from(input.max_keys.unwrap_or(1000).clamp(1, 1000)).unwrap_or(1000);
    let mut items = BTreeMap::new();
    current(root, &input, &mut items).await?;
    // Histories replace the null entries of the current listing.
    for history in versions.histories(&input.bucket, &prefix).await? {
        let rest = &history.key[prefix.len()..];
        match delimiter.as_deref().and_then(|d| rest.find(d).map(|i| i + d.len())) {
            Some(end) => {
                items.insert(format!("{prefix}{}", &rest[..end]), Item::Prefix);
            }
            None => {
                items.insert(history.key, Item::Key(history.versions));
            }
        }
    }

    let key_marker = input.key_marker.clone().unwrap_or_default();
    let version_marker = input.version_id_marker.clone().filter(|v| !v.is_empty());
    let (mut objects, mut markers, mut prefixes) = (Vec::new(), Vec::new(), Vec::new());
    let (mut count, mut truncated, mut last) = (0, false, None::<(String, Option<String>)>);
    'items: for (key, item) in items.range(key_marker.clone()..) {
        // A key marker alone means "after every version of that key".
        if *key == key_marker && (version_marker.is_none() || matches!(item, Item::Prefix)) {
            continue;
        }
        match item {
            Item::Prefix => {
                if count == max_keys {
                    truncated = true;
                    break;
                }
                prefixes.push(CommonPrefix { prefix: Some(key.clone()) });
                count += 1;
                last = Some((key.clone(), None));
            }
            Item::Key(list) => {
                let mut skipping = *key == key_marker;
                for (i, v) in list.iter().enumerate() {
                    if skipping {
                        skipping = version_marker.as_deref() != Some(v.id.as_str());
                        continue;
                    }
                    if count == max_keys {
                        truncated = true;
                        break 'items;
                    }
                    let (latest, at) = (Some(i == 0), Some(timestamp(v.at_ms)));
                    if v.marker {
                        markers.push(DeleteMarkerEntry {
                            is_latest: latest,
                            key: Some(key.clone()),
                            last_modified: at,
                            version_id: Some(v.id.clone()),
                            ..Default::default()
                        });
                    } else {
                        objects.push(ObjectVersion {
                            e_tag: (!v.etag.is_empty()).then(|| ETag::Strong(v.etag.clone())),
                            is_latest: latest,
                            key: Some(key.clone()),
                            last_modified: at,
                            size: Some(v.size as i64),
                            storage_class: Some(ObjectVersionStorageClass::from_static(
                                ObjectVersionStorageClass::STANDARD,
                            )),
                            version_id: Some(v.id.clone()),
                            ..Default::default()
                        });
                    }
                    count += 1;
                    last = Some((key.clone(), Some(v.id.clone())));
                }
            }
        }
    }
    let (next_key, next_version) = if truncated { last.unzip() } else { (None, None) };
    Ok(ListObjectVersionsOutput {
        name: Some(input.bucket),
        prefix: input.prefix,
        delimiter: input.delimiter,
        max_keys: Some(max_keys as i32),
        key_marker: input.key_marker,
        version_id_marker: input.version_id_marker,
        is_truncated: Some(truncated),
        next_key_marker: next_key,
        next_version_id_marker: next_version.flatten(),
        versions: (!objects.is_empty()).then_some(objects),
        delete_markers: (!markers.is_empty()).then_some(markers),
        common_prefixes: (!prefixes.is_empty()).then_some(prefixes),
        ..Default::default()
    })
}
