//! The live board: which pipeline runs and jobs are queued or running now, since when, on which
//! runner — kept from the `queued` / `in_progress` / `waiting` / `completed` events of the
//! platform receivers (webhooks and pollers alike), bounded, and order-independent.
//!
//! For others (the `cicd_view` page): take the daemon's [`LiveBoards`] and call
//! [`LiveBoards::snapshot`] (optionally for one repository) to render, and
//! [`LiveBoards::subscribe`] for [`LiveChange`] notices to update live. Both are stable; the
//! entry shape is [`LiveEntry`].
//!
//! Files, one concern each:
//! - `entry.rs`: what an entry holds ([`LiveEntry`], [`EntryKey`], [`LiveState`]);
//! - `observe.rs`: a `CiEvent` → what it says about an entry, and how two views of one entry
//!   merge whatever their order;
//! - `ended.rs`: entries that ended, remembered so late events do not bring them back;
//! - `board.rs`: one receiver's board ([`LiveBoard`]): bound, eviction, snapshot, notices;
//! - `registry.rs`: every receiver's board ([`LiveBoards`]);
//! - `durations.rs`: recent run times per job name, for the p95 rule;
//! - `hung.rs`: which jobs are hung now, and by which rule ([`HungJob`]);
//! - `logs.rs`: a hung job → its WARN log record; `metrics.rs`: the board → the
//!   `cicd.pipeline.run.active`, `cicd.worker.count` and `ciotel.pipeline.task.hung` sums
//!   ([`LiveMetrics`], a metric source of the receiver's signals);
//!   `otlp.rs`: what both share (resource, attributes);
//! - `check.rs`: one board's periodic check ([`LiveCheck`]): which hung jobs' records are due;
//! - `config.rs`: the receivers' `live:` keys ([`LiveConfig`]).

mod board;
mod check;
mod config;
mod durations;
mod ended;
mod entry;
mod hung;
mod logs;
mod metrics;
mod observe;
mod otlp;
mod registry;

#[cfg(test)]
mod tests;

pub use board::{CHANGE_CAPACITY, LiveBoard, LiveChange, Snapshot};
pub use check::{CheckOutput, LiveCheck};
pub use config::{HungConfig, LiveConfig};
pub use durations::SAMPLES_PER_NAME;
pub use entry::{EntryKey, EntryKind, LiveEntry, LiveState};
pub use hung::{HungJob, HungRule};
pub use logs::{
    HUNG_DURATION, HUNG_EVENT, HUNG_RULE, HUNG_SINCE, HUNG_THRESHOLD, TASK_STATE, hung_logs,
};
pub use metrics::{LiveMetrics, RUN_ACTIVE, TASK_HUNG, WORKER_COUNT};
pub use otlp::SCOPE_NAME;
pub use registry::LiveBoards;
