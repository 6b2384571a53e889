//! ListObjectsV2 over the object directory. Unlike s3s-fs it reads only the
//! directory a `/`-delimited listing asks for (a folder beside 100,000
//! objects stays fast) and shows empty folders (`name/` markers, stored as
//! empty directories) as common prefixes.

use s3s::S3Result;
use s3s::dto::{CommonPrefix, ListObjectsV2Input, ListObjectsV2Output, Object, Timestamp};
use s3s::s3_error;
use std::collections::BTreeMap;
use std::path::Path;

/// One name in a listing: an object, an empty folder's marker, or a folder.
/// Sizes and times are read only for the page handed out, so that a page
/// of a folder of 100,000 objects costs 1,000 reads of metadata, not 100,000.
enum Entry {
    Object,
    Marker,
    Prefix,
}

fn safe_relative(dir: &str) -> bool {
    dir.is_empty() || dir.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

fn url_encode(key: &str) -> String {
    app::url::percent_encode(key, b"-._~/")
}

async fn read_level(bucket_root: &Path, dir: &str, out: &mut BTreeMap<String, Entry>, recursive: bool) -> S3Result<()> {
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let path = if dir.is_empty() { bucket_root.to_owned() } else { bucket_root.join(&dir) };
        let mut read = match tokio::fs::read_dir(&path).await {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound || e.kind() == std::io::ErrorKind::NotADirectory => {
                continue;
            }
            Err(e) => return Err(s3_error!(e, InternalError)),
        };
        let mut empty = true;
        while let Some(entry) = read.next_entry().await.map_err(|e| s3_error!(e, InternalError))? {
            empty = false;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
            let key = if dir.is_empty() { name } else { format!("{dir}/{name}") };
            let kind = entry.file_type().await.map_err(|e| s3_error!(e, InternalError))?;
            if kind.is_dir() {
                if recursive {
                    pending.push(key);
                } else {
                    out.insert(format!("{key}/"), Entry::Prefix);
                }
            } else {
                out.insert(key, Entry::Object);
            }
        }
        // An empty directory is a folder marker `dir/` with no body.
        if recursive && empty && !dir.is_empty() {
            out.insert(format!("{dir}/"), Entry::Marker);
        }
    }
    Ok(())
}

/// Lists `input.bucket` under `root` the way S3's ListObjectsV2 does.
pub async fn list_v2(root: &Path, input: ListObjectsV2Input) -> S3Result<ListObjectsV2Output> {
    let bucket_root = root.join(&input.bucket);
    let prefix = input.prefix.clone().unwrap_or_default();
    let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
    let max_keys = usize::try_from(input.max_keys.unwrap_or(1000).clamp(0, 1000)).unwrap_or(1000);
    // Start at the deepest directory the prefix names in full.
    let start_dir = prefix.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut found = BTreeMap::new();
    if safe_relative(start_dir) {
        let one_level = delimiter.as_deref() == Some("/");
        read_level(&bucket_root, start_dir, &mut found, !one_level).await?;
    }

    // Group by the delimiter, as S3 does, for any delimiter.
    let mut grouped: BTreeMap<String, Entry> = BTreeMap::new();
    for (key, entry) in found {
        if !key.starts_with(&prefix) {
            continue;
        }
        let rest = &key[prefix.len()..];
        match delimiter.as_deref().and_then(|d| rest.find(d).map(|i| i + d.len())) {
            Some(end) => {
                grouped.insert(format!("{prefix}{}", &rest[..end]), Entry::Prefix);
            }
            None => {
                grouped.insert(key, entry);
            }
        }
    }

    let resume = match (input.continuation_token.as_deref(), input.start_after.as_deref()) {
        (Some(t), Some(s)) => Some(t.max(s).to_owned()),
        (Some(t), None) => Some(t.to_owned()),
        (None, Some(s)) => Some(s.to_owned()),
        (None, None) => None,
    };
    let mut remaining = grouped.into_iter().filter(|(k, _)| resume.as_ref().is_none_or(|r| k > r)).peekable();
    let url = input.encoding_type.as_ref().is_some_and(|e| e.as_str() == "url");
    let shown = |k: &str| if url { url_encode(k) } else { k.to_owned() };

    let (mut contents, mut prefixes, mut last) = (Vec::new(), Vec::new(), None);
    for (key, entry) in remaining.by_ref().take(max_keys) {
        match entry {
            Entry::Prefix => prefixes.push(CommonPrefix { prefix: Some(shown(&key)) }),
            Entry::Marker => contents.push(Object { key: Some(shown(&key)), size: Some(0), ..Default::default() }),
            Entry::Object => {
                // Gone since the directory was read: S3 would not list it either.
                let Ok(meta) = tokio::fs::metadata(bucket_root.join(&key)).await else { continue };
                contents.push(Object {
                    key: Some(shown(&key)),
                    size: Some(meta.len() as i64),
                    last_modified: meta.modified().ok().map(Timestamp::from),
                    ..Default::default()
                });
            }
        }
        last = Some(key);
    }
    let truncated = remaining.peek().is_some();
    let count = contents.len() + prefixes.len();
    Ok(ListObjectsV2Output {
        name: Some(input.bucket),
        prefix: input.prefix,
        delimiter: input.delimiter,
        encoding_type: input.encoding_type,
        max_keys: input.max_keys.or(Some(1000)),
        key_count: Some(i32::try_from(count).unwrap_or(i32::MAX)),
        is_truncated: Some(truncated),
        continuation_token: input.continuation_token,
        next_continuation_token: if truncated { last } else { None },
        start_after: input.start_after,
        contents: (!contents.is_empty()).then_some(contents),
        common_prefixes: (!prefixes.is_empty()).then_some(prefixes),
        ..Default::default()
    })
}
