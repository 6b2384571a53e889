//! Percent-encoding, shared by links in pages and headers for S3.

/// Percent-encodes every byte of `value` except ASCII letters, digits and `keep`.
pub fn percent_encode(value: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The folder browser's address of `prefix` in `bucket` of a usecase.
pub fn folder_href(usecase_id: &crate::ids::UsecaseId, bucket: &str, prefix: &str) -> String {
    let keep = b"-._~";
    format!("/usecases/{usecase_id}/buckets/{}?prefix={}", percent_encode(bucket, keep), percent_encode(prefix, keep))
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn reserved_and_non_ascii_bytes_are_encoded() {
        assert_eq!(percent_encode("a b/ü?", b"-._~"), "a%20b%2F%C3%BC%3F");
        assert_eq!(percent_encode("a b/c", b"/"), "a%20b/c");
    }
}
