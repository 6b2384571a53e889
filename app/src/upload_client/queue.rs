//! What the upload queue shows, kept apart from the browser so that it is
//! tested on the host: each file's status and words, and the sums over the queue.

use crate::components::format_size;
use leptos::prelude::ArcRwSignal;

/// Where a file is in its upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Picked, waiting for the Upload button.
    Ready,
    /// Waiting for its turn.
    Queued,
    /// Its checksum is being computed.
    Checking,
    /// Bytes are going out.
    Uploading,
    /// Held by Pause.
    Paused,
    /// Every part is on S3, which is assembling the file.
    Completing,
    /// On S3 and recorded.
    Done,
    /// Not sent: the key exists and the rule says skip.
    Skipped,
    /// Stopped by an error; the note says which.
    Failed,
    /// Stopped by the user.
    Cancelled,
}

impl Status {
    /// The word the queue shows.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ready => "Ready",
            Status::Queued => "Queued",
            Status::Checking => "Computing checksum",
            Status::Uploading => "Uploading",
            Status::Paused => "Paused",
            Status::Completing => "Completing…",
            Status::Done => "Done",
            Status::Skipped => "Skipped",
            Status::Failed => "Failed",
            Status::Cancelled => "Cancelled",
        }
    }

    /// Nothing more will happen to the file unless the user asks.
    pub fn settled(self) -> bool {
        matches!(self, Status::Done | Status::Skipped | Status::Failed | Status::Cancelled)
    }

    /// The user may still cancel: not once S3 is assembling the file.
    pub fn cancellable(self) -> bool {
        !self.settled() && self != Status::Completing
    }
}

/// What one queue row shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RowState {
    /// Where the file is.
    pub status: Status,
    /// Bytes on S3 so far; never goes down.
    pub sent: f64,
    /// Bytes per second since the file started.
    pub speed: f64,
    /// More words: a failure's reason, a resume, a retry.
    pub note: String,
}

impl RowState {
    /// The status cell's words: the status, and the note when there is one.
    pub fn text(&self) -> String {
        match (self.status, self.note.is_empty()) {
            (status, true) => status.label().to_owned(),
            (Status::Completing, false) => format!("{} ({})", self.status.label(), self.note),
            (status, false) => format!("{}: {}", status.label(), self.note),
        }
    }
}

/// One file in the queue.
#[derive(Debug, Clone)]
pub struct Row {
    /// Queue-wide id.
    pub id: usize,
    /// Path below the destination folder.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// What the row shows, updated as the upload goes.
    pub state: ArcRwSignal<RowState>,
}

/// Bytes per second as a person reads it; nothing when nothing moves.
pub fn speed_text(bytes_per_second: f64) -> String {
    if bytes_per_second <= 0.0 { String::new() } else { format!("{}/s", format_size(bytes_per_second as i64)) }
}

/// The destination folder as a key prefix: no leading `/`, one trailing `/`.
pub fn normalize_folder(raw: &str) -> String {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() { String::new() } else { format!("{trimmed}/") }
}

/// Sums over the whole queue, for the overall bar and the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Bytes on S3 so far.
    pub sent: f64,
    /// Bytes of every file.
    pub size: f64,
    /// Files in the queue.
    pub total: usize,
    /// Files waiting for the Upload button.
    pub ready: usize,
    /// Files on S3 and recorded.
    pub done: usize,
    /// Files not sent because the name was taken.
    pub skipped: usize,
    /// Files stopped by an error.
    pub failed: usize,
    /// Files stopped by the user.
    pub cancelled: usize,
    /// Files nothing more will happen to.
    pub settled: usize,
}

impl Totals {
    /// Counts one more file in `status`.
    pub fn count(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Ready => self.ready += 1,
            Status::Done => self.done += 1,
            Status::Skipped => self.skipped += 1,
            Status::Failed => self.failed += 1,
            Status::Cancelled => self.cancelled += 1,
            _ => {}
        }
        if status.settled() {
            self.settled += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: Status, note: &str) -> RowState {
        RowState { status, sent: 0.0, speed: 0.0, note: note.into() }
    }

    #[test]
    fn the_status_cell_says_the_status_and_its_note() {
        assert_eq!(row(Status::Queued, "").text(), "Queued");
        assert_eq!(row(Status::Failed, "part 2 failed 5 times").text(), "Failed: part 2 failed 5 times");
        assert_eq!(row(Status::Completing, "12 s").text(), "Completing… (12 s)");
    }

    #[test]
    fn a_file_can_be_cancelled_until_s3_assembles_it() {
        for s in [Status::Ready, Status::Queued, Status::Checking, Status::Uploading, Status::Paused] {
            assert!(s.cancellable() && !s.settled(), "{s:?}");
        }
        assert!(!Status::Completing.cancellable() && !Status::Completing.settled());
        for s in [Status::Done, Status::Skipped, Status::Failed, Status::Cancelled] {
            assert!(s.settled() && !s.cancellable(), "{s:?}");
        }
    }

    #[test]
    fn totals_count_each_file_once_and_what_has_settled() {
        let mut t = Totals::default();
        for s in [Status::Ready, Status::Done, Status::Done, Status::Failed, Status::Completing, Status::Skipped] {
            t.count(s);
        }
        assert_eq!((t.total, t.ready, t.done, t.failed, t.skipped, t.settled), (6, 1, 2, 1, 1, 4));
    }

    #[test]
    fn a_destination_folder_is_a_prefix_with_one_trailing_slash() {
        assert_eq!(normalize_folder(" /incoming/batch-1/ "), "incoming/batch-1/");
        assert_eq!(normalize_folder("/"), "");
        assert_eq!(speed_text(0.0), "");
        assert_eq!(speed_text(1536.0), "1.5 KiB/s");
    }
}
