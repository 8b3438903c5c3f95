//! A job's steps as GitHub reported them (names, in order) → the workflow file's step each one
//! runs, by the names GitHub gives steps (`names.rs`).
//!
//! The reported steps are `Set up job`, the `Pre` steps, the main steps in file order, the
//! `Post` steps in reverse order, `Complete job`. So a main step is looked for from just after
//! the last one found (two steps of the same name are told apart by order), a `Pre`/`Post`
//! step among the `uses:` steps (first unclaimed for `Pre`, last for `Post`). Exact names are
//! tried before names with `${{ … }}`, so a step named only by an expression does not claim
//! every other step.

use super::file::{JobDef, StepDef};
use super::names::{RUNNER_STEPS, matches_template, step_name};

/// What a reported step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepSource<'a> {
    /// This step of the file (its main, pre or post part).
    Workflow(&'a StepDef),
    /// One of the runner's own steps (`Set up job`, `Complete job`, …).
    Runner,
    /// No step of the file has this name.
    Unmatched,
}

/// The source of each of `reported` (a job's step names, in order) in `job`.
pub fn match_steps<'a>(job: &'a JobDef, reported: &[&str]) -> Vec<StepSource<'a>> {
    let defs: Vec<(&StepDef, Option<String>)> =
        job.steps.iter().map(|s| (s, step_name(s))).collect();
    let mut cursor = 0;
    let mut pre_claimed = vec![false; defs.len()];
    let mut post_claimed = vec![false; defs.len()];
    reported
        .iter()
        .map(|name| {
            if RUNNER_STEPS.contains(name) {
                return StepSource::Runner;
            }
            for templates in [false, true] {
                if let Some(i) = main(&defs, cursor, name, templates) {
                    cursor = i + 1;
                    return StepSource::Workflow(defs[i].0);
                }
                let wrapped = wrapped(&defs, name, templates, &mut pre_claimed, &mut post_claimed);
                if let Some(i) = wrapped {
                    return StepSource::Workflow(defs[i].0);
                }
            }
            StepSource::Unmatched
        })
        .collect()
}

/// Whether the name `shown` (GitHub's, for a step of the file) is `name`.
fn same(shown: &str, name: &str, templates: bool) -> bool {
    if templates {
        shown.contains("${{") && matches_template(shown, name)
    } else {
        shown == name
    }
}

/// The first step from `cursor` on named `name`.
fn main(
    defs: &[(&StepDef, Option<String>)],
    cursor: usize,
    name: &str,
    templates: bool,
) -> Option<usize> {
    (cursor..defs.len()).find(|&i| {
        defs[i]
            .1
            .as_deref()
            .is_some_and(|shown| same(shown, name, templates))
    })
}

/// The `uses:` step a `Pre …` / `Post …` step wraps, claimed so its twin finds the next one.
fn wrapped(
    defs: &[(&StepDef, Option<String>)],
    name: &str,
    templates: bool,
    pre_claimed: &mut [bool],
    post_claimed: &mut [bool],
) -> Option<usize> {
    let (inner, claimed, last) = if let Some(inner) = name.strip_prefix("Pre ") {
        (inner, pre_claimed, false)
    } else if let Some(inner) = name.strip_prefix("Post ") {
        (inner, post_claimed, true)
    } else {
        return None;
    };
    let fits = |i: &usize| {
        let (def, shown) = &defs[*i];
        !claimed[*i]
            && def.uses.is_some()
            && shown.as_deref().is_some_and(|shown| {
                same(shown, inner, templates)
                    || (!templates && shown.strip_prefix("Run ") == Some(inner))
            })
    };
    let found = if last {
        (0..defs.len()).rev().find(fits)
    } else {
        (0..defs.len()).find(fits)
    }?;
    claimed[found] = true;
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::file::parse;

    /// The workflow behind the octokit `workflow_job.completed.failure` fixture's job, as its
    /// step names show it was written.
    const LINTERS: &str = r#"
jobs:
  linters:
    steps:
      - uses: actions/checkout@v2
      - uses: actions/setup-node@v2
      - name: Get yarn cache directory path
        id: yarn-cache-dir-path
        run: echo "::set-output name=dir::$(yarn cache dir)"
      - uses: actions/cache@v2
      - run: yarn install
      - run: yarn run js-lint
      - run: yarn run format-check
"#;

    fn sources(yaml: &str, names: &[&str]) -> Vec<String> {
        let wf = parse(yaml.as_bytes()).expect("parses");
        match_steps(&wf.jobs[0], names)
            .into_iter()
            .map(|s| match s {
                StepSource::Workflow(d) => format!("{}", d.index),
                StepSource::Runner => "runner".into(),
                StepSource::Unmatched => "?".into(),
            })
            .collect()
    }

    #[test]
    fn the_octokit_failed_jobs_steps_are_found() {
        let names = [
            "Set up job",
            "Run actions/checkout@v2",
            "Run actions/setup-node@v2",
            "Get yarn cache directory path",
            "Run actions/cache@v2",
            "Run yarn install",
            "Run yarn run js-lint",
            "Run yarn run format-check",
            "Post Run actions/cache@v2",
            "Post Run actions/setup-node@v2",
            "Post Run actions/checkout@v2",
            "Complete job",
        ];
        assert_eq!(
            sources(LINTERS, &names),
            [
                "runner", "0", "1", "2", "3", "4", "5", "6", "3", "1", "0", "runner"
            ]
        );
    }

    #[test]
    fn named_steps_their_pre_post_twins_and_post_without_run() {
        let yaml = r#"
jobs:
  build:
    steps:
      - name: Checkout Repo
        uses: actions/checkout@v4
      - uses: actions/cache@v3
      - name: Build ${{ matrix.target }}
        run: make
      - name: ${{ matrix.anything }}
        run: echo
"#;
        let names = [
            "Pre Checkout Repo",
            "Checkout Repo",
            "Run actions/cache@v3",
            "Build linux",
            "whatever it evaluated to",
            "Post actions/cache@v3",
            "Post Checkout Repo",
            "Not in the file",
        ];
        assert_eq!(
            sources(yaml, &names),
            ["0", "0", "1", "2", "3", "1", "0", "?"]
        );
    }

    #[test]
    fn repeated_steps_are_told_apart_by_order() {
        let yaml = "jobs:\n  j:\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n      - uses: actions/checkout@v4\n";
        let names = [
            "Run actions/checkout@v4",
            "Run make",
            "Run actions/checkout@v4",
            "Post Run actions/checkout@v4",
            "Post Run actions/checkout@v4",
        ];
        assert_eq!(sources(yaml, &names), ["0", "1", "2", "2", "0"]);
    }
}
