//! In-job telemetry joins the pipeline trace, end to end with real clients:
//!
//! ```text
//! GitHub / GitLab webhook fixtures ──▶ ciotel ──▶ run, job, queue and step spans ─┐
//! pytest + pytest-otel, Ansible    ──OTLP gRPC──▶ ciotel ─ cicd_hierarchy ──────────┴─▶ file
//!    inside an environment that looks like the fixture's job
//! ```
//!
//! - with `TRACEPARENT` from `ciotel traceparent` (`--exec`, or its printed value), the tools'
//!   root spans arrive as children of the job span the webhook produced, in the run's trace;
//! - without it, with the run and job ids in `OTEL_RESOURCE_ATTRIBUTES`, the `cicd_hierarchy`
//!   processor re-homes them to the same place;
//! - GitLab the same with `CI_PIPELINE_ID` / `CI_JOB_ID`, under the job span the gitlab
//!   receiver made from the fixture's Job Hook;
//! - spans shaped like the Jenkins plugin's (BUILD, phases, agent, stage, step) keep their trace
//!   and tree and gain `cicd.*` attributes; a tool in an `sh` step with the plugin's
//!   `TRACEPARENT` lands under that step;
//! - spans without CI identity pass unchanged.

mod support;

use serde_json::Value;
use support::in_job::{
    ATTEMPT, Ciotel, GITLAB_JOB_ID, JOB_ID, PIPELINE_ID, RUN_ID, attr, check, client,
    github_job_env, gitlab_job_env, parent, resource_attr, tool,
};
use support::{binary, python, run_client, wait_for};

/// The arguments of a pytest session on the sample suite, with pytest-otel naming its session
/// span `session`.
fn pytest_args(session: &str) -> Vec<String> {
    vec![
        "-m".into(),
        "pytest".into(),
        client("in_job_pytest_suite.py").display().to_string(),
        "-q".into(),
        "-p".into(),
        "no:cacheprovider".into(),
        "--otel-service-name=ciotel-in-job-tests".into(),
        format!("--otel-session-name={session}"),
    ]
}

/// Runs pytest as a job step would, optionally through `ciotel traceparent --exec`.
fn run_pytest(ciotel: &Ciotel, env: &[(&str, String)], session: &str, via_traceparent: bool) {
    let out = if via_traceparent {
        tool(binary(), ciotel, env)
            .args(["traceparent", "--exec", "--"])
            .arg(python())
            .args(pytest_args(session))
            .output()
    } else {
        tool(python(), ciotel, env)
            .args(pytest_args(session))
            .output()
    };
    check(out.expect("run pytest"), "pytest with pytest-otel");
}

/// Waits for pytest-otel's session span `session` and its three test spans; checks they form
/// one tree whose root hangs under `trace`/`parent_span`, and returns the session span.
fn pytest_tree(ciotel: &Ciotel, session: &str, trace: &str, parent_span: &str) -> Value {
    let root = ciotel.span(session, |s| s["name"] == session);
    let id = root["spanId"].as_str().unwrap_or_default().to_owned();
    let tests = wait_for("the three test spans", || {
        let tests: Vec<Value> = ciotel
            .spans()
            .into_iter()
            .filter(|s| parent(s) == id)
            .collect();
        (tests.len() == 3).then_some(tests)
    });
    assert_eq!(
        root["traceId"], trace,
        "the session span is in the run's trace"
    );
    assert_eq!(
        parent(&root),
        parent_span,
        "the session span hangs under the job"
    );
    let mut names: Vec<&str> = tests.iter().filter_map(|s| s["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Running test_arithmetic",
            "Running test_lists",
            "Running test_strings"
        ]
    );
    for test in &tests {
        assert_eq!(test["traceId"], trace, "{}", test["name"]);
    }
    assert_eq!(
        resource_attr(&root, "service.name").as_deref(),
        Some("ciotel-in-job-tests")
    );
    root
}

#[test]
fn github_pytest_spans_with_traceparent_land_under_the_job_span() {
    let ciotel = Ciotel::start("in-job-gh-tp");
    let job = ciotel.github_run();
    run_pytest(&ciotel, &github_job_env(), "pytest (traceparent)", true);
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();
    let root = pytest_tree(&ciotel, "pytest (traceparent)", trace, job_span);
    assert_eq!(
        attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID),
        None,
        "TRACEPARENT put it in place: nothing was moved"
    );
}

#[test]
fn github_pytest_spans_with_resource_attributes_are_rehomed_under_the_job_span() {
    let ciotel = Ciotel::start("in-job-gh-res");
    let job = ciotel.github_run();
    let mut env = github_job_env();
    env.push((
        "OTEL_RESOURCE_ATTRIBUTES",
        format!("github.run.id={RUN_ID},github.run.attempt={ATTEMPT},github.job.id={JOB_ID}"),
    ));
    run_pytest(&ciotel, &env, "pytest (resource attributes)", false);
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();
    let root = pytest_tree(&ciotel, "pytest (resource attributes)", trace, job_span);
    let original = attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID)
        .expect("a moved span keeps its original trace id");
    assert_eq!(original.len(), 32);
    assert_ne!(original, trace);
    assert_eq!(
        resource_attr(&root, "github.job.id").as_deref(),
        Some(JOB_ID)
    );
}

#[test]
fn gitlab_pytest_spans_land_under_the_job_span_both_ways() {
    let ciotel = Ciotel::start("in-job-gitlab");
    let job = ciotel.gitlab_job();
    let trace = job["traceId"].as_str().unwrap().to_owned();
    let job_span = job["spanId"].as_str().unwrap().to_owned();

    run_pytest(&ciotel, &gitlab_job_env(), "gitlab (traceparent)", true);
    pytest_tree(&ciotel, "gitlab (traceparent)", &trace, &job_span);

    let mut env = gitlab_job_env();
    env.push((
        "OTEL_RESOURCE_ATTRIBUTES",
        format!("gitlab.pipeline.id={PIPELINE_ID},gitlab.job.id={GITLAB_JOB_ID}"),
    ));
    run_pytest(&ciotel, &env, "gitlab (resource attributes)", false);
    pytest_tree(&ciotel, "gitlab (resource attributes)", &trace, &job_span);

    // The same session outside any CI job: no identity, so nothing is moved.
    run_pytest(&ciotel, &[], "no ci", false);
    let root = ciotel.span("no ci", |s| s["name"] == "no ci");
    assert_eq!(parent(&root), "", "still a root");
    assert_ne!(root["traceId"], trace.as_str());
    assert_eq!(attr(&root, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID), None);
}

#[test]
fn ansible_playbook_with_traceparent_lands_under_the_job_span() {
    let ciotel = Ciotel::start("in-job-ansible");
    let job = ciotel.github_run();
    let trace = job["traceId"].as_str().unwrap();
    let job_span = job["spanId"].as_str().unwrap();

    // `export TRACEPARENT=$(ciotel traceparent)`, as a job step would.
    let out = tool(binary(), &ciotel, &github_job_env())
        .arg("traceparent")
        .output()
        .expect("run ciotel traceparent");
    let value = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    check(out, "ciotel traceparent");
    assert_eq!(value, format!("00-{trace}-{job_span}-01"));

    let playbook = ciotel.dir.join("deploy.yml");
    std::fs::write(
        &playbook,
        "- name: deploy\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - name: say hello\n      ansible.builtin.debug:\n        msg: hello from the job\n",
    )
    .expect("write playbook");
    let python = python();
    let ansible_playbook = python
        .parent()
        .expect("python's directory")
        .join("ansible-playbook");
    let home = ciotel.dir.join("ansible-home");
    let mut env = github_job_env();
    env.extend([
        ("TRACEPARENT", value),
        ("OTEL_SERVICE_NAME", "ansible-deploy".into()),
        (
            "ANSIBLE_CALLBACKS_ENABLED",
            "community.general.opentelemetry".into(),
        ),
        ("ANSIBLE_HOME", home.display().to_string()),
        ("ANSIBLE_LOCAL_TEMP", home.join("tmp").display().to_string()),
        ("ANSIBLE_NOCOLOR", "true".into()),
        ("ANSIBLE_HOST_KEY_CHECKING", "false".into()),
        ("LC_ALL", "C.UTF-8".into()),
        ("LANG", "C.UTF-8".into()),
    ]);
    let out = tool(&ansible_playbook, &ciotel, &env)
        .args(["-i", "localhost,", "-e"])
        .arg(format!("ansible_python_interpreter={}", python.display()))
        .arg(&playbook)
        .output()
        .expect("run ansible-playbook");
    check(out, "ansible-playbook with the opentelemetry callback");

    let root = ciotel.span("the playbook span", |s| s["name"] == "deploy.yml");
    assert_eq!(root["traceId"], trace);
    assert_eq!(parent(&root), job_span, "the playbook hangs under the job");
    assert_eq!(
        resource_attr(&root, "service.name").as_deref(),
        Some("ansible-deploy")
    );
    let root_id = root["spanId"].as_str().unwrap_or_default().to_owned();
    let task = ciotel.span("the task span", |s| parent(s) == root_id);
    assert_eq!(task["traceId"], trace);
    assert!(
        task["name"].as_str().unwrap_or("").contains("say hello"),
        "{}",
        task["name"]
    );
}

#[test]
fn jenkins_plugin_spans_keep_their_trace_and_gain_cicd_attributes() {
    let ciotel = Ciotel::start("in-job-jenkins");
    let endpoint = ciotel.otlp_endpoint();
    let printed = run_client("send_jenkins_spans.py", &[&endpoint], &[]);
    let ids: Value = serde_json::from_str(printed.trim().lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{printed}: {e}"));
    let trace = ids["trace"].as_str().unwrap_or_default().to_owned();
    let sh_span = ids["sh"].as_str().unwrap_or_default().to_owned();
    assert_eq!(trace.len(), 32, "{printed}");

    // The plugin gives a shell step its span as TRACEPARENT: pytest run in that `sh` step.
    let env = [("TRACEPARENT", format!("00-{trace}-{sh_span}-01"))];
    run_pytest(&ciotel, &env, "jenkins sh step", false);

    let jenkins = |s: &Value| s["_scope"]["name"] == "io.jenkins.opentelemetry";
    let spans = wait_for("the seven Jenkins spans", || {
        let spans: Vec<Value> = ciotel.spans().into_iter().filter(jenkins).collect();
        (spans.len() == 7).then_some(spans)
    });
    let by_name = |name: &str| {
        spans
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no span {name}"))
    };
    let root = by_name("BUILD my-team/my-app/main");
    let expected = [
        ("cicd.pipeline.name", "my-team » my-app » main"),
        ("cicd.pipeline.run.id", "my-team/my-app/main#42"),
        (
            "cicd.pipeline.run.url.full",
            "https://jenkins.example.com/job/my-team/job/my-app/job/main/42/",
        ),
        ("cicd.pipeline.result", "failure"),
        ("cicd.worker.id", "linux-agent-7"),
        ("ciotel.run.actor", "ada"),
        // The originals stay.
        ("ci.pipeline.id", "my-team/my-app/main"),
        ("ci.pipeline.run.number", "42"),
        ("ci.pipeline.run.result", "UNSTABLE"),
    ];
    for (key, value) in expected {
        assert_eq!(attr(root, key).as_deref(), Some(value), "{key}");
    }
    for span in &spans {
        assert_eq!(
            span["traceId"],
            trace.as_str(),
            "{} stays in its trace",
            span["name"]
        );
        assert_eq!(attr(span, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID), None);
    }
    assert_eq!(parent(root), "", "the build span is still the root");
    // The plugin's tree, unchanged: BUILD → phases; Phase: Run → Agent → Stage: build → sh.
    let root_id = root["spanId"].as_str().unwrap_or_default();
    let chain = [
        ("Phase: Start", "BUILD my-team/my-app/main"),
        ("Phase: Run", "BUILD my-team/my-app/main"),
        ("Phase: Finalise", "BUILD my-team/my-app/main"),
        ("Agent", "Phase: Run"),
        ("Stage: build", "Agent"),
        ("sh", "Stage: build"),
    ];
    for (child, parent_name) in chain {
        assert_eq!(
            parent(by_name(child)),
            by_name(parent_name)["spanId"].as_str().unwrap_or_default(),
            "{child} under {parent_name}"
        );
    }
    assert_eq!(parent(by_name("Phase: Start")), root_id);
    let step = by_name("sh");
    assert_eq!(step["spanId"], sh_span.as_str());
    assert_eq!(
        attr(step, "cicd.pipeline.name"),
        None,
        "steps carry no ci.pipeline.*"
    );
    for (key, value) in [
        ("jenkins.pipeline.step.type", "sh"),
        ("jenkins.pipeline.step.id", "15"),
        ("jenkins.pipeline.step.result", "UNSTABLE"),
        ("jenkins.computer.name", "linux-agent-7"),
    ] {
        assert_eq!(attr(step, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(
        attr(by_name("Stage: build"), "jenkins.pipeline.step.type").as_deref(),
        Some("stage")
    );

    // The tool's spans hang under the sh step, in the build's trace, untouched.
    let session = pytest_tree(&ciotel, "jenkins sh step", &trace, &sh_span);
    assert_eq!(
        attr(&session, ciotel_cicd::hierarchy::ORIGINAL_TRACE_ID),
        None
    );
}
