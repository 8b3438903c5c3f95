//! The GitHub Actions pack on steps the poller described from the workflow file
//! (`ciotel.step.uses|run`): known actions are the platform's whatever the step is called,
//! `run:` scripts and other actions get the configured owners, `ciotel.owner.basis` says
//! `action:`/`run:`/`name:`, and user rules match `uses`/`run`/`step_id`.

use super::support::*;
use crate::event::{Attribute, CiEvent, CiResult};
use crate::ownership::names::{OWNER, OWNER_BASIS, OWNER_RULE};
use crate::ownership::span_view::span_attr;
use crate::semconv;

/// A step as `(name, uses, run, id)`.
type Described<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// A job whose steps are described.
fn described(steps_: &[Described<'_>]) -> CiEvent {
    let names: Vec<&str> = steps_.iter().map(|s| s.0).collect();
    let mut steps = steps(&names, &[]);
    for (step, (_, uses, run, id)) in steps.iter_mut().zip(steps_) {
        for (key, value) in [
            (semconv::CIOTEL_STEP_USES, uses),
            (semconv::CIOTEL_STEP_RUN, run),
            (semconv::CIOTEL_STEP_ID, id),
        ] {
            if let Some(v) = value {
                step.attributes.push(Attribute::new(key, *v));
            }
        }
    }
    CiEvent::Job(job("github", "21", "lint", CiResult::Success, steps, true))
}

/// `(name, owner, basis)` of each of `names`.
fn decided(event: &CiEvent, yaml: &str, names: &[&str]) -> Vec<(String, String, String)> {
    let mut g = spans(std::slice::from_ref(event));
    processor(yaml).process(&mut g);
    names
        .iter()
        .map(|n| {
            let s = named(&g, n);
            let a = |k| span_attr(s, k).unwrap_or_default();
            ((*n).to_owned(), a(OWNER), a(OWNER_BASIS))
        })
        .collect()
}

fn rows(expect: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expect
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

const JOB: &[Described<'static>] = &[
    ("Set up job", None, None, None),
    (
        "Checkout repository",
        Some("actions/checkout@v4"),
        None,
        None,
    ),
    (
        "Install Rust",
        Some("dtolnay/rust-toolchain@stable"),
        None,
        None,
    ),
    ("Cache cargo", Some("Swatinem/rust-cache@v2"), None, None),
    ("Harden", Some("step-security/harden-runner@v2"), None, None),
    ("Set up uv", Some("astral-sh/setup-uv@v5"), None, None),
    ("Setup R", Some("r-lib/actions/setup-r@v2"), None, None),
    (
        "Run cargo clippy",
        None,
        Some("cargo clippy"),
        Some("clippy"),
    ),
    ("Cache the world", None, Some("./cache.sh"), None),
    (
        "Publish",
        Some("softprops/action-gh-release@v2"),
        None,
        None,
    ),
    (
        "Post Install Rust",
        Some("dtolnay/rust-toolchain@stable"),
        None,
        None,
    ),
    ("Complete job", None, None, None),
];

#[test]
fn steps_are_known_by_what_they_run() {
    let names: Vec<&str> = JOB.iter().map(|s| s.0).collect();
    assert_eq!(
        decided(&described(JOB), "", &names),
        rows(&[
            ("Set up job", "platform", "name:github_actions/runner"),
            (
                "Checkout repository",
                "platform",
                "action:github_actions/checkout"
            ),
            ("Install Rust", "platform", "action:github_actions/setup"),
            ("Cache cargo", "platform", "action:github_actions/cache"),
            ("Harden", "platform", "action:github_actions/hardening"),
            ("Set up uv", "platform", "action:github_actions/setup"),
            ("Setup R", "platform", "action:github_actions/setup"),
            ("Run cargo clippy", "application", "run:github_actions/run"),
            // A script named like a cache step is a script: the name no longer decides.
            ("Cache the world", "application", "run:github_actions/run"),
            (
                "Publish",
                "application",
                "action:github_actions/other_actions"
            ),
            (
                "Post Install Rust",
                "platform",
                "action:github_actions/setup"
            ),
            ("Complete job", "platform", "name:github_actions/runner"),
        ])
    );
}

#[test]
fn run_steps_and_other_actions_take_the_configured_owners() {
    let yaml = "github_actions: {run_steps: platform, other_actions: platform}";
    assert_eq!(
        decided(&described(JOB), yaml, &["Run cargo clippy", "Publish"]),
        rows(&[
            ("Run cargo clippy", "platform", "run:github_actions/run"),
            ("Publish", "platform", "action:github_actions/other_actions"),
        ])
    );
}

#[test]
fn user_rules_match_what_a_step_runs() {
    let yaml = r#"
rules:
  - name: releases-are-ops
    match: {uses: "glob:softprops/*"}
    owner: platform
    team: release
  - name: clippy-by-id
    match: {step_id: clippy, run: "regex:^cargo "}
    owner: platform
"#;
    let mut g = spans(&[described(JOB)]);
    processor(yaml).process(&mut g);
    let got = |n: &str| {
        let s = named(&g, n);
        (
            span_attr(s, OWNER).unwrap_or_default(),
            span_attr(s, OWNER_RULE).unwrap_or_default(),
            span_attr(s, OWNER_BASIS).unwrap_or_default(),
        )
    };
    assert_eq!(
        got("Publish"),
        (
            "platform".into(),
            "releases-are-ops".into(),
            "rule:releases-are-ops".into()
        )
    );
    assert_eq!(got("Run cargo clippy").1, "clippy-by-id");
    // No `ciotel.step.uses` (no workflow file): `uses:` does not match.
    let plain = CiEvent::Job(job(
        "github",
        "22",
        "lint",
        CiResult::Success,
        steps(&["Publish"], &[]),
        true,
    ));
    assert_eq!(
        decided(&plain, yaml, &["Publish"]),
        rows(&[("Publish", "application", "name:github_actions/steps")])
    );
}

#[test]
fn unknown_keys_under_github_actions_are_errors() {
    let err = parse("github_actions: {run_step: platform}").expect_err("typo");
    assert!(err.contains("run_step"), "{err}");
}
