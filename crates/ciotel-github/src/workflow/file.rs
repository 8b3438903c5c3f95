//! A workflow file (`.github/workflows/*.yml`) → its jobs and their steps, as far as telling a
//! step by what it runs needs: each job's key, `name:`, whether it has a `strategy.matrix`,
//! the reusable workflow it calls (`uses:` on the job), and each step's `id`, `name`, `uses`
//! and `run`. Everything else in the file is ignored, so a workflow using keys ciotel does not
//! know still reads.
//!
//! Read with `yaml_serde`, the YAML parser the config uses. A file that is not YAML, or whose
//! `jobs` is not a mapping, is [`WorkflowError`]; a single job or step of an unexpected shape
//! is read as far as it goes (a step whose `name` is a list has no name).

use yaml_serde::Value;

/// The largest workflow file read, in bytes: GitHub's contents API returns a file's content
/// inline only up to 1 MiB.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The jobs of a workflow file, in the order the file lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workflow {
    /// The jobs.
    pub jobs: Vec<JobDef>,
}

/// One job of a workflow file.
///
/// Exists so a job GitHub reports by its display name (`test (3.12)`,
/// `call / build`) can be found again in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobDef {
    /// The job's key under `jobs:`.
    pub key: String,
    /// `name:`, possibly with `${{ … }}` expressions.
    pub name: Option<String>,
    /// Whether the job has a `strategy.matrix` (GitHub then names each of its jobs
    /// `{name} ({values})` unless `name:` uses the matrix).
    pub matrix: bool,
    /// `uses:` of a job that calls a reusable workflow (`org/repo/.github/workflows/x.yml@ref`
    /// or `./.github/workflows/x.yml`); its steps are in that file, not this one.
    pub uses: Option<String>,
    /// The steps, in order.
    pub steps: Vec<StepDef>,
}

/// One step of a job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepDef {
    /// Its position in the job's `steps:` (0-based).
    pub index: usize,
    /// `id:`.
    pub id: Option<String>,
    /// `name:`, possibly with `${{ … }}` expressions.
    pub name: Option<String>,
    /// `uses:` (`actions/checkout@v4`, `./.github/actions/x`, `docker://alpine:3`).
    pub uses: Option<String>,
    /// `run:`, the whole script.
    pub run: Option<String>,
}

/// Why a workflow file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("the workflow file has {0} bytes, more than the {MAX_FILE_BYTES} read")]
    TooLarge(usize),
    /// Not YAML, or not a mapping with `jobs`.
    #[error("not a workflow file: {0}")]
    Malformed(String),
}

/// Parses a workflow file.
pub fn parse(text: &[u8]) -> Result<Workflow, WorkflowError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(WorkflowError::TooLarge(text.len()));
    }
    let root: Value =
        yaml_serde::from_slice(text).map_err(|e| WorkflowError::Malformed(e.to_string()))?;
    let jobs = match root.get("jobs") {
        Some(Value::Mapping(jobs)) => jobs,
        _ => return Err(WorkflowError::Malformed("no `jobs:` mapping".into())),
    };
    let jobs = jobs
        .iter()
        .filter_map(|(key, job)| Some(job_def(scalar(key)?, job)))
        .collect();
    Ok(Workflow { jobs })
}

fn job_def(key: String, job: &Value) -> JobDef {
    let steps = match job.get("steps") {
        Some(Value::Sequence(steps)) => steps
            .iter()
            .enumerate()
            .map(|(index, s)| StepDef {
                index,
                id: text_of(s, "id"),
                name: text_of(s, "name"),
                uses: text_of(s, "uses"),
                run: text_of(s, "run"),
            })
            .collect(),
        _ => Vec::new(),
    };
    JobDef {
        key,
        name: text_of(job, "name"),
        matrix: job
            .get("strategy")
            .and_then(|s| s.get("matrix"))
            .is_some_and(|m| !m.is_null()),
        uses: text_of(job, "uses"),
        steps,
    }
}

/// `value[key]` as text, when it is a scalar.
fn text_of(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(scalar)
}

/// A scalar as text: strings as they are, numbers and booleans as written.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CI: &str = r#"
name: CI
on: [push, pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install Rust
        uses: dtolnay/rust-toolchain@stable
        with: {components: clippy}
      - id: clippy
        run: |
          cargo clippy --all-targets -- -D warnings
          echo done
  test:
    name: Test ${{ matrix.python }}
    strategy:
      matrix:
        python: ["3.11", "3.12"]
    runs-on: ubuntu-latest
    steps:
      - run: pytest
  call:
    uses: octo/shared/.github/workflows/build.yml@v1
    with: {x: 1}
  odd:
    steps:
      - name: [not, a, name]
        run: 42
"#;

    #[test]
    fn reads_jobs_and_steps_in_order() {
        let wf = parse(CI.as_bytes()).expect("parses");
        let keys: Vec<&str> = wf.jobs.iter().map(|j| j.key.as_str()).collect();
        assert_eq!(keys, ["lint", "test", "call", "odd"]);
        let lint = &wf.jobs[0];
        assert_eq!(lint.name, None);
        assert!(!lint.matrix);
        assert_eq!(lint.steps.len(), 3);
        assert_eq!(lint.steps[0].uses.as_deref(), Some("actions/checkout@v4"));
        assert_eq!(lint.steps[1].name.as_deref(), Some("Install Rust"));
        assert_eq!(
            lint.steps[1].uses.as_deref(),
            Some("dtolnay/rust-toolchain@stable")
        );
        assert_eq!(lint.steps[2].id.as_deref(), Some("clippy"));
        assert_eq!(
            lint.steps[2].run.as_deref(),
            Some("cargo clippy --all-targets -- -D warnings\necho done\n")
        );
        assert_eq!(lint.steps[2].index, 2);
    }

    #[test]
    fn matrix_reusable_and_odd_shapes() {
        let wf = parse(CI.as_bytes()).expect("parses");
        assert!(wf.jobs[1].matrix);
        assert_eq!(
            wf.jobs[1].name.as_deref(),
            Some("Test ${{ matrix.python }}")
        );
        assert_eq!(
            wf.jobs[2].uses.as_deref(),
            Some("octo/shared/.github/workflows/build.yml@v1")
        );
        assert!(wf.jobs[2].steps.is_empty());
        let odd = &wf.jobs[3].steps[0];
        assert_eq!(odd.name, None);
        assert_eq!(odd.run.as_deref(), Some("42"));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused_not_expanded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = if i == 1 {
                "a".to_owned()
            } else {
                format!("a{}", i - 1)
            };
            bomb.push_str(&format!(
                "a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        bomb.push_str("jobs: {j: {steps: [{run: *a11}]}}\n");
        // Expanded, this would be 10^12 elements; the parser refuses it (or, at worst, the
        // step has no scalar `run`), it does not build it.
        match parse(bomb.as_bytes()) {
            Err(WorkflowError::Malformed(_)) => {}
            Ok(wf) => assert_eq!(wf.jobs[0].steps[0].run, None),
            Err(e) => panic!("{e}"),
        }
        let deep = format!("jobs: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(WorkflowError::Malformed(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_parse_or_are_refused(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn any_step_names_are_matched_without_panicking(
            names in proptest::collection::vec("(Pre |Post |Run )?[a-z ${}@/.]{0,12}", 0..12)
        ) {
            let wf = parse(CI.as_bytes()).expect("parses");
            for job in &wf.jobs {
                let reported: Vec<&str> = names.iter().map(String::as_str).collect();
                let found = crate::workflow::steps::match_steps(job, &reported);
                proptest::prop_assert_eq!(found.len(), reported.len());
            }
        }
    }

    #[test]
    fn refuses_what_is_not_a_workflow() {
        assert!(matches!(
            parse(b"just: [a, list"),
            Err(WorkflowError::Malformed(_))
        ));
        assert!(matches!(
            parse(b"name: x\non: push\n"),
            Err(WorkflowError::Malformed(_))
        ));
        let big = vec![b'#'; MAX_FILE_BYTES + 1];
        assert_eq!(
            parse(&big),
            Err(WorkflowError::TooLarge(MAX_FILE_BYTES + 1))
        );
    }
}
