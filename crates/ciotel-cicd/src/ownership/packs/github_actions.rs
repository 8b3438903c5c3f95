//! GitHub Actions: which of a job's spans are the platform's.
//!
//! Rules apply to spans of the `github` receiver (`vcs.provider.name = github`, origin
//! platform), in this order:
//!
//! | rule | spans | owner |
//! |---|---|---|
//! | `github_actions/queue` | `queue` spans (waiting for a runner) | platform |
//! | `github_actions/runner` | steps `Set up job`, `Set up runner`, `Complete job`, `Initialize containers`, `Stop containers` | platform |
//! | `github_actions/post-cleanup` | steps `Post …` (post-job cleanup of actions) | platform |
//! | `github_actions/checkout` | steps `Run actions/checkout@…` | platform |
//! | `github_actions/cache` | steps `Run actions/cache@…`, `Run actions/cache/restore@…`, `Run actions/cache/save@…` | platform |
//! | `github_actions/setup` | steps `Run actions/setup-*@…` (setup-node, setup-go, …) | platform |
//! | `github_actions/steps` | every other step (`Run make test`, named steps) | application |
//!
//! GitHub names an unnamed `uses:` step `Run {action}@{ref}`; a step the workflow names
//! itself (`name: Checkout`) is matched by that name, so it falls to `github_actions/steps`.
//! Add a rule of your own to claim such steps.
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

pub(super) fn pack() -> Pack {
    let platform = Owner::Platform;
    let rules = vec![
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
        Rule::new(
            "github_actions/post-cleanup",
            step().names([pattern("glob:Post *")]),
            platform,
        ),
        Rule::new(
            "github_actions/checkout",
            step().names([pattern("regex:^Run actions/checkout(@|$)")]),
            platform,
        ),
        Rule::new(
            "github_actions/cache",
            step().names([pattern("regex:^Run actions/cache(/restore|/save)?(@|$)")]),
            platform,
        ),
        Rule::new(
            "github_actions/setup",
            step().names([pattern("regex:^Run actions/setup-[A-Za-z0-9_.-]+(@|$)")]),
            platform,
        ),
        Rule::new("github_actions/steps", step(), Owner::Application),
    ];
    Pack {
        name: PackName::GithubActions,
        rules,
        failure_reasons: None,
    }
}
