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

/// The address of a page or route under a bucket of a usecase, such as
/// `download?key=…` (`rest` is already encoded).
pub fn bucket_href(usecase_id: &crate::ids::UsecaseId, bucket: &str, rest: &str) -> String {
    format!("/usecases/{usecase_id}/buckets/{}/{rest}", percent_encode(bucket, b"-._~"))
}

/// A `Content-Disposition` that saves the answer as `file_name`: an ASCII
/// fallback for old clients and the exact name (RFC 6266) for the rest.
pub fn attachment(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encode(file_name, b"-._~"))
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn an_attachment_keeps_the_exact_name_beside_an_ascii_one() {
        assert_eq!(
            super::attachment("a \"b\"ü.zip"),
            "attachment; filename=\"a _b__.zip\"; filename*=UTF-8''a%20%22b%22%C3%BC.zip"
        );
    }

    #[test]
    fn reserved_and_non_ascii_bytes_are_encoded() {
        assert_eq!(percent_encode("a b/ü?", b"-._~"), "a%20b%2F%C3%BC%3F");
        assert_eq!(percent_encode("a b/c", b"/"), "a%20b/c");
    }
}
