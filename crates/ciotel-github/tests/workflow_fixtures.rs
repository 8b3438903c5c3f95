//! GitHub's step names, checked on the real jobs in `../shared/fixtures`: for each job, a
//! workflow written the way its step names show it was (unnamed `uses:` steps, `run:` steps
//! whose first line names them, named steps, a reusable workflow's job, a matrix job), and
//! every reported step must be found in it — by the name GitHub gives it, its `Pre`/`Post`
//! twin or as the runner's own — never `unmatched`.

mod common;

use ciotel_cicd::{CiEvent, semconv};
use ciotel_github::workflow::{self, Lookup, parse};
use std::sync::Arc;

/// The fixture's job, described by `yaml` (or, for a called workflow's job, by `called`).
fn sources(fixture: &str, yaml: &str, called: Option<&str>) -> Vec<(String, String, String)> {
    let event = match ciotel_github::map_webhook("workflow_job", &common::read(fixture)) {
        Ok(Some(CiEvent::Job(job))) => job,
        other => panic!("{fixture}: {other:?}"),
    };
    let mut job = event;
    let wf = parse(yaml.as_bytes()).expect("the workflow parses");
    match called {
        None => workflow::describe(&mut job, &Lookup::Known(Arc::new(wf))),
        Some(called_yaml) => {
            let call = workflow::called_workflow(&wf, &job.name, "o/r", "sha").expect("a call");
            let called = parse(called_yaml.as_bytes()).expect("the called workflow parses");
            workflow::describe_called(&mut job, &Lookup::Known(Arc::new(called)), &call.callee);
        }
    }
    job.steps
        .iter()
        .map(|s| {
            let attr = |k: &str| {
                s.attributes
                    .iter()
                    .find(|a| a.key == k)
                    .map(|a| format!("{:?}", a.value))
                    .unwrap_or_default()
            };
            (
                s.name.clone(),
                attr(semconv::CIOTEL_STEP_SOURCE),
                attr(semconv::CIOTEL_STEP_USES) + &attr(semconv::CIOTEL_STEP_RUN),
            )
        })
        .collect()
}

fn assert_all_found(rows: &[(String, String, String)]) {
    for (name, source, _) in rows {
        assert!(
            source.contains("workflow") || source.contains("runner"),
            "step {name:?} not found: {source}"
        );
    }
}

#[test]
fn octokit_failed_job_default_names() {
    let yaml = r#"
jobs:
  linters:
    steps:
      - uses: actions/checkout@v2
      - uses: actions/setup-node@v2
      - name: Get yarn cache directory path
        run: echo "dir=$(yarn cache dir)" >> $GITHUB_OUTPUT
      - uses: actions/cache@v2
      - run: yarn install
      - run: yarn run js-lint
      - run: yarn run format-check
"#;
    let rows = sources(
        "github/webhooks/workflow_job.completed.failure.with-organization.json",
        yaml,
        None,
    );
    assert_all_found(&rows);
    assert_eq!(rows.len(), 12);
    assert!(rows[8].2.contains("actions/cache@v2"), "{:?}", rows[8]);
}

#[test]
fn octokit_successful_job_named_steps_and_post_twin() {
    let yaml = r#"
jobs:
  linters:
    steps:
      - name: Checkout Repo
        uses: actions/checkout@v3
      - name: Install Ruby
        uses: ruby/setup-ruby@v1
      - name: Run Rubocop
        run: bundle exec rubocop
      - name: Run Brakeman
        run: bundle exec brakeman
      - name: Run Bundle Audit
        run: bundle exec bundle-audit
"#;
    let rows = sources(
        "github/webhooks/workflow_job.completed.success.with-organization.json",
        yaml,
        None,
    );
    assert_all_found(&rows);
    let post = rows
        .iter()
        .find(|r| r.0 == "Post Checkout Repo")
        .expect("post");
    assert!(post.2.contains("actions/checkout@v3"));
}

#[test]
fn octokit_queued_steps_and_a_multi_line_script() {
    let yaml = r#"
jobs:
  check:
    name: Do examples need to be regenerated?
    steps:
      - uses: actions/checkout@2541b1294d2704b0964813337f33b291d3f8596b
      - uses: actions/setup-node@2fddd8803e2f5c9604345a0b591c3020ee971a93
      - run: npm ci
      - run: npm run build:events -- --check --cached
      - run: git status
      - run: |
          git diff --exit-code || bash -c \
            'echo "run npm run build:events"; exit 1'
"#;
    let rows = sources(
        "github/webhooks/workflow_job.in_progress.with-queued-steps.json",
        yaml,
        None,
    );
    assert_all_found(&rows);
    let diff = rows
        .iter()
        .find(|r| r.0 == "Run git diff --exit-code || bash -c \\")
        .expect("the multi-line script's step");
    assert!(diff.2.contains("git diff --exit-code"));
}

#[test]
fn collector_matrix_job_and_set_up_go_twin() {
    let yaml = r#"
jobs:
  test:
    strategy:
      matrix:
        go: ["1.22", "1.23"]
    steps:
      - uses: actions/checkout@v4
      - name: Set up Go
        uses: actions/setup-go@v5
      - name: Make test-all
        run: make test-all
      - name: Upload coverage to Codecov
        uses: codecov/codecov-action@v4
"#;
    let rows = sources(
        "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json",
        yaml,
        None,
    );
    assert_all_found(&rows);
    let post = rows.iter().find(|r| r.0 == "Post Set up Go").expect("post");
    assert!(post.2.contains("actions/setup-go@v5"));
}

#[test]
fn collector_reusable_workflow_job() {
    let caller = r#"
jobs:
  call-workflow-passing-data:
    uses: octo-org/example-repo/.github/workflows/reusable-workflow.yml@main
"#;
    let called = r#"
jobs:
  test:
    strategy:
      matrix:
        go: ["1.23"]
    steps:
      - uses: actions/checkout@v4
      - name: Set up Go
        uses: actions/setup-go@v5
      - name: Make test
        run: make test
      - name: Upload coverage to Codecov
        uses: codecov/codecov-action@v4
"#;
    let rows = sources(
        "otel-contrib/githubreceiver/inprogress.5d2112b1.json",
        caller,
        Some(called),
    );
    assert_all_found(&rows);
}

#[test]
fn rest_example_post_without_run() {
    let yaml = r#"
jobs:
  build:
    steps:
      - uses: actions/checkout@v2
      - name: Set up Ruby
        uses: ruby/setup-ruby@v1
      - uses: actions/cache@v3
      - name: Install Bundler
        run: gem install bundler
      - name: Install Gems
        run: bundle install
      - name: Run Tests
        run: bundle exec rake
      - name: Deploy to Heroku
        run: git push heroku main
"#;
    let page = common::read("github/rest/actions-list-jobs-for-workflow-run.json");
    let mut jobs = ciotel_github::map_rest_jobs(&page, None).expect("jobs");
    let Some(CiEvent::Job(job)) = jobs.first_mut() else {
        panic!("a job");
    };
    let wf = parse(yaml.as_bytes()).expect("parses");
    workflow::describe(job, &Lookup::Known(Arc::new(wf)));
    let post = job
        .steps
        .iter()
        .find(|s| s.name == "Post actions/cache@v3")
        .expect("the REST example's post step");
    let uses = post
        .attributes
        .iter()
        .find(|a| a.key == semconv::CIOTEL_STEP_USES)
        .map(|a| format!("{:?}", a.value));
    assert!(uses.is_some_and(|u| u.contains("actions/cache@v3")));
    for step in &job.steps {
        let source = step
            .attributes
            .iter()
            .find(|a| a.key == semconv::CIOTEL_STEP_SOURCE)
            .map(|a| format!("{:?}", a.value))
            .unwrap_or_default();
        assert!(
            source.contains("workflow") || source.contains("runner"),
            "{}: {source}",
            step.name
        );
    }
}
