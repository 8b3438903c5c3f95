//! Where a queue keeps its batches — memory or disk — behind one interface the workers use:
//! push without waiting, take the next batch (waiting for one), say when a batch is done.

use super::disk::DiskQueue;
use super::memory::MemoryQueue;
use crate::signal::Batch;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// One batch as a worker takes it. It stays held (and counted) until [`Store::done`].
#[derive(Debug)]
pub(super) struct Entry {
    /// Tells the store which batch is done.
    pub ticket: u64,
    /// The data.
    pub batch: Arc<Batch>,
    /// Items in `batch`.
    pub items: u64,
}

/// Why a batch was not queued.
#[derive(Debug, thiserror::Error)]
pub(super) enum Refusal {
    /// A bound would be passed; retry later.
    #[error("the sending queue is full ({0})")]
    Full(String),
    /// The batch alone is larger than the queue may ever hold.
    #[error(
        "the batch ({bytes} bytes) is larger than the sending queue's max_size_mib ({max} bytes)"
    )]
    TooLarge { bytes: u64, max: u64 },
    /// The persistent queue could not write it.
    #[error("the persistent queue could not store the batch: {0}")]
    Io(String),
}

/// Memory or disk. One per exporter, so the size difference does not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum Backend {
    Memory(MemoryQueue),
    Disk(DiskQueue),
}

/// A queue's batches and the signalling around them.
pub(super) struct Store {
    backend: Backend,
    ready: Notify,
    closed: CancellationToken,
}

impl Store {
    /// A store over `backend`, open for pushes.
    pub fn new(backend: Backend) -> Self {
        Store {
            backend,
            ready: Notify::new(),
            closed: CancellationToken::new(),
        }
    }

    /// True when the batches live on disk and survive a restart.
    pub fn is_persistent(&self) -> bool {
        matches!(self.backend, Backend::Disk(_))
    }

    /// The disk queue, when there is one.
    pub fn disk(&self) -> Option<&DiskQueue> {
        match &self.backend {
            Backend::Disk(d) => Some(d),
            Backend::Memory(_) => None,
        }
    }

    /// Queues `batch` (on disk: written before this returns), or refuses at once.
    pub fn push(&self, batch: Arc<Batch>) -> Result<(), Refusal> {
        match &self.backend {
            Backend::Memory(m) => m.push(batch)?,
            Backend::Disk(d) => d.push(&batch)?,
        }
        self.ready.notify_one();
        Ok(())
    }

    /// The next batch if one waits.
    pub fn try_next(&self) -> Option<Entry> {
        // A closed persistent queue hands out nothing more: what waits stays on disk.
        if self.is_persistent() && self.closed.is_cancelled() {
            return None;
        }
        match &self.backend {
            Backend::Memory(m) => m.try_next(),
            Backend::Disk(d) => super::blocking(|| d.try_next()),
        }
    }

    /// The next batch, waiting for one; `None` once the store is closed and (in memory) empty.
    pub async fn next(&self) -> Option<Entry> {
        loop {
            if let Some(entry) = self.try_next() {
                return Some(entry);
            }
            if self.closed.is_cancelled() {
                return None;
            }
            self.more().await;
        }
    }

    /// Waits until a batch may have been pushed, or the store closed.
    pub async fn more(&self) {
        tokio::select! {
            () = self.ready.notified() => {}
            () = self.closed.cancelled() => {}
        }
    }

    /// The batch of `ticket` was sent or given up on.
    pub fn done(&self, ticket: u64) {
        match &self.backend {
            Backend::Memory(m) => m.done(ticket),
            Backend::Disk(d) => super::blocking(|| d.ack(ticket)),
        }
    }

    /// Stops taking pushes; workers drain what is in memory, and stop at once on disk.
    pub fn close(&self) {
        self.closed.cancel();
    }

    /// True once [`Store::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed.is_cancelled()
    }

    /// What is held: (batches, items per signal), and when the oldest was enqueued.
    pub fn summary(&self) -> (usize, [u64; 3], Option<SystemTime>) {
        match &self.backend {
            Backend::Memory(m) => m.summary(),
            Backend::Disk(d) => d.summary(),
        }
    }
}
