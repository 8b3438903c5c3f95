//! Steps known by what they run: with `api:`, the poller reads the workflow file of each run
//! it emits, at the run's revision, and puts on each step span what the step runs —
//! `ciotel.step.uses` (the action), `ciotel.step.run` (the script's first line, secrets
//! masked), `ciotel.step.id` (`id:`) — and `ciotel.step.source`, saying where that came from:
//!
//! | `ciotel.step.source` | the step |
//! |---|---|
//! | `workflow` | found in the file; `uses`/`run`/`id` as it says |
//! | `runner` | one of the runner's own (`Set up job`, `Complete job`, …) |
//! | `unmatched` | the file was read, but no step of the job has this name (or the job is not in it) |
//! | `reusable_workflow` | its job is a reusable workflow's (`caller / callee`), whose file is not read |
//! | `unavailable` | the file could not be read (missing, forbidden, too large, GitHub failing) |
//!
//! Without `api:` a step span carries none of these, and ownership decides by its name.
//!
//! Files: `file.rs` (YAML → jobs and steps), `names.rs` (the names GitHub gives jobs and
//! steps), `steps.rs` (a job's reported steps → the file's), `mask.rs` (`ciotel.step.run`),
//! `fetch.rs` (the contents API, and the bounded cache by blob sha).

pub mod fetch;
pub mod file;
pub mod mask;
pub mod names;
pub mod steps;

pub use fetch::{Lookup, Unavailable, WorkflowFiles};
pub use file::{JobDef, StepDef, Workflow, WorkflowError, parse};

use ciotel_cicd::{Attribute, Job, semconv};

use names::{JobMatch, RUNNER_STEPS, find_job};
use steps::{StepSource, match_steps};

/// `ciotel.step.source` values.
pub mod source {
    /// Found in the workflow file.
    pub const WORKFLOW: &str = "workflow";
    /// One of the runner's own steps.
    pub const RUNNER: &str = "runner";
    /// The file was read but does not have this step (or its job).
    pub const UNMATCHED: &str = "unmatched";
    /// A job of a called reusable workflow, whose file is not read.
    pub const REUSABLE_WORKFLOW: &str = "reusable_workflow";
    /// The file could not be read.
    pub const UNAVAILABLE: &str = "unavailable";
}

/// Puts on each of `job`'s steps what it runs, by `lookup` (its run's workflow file).
///
/// Exists as the one place the workflow file meets a job; the poller calls it for every job
/// it emits, so a step span is always made the same way from the same file.
pub fn describe(job: &mut Job, lookup: &Lookup) {
    let workflow = match lookup {
        Lookup::Known(workflow) => workflow,
        Lookup::Unavailable(_) => return tag_all(job, source::UNAVAILABLE),
    };
    let def = match find_job(workflow, &job.name) {
        Some(JobMatch::Job(def)) => def,
        Some(JobMatch::Reusable(_)) => return tag_all(job, source::REUSABLE_WORKFLOW),
        None => return tag_all(job, source::UNMATCHED),
    };
    let names: Vec<&str> = job.steps.iter().map(|s| s.name.as_str()).collect();
    let sources: Vec<StepSource<'_>> = match_steps(def, &names);
    for (step, found) in job.steps.iter_mut().zip(sources) {
        let attrs = &mut step.attributes;
        match found {
            StepSource::Runner => attrs.push(source_attr(source::RUNNER)),
            StepSource::Unmatched => attrs.push(source_attr(source::UNMATCHED)),
            StepSource::Workflow(def) => {
                attrs.push(source_attr(source::WORKFLOW));
                if let Some(uses) = &def.uses {
                    attrs.push(Attribute::new(semconv::CIOTEL_STEP_USES, uses.trim()));
                }
                if let Some(run) = &def.run {
                    attrs.push(Attribute::new(
                        semconv::CIOTEL_STEP_RUN,
                        mask::run_line(run),
                    ));
                }
                if let Some(id) = &def.id {
                    attrs.push(Attribute::new(semconv::CIOTEL_STEP_ID, id.as_str()));
                }
            }
        }
    }
}

/// Every step gets `source`, except the runner's own, which are known by name.
fn tag_all(job: &mut Job, source: &str) {
    for step in &mut job.steps {
        let value = if RUNNER_STEPS.contains(&step.name.as_str()) {
            source::RUNNER
        } else {
            source
        };
        step.attributes.push(source_attr(value));
    }
}

fn source_attr(value: &str) -> Attribute {
    Attribute::new(semconv::CIOTEL_STEP_SOURCE, value)
}
