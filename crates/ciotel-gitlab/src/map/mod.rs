//! GitLab objects → `CiEvent`: one mapping per concept (pipeline, job) shared by every payload
//! that reports it, so webhooks and REST, and a pipeline's `builds` and Job Hooks, all yield
//! the same spans.
//!
//! - `build.rs`: a job from any source → `Job`.
//! - `change.rs`: merge requests, merge-request pipelines, deploying jobs and blocked
//!   deployments → change events (`ciotel_cicd::change`).
//! - `pipeline.rs`: a pipeline → its run event, stages and jobs.
//! - `stage.rs`: stage spans synthesized from a finished pipeline's jobs.
//! - `project.rs`: project path and URLs → `Vcs`.
//! - `time.rs`, `vocabulary.rs`: GitLab's timestamps, durations and statuses.

pub(crate) mod build;
pub(crate) mod change;
pub(crate) mod pipeline;
pub(crate) mod project;
mod stage;
pub(crate) mod time;
mod vocabulary;
