//! The rules of S3 multipart uploads that need no S3: part sizes and
//! counts, "keep both" names, and the checksum format.

use crate::core::CoreError;

/// Smallest part S3 accepts (except the last).
pub const MIN_PART: u64 = 5 * 1024 * 1024;
/// Largest part S3 accepts.
pub const MAX_PART: u64 = 5 * 1024 * 1024 * 1024;
/// Most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;
/// Largest object S3 stores.
pub const MAX_OBJECT: u64 = 5 * 1024 * 1024 * 1024 * 1024;
/// Part size used unless the file needs bigger parts to fit in 10,000.
pub const PREFERRED_PART: u64 = 8 * 1024 * 1024;

/// Bytes per part for a file of `size` bytes: at least 8 MiB, and large
/// enough that the file fits in 10,000 parts (rounded up to whole MiB).
pub fn part_size_for(size: u64) -> u64 {
    const MIB: u64 = 1024 * 1024;
    let needed = size.div_ceil(MAX_PARTS).div_ceil(MIB) * MIB;
    needed.max(PREFERRED_PART).clamp(MIN_PART, MAX_PART)
}

/// Number of parts of a file of `size` bytes cut into `part_size` pieces.
pub fn part_count(size: u64, part_size: u64) -> u32 {
    size.div_ceil(part_size).max(1) as u32
}

/// `dir/name (n).ext` for `dir/name.ext`: the n-th "keep both" name.
pub fn numbered_key(key: &str, n: u32) -> String {
    let (dir, name) = match key.rfind('/') {
        Some(i) => key.split_at(i + 1),
        None => ("", key),
    };
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{dir}{} ({n}){}", &name[..dot], &name[dot..]),
        _ => format!("{dir}{name} ({n})"),
    }
}

/// Checks a base64 CRC32C as the browser sends it: 4 bytes, 8 characters.
pub fn validate_crc32c(value: &str) -> Result<(), CoreError> {
    let ok = value.len() == 8
        && value.ends_with("==")
        && value[..6].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if ok { Ok(()) } else { Err(CoreError::Invalid(format!("“{value}” is not a CRC32C checksum."))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_at_least_8_mib_and_never_more_than_10000() {
        const MIB: u64 = 1024 * 1024;
        assert_eq!(part_size_for(17 * MIB), 8 * MIB);
        assert_eq!(part_count(64 * MIB, part_size_for(64 * MIB)), 8);
        assert_eq!(part_count(64 * MIB + 1, part_size_for(64 * MIB + 1)), 9);
        // 100 GiB needs 11 MiB parts to fit in 10,000.
        let big = 100 * 1024 * MIB;
        assert_eq!(part_size_for(big), 11 * MIB);
        assert!(part_count(big, part_size_for(big)) as u64 <= MAX_PARTS);
        assert!(part_count(MAX_OBJECT, part_size_for(MAX_OBJECT)) as u64 <= MAX_PARTS);
        assert!(part_size_for(MAX_OBJECT) <= MAX_PART);
    }

    #[test]
    fn keep_both_names_number_before_the_extension() {
        assert_eq!(numbered_key("a/b/report.csv", 1), "a/b/report (1).csv");
        assert_eq!(numbered_key("data.tar.gz", 2), "data.tar (2).gz");
        assert_eq!(numbered_key("dir/.env", 1), "dir/.env (1)");
        assert_eq!(numbered_key("README", 3), "README (3)");
    }

    #[test]
    fn checksums_must_look_like_crc32c() {
        assert!(validate_crc32c("yZRlqg==").is_ok());
        for bad in ["", "yZRlqg", "yZRlqg=x", "a&b=c===", "AAAAAAAAAAAA"] {
            assert!(validate_crc32c(bad).is_err(), "{bad:?}");
        }
    }
}
