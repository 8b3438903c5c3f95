//! The `cicd_ownership` processor: who owns each span, platform (Ops) or application (Dev),
//! and who made a failed job or run fail. The answer to "is it my change, or the platform?".
//!
//! - Every span gets `ciotel.owner` (`platform` | `application`), `ciotel.owner.rule` (the
//!   deciding rule's name, `default` when none matched) and, when the rule names one,
//!   `ciotel.owner.team`. Rules are tried in order, the user's before the built-in
//!   [`packs`]; the first match wins ([`processor`], [`rule`], [`matcher`], [`pattern`]).
//! - Failed job spans get `ciotel.failure.owner|span|reason|rule`; failed run spans the same,
//!   summarised over their failed jobs, plus `ciotel.failure.job|jobs` ([`verdict`]). Runs
//!   whose jobs came in earlier batches are judged from a bounded [`cache`].
//! - [`tree`] indexes a batch's spans as traces; the renderer uses it too.

pub mod cache;
pub mod config;
pub mod matcher;
pub mod names;
pub mod owner;
pub mod packs;
pub mod pattern;
pub mod processor;
pub mod rule;
pub mod span_view;
pub mod tree;
pub mod verdict;

#[cfg(test)]
pub(crate) mod tests;

pub use config::{OwnershipConfig, VerdictCacheConfig};
pub use owner::{FailureOwner, Owner};
pub use packs::PackName;
pub use processor::OwnershipProcessor;
pub use verdict::{JobVerdict, RunVerdict};
