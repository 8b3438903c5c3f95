//! The environments policy: the order a change is promoted through (`integration` →
//! `staging` → `production` by default) and which environments are production. One
//! platform-neutral type, read as the `environments:` key of the `github` and `gitlab`
//! receivers, so `ciotel can-i-deploy` (which environments must have succeeded before the
//! target) and the DORA metrics (which deployments count as production) agree.
//!
//! ```yaml
//! receivers:
//!   github:
//!     environments:
//!       promotion: [integration, staging, production]   # default
//!       production: [production]                        # default
//! ```
//!
//! | question | answer |
//! |---|---|
//! | is environment E production? | the platform says so (GitHub deployment `production_environment: true`, GitLab `environment_tier: production` / `deployment_tier`), or E is listed in `production` |
//! | may a change go to E? | every environment before E in `promotion` has a successful deployment of its revision |
//! | E is not in `promotion` | nothing is required before it (it is not part of the path) |
//!
//! Names are compared without regard to ASCII case (GitHub's environment names are
//! case-insensitive; GitLab's are not, but two environments differing only in case are a
//! mistake worth not making).

use serde::{Deserialize, Deserializer};

use ciotel_core::config::checked::checked_map;

/// GitLab's tier of production environments (`environment_tier` / `deployment_tier`).
pub const PRODUCTION_TIER: &str = "production";

/// The promotion order and the production environments, from `environments:`.
///
/// Exists so every consumer of deployments (the deploy gate, DORA metrics, the change trace)
/// reads the same policy, whatever the platform.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentsConfig {
    /// Environments in the order a change goes through them (default `[integration,
    /// staging, production]`). Each must have succeeded with a revision before it may go to
    /// the next.
    #[serde(default = "default_promotion")]
    pub promotion: Vec<String>,
    /// Environment names that are production besides those the platform flags (default
    /// `[production]`).
    #[serde(default = "default_production")]
    pub production: Vec<String>,
}

impl Default for EnvironmentsConfig {
    fn default() -> Self {
        EnvironmentsConfig {
            promotion: default_promotion(),
            production: default_production(),
        }
    }
}

fn default_promotion() -> Vec<String> {
    ["integration", "staging", "production"]
        .map(String::from)
        .to_vec()
}

fn default_production() -> Vec<String> {
    vec!["production".to_owned()]
}

impl EnvironmentsConfig {
    /// Checks what the fields alone cannot: names non-empty and none listed twice.
    pub fn validate(&self) -> Result<(), String> {
        for (key, names) in [
            ("promotion", &self.promotion),
            ("production", &self.production),
        ] {
            for (i, name) in names.iter().enumerate() {
                if name.trim().is_empty() {
                    return Err(format!("{key}: an environment name is empty"));
                }
                if names[..i].iter().any(|n| same_name(n, name)) {
                    return Err(format!("{key}: environment `{name}` is listed twice"));
                }
            }
        }
        Ok(())
    }

    /// Whether `name` is production: `flagged` is what the platform says of it (GitHub's
    /// `production_environment`, GitLab's tier is [`PRODUCTION_TIER`]), or it is listed in
    /// `production`.
    pub fn is_production(&self, name: &str, flagged: bool) -> bool {
        flagged || self.production.iter().any(|p| same_name(p, name))
    }

    /// Whether GitLab's `tier` (an environment's `tier`, a deployment's `environment_tier`)
    /// is production.
    pub fn is_production_tier(tier: Option<&str>) -> bool {
        tier.is_some_and(|t| t.eq_ignore_ascii_case(PRODUCTION_TIER))
    }

    /// The place of `name` in the promotion order, from 0; `None` when it is not in it.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.promotion.iter().position(|p| same_name(p, name))
    }

    /// The environments a change must have succeeded in before it may go to `name`, in
    /// order: those before it in `promotion` (none when `name` is not in it).
    pub fn required_before(&self, name: &str) -> &[String] {
        match self.position(name) {
            Some(i) => &self.promotion[..i],
            None => &[],
        }
    }

    /// The name as `promotion` spells it, when it is in the promotion order.
    pub fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        self.position(name)
            .map(|i| self.promotion[i].as_str())
            .unwrap_or(name)
    }
}

/// Reads `environments:` (nothing under it means the defaults) and checks it while the
/// parser is on it, so a mistake names its line.
///
/// Exists for the `github` and `gitlab` receivers' configs, as `deserialize_with`.
pub fn environments_section<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<EnvironmentsConfig, D::Error> {
    checked_map(d, EnvironmentsConfig::validate)
}

/// Environment names, compared without regard to ASCII case.
fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Holder {
        #[serde(default, deserialize_with = "environments_section")]
        environments: EnvironmentsConfig,
    }

    fn parse(yaml: &str) -> Result<EnvironmentsConfig, String> {
        yaml_serde::from_str::<Holder>(yaml)
            .map(|h| h.environments)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_integration_staging_production() {
        for yaml in ["{}", "environments:\n", "environments: {}\n"] {
            let c = parse(yaml).map_err(|e| format!("{yaml}: {e}"));
            assert_eq!(c, Ok(EnvironmentsConfig::default()), "{yaml}");
        }
        let c = EnvironmentsConfig::default();
        assert_eq!(c.promotion, ["integration", "staging", "production"]);
        assert_eq!(c.required_before("production"), ["integration", "staging"]);
        assert_eq!(c.required_before("Staging"), ["integration"]);
        assert!(c.required_before("integration").is_empty());
        assert!(c.required_before("review/feature-x").is_empty());
        assert_eq!(c.canonical("STAGING"), "staging");
        assert_eq!(c.canonical("qa"), "qa");
    }

    #[test]
    fn production_is_the_platforms_flag_or_a_listed_name() {
        let c = parse("environments:\n  production: [prod-eu, prod-us]\n").unwrap_or_default();
        assert!(c.is_production("Prod-EU", false));
        assert!(c.is_production("live", true), "the platform's flag");
        assert!(
            !c.is_production("production", false),
            "only the listed names"
        );
        assert!(!c.is_production("staging", false));
        assert!(EnvironmentsConfig::is_production_tier(Some("production")));
        assert!(!EnvironmentsConfig::is_production_tier(Some("staging")));
        assert!(!EnvironmentsConfig::is_production_tier(None));
    }

    #[test]
    fn a_custom_promotion_order() {
        let c = parse("environments:\n  promotion: [dev, qa, prod]\n  production: [prod]\n");
        let c = c.unwrap_or_default();
        assert_eq!(c.required_before("prod"), ["dev", "qa"]);
        assert_eq!(c.position("qa"), Some(1));
    }

    #[test]
    fn mistakes_name_their_line() {
        for (yaml, needle, line) in [
            (
                "environments:\n  promotion: [a, b, A]\n",
                "promotion: environment `A` is listed twice",
                "line 2",
            ),
            (
                "environments:\n  production: [\"\"]\n",
                "production: an environment name is empty",
                "line 2",
            ),
            (
                "environments:\n  promotion: [a]\n  prod: [a]\n",
                "unknown field `prod`",
                "line 3",
            ),
            (
                "environments:\n  promotion: staging\n",
                "invalid type",
                "line 2",
            ),
        ] {
            let e = parse(yaml).err().unwrap_or_default();
            assert!(e.contains(needle) && e.contains(line), "{yaml}: {e}");
        }
    }
}
