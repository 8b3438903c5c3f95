//! GitHub Actions: which of a job's spans are the platform's — by what each step runs when the
//! workflow file is known (with `api:`, the poller puts `ciotel.step.uses` / `ciotel.step.run`
//! on each step), else by the names steps have.
//!
//! Rules apply to spans of the `github` receiver (`vcs.provider.name = github`, origin
//! platform), in this order; `ciotel.owner.basis` says what decided (`action:`, `run:`,
//! `name:` before the rule's name):
//!
//! | rule | basis | spans | owner |
//! |---|---|---|---|
//! | `github_actions/queue` | `pack` | `queue` spans (waiting for a runner) | platform |
//! | `github_actions/runner` | `name` | steps `Set up job`, `Set up runner`, `Complete job`, `Initialize containers`, `Stop containers` | platform |
//! | `github_actions/checkout` | `action` | `uses: actions/checkout` | platform |
//! | `github_actions/setup` | `action` | `uses: actions/setup-*`, any `…/setup-*` action, `dtolnay/rust-toolchain`, `actions-rs/toolchain`, `ruby/setup-ruby`, `pnpm/action-setup`, `subosito/flutter-action`, `gradle/actions/setup-gradle`, `gradle/gradle-build-action`, `taiki-e/install-action` | platform |
//! | `github_actions/cache` | `action` | `uses: actions/cache` (`/restore`, `/save`), `Swatinem/rust-cache`, `mozilla-actions/sccache-action` | platform |
//! | `github_actions/artifacts` | `action` | `uses: actions/upload-artifact`, `actions/download-artifact` | platform |
//! | `github_actions/docker` | `action` | `uses: docker/login-action`, `docker/setup-buildx-action`, `docker/setup-qemu-action` | platform |
//! | `github_actions/hardening` | `action` | `uses: step-security/harden-runner` | platform |
//! | `github_actions/run` | `run` | every other step with a `run:` script | `github_actions.run_steps` (application) |
//! | `github_actions/other_actions` | `action` | every other step with `uses:` (third-party actions, the repository's own `./…`, `docker://…`) | `github_actions.other_actions` (application) |
//! | `github_actions/checkout` | `name` | no workflow file: `Run actions/checkout@…`; `Checkout`, `Check out`, `Checkout repo`/`repository`/`code`/`source` | platform |
//! | `github_actions/setup` | `name` | `Run actions/setup-*@…`; `Set up`/`Setup`/`Install` + a toolchain (`Python`, `Node`, `Go`, `Rust`, `Java`, `JDK`, `Ruby`, `.NET`, `Docker Buildx`, …), then versions or `${{ … }}` only | platform |
//! | `github_actions/cache` | `name` | `Run actions/cache@…` (`/restore`, `/save`); `Cache …`, `Restore cache`, `Save cache`, `Restore … cache` | platform |
//! | `github_actions/artifacts` | `name` | `Run actions/upload-artifact@…`, `Run actions/download-artifact@…`; `Upload artifact(s)`, `Download artifact(s)` | platform |
//! | `github_actions/docker` | `name` | `Run docker/login-action@…`, `docker/setup-buildx-action`, `docker/setup-qemu-action` | platform |
//! | `github_actions/pre-post` | `name` | `Pre <x>` / `Post <x>` where `<x>` is any of the above names (GitHub names an action's pre and post steps after the step; it also writes `Post actions/cache@v3`, without `Run`) | platform |
//! | `github_actions/steps` | `name` | every other step (`Run make test`, `Install dependencies`, named steps, and the `Pre`/`Post` twins of those) | application |
//!
//! An action is matched without its `@ref`, case-insensitively. A `Pre`/`Post` step runs the
//! same action as its main step, so with the workflow file it is decided as its main step is.
//! Without the file (no `api:`, or it could not be read: `ciotel.step.source = unavailable`),
//! a step is matched by its name: GitHub names an unnamed `uses:` step `Run {action}@{ref}`; a
//! step the workflow names itself is matched by that name, so only the common names above are
//! known. A user rule can match what a step runs directly (`match: {uses: "glob:my-org/*"}`).
//!
//! GitHub reports no failure reason beyond the conclusion, so the pack has no reason table.

use super::{Pack, PackName, exact_names, pattern};
use crate::ownership::matcher::SpanMatch;
use crate::ownership::owner::Owner;
use crate::ownership::pattern::Pattern;
use crate::ownership::rule::Rule;
use crate::ownership::span_view::Origin;
use crate::semconv;

fn github() -> SpanMatch {
    SpanMatch::default()
        .resource_attribute(
            semconv::VCS_PROVIDER_NAME,
            Pattern::exact(semconv::provider::GITHUB),
        )
        .origin(Origin::Platform)
}

fn step() -> SpanMatch {
    github().attribute(
        semconv::CIOTEL_SPAN_TYPE,
        Pattern::exact(semconv::span_type::STEP),
    )
}

/// The rule of `run:` steps the pack does not place; its owner is `github_actions.run_steps`.
pub const RUN_STEPS: &str = "github_actions/run";
/// The rule of actions the pack does not place; its owner is `github_actions.other_actions`.
pub const OTHER_ACTIONS: &str = "github_actions/other_actions";

/// The platform's actions, by what a step `uses:` (regexes of `owner/repo[/path]`, matched
/// whole, without the `@ref`).
fn platform_actions() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("checkout", vec!["actions/checkout"]),
        (
            "setup",
            vec![
                r"(?:[^/@\s]+/)+setup-[^/@\s]+",
                r"dtolnay/rust-toolchain",
                r"actions-rs/toolchain",
                r"pnpm/action-setup",
                r"subosito/flutter-action",
                r"gradle/actions/setup-gradle",
                r"gradle/gradle-build-action",
                r"taiki-e/install-action",
            ],
        ),
        (
            "cache",
            vec![
                r"actions/cache(?:/restore|/save)?",
                r"Swatinem/rust-cache",
                r"mozilla-actions/sccache-action",
            ],
        ),
        ("artifacts", vec![r"actions/(?:upload|download)-artifact"]),
        (
            "docker",
            vec![r"docker/(?:login-action|setup-buildx-action|setup-qemu-action)"],
        ),
        ("hardening", vec![r"step-security/harden-runner"]),
    ]
}

/// Steps whose `ciotel.step.uses` is one of `actions` (any ref).
fn uses_any(actions: &[&str]) -> SpanMatch {
    step().attribute(
        semconv::CIOTEL_STEP_USES,
        pattern(&format!(r"regex:(?i)^(?:{})(?:@.*)?$", actions.join("|"))),
    )
}

/// Steps that carry attribute `key` at all.
fn has(key: &str) -> SpanMatch {
    step().attribute(key, pattern("regex:(?s)^.*$"))
}

/// A step named by an action GitHub runs by default: `Run owner/action@ref` (also without
/// `Run`, as some `Post` steps are written).
fn action(name: &str) -> String {
    format!(r"(?:Run )?{name}(?:@\S*)?")
}

/// Toolchains a `Set up …` / `Install …` step of that name installs.
const TOOLCHAINS: &str = r"(?:Python|Node(?:\.?js)?|Go|Golang|Rust|Rust toolchain|Java|JDK|\.NET(?: Core)?|dotnet|Ruby|PHP|Elixir|Erlang|OTP|Deno|Bun|pnpm|Gradle|Maven|QEMU|Docker Buildx|Buildx|Zig|Flutter|Dart|Terraform|Helm|kubectl|Haskell|GHC|Scala|sbt|Julia|R|Conda|Miniconda|uv|Poetry)";

/// The platform entries: (entry, name regexes without anchors).
fn platform_entries() -> Vec<(&'static str, Vec<String>)> {
    let version = r"(?: (?:v?[0-9][\w.+-]*|stable|nightly|beta|latest|toolchain|SDK|environment|\$\{\{[^}]*\}\}|\([^)]*\)))*";
    vec![
        (
            "checkout",
            vec![
                action("actions/checkout"),
                r"Check ?out(?: (?:the )?(?:repo|repository|code|source|sources|project))?"
                    .to_owned(),
            ],
        ),
        (
            "setup",
            vec![
                action(r"actions/setup-[A-Za-z0-9_.-]+"),
                format!(r"(?:Set ?up|Install)(?: the)? {TOOLCHAINS}{version}"),
            ],
        ),
        (
            "cache",
            vec![
                action("actions/cache(?:/restore|/save)?"),
                r"Cache(?: .*)?".to_owned(),
                r"(?:Restore|Save)(?: .*)? cache".to_owned(),
            ],
        ),
        (
            "artifacts",
            vec![
                action("actions/(?:upload|download)-artifact"),
                r"(?:Upload|Download)(?: the)? artifacts?".to_owned(),
            ],
        ),
        (
            "docker",
            vec![action(
                "docker/(?:login-action|setup-buildx-action|setup-qemu-action)",
            )],
        ),
    ]
}

/// One case-insensitive pattern for the whole name, any of `bodies`.
fn whole_name(bodies: &[String]) -> Pattern {
    pattern(&format!("regex:(?i)^(?:{})$", bodies.join("|")))
}

pub(super) fn pack() -> Pack {
    let platform = Owner::Platform;
    let entries = platform_entries();
    let wrapped: Vec<String> = entries.iter().flat_map(|(_, b)| b.clone()).collect();
    let mut rules = vec![
        Rule::new(
            "github_actions/queue",
            github().attribute(
                semconv::CIOTEL_SPAN_TYPE,
                Pattern::exact(semconv::span_type::QUEUE),
            ),
            platform,
        ),
        Rule::new(
            "github_actions/runner",
            step().names(exact_names(&[
                "Set up job",
                "Set up runner",
                "Complete job",
                "Initialize containers",
                "Stop containers",
            ])),
            platform,
        ),
    ];
    for (entry, actions) in platform_actions() {
        rules.push(
            Rule::new(
                &format!("github_actions/{entry}"),
                uses_any(&actions),
                platform,
            )
            .by("action"),
        );
    }
    rules.push(Rule::new(RUN_STEPS, has(semconv::CIOTEL_STEP_RUN), Owner::Application).by("run"));
    rules.push(
        Rule::new(
            OTHER_ACTIONS,
            has(semconv::CIOTEL_STEP_USES),
            Owner::Application,
        )
        .by("action"),
    );
    for (entry, bodies) in &entries {
        rules.push(Rule::new(
            &format!("github_actions/{entry}"),
            step().names([whole_name(bodies)]),
            platform,
        ));
    }
    rules.push(Rule::new(
        "github_actions/pre-post",
        step().names([pattern(&format!(
            "regex:(?i)^(?:Pre|Post) (?:{})$",
            wrapped.join("|")
        ))]),
        platform,
    ));
    rules.push(Rule::new(
        "github_actions/steps",
        step(),
        Owner::Application,
    ));
    // Everything but the queue and the action-based rules decides by the step's name.
    for rule in rules.iter_mut().skip(1) {
        if rule.by.is_none() {
            rule.by = Some("name");
        }
    }
    Pack {
        name: PackName::GithubActions,
        rules,
        failure_reasons: None,
    }
}
