//! GitHub objects → `CiEvent`: one mapping for webhook and REST, so both yield the same spans.
//!
//! Only fields of the run and job objects themselves (and the repository) are used; webhook-only
//! envelope fields (`sender`, `installation`, `deployment`) are not, or the poller's spans would
//! differ from the webhook's.

pub(crate) mod change;
mod job;
mod repo;
mod run;
mod time;
mod vocabulary;

pub(crate) use job::map_job;
pub(crate) use run::map_run;
