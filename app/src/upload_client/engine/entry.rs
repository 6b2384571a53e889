//! A file of the queue with what its upload needs, and the signer that
//! gets its part URLs a few at a time.

use super::*;

/// Where a set of files goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Dest {
    /// The usecase whose storage holds the bucket.
    pub usecase_id: UsecaseId,
    /// Bucket name.
    pub bucket: String,
    /// Destination folder, ending in `/` (empty for the top).
    pub prefix: String,
    /// What to do when a name is taken.
    pub conflict: Conflict,
}

#[derive(Default)]
pub(super) struct Progress {
    /// Bytes S3 already had when this run started, plus the most bytes
    /// seen of each part since; kept as a sum so that a progress event
    /// costs the same however many parts the file has.
    pub(super) total: f64,
    /// Most bytes seen per part in this run.
    pub(super) parts: HashMap<u32, f64>,
    pub(super) started_at: f64,
    pub(super) started_from: f64,
}

/// A file of the queue with what its upload needs.
pub struct Entry<T: Transport> {
    pub(super) row: Row,
    pub(super) file: T::Blob,
    pub(super) dest: RefCell<Option<Dest>>,
    pub(super) cancelled: Cell<bool>,
    pub(super) flights: T::Flights,
    pub(super) upload_id: RefCell<Option<UploadId>>,
    pub(super) crc32c: RefCell<Option<String>>,
    pub(super) progress: RefCell<Progress>,
}

impl<T: Transport> Entry<T> {
    pub(super) fn set(&self, f: impl FnOnce(&mut RowState)) {
        self.row.state.update(f);
    }

    pub(super) fn status(&self) -> Status {
        self.row.state.with_untracked(|s| s.status)
    }

    pub(super) fn note(&self, note: String) {
        self.set(|s| s.note = note);
    }

    pub(super) fn fail(&self, reason: String) {
        self.set(|s| {
            s.status = Status::Failed;
            s.note = reason;
            s.speed = 0.0;
        });
    }

    pub(super) fn begin(&self, base: f64, now: f64) {
        let sent = self.row.state.with_untracked(|s| s.sent);
        *self.progress.borrow_mut() =
            Progress { total: base, parts: HashMap::new(), started_at: now, started_from: sent.max(base) };
        self.set(|s| s.sent = s.sent.max(base));
    }

    /// Takes a progress event of `part`; the row's figure only grows, so a
    /// retried part never moves the bar back.
    pub(super) fn report(&self, part: u32, loaded: f64, now: f64) {
        let (total, started_at, from) = {
            let mut p = self.progress.borrow_mut();
            let seen = p.parts.entry(part).or_insert(0.0);
            let grown = (loaded - *seen).max(0.0);
            *seen += grown;
            p.total += grown;
            (p.total, p.started_at, p.started_from)
        };
        let size = self.row.size as f64;
        let elapsed = (now - started_at) / 1000.0;
        self.set(|s| {
            s.sent = s.sent.max(total.min(size));
            if elapsed > 0.2 {
                s.speed = ((s.sent - from) / elapsed).max(0.0);
            }
        });
    }

    /// What the portal is told of this file when it is to go to `path`.
    pub(super) fn offer(&self, transport: &T, path: String) -> FileOffer {
        FileOffer {
            path,
            size: self.row.size,
            content_type: transport.content_type(&self.file),
            modified: transport.modified_ms(&self.file),
            crc32c: self.crc32c.borrow().clone(),
        }
    }

    pub(super) fn part_range(&self, number: u32, part_size: u64) -> (u64, u64) {
        let start = (number as u64 - 1) * part_size;
        (start, (start + part_size).min(self.row.size))
    }
}

pub(super) enum PartFail {
    Cancelled,
    Failed(String),
}

/// Signs parts just before they are sent, a few at a time.
pub(super) struct Signer<T: Transport> {
    pub(super) upload_id: UploadId,
    pub(super) entry: Rc<Entry<T>>,
    pub(super) part_size: u64,
    pub(super) order: Vec<u32>,
    pub(super) batch: usize,
    pub(super) signed: RefCell<HashMap<u32, UploadPlan>>,
    pub(super) asked: RefCell<HashSet<u32>>,
    pub(super) crcs: RefCell<HashMap<u32, String>>,
    pub(super) lock: futures::lock::Mutex<()>,
}

impl<T: Transport> Signer<T> {
    pub(super) async fn crc_of(&self, transport: &T, number: u32) -> Result<String, String> {
        if let Some(c) = self.crcs.borrow().get(&number) {
            return Ok(c.clone());
        }
        let (start, end) = self.entry.part_range(number, self.part_size);
        let blob = transport.slice(&self.entry.file, start, end)?;
        let crc = transport.crc32c(&blob).await?;
        self.crcs.borrow_mut().insert(number, crc.clone());
        Ok(crc)
    }

    /// A URL for `number`: one signed ahead if there is one and `fresh`
    /// is not asked, else a new batch with the next parts in line.
    pub(super) async fn url(
        &self,
        portal: &impl Portal,
        transport: &T,
        number: u32,
        fresh: bool,
    ) -> Result<UploadPlan, String> {
        let _turn = self.lock.lock().await;
        if !fresh && let Some(plan) = self.signed.borrow_mut().remove(&number) {
            return Ok(plan);
        }
        let mut numbers = vec![number];
        for n in &self.order {
            if numbers.len() >= self.batch {
                break;
            }
            if *n != number && !self.asked.borrow().contains(n) {
                numbers.push(*n);
            }
        }
        let mut offers = Vec::with_capacity(numbers.len());
        for n in &numbers {
            offers.push(PartOffer { number: *n, crc32c: self.crc_of(transport, *n).await? });
        }
        let signed = portal.sign_parts(self.upload_id.clone(), offers).await.map_err(|e| e.to_string())?;
        let mut cache = self.signed.borrow_mut();
        for part in signed {
            self.asked.borrow_mut().insert(part.number);
            cache.insert(part.number, part.request);
        }
        cache.remove(&number).ok_or_else(|| format!("the portal did not sign part {number}"))
    }
}
