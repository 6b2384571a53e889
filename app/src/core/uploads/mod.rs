//! Uploads straight from the browser to S3, as services: an upload session
//! checked before any file is read, plans for batches of files (one
//! presigned PUT for a small file, a multipart upload for a large one,
//! resumed when the same file was started before), parts signed just
//! before use, completion, cancellation. The bytes never pass through the
//! portal; every step is authorized and audited through the guard.

mod completion;
mod plan;
mod records;
mod rules;
mod s3;
mod transfer;

pub use completion::{Completed, complete, multipart_etag};
pub use plan::{BatchPlace, begin, plan_batch};
pub use records::{find_resumable, load, open, record_file, set_status, sweep_idle, touch};
pub use rules::{
    MAX_OBJECT, MAX_PART, MAX_PARTS, MIN_PART, PREFERRED_PART, numbered_key, part_count, part_size_for, validate_crc32c,
};
pub use s3::{abort, create, exists, presign_part, presign_single, resolve_key, stored_parts};
pub use transfer::{abort_upload, complete_multipart, complete_single, sign_parts};

/// Most files planned in one call.
pub const MAX_BATCH: usize = 100;
/// Multipart uploads one user may have open at a time (each holds parts on S3).
pub const MAX_OPEN_UPLOADS: i64 = 64;
/// Most parts signed in one call.
pub const MAX_SIGN: usize = 32;
