//! GitHub Actions: which of a job's spans are the platform's, by the names steps have, with no
//! call to the API.
//!
//! Rules apply to spans of the `github` receiver (`vcs.provider.name = github`, origin
//! platform), in this order (names match case-insensitively, except the runner's own):
//!
//! | rule | spans | owner |
//! |---|---|---|
//! | `github_actions/queue` | `queue` spans (waiting for a runner) | platform |
//! | `github_actions/runner` | steps `Set up job`, `Set up runner`, `Complete job`, `Initialize containers`, `Stop containers` | platform |
//! | `github_actions/checkout` | `Run actions/checkout@…`; `Checkout`, `Check out`, `Checkout repo`/`repository`/`code`/`source` | platform |
//! | `github_actions/setup` | `Run actions/setup-*@…`; `Set up`/`Setup`/`Install` + a toolchain (`Python`, `Node`, `Go`, `Rust`, `Java`, `JDK`, `Ruby`, `.NET`, `Docker Buildx`, …), then versions or `${{ … }}` only | platform |
//! | `github_actions/cache` | `Run actions/cache@…` (`/restore`, `/save`); `Cache …`, `Restore cache`, `Save cache`, `Restore … cache` | platform |
//! | `github_actions/artifacts` | `Run actions/upload-artifact@…`, `Run actions/download-artifact@…`; `Upload artifact(s)`, `Download artifact(s)` | platform |
//! | `github_actions/docker` | `Run docker/login-action@…`, `docker/setup-buildx-action`, `docker/setup-qemu-action` | platform |
//! | `github_actions/pre-post` | `Pre <x>` / `Post <x>` where `<x>` is any of the above (GitHub names an action's pre and post steps after the step; it also writes `Post actions/cache@v3`, without `Run`) | platform |
//! | `github_actions/steps` | every other step (`Run make test`, `Install dependencies`, named steps, and the `Pre`/`Post` twins of those) | application |
//!
//! GitHub names an unnamed `uses:` step `Run {action}@{ref}`; a step the workflow names
//! itself is matched by that name, so only the common names above are known. A `Pre`/`Post`
//! step gets the owner the pack gives the step it wraps; a user rule that claims a named
//! step should claim its `Post` twin too (`glob:Post Deploy*`). Every decision says which
//! entry made it in `ciotel.owner.basis` (`pack:github_actions/checkout`).
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
    Pack {
        name: PackName::GithubActions,
        rules,
        failure_reasons: None,
    }
}
