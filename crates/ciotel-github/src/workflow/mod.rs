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
//! | `reusable_workflow` | its job is a reusable workflow's (`caller / callee`) that calls yet another one (one level of calls is read) |
//! | `unavailable` | the file could not be read (missing, forbidden, too large, GitHub failing) |
//!
//! A job of a called reusable workflow (`caller / callee`) is described by the called file:
//! `uses: ./.github/workflows/x.yml` at the run's revision, `uses: org/repo/path@ref` at that
//! ref ([`called_workflow`]), fetched and cached like the run's own.
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
    /// A job of a reusable workflow called from a called one (one level of calls is read).
    pub const REUSABLE_WORKFLOW: &str = "reusable_workflow";
    /// The file could not be read.
    pub const UNAVAILABLE: &str = "unavailable";
}

/// Puts on each of `job`'s steps what it runs, by `lookup` (its run's workflow file).
///
/// Exists as the one place the workflow file meets a job; the poller calls it for every job
/// it emits, so a step span is always made the same way from the same file.
pub fn describe(job: &mut Job, lookup: &Lookup) {
    let name = job.name.clone();
    describe_as(job, lookup, &name);
}

/// Like [`describe`], for a job of a called reusable workflow: `called` is the called file
/// ([`called_workflow`]), `callee` the job's name in it.
pub fn describe_called(job: &mut Job, called: &Lookup, callee: &str) {
    describe_as(job, called, callee);
}

/// The reusable workflow `job_name` (`caller / callee`) is a job of, when `workflow` (the
/// run's file, of `repo` at `sha`) has such a caller and it names a file that can be read.
pub fn called_workflow(workflow: &Workflow, job_name: &str, repo: &str, sha: &str) -> Option<Call> {
    let Some(JobMatch::Reusable(caller, callee)) = find_job(workflow, job_name) else {
        return None;
    };
    if callee.is_empty() {
        return None;
    }
    let uses = caller.uses.as_deref()?.trim();
    let (repo, path, git_ref) = match uses.strip_prefix("./") {
        Some(local) => (repo.to_owned(), local.to_owned(), sha.to_owned()),
        None => {
            let (target, git_ref) = uses.rsplit_once('@')?;
            let mut parts = target.splitn(3, '/');
            let (owner, name, path) = (parts.next()?, parts.next()?, parts.next()?);
            if !is_name(owner) || !is_name(name) {
                return None;
            }
            (
                format!("{owner}/{name}"),
                path.to_owned(),
                git_ref.to_owned(),
            )
        }
    };
    Some(Call {
        repo,
        path,
        git_ref,
        callee: callee.to_owned(),
    })
}

/// An owner or repository name as GitHub allows them (so a `uses:` cannot steer the request
/// elsewhere in the API).
fn is_name(part: &str) -> bool {
    !part.is_empty()
        && part != "."
        && part != ".."
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A called reusable workflow: where its file is, and the job's name in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `owner/name` of the repository holding the file.
    pub repo: String,
    /// The file's path in it.
    pub path: String,
    /// The revision to read it at: the run's for a local `./…` call, else the `@ref`.
    pub git_ref: String,
    /// The job's name in the called workflow.
    pub callee: String,
}

fn describe_as(job: &mut Job, lookup: &Lookup, name: &str) {
    let workflow = match lookup {
        Lookup::Known(workflow) => workflow,
        Lookup::Unavailable(_) => return tag_all(job, source::UNAVAILABLE),
    };
    let def = match find_job(workflow, name) {
        Some(JobMatch::Job(def)) => def,
        Some(JobMatch::Reusable(..)) => return tag_all(job, source::REUSABLE_WORKFLOW),
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

#[cfg(test)]
mod tests {
    use super::*;

    const CALLER: &str = r#"
jobs:
  local:
    uses: ./.github/workflows/build.yml
  remote:
    uses: octo/shared/.github/workflows/test.yml@v1
  plain:
    steps: [{run: make}]
"#;

    #[test]
    fn called_workflows_are_found_locally_and_remotely() {
        let wf = parse(CALLER.as_bytes()).expect("parses");
        assert_eq!(
            called_workflow(&wf, "local / build (x64)", "o/r", "abc"),
            Some(Call {
                repo: "o/r".into(),
                path: ".github/workflows/build.yml".into(),
                git_ref: "abc".into(),
                callee: "build (x64)".into(),
            })
        );
        assert_eq!(
            called_workflow(&wf, "remote / test", "o/r", "abc"),
            Some(Call {
                repo: "octo/shared".into(),
                path: ".github/workflows/test.yml".into(),
                git_ref: "v1".into(),
                callee: "test".into(),
            })
        );
        assert_eq!(called_workflow(&wf, "plain", "o/r", "abc"), None);
        let odd =
            parse(b"jobs:\n  up:\n    uses: ../x/.github/workflows/a.yml@v1\n").expect("parses");
        assert_eq!(called_workflow(&odd, "up / a", "o/r", "abc"), None);
        assert_eq!(called_workflow(&wf, "remote", "o/r", "abc"), None);
    }
}
