//! The persistent sending queue: an append-only log of checksummed records in segment files,
//! and a ledger saying where reading resumes.
//!
//! # Why a segment log (and not redb)
//! The queue only appends, reads in order and forgets from the front; a log does exactly that
//! with one sequential write per batch, no compaction and no page-level copy-on-write. Byte
//! accounting is the files' sizes, recovery is a linear scan any engineer can follow with a hex
//! dump, and the only new dependency is `crc32fast` (already in the tree through `flate2`).
//! redb would bring transactions we do not need and a file that only grows until compacted.
//!
//! # Invariants
//! 1. A batch a client was answered OK for is in a segment file before the answer: the frame was
//!    written with `write(2)` (and, with `fsync: always`, synced) inside
//!    [`DiskQueue::push`], which the pipeline calls synchronously from the receiver.
//! 2. A record leaves the queue only after the backend accepted it (or the exporter gave up on
//!    it for good): the worker acks after sending, never before.
//! 3. The ledger never passes a record that is not acked: it holds the lowest unacked id, so a
//!    ledger that lags (not yet written or synced) means duplicates after a crash, never loss.
//! 4. A segment file is deleted only when every record in it is below the ledger position.
//! 5. One process per queue directory (an advisory lock on `lock`; a killed process drops it).
//!
//! # On-disk layout
//! `file_storage.directory/<component>/` (named by the `file_storage` extension):
//! - `lock`: empty, holds the advisory lock;
//! - `ledger`: the read position ([`ledger`]);
//! - `00000000000000000001.seg`, …: segments, numbered in write order. A segment starts with
//!   the 8-byte header `CIOTELQ\x01` and holds frames back to back.
//!
//! # Record structure
//! A frame is `"CQR1"`, the payload length (u32 little-endian), a CRC-32 of length and payload
//! (u32 LE), then the payload: a `ciotel.queue.v1.QueueRecord` (`proto/ciotel/queue/v1/
//! record.proto`, [`record`]) holding a version, the record id, the signal, the item count, the
//! enqueue time and the OTLP `Export*ServiceRequest` bytes. Ids grow by one per record across
//! segments and restarts. Newer ciotels add fields (old readers skip them) and read every older
//! version; a record of a newer version than the reader's is skipped with an error.
//!
//! # Writing
//! [`DiskQueue::push`] encodes the request, checks the bounds (`queue_size` records and
//! `max_size_mib` of segment files, both refused at once when passed), frames it and writes it at
//! the end of the current segment, under one lock so ids and file order agree. A segment is
//! closed (synced, unless `fsync: never`) once it passes its size (1/16 of `max_size_mib`, between
//! 256 KiB and 32 MiB) and the next write starts a new one. A restart always starts a new segment,
//! so a torn frame at the end of an old one is never written after.
//!
//! # Reading
//! Records waiting to be sent are kept as positions (segment, offset, length) in memory — not as
//! data, so a long outage costs disk, not RAM. A worker reads a record when it takes it, checks
//! its frame again and decodes it; a record that fails is skipped like one found at start.
//!
//! # Deletion and acks
//! When a batch is done, its id is removed from the unacked set; the lowest unacked id (or the
//! next id, when none is left) is written to the ledger, then the segments wholly below it —
//! except the one being written — are deleted.
//!
//! # fsync policy (`file_storage.fsync`)
//! - `interval` (default): every frame is written before the client's OK, so it survives the
//!   ciotel process dying in any way (kill -9, OOM kill, panic); segment and ledger are synced
//!   at most one second later, and when a segment is closed. A power cut or kernel crash can lose
//!   what was acknowledged in that last second. The default because process deaths are the
//!   common failure and a sync per request caps throughput at the disk's sync rate.
//! - `always`: the frame is synced before the OK (concurrent pushes share one sync), the
//!   ledger after every ack; survives power cuts too, at the cost of one sync per request.
//! - `never`: the OS writes back when it likes (survives process deaths, not power cuts).
//!   `fsync: true` and `false` (the Collector's boolean) mean `always` and `never`.
//!
//! # Recovery
//! At start every segment is scanned: intact frames with ids at or past the ledger become the
//! waiting records, in file order, and are sent first. A stretch that is no intact frame is
//! skipped: followed by intact frames it is corruption (logged as an error), at the end of a file
//! it is a write cut short by a crash (a warning). Both count in
//! `ciotel_exporter_queue_skipped_records`; the queue starts and delivers the rest either way.
//! A file without the segment header is reported and removed.
//!
//! # Throughput
//! `cargo bench --bench queue` (release build, 2 shared cores, a cloud VM disk), a batch of 100
//! CI-test spans (~25 KB) enqueued while two workers read back, send (to a no-op backend) and
//! ack: in memory 20 µs per batch; on disk `never` 0.56 ms, `interval` 0.66 ms (~150k spans/s),
//! `always` 2.8 ms (~35k spans/s, the disk's sync rate). Restarting on 2,000 queued batches and
//! sending them all: 0.78 s (~250k spans/s).
//!
//! Files: `record.rs` (the record message), `segment.rs` (names, frames, scan), `ledger.rs`,
//! `fs.rs` (positioned I/O, directory sync, the lock), `recovery.rs` (the start-up scan),
//! `tests/`.

mod fs;
mod ledger;
pub mod record;
mod recovery;
pub mod segment;

use super::metrics::{Held, HeldBatch, QueueMetrics};
use super::store::{Entry, Refusal};
use super::wire;
use crate::signal::Batch;
use ledger::Ledger;
use prost::Message;
use record::{QueueRecord, SignalKind, VERSION};
use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// When written records are synced to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FsyncPolicy {
    /// Before every OK.
    Always,
    /// At most a second after the write.
    #[default]
    Interval,
    /// When the OS likes.
    Never,
}

/// Where and how one exporter's queue is kept.
#[derive(Debug, Clone)]
pub struct DiskOptions {
    /// The queue's own directory (created if missing; its parent must exist).
    pub directory: PathBuf,
    /// When to sync.
    pub fsync: FsyncPolicy,
    /// How long to wait for another process's lock on the directory.
    pub lock_timeout: Duration,
    /// Bytes of segment files the queue may hold.
    pub max_bytes: u64,
    /// Records the queue may hold.
    pub max_batches: usize,
    /// Size after which a segment is closed; `None`: from `max_bytes`.
    pub segment_bytes: Option<u64>,
}

impl DiskOptions {
    /// Options for a queue in `directory` with the defaults; the bounds are set from the
    /// exporter's `sending_queue` when it starts.
    pub fn new(directory: PathBuf) -> Self {
        DiskOptions {
            directory,
            fsync: FsyncPolicy::default(),
            lock_timeout: Duration::from_secs(1),
            max_bytes: super::DEFAULT_DISK_MIB * 1024 * 1024,
            max_batches: 1000,
            segment_bytes: None,
        }
    }

    fn segment_limit(&self) -> u64 {
        self.segment_bytes
            .unwrap_or((self.max_bytes / 16).clamp(256 * 1024, 32 * 1024 * 1024))
    }
}

/// A persistent queue that could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the persistent sending queue in {directory}: {source}")]
pub struct DiskError {
    /// The queue's directory.
    pub directory: PathBuf,
    /// What the OS said.
    pub source: std::io::Error,
}

/// Where a waiting record is.
#[derive(Debug, Clone, Copy)]
struct Position {
    id: u64,
    segment: u64,
    offset: u64,
    len: u64,
}

/// A segment file that is still needed.
struct Segment {
    file: Arc<File>,
    bytes: u64,
    /// The highest record id in it, if any.
    max_id: Option<u64>,
}

/// Everything under the queue's lock.
struct State {
    segments: BTreeMap<u64, Segment>,
    /// The segment being written: its number and length. None until the first push.
    writing: Option<(u64, u64)>,
    next_segment: u64,
    next_id: u64,
    waiting: VecDeque<Position>,
    unacked: Held,
    ledger: Ledger,
    file_bytes: u64,
    dirty: bool,
}

/// One exporter's queue on disk.
pub struct DiskQueue {
    id: String,
    options: DiskOptions,
    state: Mutex<State>,
    /// (segment, length) known to be synced; serializes syncs so concurrent pushes share one.
    synced: Mutex<(u64, u64)>,
    metrics: QueueMetrics,
    _lock: File,
}

impl DiskQueue {
    /// Opens the queue of exporter `id` in `options.directory`, recovering what an earlier run
    /// left (see the module docs).
    pub(super) fn open(
        id: &str,
        options: DiskOptions,
        metrics: QueueMetrics,
    ) -> Result<DiskQueue, DiskError> {
        let fail = |source| DiskError {
            directory: options.directory.clone(),
            source,
        };
        std::fs::create_dir_all(&options.directory).map_err(fail)?;
        let lock = fs::lock(&options.directory, options.lock_timeout).map_err(fail)?;
        let ledger = Ledger::open(&options.directory.join("ledger")).map_err(fail)?;
        let recovered = recovery::recover(id, &options.directory, ledger.first_unacked(), &metrics)
            .map_err(fail)?;
        let file_bytes = recovered.segments.values().map(|s| s.bytes).sum();
        let state = State {
            segments: recovered.segments,
            writing: None,
            next_segment: recovered.next_segment,
            next_id: recovered.next_id,
            waiting: recovered.waiting,
            unacked: recovered.unacked,
            ledger,
            file_bytes,
            dirty: false,
        };
        if state.unacked.len() > 0 {
            tracing::info!(
                exporter = %id, batches = state.unacked.len(), items = state.unacked.items(),
                directory = %options.directory.display(),
                "persistent sending queue: sending what an earlier run left"
            );
        }
        let queue = DiskQueue {
            id: id.to_string(),
            options,
            state: Mutex::new(state),
            synced: Mutex::new((0, 0)),
            metrics,
            _lock: lock,
        };
        queue.show(&queue.lock());
        Ok(queue)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `batch` as one record (synced first with `fsync: always`), or refuses.
    pub(super) fn push(&self, batch: &Batch) -> Result<(), Refusal> {
        let items = batch.item_count() as u64;
        let since = SystemTime::now();
        let mut record = QueueRecord {
            version: VERSION,
            id: 0,
            signal: SignalKind::of(batch.signal()) as i32,
            items,
            enqueued_unix_nano: since
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
            request: wire::encode_request(batch),
        };
        let mut state = self.lock();
        if state.unacked.len() >= self.options.max_batches {
            return Err(Refusal::Full(format!(
                "{} batches",
                self.options.max_batches
            )));
        }
        record.id = state.next_id;
        let mut frame = vec![0; segment::FRAME_HEADER];
        frame.reserve(record.encoded_len());
        record
            .encode(&mut frame)
            .map_err(|e| Refusal::Io(e.to_string()))?;
        segment::seal(&mut frame);
        let bytes = frame.len() as u64;
        if bytes > self.options.max_bytes {
            return Err(Refusal::TooLarge {
                bytes,
                max: self.options.max_bytes,
            });
        }
        if state.file_bytes + bytes > self.options.max_bytes {
            return Err(Refusal::Full(format!(
                "{} bytes on disk",
                self.options.max_bytes
            )));
        }
        let (number, offset) = self
            .segment_for(&mut state, bytes)
            .map_err(|e| Refusal::Io(e.to_string()))?;
        let Some(segment) = state.segments.get_mut(&number) else {
            return Err(Refusal::Io("the segment being written is gone".into()));
        };
        let file = segment.file.clone();
        fs::write_all_at(&file, &frame, offset).map_err(|e| Refusal::Io(e.to_string()))?;
        segment.bytes += bytes;
        segment.max_id = Some(record.id);
        state.writing = Some((number, offset + bytes));
        state.file_bytes += bytes;
        state.next_id += 1;
        state.dirty = true;
        state.unacked.add(
            record.id,
            HeldBatch {
                signal: batch.signal(),
                items,
                bytes,
                since,
            },
        );
        state.waiting.push_back(Position {
            id: record.id,
            segment: number,
            offset,
            len: bytes,
        });
        self.show(&state);
        drop(state);
        if self.options.fsync == FsyncPolicy::Always {
            self.sync_through(number, offset + bytes, &file)
                .map_err(|e| Refusal::Io(format!("sync failed: {e}")))?;
        }
        Ok(())
    }

    /// The segment and offset the next `bytes` go to: the current segment, or a new one when
    /// there is none yet or the current one is full.
    fn segment_for(&self, state: &mut State, bytes: u64) -> std::io::Result<(u64, u64)> {
        if let Some((number, len)) = state.writing {
            let empty = len <= segment::HEADER.len() as u64;
            if empty || len + bytes <= self.options.segment_limit() {
                return Ok((number, len));
            }
            if self.options.fsync != FsyncPolicy::Never
                && let Some(s) = state.segments.get(&number)
            {
                s.file.sync_data()?;
            }
        }
        let number = state.next_segment;
        let path = segment::path(&self.options.directory, number);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        fs::write_all_at(&file, segment::HEADER, 0)?;
        if self.options.fsync == FsyncPolicy::Always {
            file.sync_data()?;
            fs::sync_dir(&self.options.directory);
        }
        let header = segment::HEADER.len() as u64;
        state.next_segment += 1;
        state.file_bytes += header;
        state.segments.insert(
            number,
            Segment {
                file: Arc::new(file),
                bytes: header,
                max_id: None,
            },
        );
        state.writing = Some((number, header));
        Ok((number, header))
    }

    /// Makes everything up to `len` of segment `number` durable, sharing one sync among the
    /// pushes waiting for it.
    fn sync_through(&self, number: u64, len: u64, file: &File) -> std::io::Result<()> {
        let mut synced = self.synced.lock().unwrap_or_else(|p| p.into_inner());
        if *synced >= (number, len) {
            return Ok(());
        }
        // Everything written so far to this segment is covered by the sync below.
        let target = match self.lock().writing {
            Some((n, l)) if n == number => (n, l),
            // The segment was closed, which synced it.
            _ => return Ok(()),
        };
        file.sync_data()?;
        *synced = target;
        Ok(())
    }

    /// The next waiting record, read and decoded; unreadable ones are skipped (and acked).
    pub(super) fn try_next(&self) -> Option<Entry> {
        loop {
            let (position, file) = {
                let mut state = self.lock();
                let position = state.waiting.pop_front()?;
                let file = state
                    .segments
                    .get(&position.segment)
                    .map(|s| s.file.clone());
                (position, file)
            };
            match file
                .ok_or_else(|| "its segment file is gone".to_string())
                .and_then(|f| read_record(&f, &position))
            {
                Ok((batch, items)) => {
                    return Some(Entry {
                        ticket: position.id,
                        batch: Arc::new(batch),
                        items,
                    });
                }
                Err(why) => {
                    tracing::error!(
                        exporter = %self.id, record = position.id, segment = position.segment,
                        offset = position.offset, error = %why,
                        "persistent sending queue: a record cannot be read back; skipped"
                    );
                    self.metrics.skipped_records.add(1);
                    let lost = self.lock().unacked.remove(position.id);
                    if let Some(lost) = lost {
                        self.metrics.of(lost.signal).dropped.add(lost.items);
                    }
                    self.forget_acked();
                }
            }
        }
    }

    /// The record `id` was sent or given up on: it may be forgotten.
    pub(super) fn ack(&self, id: u64) {
        self.lock().unacked.remove(id);
        self.forget_acked();
    }

    /// Moves the ledger to the lowest unacked id and deletes the segments wholly below it.
    fn forget_acked(&self) {
        let mut state = self.lock();
        let first = state.unacked.first_ticket().unwrap_or(state.next_id);
        if first > state.ledger.first_unacked() {
            let written = state.ledger.write(first).and_then(|()| {
                if self.options.fsync == FsyncPolicy::Always {
                    state.ledger.sync()
                } else {
                    Ok(())
                }
            });
            if let Err(e) = written {
                // Not fatal: a stale ledger only means duplicates after a restart.
                tracing::warn!(exporter = %self.id, error = %e, "persistent sending queue: cannot write the ledger");
                self.show(&state);
                return;
            }
            state.dirty = true;
        }
        let writing = state.writing.map(|(n, _)| n);
        let done: Vec<u64> = state
            .segments
            .iter()
            .filter(|(n, s)| Some(**n) != writing && s.max_id.is_none_or(|m| m < first))
            .map(|(n, _)| *n)
            .collect();
        for number in done {
            let path = segment::path(&self.options.directory, number);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(exporter = %self.id, file = %path.display(), error = %e, "persistent sending queue: cannot delete a sent segment");
                    continue;
                }
            }
            if let Some(s) = state.segments.remove(&number) {
                state.file_bytes -= s.bytes;
            }
        }
        self.show(&state);
    }

    /// With `fsync: interval`: syncs what was written since the last call.
    pub(super) fn sync_if_due(&self) {
        if self.options.fsync == FsyncPolicy::Interval {
            self.sync_all();
        }
    }

    /// Syncs the segment being written and the ledger, if anything changed.
    fn sync_all(&self) {
        let (file, writing) = {
            let mut state = self.lock();
            if !state.dirty {
                return;
            }
            state.dirty = false;
            if let Err(e) = state.ledger.sync() {
                tracing::warn!(exporter = %self.id, error = %e, "persistent sending queue: cannot sync the ledger");
            }
            let writing = state.writing;
            let file = writing.and_then(|(n, _)| state.segments.get(&n).map(|s| s.file.clone()));
            (file, writing)
        };
        if let (Some(file), Some((number, len))) = (file, writing)
            && let Err(e) = self.sync_through(number, len, &file)
        {
            tracing::warn!(exporter = %self.id, error = %e, "persistent sending queue: cannot sync a segment");
        }
    }

    /// At shutdown: syncs what was written (unless `fsync: never`).
    pub(super) fn close(&self) {
        if self.options.fsync != FsyncPolicy::Never {
            self.sync_all();
        }
    }

    /// What is held: (records, items per signal), and when the oldest was enqueued.
    pub(super) fn summary(&self) -> (usize, [u64; 3], Option<SystemTime>) {
        let state = self.lock();
        (
            state.unacked.len(),
            state.unacked.items_by_signal(),
            state.unacked.oldest(),
        )
    }

    fn show(&self, state: &State) {
        state.unacked.show(&self.metrics);
        self.metrics.bytes.set(state.file_bytes);
    }
}

/// Reads, checks and decodes the record at `position`: the batch and its item count.
fn read_record(file: &File, position: &Position) -> Result<(Batch, u64), String> {
    let mut buf = vec![0; position.len as usize];
    fs::read_exact_at(file, &mut buf, position.offset).map_err(|e| e.to_string())?;
    let payload = segment::payload(&buf).ok_or("its frame no longer checks")?;
    let record = QueueRecord::decode(payload).map_err(|e| e.to_string())?;
    let signal = record.ciotel_signal().ok_or("unknown signal")?;
    let batch = wire::decode_request(signal, &record.request).map_err(|e| e.to_string())?;
    Ok((batch, record.items))
}

#[cfg(test)]
pub(super) mod tests;
