//! Failure signatures: the lines of a failed job's log that say who made it fail (a runner
//! that went away, a full disk, a registry's 429 → platform; a failing test summary, a
//! compiler or linter error → application), and the classifier that finds them in a log tail.
//!
//! Files:
//! - `builtin.yaml`: the built-in pack, embedded in the binary, in the order it is tried;
//! - `line.rs`: a log line as the signatures see it (colours, timestamps, section markers off);
//! - `tests.rs`: one test per signature, on real message formats.
//!
//! **How a log decides.** The user's `failure_signatures` (of the `cicd_ownership` config) are
//! tried first, then the built-in pack, each in order; the first signature that matches any
//! line of the tail decides, and its *last* matching line is the evidence. A signature's
//! `unless` regex excludes lines (a refused connection to `localhost` is a test's, not the
//! network's). No match: the log says nothing, and the verdict stays the one the spans give.

mod line;
#[cfg(test)]
mod tests;

use serde::Deserialize;
use std::sync::LazyLock;

use super::owner::Owner;

pub use line::clean;

/// Longest evidence line kept, in characters (longer ones end in `…`).
pub const EVIDENCE_CHARS: usize = 240;

/// The built-in pack as written.
const BUILTIN_YAML: &str = include_str!("builtin.yaml");

/// One failure signature: lines matching `regex` (and not `unless`) blame `owner`.
///
/// Exists so a log line can decide a verdict by a rule that is named, like every other
/// decision of ciotel (`ciotel.failure.rule: log:<name>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "SignatureYaml")]
pub struct Signature {
    /// Written to `ciotel.failure.rule` as `log:<name>`.
    pub name: String,
    /// Who a matching line blames.
    pub owner: Owner,
    regex: regex::Regex,
    unless: Option<regex::Regex>,
}

/// A signature as written in YAML.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureYaml {
    name: String,
    owner: Owner,
    regex: String,
    #[serde(default)]
    unless: Option<String>,
}

impl TryFrom<SignatureYaml> for Signature {
    type Error = String;

    fn try_from(y: SignatureYaml) -> Result<Self, String> {
        if y.name.trim().is_empty() {
            return Err("a failure signature needs a `name`".into());
        }
        let compile = |what: &str, text: &str| {
            regex::Regex::new(text)
                .map_err(|e| format!("failure signature `{}`: invalid {what}: {e}", y.name))
        };
        Ok(Signature {
            regex: compile("regex", &y.regex)?,
            unless: y
                .unless
                .as_deref()
                .map(|u| compile("unless", u))
                .transpose()?,
            name: y.name,
            owner: y.owner,
        })
    }
}

impl Signature {
    /// Whether the cleaned line `line` is one of this signature's.
    pub fn matches(&self, line: &str) -> bool {
        self.regex.is_match(line) && !self.unless.as_ref().is_some_and(|u| u.is_match(line))
    }
}

/// The built-in pack, compiled once.
///
/// # Panics
/// Never in a build that passed its tests: `builtin.yaml` is checked by them.
pub fn builtin() -> &'static [Signature] {
    static PACK: LazyLock<Vec<Signature>> = LazyLock::new(|| {
        yaml_serde::from_str(BUILTIN_YAML).unwrap_or_else(|e| {
            // The file is part of the source and tested; reaching this is a build bug.
            panic!("the built-in failure signatures do not parse: {e}")
        })
    });
    &PACK
}

/// What a log tail said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The deciding signature's name.
    pub signature: String,
    /// Who it blames.
    pub owner: Owner,
    /// The deciding line, cleaned, secrets masked, truncated to [`EVIDENCE_CHARS`].
    pub evidence: String,
}

/// The first of `user` then `builtin` signatures matching a line of `tail`, with its last
/// matching line; `None` when no line matches any.
pub fn classify(tail: &str, user: &[Signature], builtin: &[Signature]) -> Option<Match> {
    let lines: Vec<String> = tail.lines().map(clean).collect();
    user.iter().chain(builtin).find_map(|sig| {
        let line = lines.iter().rev().find(|l| sig.matches(l))?;
        Some(Match {
            signature: sig.name.clone(),
            owner: sig.owner,
            evidence: evidence(line),
        })
    })
}

/// `line` as evidence: secrets masked, at most [`EVIDENCE_CHARS`] characters.
pub fn evidence(line: &str) -> String {
    let masked = ciotel_core::redact::secrets(line.trim());
    if masked.chars().count() <= EVIDENCE_CHARS {
        return masked.into_owned();
    }
    let mut out: String = masked.chars().take(EVIDENCE_CHARS - 1).collect();
    out.push('…');
    out
}
