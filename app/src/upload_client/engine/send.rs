//! Sending files: planning a group, one presigned PUT for a small file,
//! checksummed parts several at a time for a large one, completing, and
//! telling S3 to drop what a cancelled upload sent.

use super::*;

impl<P: Portal + 'static, T: Transport + 'static> Engine<P, T> {
    pub(super) async fn upload_group(self: &Rc<Self>, group: Vec<Rc<Entry<T>>>) {
        let Some(limits) = self.limits.get() else { return };
        let Some(dest) = group[0].dest.borrow().clone() else { return };
        let mut offers = Vec::new();
        let mut members = Vec::new();
        for e in group {
            let small = e.row.size < limits.multipart_threshold;
            let crc = if small {
                e.set(|s| s.status = Status::Checking);
                let known = e.crc32c.borrow().clone();
                match known {
                    Some(c) => Some(c),
                    None => match self.transport.crc32c(&e.file).await {
                        Ok(c) => Some(c),
                        Err(m) => {
                            e.fail(m);
                            continue;
                        }
                    },
                }
            } else {
                None
            };
            *e.crc32c.borrow_mut() = crc;
            if e.cancelled.get() {
                continue;
            }
            offers.push(e.offer(&self.transport, e.row.path.clone()));
            members.push(e);
        }
        if members.is_empty() {
            return;
        }
        let batch = match self
            .portal
            .plan(dest.usecase_id.clone(), dest.bucket.clone(), dest.prefix.clone(), dest.conflict, offers)
            .await
        {
            Ok(batch) => batch,
            Err(err) => {
                for e in members {
                    e.fail(err.to_string());
                }
                return;
            }
        };
        let concurrency = batch.concurrency.max(1) as usize;
        let mut singles = Vec::new();
        let mut multis = Vec::new();
        for (e, plan) in members.into_iter().zip(batch.plans) {
            match plan {
                FilePlan::Skip { key } => e.set(|s| {
                    s.status = Status::Skipped;
                    s.note = format!("“{key}” already exists");
                }),
                FilePlan::Single(plan) => singles.push((e, plan)),
                FilePlan::Multipart { key, upload_id, part_size, part_count, stored } => {
                    multis.push((e, key, upload_id, part_size, part_count, stored))
                }
            }
        }
        futures::stream::iter(singles)
            .for_each_concurrent(concurrency, |(e, plan)| {
                let dest = dest.clone();
                async move { self.upload_single(e, plan, dest).await }
            })
            .await;
        for (e, key, upload_id, part_size, part_count, stored) in multis {
            self.upload_multipart(e, key, upload_id, part_size, part_count, stored, concurrency).await;
        }
    }

    pub(super) async fn upload_single(&self, e: Rc<Entry<T>>, mut plan: UploadPlan, dest: Dest) {
        let mut signed_at = T::now_ms();
        let mut attempt = 0;
        e.begin(0.0, T::now_ms());
        loop {
            if !self.may_go_on(&e).await {
                return;
            }
            e.set(|s| s.status = Status::Uploading);
            let progress = self.reporter(&e, 1);
            match self.transport.send(&plan, &e.file, &e.flights, progress).await {
                Ok(_) => break,
                Err(SendError::Aborted) => continue,
                Err(SendError::Fatal(m)) => return e.fail(m),
                Err(SendError::Retryable(m)) => {
                    if attempt == 0
                        && let Some(cause) = self.blocked_by_cors(&e).await
                    {
                        return e.fail(cause);
                    }
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        return e.fail(format!("{m}; gave up after {MAX_ATTEMPTS} attempts. Press Retry."));
                    }
                    e.note(format!("attempt {} after: {m}", attempt + 1));
                    self.transport.sleep(self.backoff_ms(attempt)).await;
                    if T::now_ms() - signed_at > RESIGN_AFTER_MS {
                        // Sign again for the same key: the conflict rule was applied already.
                        let offer = e.offer(&self.transport, plan.key.clone());
                        let again = self
                            .portal
                            .plan(
                                dest.usecase_id.clone(),
                                dest.bucket.clone(),
                                String::new(),
                                Conflict::Overwrite,
                                vec![offer],
                            )
                            .await;
                        match again.map(|b| b.plans.into_iter().next()) {
                            Ok(Some(FilePlan::Single(p))) => {
                                plan = p;
                                signed_at = T::now_ms();
                            }
                            Ok(_) => return e.fail("the portal did not sign the file again".into()),
                            Err(err) => return e.fail(err.to_string()),
                        }
                    }
                }
            }
        }
        match self.portal.complete_single(dest.usecase_id, dest.bucket, plan.key).await {
            Ok(()) => e.set(|s| {
                s.status = Status::Done;
                s.sent = e.row.size as f64;
                s.note = String::new();
            }),
            Err(err) => e.fail(err.to_string()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn upload_multipart(
        self: &Rc<Self>,
        e: Rc<Entry<T>>,
        key: String,
        upload_id: UploadId,
        part_size: u64,
        part_count: u32,
        stored: Vec<StoredPart>,
        concurrency: usize,
    ) {
        *e.upload_id.borrow_mut() = Some(upload_id.clone());
        if e.cancelled.get() {
            self.abort_on_s3(e.clone());
            return;
        }
        let base: u64 = stored.iter().map(|p| p.size).sum();
        e.begin(base as f64, T::now_ms());
        e.set(|s| s.status = Status::Uploading);
        if !stored.is_empty() {
            e.note(format!("resuming; {} of {part_count} parts were already on S3", stored.len()));
        }
        let have: HashSet<u32> = stored.iter().map(|p| p.number).collect();
        let resumed = have.len();
        let order: Vec<u32> = (1..=part_count).filter(|n| !have.contains(n)).collect();
        let signer = Rc::new(Signer {
            upload_id: upload_id.clone(),
            entry: e.clone(),
            part_size,
            order: order.clone(),
            batch: concurrency,
            signed: RefCell::new(HashMap::new()),
            asked: RefCell::new(HashSet::new()),
            crcs: RefCell::new(HashMap::new()),
            lock: futures::lock::Mutex::new(()),
        });
        let sent = Rc::new(RefCell::new(Vec::<SentPart>::new()));
        let outcome = futures::stream::iter(order.into_iter().map(Ok::<u32, PartFail>))
            .try_for_each_concurrent(concurrency, |n| self.upload_part(e.clone(), signer.clone(), n, sent.clone()))
            .await;
        match outcome {
            Err(PartFail::Cancelled) => {}
            Err(PartFail::Failed(m)) => {
                self.transport.abort_all(&e.flights);
                e.fail(m);
            }
            Ok(()) => {
                let parts = sent.borrow().clone();
                let clock = self.completing_clock(e.clone());
                let completed = self.portal.complete_multipart(upload_id, parts).await;
                clock.set(false);
                match completed {
                    Ok(()) => {
                        e.upload_id.borrow_mut().take();
                        e.set(|s| {
                            s.status = Status::Done;
                            s.sent = e.row.size as f64;
                            s.note = match resumed {
                                0 => format!("{part_count} parts"),
                                n => format!("{part_count} parts ({n} were already on S3)"),
                            };
                        })
                    }
                    Err(err) => e.fail(format!("{err} ({key})")),
                }
            }
        }
    }

    pub(super) async fn upload_part(
        &self,
        e: Rc<Entry<T>>,
        signer: Rc<Signer<T>>,
        number: u32,
        sent: Rc<RefCell<Vec<SentPart>>>,
    ) -> Result<(), PartFail> {
        let mut attempt = 0;
        let mut fresh = false;
        loop {
            if !self.may_go_on(&e).await {
                return Err(PartFail::Cancelled);
            }
            let plan = signer
                .url(&self.portal, &self.transport, number, fresh)
                .await
                .map_err(|m| PartFail::Failed(format!("part {number} could not be prepared: {m}")))?;
            if self.paused.get_untracked() || e.cancelled.get() {
                // Paused while the part was being signed: keep the URL for later.
                signer.signed.borrow_mut().insert(number, plan);
                fresh = false;
                continue;
            }
            e.set(|s| s.status = Status::Uploading);
            let (start, end) = e.part_range(number, signer.part_size);
            let blob = self.transport.slice(&e.file, start, end).map_err(PartFail::Failed)?;
            let progress = self.reporter(&e, number);
            match self.transport.send(&plan, &blob, &e.flights, progress).await {
                Ok(etag) => {
                    e.report(number, (end - start) as f64, T::now_ms());
                    let crc32c = signer.crcs.borrow().get(&number).cloned().unwrap_or_default();
                    sent.borrow_mut().push(SentPart { number, etag, crc32c });
                    return Ok(());
                }
                Err(SendError::Aborted) => {
                    if e.cancelled.get() {
                        return Err(PartFail::Cancelled);
                    }
                    fresh = true;
                }
                Err(SendError::Fatal(m)) => return Err(PartFail::Failed(format!("part {number}: {m}"))),
                Err(SendError::Retryable(m)) => {
                    if attempt == 0
                        && let Some(cause) = self.blocked_by_cors(&e).await
                    {
                        return Err(PartFail::Failed(cause));
                    }
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        return Err(PartFail::Failed(format!(
                            "part {number} failed {MAX_ATTEMPTS} times ({m}). Press Retry to continue where it \
                             stopped."
                        )));
                    }
                    e.note(format!("retrying part {number} after: {m}"));
                    self.transport.sleep(self.backoff_ms(attempt)).await;
                    fresh = true;
                }
            }
        }
    }

    /// After a first send failed like a lost connection: the bucket's CORS
    /// rules, when they are what stopped it, so that the row names the cause.
    async fn blocked_by_cors(&self, e: &Entry<T>) -> Option<String> {
        let dest = e.dest.borrow().clone()?;
        self.portal.cors_problem(dest.usecase_id, dest.bucket, dest.prefix).await
    }

    /// Reports a part's progress events to its file's row.
    fn reporter(&self, e: &Rc<Entry<T>>, part: u32) -> impl Fn(f64) + 'static {
        let e = e.clone();
        move |loaded| e.report(part, loaded, T::now_ms())
    }

    /// Shows the file as completing, with the seconds S3 has been
    /// assembling it, until the returned flag is cleared.
    pub(super) fn completing_clock(self: &Rc<Self>, e: Rc<Entry<T>>) -> Rc<Cell<bool>> {
        let running = Rc::new(Cell::new(true));
        let started = T::now_ms();
        e.set(|s| {
            s.status = Status::Completing;
            s.speed = 0.0;
            s.note = "0 s".into();
        });
        let still = running.clone();
        let this = self.clone();
        leptos::task::spawn_local(async move {
            loop {
                this.transport.sleep(1000).await;
                if !still.get() {
                    break;
                }
                e.note(format!("{:.0} s", (T::now_ms() - started) / 1000.0));
            }
        });
        running
    }

    /// Tells S3 to drop what a cancelled multipart upload sent.
    pub(super) fn abort_on_s3(self: &Rc<Self>, e: Rc<Entry<T>>) {
        let Some(upload_id) = e.upload_id.borrow_mut().take() else { return };
        let this = self.clone();
        leptos::task::spawn_local(async move {
            match this.portal.abort(upload_id).await {
                Ok(()) => e.note("the parts sent were removed from S3".into()),
                Err(err) => e.note(format!("S3 could not be told ({err}); the parts are removed within a day")),
            }
        });
    }
}
