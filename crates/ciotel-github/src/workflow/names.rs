//! The names GitHub gives jobs and steps, so a job or step reported by name is found again in
//! its workflow file.
//!
//! Steps (checked against the real `workflow_job` payloads in the shared fixtures):
//! - a step with `name:` is shown by it (`Checkout Repo`, `Set up Go`);
//! - without one, a `uses:` step is `Run {uses}` (`Run actions/checkout@v2`,
//!   `Run actions/setup-node@2fddd88…`), a `run:` step is `Run {first line of the script}`
//!   (`Run yarn install`, `Run git diff --exit-code || bash -c \`);
//! - an action's pre and post steps are `Pre {name}` / `Post {name}` of the step's name
//!   (`Post Run actions/cache@v2`, `Post Checkout Repo`, `Post Set up Go`); GitHub's REST
//!   example also writes `Post actions/cache@v3`, without `Run`;
//! - the runner's own steps are not in the file: `Set up job`, `Complete job`, and around
//!   service containers `Initialize containers`, `Stop containers`.
//!
//! Jobs: by `name:`, else the job's key; a matrix job whose name does not use the matrix gets
//! its values appended (`test (3.12)`, `test (3.12, ubuntu-latest)`); a job of a called
//! reusable workflow is `{caller} / {callee}` (`call-workflow-passing-data / test (1.23)`).
//!
//! A name may hold `${{ … }}` expressions, which GitHub evaluates and ciotel cannot (matrix
//! values, inputs, env): each expression matches any text ([`matches_template`]).

use super::file::{JobDef, StepDef, Workflow};

/// Steps the runner adds to every job (or around its service containers), never in the file.
pub const RUNNER_STEPS: &[&str] = &[
    "Set up job",
    "Set up runner",
    "Complete job",
    "Initialize containers",
    "Stop containers",
];

/// The name GitHub shows for `step`: its `name:`, else `Run {uses}`, else
/// `Run {first line of run}`; `None` for a step with neither.
pub fn step_name(step: &StepDef) -> Option<String> {
    if let Some(name) = step.name.as_deref().filter(|n| !n.trim().is_empty()) {
        return Some(name.to_owned());
    }
    if let Some(uses) = &step.uses {
        return Some(format!("Run {}", uses.trim()));
    }
    step.run
        .as_deref()
        .map(|r| format!("Run {}", first_line(r)))
}

/// The first line of a script, as GitHub names a `run:` step: leading blank lines and
/// indentation skipped, up to the first line break.
pub fn first_line(script: &str) -> &str {
    let start = script.trim_start();
    start.split(['\n', '\r']).next().unwrap_or("").trim_end()
}

/// Whether `actual` is what GitHub would show for `template`: equal, with every `${{ … }}`
/// of the template standing for any text (also none).
pub fn matches_template(template: &str, actual: &str) -> bool {
    let pieces = literal_pieces(template);
    let [first, middle @ .., last] = pieces.as_slice() else {
        return template == actual;
    };
    if pieces.len() == 1 {
        return *first == actual;
    }
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// The literal text between a template's `${{ … }}` expressions; one piece when it has none.
fn literal_pieces(template: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("${{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        pieces.push(&rest[..open]);
        rest = &rest[open + close + 2..];
    }
    pieces.push(rest);
    pieces
}

/// Where a job reported as `job_name` is in a workflow file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobMatch<'a, 'b> {
    /// A job of this file, with its steps.
    Job(&'a JobDef),
    /// A job of the reusable workflow that this file's job calls (`{caller} / {callee}`):
    /// its steps are in the called file. With the callee's name (empty when GitHub reported
    /// the caller's name alone).
    Reusable(&'a JobDef, &'b str),
}

/// Finds the job GitHub reported as `job_name`: an exact name first, then a matrix job's
/// `{name} (…)`, then a name template, then a reusable workflow's `{caller} / …`.
pub fn find_job<'a, 'b>(workflow: &'a Workflow, job_name: &'b str) -> Option<JobMatch<'a, 'b>> {
    let own = |name: &str| -> Option<&'a JobDef> {
        let jobs = &workflow.jobs;
        jobs.iter()
            .find(|j| display(j) == name)
            .or_else(|| {
                jobs.iter()
                    .find(|j| j.matrix && is_matrix_name(display(j), name))
            })
            .or_else(|| {
                jobs.iter().find(|j| {
                    j.name
                        .as_deref()
                        .is_some_and(|t| t.contains("${{") && matches_template(t, name))
                })
            })
    };
    if let Some(job) = own(job_name) {
        return Some(if job.uses.is_some() {
            JobMatch::Reusable(job, "")
        } else {
            JobMatch::Job(job)
        });
    }
    // `{caller} / {callee}`: the caller's name may itself hold ` / `, so try each split.
    job_name
        .match_indices(" / ")
        .filter_map(|(at, _)| Some((own(&job_name[..at])?, &job_name[at + 3..])))
        .find(|(j, _)| j.uses.is_some())
        .map(|(j, callee)| JobMatch::Reusable(j, callee))
}

/// A job's name as written: `name:`, else its key.
fn display(job: &JobDef) -> &str {
    job.name.as_deref().unwrap_or(&job.key)
}

/// `{base} (…)`, or `base` a template that matches it.
fn is_matrix_name(base: &str, name: &str) -> bool {
    let Some(inner) = name.strip_suffix(')') else {
        return false;
    };
    match inner.rsplit_once(" (") {
        Some((head, _)) => head == base || (base.contains("${{") && matches_template(base, head)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::file::parse;

    fn step(name: Option<&str>, uses: Option<&str>, run: Option<&str>) -> StepDef {
        StepDef {
            name: name.map(str::to_owned),
            uses: uses.map(str::to_owned),
            run: run.map(str::to_owned),
            ..StepDef::default()
        }
    }

    #[test]
    fn default_step_names_are_githubs() {
        assert_eq!(
            step_name(&step(None, Some("actions/checkout@v4"), None)).as_deref(),
            Some("Run actions/checkout@v4")
        );
        assert_eq!(
            step_name(&step(None, None, Some("yarn install"))).as_deref(),
            Some("Run yarn install")
        );
        // The fixture's `Run git diff --exit-code || bash -c \`: the first line, backslash and all.
        assert_eq!(
            step_name(&step(
                None,
                None,
                Some("\n  git diff --exit-code || bash -c \\\n    'echo changed'\n")
            ))
            .as_deref(),
            Some("Run git diff --exit-code || bash -c \\")
        );
        assert_eq!(
            step_name(&step(Some("Set up Go"), Some("actions/setup-go@v5"), None)).as_deref(),
            Some("Set up Go")
        );
        assert_eq!(step_name(&step(Some("  "), None, None)), None);
    }

    #[test]
    fn templates_match_any_value_of_their_expressions() {
        assert!(matches_template("Test ${{ matrix.python }}", "Test 3.12"));
        assert!(matches_template("Test ${{ matrix.python }}", "Test "));
        assert!(!matches_template("Test ${{ matrix.python }}", "Lint 3.12"));
        assert!(matches_template(
            "${{ matrix.os }} / py${{ matrix.py }} (fast)",
            "ubuntu / py3.12 (fast)"
        ));
        assert!(!matches_template("a ${{ x }} b", "a b c"));
        assert!(matches_template("plain", "plain"));
        assert!(!matches_template("plain", "plainer"));
        // An unclosed expression is literal text.
        assert!(matches_template("odd ${{ x", "odd ${{ x"));
    }

    const JOBS: &str = r#"
jobs:
  lint: {steps: [{run: make lint}]}
  test:
    strategy: {matrix: {py: ["3.11", "3.12"], os: [ubuntu, macos]}}
    steps: [{run: pytest}]
  docs:
    name: Docs for ${{ matrix.lang }}
    strategy: {matrix: {lang: [en, de]}}
    steps: [{run: make docs}]
  build:
    name: Build
    strategy: {matrix: {arch: [x64]}}
    steps: [{run: make}]
  call-workflow-passing-data:
    uses: octo/shared/.github/workflows/test.yml@v1
"#;

    fn key(m: Option<JobMatch<'_, '_>>) -> Option<(String, bool)> {
        m.map(|m| match m {
            JobMatch::Job(j) => (j.key.clone(), false),
            JobMatch::Reusable(j, _) => (j.key.clone(), true),
        })
    }

    #[test]
    fn jobs_are_found_by_key_name_matrix_and_caller() {
        let wf = parse(JOBS.as_bytes()).expect("parses");
        let find = |n: &str| key(find_job(&wf, n));
        assert_eq!(find("lint"), Some(("lint".into(), false)));
        assert_eq!(find("test (3.12, ubuntu)"), Some(("test".into(), false)));
        assert_eq!(find("test (3.11)"), Some(("test".into(), false)));
        assert_eq!(find("Docs for de"), Some(("docs".into(), false)));
        assert_eq!(find("Build (x64)"), Some(("build".into(), false)));
        assert_eq!(find("Build"), Some(("build".into(), false)));
        assert_eq!(
            find("call-workflow-passing-data / test (1.23)"),
            Some(("call-workflow-passing-data".into(), true))
        );
        assert!(matches!(
            find_job(&wf, "call-workflow-passing-data / test (1.23)"),
            Some(JobMatch::Reusable(_, "test (1.23)"))
        ));
        assert_eq!(find("lint (3.12)"), None, "lint has no matrix");
        assert_eq!(find("deploy"), None);
    }
}
