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
