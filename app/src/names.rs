//! Names of S3 things that are checked whenever they are made or read: a
//! bucket name, an object key, a folder prefix. Holding one means it passed
//! the rules of `crate::rules`; serde checks them too, so a request body
//! that names a bad key is refused as it arrives.

use serde::{Deserialize, Serialize};

macro_rules! checked_name {
    ($(#[doc = $doc:literal])* $name:ident, $problem:path) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks `value`; the error says what is wrong, for a person.
            pub fn new(value: impl Into<String>) -> Result<Self, String> {
                let value = value.into();
                match $problem(&value) {
                    Some(problem) => Err(problem),
                    None => Ok(Self(value)),
                }
            }

            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, String> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(name: $name) -> String {
                name.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

checked_name! {
    /// A bucket name that follows every S3 rule for general purpose buckets.
    BucketName, crate::rules::bucket_name_problem
}

checked_name! {
    /// An object key: 1 to 1024 bytes, named folders, no `.` or `..`, no control characters.
    ObjectKey, crate::rules::key_problem
}

checked_name! {
    /// A folder: empty for the top of a bucket, otherwise a valid key ending in `/`.
    Prefix, crate::rules::prefix_problem
}

impl Prefix {
    /// The top of a bucket.
    pub fn top() -> Self {
        Self(String::new())
    }

    /// The key of `path` inside this folder, checked.
    pub fn join(&self, path: &str) -> Result<ObjectKey, String> {
        ObjectKey::new(format!("{}{path}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_when_made_and_when_read() {
        assert!(BucketName::new("dataport-data").is_ok());
        assert!(BucketName::new("Data_Port").is_err());
        assert!(ObjectKey::new("a/b.csv").is_ok());
        for bad in ["", "/etc/passwd", "a/../b", "a//b", "a\\b", "tab\there"] {
            assert!(ObjectKey::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Prefix::new("").unwrap(), Prefix::top());
        assert!(Prefix::new("a/b").is_err());
        assert_eq!(Prefix::new("in/").unwrap().join("run1/x.log").unwrap().as_str(), "in/run1/x.log");
        assert!(Prefix::new("in/").unwrap().join("../x").is_err());
        // Read from JSON, as a REST request would send them.
        assert!(serde_json::from_str::<ObjectKey>(r#""ok/key""#).is_ok());
        let refused = serde_json::from_str::<Prefix>(r#""../""#).unwrap_err().to_string();
        assert!(refused.contains("cannot be used"), "{refused}");
    }
}
