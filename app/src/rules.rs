//! Naming rules shared by the browser (inline feedback while typing) and the
//! server (enforcement). Each returns what is wrong, in words for a person.

/// Prefixes S3 reserves for its own bucket names.
const RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
/// Suffixes S3 reserves for access points, Object Lambda and directory buckets.
const RESERVED_SUFFIXES: [&str; 4] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"];

/// True for Unicode format characters (category Cf): bidi overrides,
/// zero-width characters and the like, which make a name display as
/// something else (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`).
pub fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// True for characters no name may hold: control and format characters, and backslashes.
pub fn is_forbidden_in_names(c: char) -> bool {
    c.is_control() || is_format_char(c) || c == '\\'
}

/// A name as an error message quotes it: at most 80 characters.
pub fn quoted(name: &str) -> String {
    match name.char_indices().nth(80) {
        Some((cut, _)) => format!("“{}…”", &name[..cut]),
        None => format!("“{name}”"),
    }
}

/// Checks an object key: 1..=1024 bytes, no leading `/`, no empty, `.` or
/// `..` segments, no control or format characters or backslashes.
pub fn key_problem(key: &str) -> Option<String> {
    let why = if key.is_empty() {
        "it is empty"
    } else if key.len() > 1024 {
        "it is longer than 1024 bytes"
    } else if key.chars().any(is_forbidden_in_names) {
        "it contains control characters, invisible formatting characters (such as right-to-left overrides) or a \
         backslash"
    } else {
        let body = key.strip_suffix('/').unwrap_or(key);
        if body.is_empty() || body.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
            "folders in it must have names, and “.” or “..” are not allowed"
        } else {
            return None;
        }
    };
    Some(format!("The name {} cannot be used: {why}.", quoted(key)))
}

/// Checks a folder prefix: empty (the top of the bucket), or a valid key ending in `/`.
pub fn prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return None;
    }
    if !prefix.ends_with('/') {
        return Some("A folder path must end with “/”.".into());
    }
    key_problem(prefix)
}

/// Checks a bucket name against every S3 rule for general purpose buckets.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let len = name.len();
    if !(3..=63).contains(&len) {
        return Some(format!("A bucket name has 3 to 63 characters; this one has {len}."));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.')) {
        return Some(format!("Use only lowercase letters, digits, hyphens and dots; “{c}” is not allowed."));
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge(name.chars().next()) || !edge(name.chars().last()) {
        return Some("A bucket name starts and ends with a letter or a digit.".into());
    }
    if name.contains("..") {
        return Some("A bucket name cannot have two dots in a row.".into());
    }
    if name.contains(".-") || name.contains("-.") {
        return Some("A dot cannot stand next to a hyphen in a bucket name.".into());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("A bucket name cannot look like an IP address.".into());
    }
    if let Some(p) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(**p)) {
        return Some(format!("Names starting with “{p}” are reserved by S3."));
    }
    if let Some(s) = RESERVED_SUFFIXES.iter().find(|s| name.ends_with(**s)) {
        return Some(format!("Names ending with “{s}” are reserved by S3."));
    }
    None
}

/// Checks a folder name typed by a person (one path segment).
pub fn folder_name_problem(name: &str) -> Option<String> {
    let name = name.trim_end_matches('/');
    if name.is_empty() {
        return Some("Type a name for the folder.".into());
    }
    if name.contains('/') {
        return Some("A folder name cannot contain “/”; open the parent folder first.".into());
    }
    if name == "." || name == ".." {
        return Some("“.” and “..” cannot be folder names.".into());
    }
    if name.chars().any(is_forbidden_in_names) {
        return Some(
            "A folder name cannot contain control characters, invisible formatting characters or a backslash.".into(),
        );
    }
    if name.len() > 255 {
        return Some("A folder name has at most 255 bytes.".into());
    }
    None
}

/// Checks an IAM role ARN such as `arn:aws:iam::123456789012:role/Name`.
pub fn role_arn_problem(arn: &str) -> Option<String> {
    let example = "Enter a role ARN such as arn:aws:iam::123456789012:role/SageMakerExecutionRole.";
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Some(example.into());
    };
    let name = resource.strip_prefix("role/").unwrap_or("");
    let name_ok = (1..=512).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
        && !name.ends_with('/');
    let ok = ["aws", "aws-cn", "aws-us-gov"].contains(&partition)
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && name_ok;
    if ok { None } else { Some(example.into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_display_as_something_else_are_refused() {
        for bad in ["invoice\u{202E}fdp.exe", "a\u{200B}b.txt", "x\u{2066}y", "\u{FEFF}bom.csv", "soft\u{AD}hyphen"] {
            assert!(key_problem(bad).is_some(), "{bad:?}");
            assert!(folder_name_problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(key_problem("reports/2026/Überblick – März.pdf"), None, "letters and dashes of any script pass");
        assert!(key_problem(&"k".repeat(2000)).unwrap().chars().count() < 200, "long names are not echoed whole");
    }

    #[test]
    fn bucket_names_follow_every_s3_rule() {
        let valid = [
            "abc",
            "a-b",
            "a.b",
            "my-bucket",
            "my.bucket.name",
            "bucket-123",
            "123bucket",
            "123",
            "a1b2c3",
            "dataport-data",
            "acme-training-2026",
            "x".repeat(63).as_str(),
            "a.b.c.d",
            "1.2.3.a",
            "1.2.3",
            "xn-ok",
            "s3-bucket",
            "bucket-s3alias-not-at-end",
            "ol-s3-bucket",
            "sthree",
            "my-bucket.example.com",
        ]
        .map(str::to_owned);
        for name in &valid {
            assert_eq!(bucket_name_problem(name), None, "{name} should be valid");
        }
        let invalid = [
            "",
            "ab",
            "a",
            "x".repeat(64).as_str(),
            "MyBucket",
            "my_bucket",
            "my bucket",
            "bucket!",
            "-bucket",
            "bucket-",
            ".bucket",
            "bucket.",
            "my..bucket",
            "my.-bucket",
            "my-.bucket",
            "192.168.5.4",
            "10.0.0.1",
            "xn--bucket",
            "sthree-bucket",
            "amzn-s3-demo-bucket",
            "bucket-s3alias",
            "bucket--ol-s3",
            "bucket.mrap",
            "bucket--x-s3",
            "bücket",
            "bucket/name",
        ]
        .map(str::to_owned);
        for name in &invalid {
            assert!(bucket_name_problem(name).is_some(), "{name:?} should be refused");
        }
        assert!(valid.len() + invalid.len() >= 40);
    }

    #[test]
    fn role_arns_name_an_iam_role_of_one_account() {
        for ok in [
            "arn:aws:iam::123456789012:role/SageMakerExecution",
            "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-2026",
            "arn:aws-cn:iam::123456789012:role/a",
        ] {
            assert_eq!(role_arn_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/bad name",
            "role/x",
        ] {
            assert!(role_arn_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn folder_names_are_one_plain_segment() {
        for ok in ["data", "train set", "2026-11", "ümlaut", "a.b", "trailing/"] {
            assert_eq!(folder_name_problem(ok), None, "{ok}");
        }
        for bad in ["", "/", "a/b", ".", "..", "a\\b", "a\u{7}b"] {
            assert!(folder_name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
