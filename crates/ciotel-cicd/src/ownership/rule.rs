//! One ownership rule: a match, the owner it gives, and optionally a team.
//!
//! ```yaml
//! - name: gpu-runners-are-ops
//!   match: {attributes: {cicd.worker.name: "regex:^gpu-"}}
//!   owner: platform
//!   team: ci-infra
//! ```

use ciotel_core::config::checked::checked_map;
use serde::{Deserialize, Deserializer};

use super::matcher::SpanMatch;
use super::names::DEFAULT_RULE;
use super::owner::Owner;

/// A rule: spans that match get `owner` (and `team`), and `ciotel.owner.rule` = `name`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Written to `ciotel.owner.rule`; unique among the user's rules.
    pub name: String,
    /// Which spans the rule decides.
    pub matcher: SpanMatch,
    /// The owner it gives.
    pub owner: Owner,
    /// Written to `ciotel.owner.team` when given.
    pub team: Option<String>,
    /// What a built-in rule decides on (`action`, `run`, `name`), written as the start of
    /// `ciotel.owner.basis`; `None` for the user's rules and pack rules on other grounds.
    pub by: Option<&'static str>,
}

impl Rule {
    /// A rule built in code (the packs).
    pub fn new(name: &str, matcher: SpanMatch, owner: Owner) -> Rule {
        Rule {
            name: name.to_owned(),
            matcher,
            owner,
            team: None,
            by: None,
        }
    }

    /// The same rule, saying what it decides on (see [`Rule::by`]).
    #[must_use]
    pub fn by(mut self, by: &'static str) -> Rule {
        self.by = Some(by);
        self
    }
}

/// A rule as written in YAML, before its checks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleYaml {
    #[serde(default)]
    name: String,
    #[serde(default, rename = "match")]
    matcher: SpanMatch,
    owner: Option<Owner>,
    #[serde(default)]
    team: Option<String>,
}

impl RuleYaml {
    fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("a rule needs a `name` (it is written to ciotel.owner.rule)".into());
        }
        if self.name == DEFAULT_RULE {
            return Err(format!(
                "rule name `{DEFAULT_RULE}` is reserved for spans no rule matched"
            ));
        }
        if self.owner.is_none() {
            return Err(format!(
                "rule `{}` needs an `owner`: platform or application",
                self.name
            ));
        }
        if self.team.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(format!("rule `{}`: `team` must not be empty", self.name));
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let y: RuleYaml = checked_map(d, RuleYaml::check)?;
        Ok(Rule {
            name: y.name,
            matcher: y.matcher,
            owner: y.owner.unwrap_or_default(),
            team: y.team,
            by: None,
        })
    }
}
