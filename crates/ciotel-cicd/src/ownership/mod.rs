//! The `cicd_ownership` processor: who owns each span, platform (Ops) or application (Dev),
//! and who made a failed job or run fail. The answer to "is it my change, or the platform?".
//!
//! - Every span gets `ciotel.owner` (`platform` | `application`), `ciotel.owner.rule` (the
//!   deciding rule's name, `default` when none matched) and, when the rule names one,
//!   `ciotel.owner.team`. Rules are tried in order, the user's before the built-in
//!   [`packs`]; the first match wins ([`processor`], [`rule`], [`matcher`], [`pattern`]).
//! - Failed job spans get `ciotel.failure.owner|span|reason|rule` ([`verdict`]): a job's
//!   verdict is a function of its own event (its steps come with it).
//! - A failed run's verdict, summarised over its failed jobs (`ciotel.failure.owner|span|
//!   reason|rule|job|jobs`), is not written on the run's root span but into a `verdict` span,
//!   a child of the root, written once it is known ([`verdict_span`]): from the jobs in the same
//!   batch (the API poller, GitLab's pipeline hook, a file given to `ciotel explain`) or the
//!   bounded [`cache`] of jobs and failed runs this instance saw earlier, whichever came first.
//! - [`tree`] indexes a batch's spans as traces; the renderer uses it too.
//! - Verdicts from the logs: a receiver with `api:` puts a failed job's log tail beside it in
//!   a [`job_log`] span; [`log_verdict`] judges it with the [`signatures`] (the user's
//!   `failure_signatures`, then the built-in pack), and the run's `verdict` span takes the
//!   signature's owner, `log:<name>` rule and evidence line (`ciotel.failure.evidence`), or
//!   says the log could not be read (`ciotel.failure.log`). The job span keeps its own.
//!
//! **One answer per id.** Every span this processor writes or changes carries only what the
//! one event that produced it says (plus rules and packs): the same span emitted again by a
//! redelivery, by the webhook and the poller, or by another gateway instance, in any order,
//! has the same content. What depends on other events (the run's verdict) goes into the
//! `verdict` span, whose id is derived from the root span id and the failed jobs it
//! summarises (`ids::verdict_span_id`), so a verdict over other jobs is another span, never a
//! changed one. To ask a backend "whose fault", query the `verdict` spans of the trace
//! (`ciotel.span.type = verdict`); when there are several (instances that saw different
//! jobs, or different logs), the one with the highest `ciotel.failure.jobs` saw the most, and
//! one with `ciotel.failure.log` read its first job's log. What came of each job's log is
//! part of the verdict span's id (`ids::verdict_span_id_with_logs`), so a verdict with other
//! log results is another span too.

pub mod cache;
pub mod config;
pub mod job_log;
pub mod log_verdict;
pub mod matcher;
pub mod names;
pub mod owner;
pub mod packs;
pub mod pattern;
pub mod processor;
pub mod rule;
pub mod signatures;
pub mod span_view;
pub mod tree;
pub mod verdict;
pub mod verdict_span;

#[cfg(test)]
pub(crate) mod tests;

pub use config::{GithubActionsConfig, OwnershipConfig, VerdictCacheConfig};
pub use owner::{FailureOwner, Owner};
pub use packs::PackName;
pub use processor::OwnershipProcessor;
pub use verdict::{JobVerdict, RunVerdict};
