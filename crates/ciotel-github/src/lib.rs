//! ciotel-github: GitHub Actions payloads (webhook deliveries and REST API responses) →
//! platform-neutral `CiEvent`s. No spans are built here (that is `ciotel_cicd::translate`), and
//! webhook and REST share one mapping, so a run seen both ways yields identical spans. The
//! events of a change's path to production map into `ciotel_cicd::change` events
//! ([`map_change_webhook`]).

#![warn(missing_docs)]

mod change;
mod error;
pub mod gate;
mod map;
pub mod payload;
pub mod poller;
pub mod receiver;
mod rest;
mod webhook;
pub mod workflow;

pub use change::{CHANGE_EVENTS, map_change_webhook};
pub use error::GithubError;
pub use rest::{map_rest_job, map_rest_jobs, map_rest_run, map_rest_runs};
pub use webhook::{EVENT_WORKFLOW_JOB, EVENT_WORKFLOW_RUN, map_webhook};
