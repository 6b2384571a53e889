//! Enums stored as text columns: the database keeps their spelling, the
//! code sees only the enum, and an unknown spelling is a read error rather
//! than a string passed on.

use crate::model::Role;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// Where a multipart upload the portal started stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum UploadStatus {
    /// Parts may still be sent; it can be resumed, completed or cancelled.
    Open,
    /// The object is on S3 and recorded.
    Completed,
    /// Cancelled by its owner or swept as idle; S3 dropped the parts.
    Aborted,
}

impl UploadStatus {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Open => "open",
            UploadStatus::Completed => "completed",
            UploadStatus::Aborted => "aborted",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [UploadStatus::Open, UploadStatus::Completed, UploadStatus::Aborted].into_iter().find(|v| v.as_str() == s)
    }
}

/// Text-column mappings for enums with `as_str` and `parse`.
macro_rules! text_column {
    ($ty:ty, $what:literal) => {
        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                <$ty>::parse(&text).ok_or_else(|| format!("unknown {} “{text}” in the database", $what).into())
            }
        }
    };
}

text_column!(UploadStatus, "upload status");
text_column!(Role, "role");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_roles_keep_their_spelling() {
        for s in [UploadStatus::Open, UploadStatus::Completed, UploadStatus::Aborted] {
            assert_eq!(UploadStatus::parse(s.as_str()), Some(s));
        }
        for r in [Role::Admin, Role::Editor, Role::Viewer] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(UploadStatus::parse("Open"), None);
    }
}
