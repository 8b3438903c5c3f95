//! Who owns a span ([`Owner`]) and who caused a failure ([`FailureOwner`]).

use serde::Deserialize;
use std::fmt;

/// The owner of a span: the CI platform (Ops) or the application under build (Dev).
///
/// Exists because "is it my change, or the platform?" is the one question ciotel answers on
/// every span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// The CI platform: runners, queues, checkout, caches, the CI system itself.
    Platform,
    /// The application: its build, its tests, its scripts.
    #[default]
    Application,
}

impl Owner {
    /// The attribute value: `platform` or `application`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Owner::Platform => "platform",
            Owner::Application => "application",
        }
    }

    /// Reads an attribute value; anything else is `None`.
    pub fn parse(s: &str) -> Option<Owner> {
        match s {
            "platform" => Some(Owner::Platform),
            "application" => Some(Owner::Application),
            _ => None,
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who caused a failure: one owner, both (`mixed`, runs only), or nobody can tell.
///
/// Exists apart from [`Owner`] because a verdict may honestly be `unknown`, and a run's may be
/// `mixed`, while every span has exactly one owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureOwner {
    /// The platform failed.
    Platform,
    /// The change failed.
    Application,
    /// Some failed jobs are the platform's, some the change's.
    Mixed,
    /// Nothing seen says who.
    Unknown,
}

impl FailureOwner {
    /// The attribute value: `platform`, `application`, `mixed` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureOwner::Platform => "platform",
            FailureOwner::Application => "application",
            FailureOwner::Mixed => "mixed",
            FailureOwner::Unknown => "unknown",
        }
    }

    /// Reads an attribute value; anything unrecognised is `Unknown`.
    pub fn parse(s: &str) -> FailureOwner {
        match s {
            "platform" => FailureOwner::Platform,
            "application" => FailureOwner::Application,
            "mixed" => FailureOwner::Mixed,
            _ => FailureOwner::Unknown,
        }
    }
}

impl From<Owner> for FailureOwner {
    fn from(o: Owner) -> Self {
        match o {
            Owner::Platform => FailureOwner::Platform,
            Owner::Application => FailureOwner::Application,
        }
    }
}

impl From<Option<Owner>> for FailureOwner {
    fn from(o: Option<Owner>) -> Self {
        o.map_or(FailureOwner::Unknown, FailureOwner::from)
    }
}

impl fmt::Display for FailureOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
