//! The rows of a listing and their order.

use crate::model::{Listing, ObjectEntry};

/// A folder (its full prefix) or a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A sub-folder, its prefix ending in `/`.
    Folder(String),
    /// A file.
    File(ObjectEntry),
}

impl Row {
    /// Every row of a page of a listing, folders first.
    pub fn all(listing: &Listing) -> Vec<Row> {
        let folders = listing.folders.iter().cloned().map(Row::Folder);
        folders.chain(listing.files.iter().cloned().map(Row::File)).collect()
    }

    /// The full key or prefix: what a selection holds.
    pub fn key(&self) -> &str {
        match self {
            Row::Folder(prefix) => prefix,
            Row::File(f) => &f.key,
        }
    }

    /// The last segment of the key, as people read it.
    pub fn name(&self) -> &str {
        match self {
            Row::Folder(prefix) => prefix.trim_end_matches('/').rsplit('/').next().unwrap_or(prefix),
            Row::File(f) => &f.name,
        }
    }

    /// Whether the row is a folder.
    pub fn is_folder(&self) -> bool {
        matches!(self, Row::Folder(_))
    }
}

/// What a listing is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Name, S3's own order.
    Name,
    /// Size in bytes.
    Size,
    /// Last modified.
    Modified,
}

/// The rows in the order asked for; folders stay above files.
pub fn sorted(mut rows: Vec<Row>, (by, ascending): (SortBy, bool)) -> Vec<Row> {
    rows.sort_by(|a, b| {
        let order = match (a, b) {
            (Row::Folder(_), Row::File(_)) => return std::cmp::Ordering::Less,
            (Row::File(_), Row::Folder(_)) => return std::cmp::Ordering::Greater,
            (Row::File(x), Row::File(y)) => match by {
                SortBy::Name => x.key.cmp(&y.key),
                SortBy::Size => x.size.cmp(&y.size).then(x.key.cmp(&y.key)),
                SortBy::Modified => x.last_modified.cmp(&y.last_modified).then(x.key.cmp(&y.key)),
            },
            (Row::Folder(x), Row::Folder(y)) => x.cmp(y),
        };
        if ascending || (by != SortBy::Name && a.is_folder()) { order } else { order.reverse() }
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str, size: i64) -> Row {
        Row::File(ObjectEntry { key: key.into(), name: key.into(), size, last_modified: None, storage_class: None })
    }

    #[test]
    fn folders_stay_first_whatever_the_order() {
        let rows = vec![file("b", 1), Row::Folder("z/".into()), file("a", 5)];
        let by_size = sorted(rows.clone(), (SortBy::Size, false));
        assert_eq!(by_size.iter().map(Row::key).collect::<Vec<_>>(), ["z/", "a", "b"]);
        let by_name = sorted(rows, (SortBy::Name, true));
        assert_eq!(by_name.iter().map(Row::key).collect::<Vec<_>>(), ["z/", "a", "b"]);
    }
}
