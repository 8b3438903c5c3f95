//! Config of the `cicd_ownership` processor.
//!
//! ```yaml
//! processors:
//!   cicd_ownership:
//!     packs: [github_actions, gitlab, jenkins]   # default: all built-in packs
//!     default_owner: application                 # default: application
//!     rules:                                     # yours, tried first, in order
//!       - name: gpu-runners-are-ops
//!         match: {attributes: {cicd.worker.name: "regex:^gpu-"}}
//!         owner: platform
//!         team: ci-infra
//!     github_actions:                            # GitHub steps known by what they run (api:)
//!       run_steps: application                   # `run:` scripts
//!       other_actions: application               # actions the pack does not know
//!     failure_signatures:                        # yours, tried before the built-in pack
//!       - name: flaky-db-fixture
//!         owner: platform
//!         regex: 'could not connect to server: .* port 5432'
//!         unless: 'localhost'                    # optional: lines that do not count
//!     verdict_cache:                             # job verdicts and failed runs remembered (GitHub)
//!       max_runs: 4096                           # 0 turns the cache off
//!       max_jobs_per_run: 256
//! ```
//!
//! Read with `checked_map(d, OwnershipConfig::validate)`, so every error, including an invalid
//! regex deep in a rule, names its line.

use serde::Deserialize;
use std::collections::BTreeSet;

use super::owner::Owner;
use super::packs::PackName;
use super::rule::Rule;
use super::signatures::Signature;

/// Config of the `cicd_ownership` processor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipConfig {
    /// Built-in rule packs, tried after `rules`, in this order. Default: all of them.
    #[serde(default = "PackName::all")]
    pub packs: Vec<PackName>,
    /// The owner of spans no rule matches.
    #[serde(default)]
    pub default_owner: Owner,
    /// The user's rules, tried first, in order; the first match wins.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Bounds of the cache of job verdicts used to judge runs whose jobs came earlier.
    #[serde(default)]
    pub verdict_cache: VerdictCacheConfig,
    /// Owners of GitHub steps the `github_actions` pack knows by what they run but not whose
    /// they are: `run:` scripts and actions it does not know.
    #[serde(default)]
    pub github_actions: GithubActionsConfig,
    /// The user's failure signatures for failed jobs' logs, tried before the built-in pack
    /// (`signatures/builtin.yaml`), in order.
    #[serde(default)]
    pub failure_signatures: Vec<Signature>,
}

impl Default for OwnershipConfig {
    fn default() -> Self {
        OwnershipConfig {
            packs: PackName::all(),
            default_owner: Owner::default(),
            rules: Vec::new(),
            verdict_cache: VerdictCacheConfig::default(),
            github_actions: GithubActionsConfig::default(),
            failure_signatures: Vec::new(),
        }
    }
}

impl OwnershipConfig {
    /// Checks what a field alone cannot: rule names unique, no pack listed twice.
    pub fn validate(&self) -> Result<(), String> {
        let mut names = BTreeSet::new();
        for rule in &self.rules {
            if !names.insert(rule.name.as_str()) {
                return Err(format!(
                    "rule name `{}` is used twice; ciotel.owner.rule must say which rule decided",
                    rule.name
                ));
            }
        }
        let mut signatures = BTreeSet::new();
        for sig in &self.failure_signatures {
            if !signatures.insert(sig.name.as_str()) {
                return Err(format!(
                    "failure signature `{}` is listed twice; ciotel.failure.rule must say which decided",
                    sig.name
                ));
            }
        }
        let mut packs = BTreeSet::new();
        for pack in &self.packs {
            if !packs.insert(*pack) {
                return Err(format!("pack `{}` is listed twice", pack.as_str()));
            }
        }
        Ok(())
    }
}

/// `verdict_cache:` bounds. Each remembered verdict is a few hundred bytes; a remembered failed
/// run also keeps its root's resource (its repository and pipeline attributes, about 1 KiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictCacheConfig {
    /// Runs remembered; the oldest is forgotten first. 0 turns the cache off.
    #[serde(default = "max_runs")]
    pub max_runs: usize,
    /// Failed jobs remembered per run; later ones are not.
    #[serde(default = "max_jobs_per_run")]
    pub max_jobs_per_run: usize,
}

fn max_runs() -> usize {
    4096
}

fn max_jobs_per_run() -> usize {
    256
}

impl Default for VerdictCacheConfig {
    fn default() -> Self {
        VerdictCacheConfig {
            max_runs: max_runs(),
            max_jobs_per_run: max_jobs_per_run(),
        }
    }
}

/// `github_actions:` — the owners the GitHub Actions pack gives steps it knows by what they
/// run (from the workflow file, with `api:`) but not as the platform's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubActionsConfig {
    /// Steps that run a `run:` script (`ciotel.step.run`). Default `application`.
    #[serde(default)]
    pub run_steps: Owner,
    /// Steps that run an action the pack does not list as the platform's (a third-party
    /// action, the repository's own `./…` action, `docker://…`). Default `application`.
    #[serde(default)]
    pub other_actions: Owner,
}

impl GithubActionsConfig {
    /// The owner this config gives the pack rule `rule`, when it is one of the two it sets.
    pub fn owner_of(&self, rule: &str) -> Option<Owner> {
        match rule {
            super::packs::GITHUB_RUN_STEPS => Some(self.run_steps),
            super::packs::GITHUB_OTHER_ACTIONS => Some(self.other_actions),
            _ => None,
        }
    }
}
