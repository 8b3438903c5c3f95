//! The config: defaults, the issue's example, and invalid rules as errors naming their line.

use super::support::parse;
use crate::ownership::{Owner, PackName};

#[test]
fn defaults_are_all_packs_and_application() {
    let c = parse("{}").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.packs, PackName::all());
    assert_eq!(c.default_owner, Owner::Application);
    assert!(c.rules.is_empty());
    assert_eq!(c.verdict_cache.max_runs, 4096);
}

#[test]
fn the_issues_example_reads() {
    let yaml = r#"
packs: [github_actions, gitlab, jenkins]
default_owner: application
rules:
  - name: gpu-runners-are-ops
    match: {attributes: {cicd.worker.name: "regex:^gpu-"}}
    owner: platform
    team: ci-infra
  - name: everything-in-infra
    match:
      name: ["glob:deploy *", exact]
      kind: [server, internal]
      resource_attributes: {service.name: acme/infra}
      scope: ciotel-cicd
      origin: platform
    owner: platform
"#;
    let c = parse(yaml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.rules.len(), 2);
    assert_eq!(c.rules[0].name, "gpu-runners-are-ops");
    assert_eq!(c.rules[0].team.as_deref(), Some("ci-infra"));
    assert_eq!(c.rules[1].owner, Owner::Platform);
}

fn error(yaml: &str) -> String {
    match parse(yaml) {
        Ok(_) => panic!("accepted:\n{yaml}"),
        Err(e) => e,
    }
}

#[test]
fn invalid_rules_are_errors_with_their_line() {
    let yaml = "rules:\n  - name: a\n    match:\n      attributes:\n        cicd.worker.name: \"regex:^gpu-(\"\n    owner: platform\n";
    let e = error(yaml);
    assert!(e.contains("invalid regex `^gpu-(`"), "{e}");
    assert!(e.contains("line 5"), "{e}");

    let e = error("rules:\n  - name: a\n    match: {name: x}\n    owner: ops\n");
    assert!(e.contains("unknown variant `ops`"), "{e}");
    assert!(e.contains("line 4"), "{e}");

    let e = error("rules:\n  - name: a\n    match: {nmae: x}\n    owner: platform\n");
    assert!(e.contains("unknown field `nmae`"), "{e}");
    assert!(e.contains("line 3"), "{e}");

    let e = error("rules:\n  - name: a\n    match: {kind: sever}\n    owner: platform\n");
    assert!(e.contains("unknown variant `sever`"), "{e}");

    let e = error("rules:\n  - name: a\n    match: {origin: inside}\n    owner: platform\n");
    assert!(e.contains("unknown variant `inside`"), "{e}");

    let e = error("rules:\n  - match: {name: x}\n    owner: platform\n");
    assert!(e.contains("a rule needs a `name`"), "{e}");
    assert!(e.contains("line 2"), "{e}");

    let e = error("rules:\n  - name: a\n    match: {name: x}\n");
    assert!(e.contains("rule `a` needs an `owner`"), "{e}");

    let e = error("rules:\n  - name: default\n    owner: platform\n");
    assert!(e.contains("reserved"), "{e}");

    let e = error("packs: [github_actions, circleci]\n");
    assert!(e.contains("unknown variant `circleci`"), "{e}");
    assert!(e.contains("line 1"), "{e}");

    let e = error("default_owner: dev\n");
    assert!(e.contains("unknown variant `dev`"), "{e}");

    let e = error("rules:\n  - {name: a, owner: platform}\n  - {name: a, owner: application}\n");
    assert!(e.contains("rule name `a` is used twice"), "{e}");

    let e =
        error("failure_signatures:\n  - name: mine\n    owner: platform\n    regex: '(unclosed'\n");
    assert!(e.contains("failure signature `mine`: invalid regex"), "{e}");
    assert!(e.contains("line 2"), "{e}");

    let e = error("failure_signatures:\n  - {name: a, owner: platform, regex: x, unles: y}\n");
    assert!(e.contains("unknown field `unles`"), "{e}");

    let e = error(
        "failure_signatures:\n  - {name: a, owner: platform, regex: x}\n  - {name: a, owner: platform, regex: y}\n",
    );
    assert!(e.contains("failure signature `a` is listed twice"), "{e}");

    let e = error("packs: [gitlab, gitlab]\n");
    assert!(e.contains("pack `gitlab` is listed twice"), "{e}");

    let e = error("verdict_cache: {max_runs: 10, size: 3}\n");
    assert!(e.contains("unknown field `size`"), "{e}");
}
