//! Built-in rule packs: what ciotel knows about each CI platform's own spans, as rules tried
//! after the user's, plus the platform's failure reasons as a table.
//!
//! A pack's rules are ordinary [`Rule`]s (named `{pack}/{rule}`, so `ciotel.owner.rule` says
//! which pack decided), restricted to the platform's spans by resource attribute
//! (`vcs.provider.name`) or instrumentation scope. Run, stage and job spans are containers:
//! packs leave them to `default_owner`; what matters for them is the failure verdict.

mod github_actions;
mod gitlab;
mod jenkins;

use serde::Deserialize;
use std::sync::LazyLock;

use super::owner::Owner;
use super::pattern::Pattern;
use super::rule::Rule;

pub use github_actions::{OTHER_ACTIONS as GITHUB_OTHER_ACTIONS, RUN_STEPS as GITHUB_RUN_STEPS};
pub use gitlab::{
    ALLOW_FAILURE_ATTRIBUTE as GITLAB_ALLOW_FAILURE,
    FAILURE_REASON_ATTRIBUTE as GITLAB_FAILURE_REASON, failure_reason_owner,
};

/// The name of a built-in pack, as written in `packs:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackName {
    /// GitHub Actions (spans of the `github` receiver).
    GithubActions,
    /// GitLab CI (spans of the `gitlab` receiver).
    Gitlab,
    /// Jenkins (spans of the Jenkins OpenTelemetry plugin, over OTLP).
    Jenkins,
}

impl PackName {
    /// Every pack, in the default order.
    pub fn all() -> Vec<PackName> {
        vec![PackName::GithubActions, PackName::Gitlab, PackName::Jenkins]
    }

    /// The name as written in configs.
    pub const fn as_str(self) -> &'static str {
        match self {
            PackName::GithubActions => "github_actions",
            PackName::Gitlab => "gitlab",
            PackName::Jenkins => "jenkins",
        }
    }

    /// The pack itself.
    pub fn pack(self) -> &'static Pack {
        let packs = &*PACKS;
        match self {
            PackName::GithubActions => &packs[0],
            PackName::Gitlab => &packs[1],
            PackName::Jenkins => &packs[2],
        }
    }
}

/// A built-in pack: rules, and the platform's failure reasons when it reports them.
#[derive(Debug)]
pub struct Pack {
    /// Which pack.
    pub name: PackName,
    /// Tried in order after the user's rules.
    pub rules: Vec<Rule>,
    /// The job attribute carrying the platform's failure reason, and who each reason blames.
    pub failure_reasons: Option<FailureReasons>,
}

/// A platform's failure reasons: the job span attribute that carries one, and its owner table.
#[derive(Debug, Clone, Copy)]
pub struct FailureReasons {
    /// The job span attribute, e.g. `gitlab.job.failure_reason`.
    pub attribute: &'static str,
    /// The owner a reason blames; `None` for reasons that do not say (`unknown_failure`).
    pub owner_of: fn(&str) -> Option<Owner>,
}

static PACKS: LazyLock<[Pack; 3]> =
    LazyLock::new(|| [github_actions::pack(), gitlab::pack(), jenkins::pack()]);

/// Compiles a pattern of a built-in pack. The packs' patterns are constants, checked by the
/// `every_pack_compiles` test; a panic here is a bug in ciotel, not in a user's input.
fn pattern(text: &str) -> Pattern {
    match Pattern::parse(text) {
        Ok(p) => p,
        Err(e) => panic!("built-in pack pattern {text:?}: {e}"),
    }
}

/// Exact patterns for a list of names.
fn exact_names(names: &[&str]) -> Vec<Pattern> {
    names.iter().map(|n| Pattern::exact(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pack_compiles_and_names_its_rules_after_itself() {
        for name in PackName::all() {
            let pack = name.pack();
            assert_eq!(pack.name, name);
            assert!(!pack.rules.is_empty());
            for rule in &pack.rules {
                assert!(
                    rule.name.starts_with(&format!("{}/", name.as_str())),
                    "{}",
                    rule.name
                );
            }
        }
    }
}
