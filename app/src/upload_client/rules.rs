//! Rules of a browser-to-S3 transfer that need no browser: which failures
//! are worth retrying, how long to wait, and how S3 writes a CRC32C.

/// How a request to S3 ended badly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Stopped on purpose (pause or cancel).
    Aborted,
    /// Worth trying again: network failure, 5xx, SlowDown, an expired URL.
    Retryable(String),
    /// Trying again will not help; the message says why.
    Fatal(String),
}

fn tag(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    body.split(&open).nth(1).and_then(|s| s.split(&close).next()).map(str::to_owned)
}

/// Sorts an S3 answer into retry or give up, in words for a person.
pub fn classify(status: u16, body: &str) -> SendError {
    let code = tag(body, "Code").unwrap_or_default();
    let message = tag(body, "Message").unwrap_or_default();
    let retry = matches!(status, 408 | 429 | 500..=599)
        || matches!(code.as_str(), "SlowDown" | "RequestTimeout" | "ExpiredToken" | "RequestExpired" | "InternalError")
        || (code == "AccessDenied" && message.to_ascii_lowercase().contains("expired"));
    let shown = if code.is_empty() { "no error code".to_owned() } else { code.clone() };
    if retry {
        return SendError::Retryable(format!("the storage service answered HTTP {status} ({shown})"));
    }
    SendError::Fatal(match code.as_str() {
        "BadDigest" | "InvalidDigest" | "XAmzContentChecksumMismatch" => {
            "S3 refused the bytes because their checksum did not match (BadDigest); the file may have changed \
             while it was read — upload it again"
                .to_owned()
        }
        "NoSuchUpload" => "S3 no longer has this upload; pick the file again to start over".to_owned(),
        "AccessDenied" | "SignatureDoesNotMatch" => {
            format!("S3 refused the upload ({shown}); ask an administrator to check the usecase's access")
        }
        _ => format!("the storage service answered HTTP {status} ({shown})"),
    })
}

/// Base64 of a CRC32C, as S3's `x-amz-checksum-crc32c` header carries it.
pub fn crc32c_base64(crc: u32) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = crc.to_be_bytes();
    let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
    let mut out = String::with_capacity(8);
    for shift in [18, 12, 6, 0] {
        out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
    }
    let last = (b[3] as u32) << 16;
    out.push(ALPHABET[((last >> 18) & 63) as usize] as char);
    out.push(ALPHABET[((last >> 12) & 63) as usize] as char);
    out.push_str("==");
    out
}

/// The longest wait before retry number `attempt` (1-based): 0.5 s doubling
/// each time, at most 8 s. The actual wait is between half of it and all of it.
pub fn backoff_cap_ms(attempt: u32) -> u32 {
    (500u32 << attempt.saturating_sub(1).min(4)).min(8000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_is_written_as_s3_writes_it() {
        // CRC32C("123456789") = 0xE3069283, the algorithm's check value.
        assert_eq!(crc32c_base64(0xE306_9283), "4waSgw==");
        assert_eq!(crc32c_base64(0), "AAAAAA==");
    }

    #[test]
    fn network_errors_5xx_slowdown_and_expired_urls_are_retried() {
        let s3 = |code: &str, message: &str| format!("<Error><Code>{code}</Code><Message>{message}</Message></Error>");
        for (status, body) in [
            (500, s3("InternalError", "")),
            (503, s3("SlowDown", "Reduce your request rate.")),
            (429, String::new()),
            (400, s3("RequestTimeout", "")),
            (403, s3("AccessDenied", "Request has expired")),
        ] {
            assert!(matches!(classify(status, &body), SendError::Retryable(_)), "{status} {body}");
        }
    }

    #[test]
    fn refusals_fail_at_once_and_say_why() {
        let bad = classify(400, "<Error><Code>BadDigest</Code></Error>");
        assert!(matches!(&bad, SendError::Fatal(m) if m.contains("checksum did not match (BadDigest)")), "{bad:?}");
        let denied = classify(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>");
        assert!(matches!(denied, SendError::Fatal(m) if m.contains("ask an administrator")));
    }

    #[test]
    fn waits_double_up_to_eight_seconds() {
        let caps: Vec<u32> = (1..=7).map(backoff_cap_ms).collect();
        assert_eq!(caps, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
    }
}
