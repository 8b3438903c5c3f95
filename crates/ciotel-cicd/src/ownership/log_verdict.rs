//! A failed job's log verdict: what its log tail (a [`super::job_log`] span) says, by the
//! failure signatures ([`super::signatures`]).
//!
//! | `ciotel.failure.log` | when | the job's owner in its run's verdict |
//! |---|---|---|
//! | `matched` | a signature matched a line | the signature's (`ciotel.failure.rule: log:<name>`, `ciotel.failure.evidence`: the line) |
//! | `no_match` | the log was read, no signature matched | the one the spans give (today's) |
//! | `unavailable` | the log could not be fetched | the one the spans give: the verdict says it fell back |
//!
//! Absent when no log was asked for (a receiver without `api:`, a webhook-only path).

use super::job_log::JobLog;
use super::owner::Owner;
use super::signatures::{self, Signature};

/// What the log said, as the verdict span records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFinding {
    /// `matched`, `no_match` or `unavailable`.
    pub status: LogStatus,
    /// The deciding signature (when matched).
    pub signature: Option<String>,
    /// Who it blames (when matched).
    pub owner: Option<Owner>,
    /// The deciding line (when matched).
    pub evidence: Option<String>,
}

/// `ciotel.failure.log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStatus {
    /// A signature matched.
    Matched,
    /// Read; nothing matched.
    NoMatch,
    /// Not read: the verdict fell back to the spans'.
    Unavailable,
}

impl LogStatus {
    /// The attribute value.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogStatus::Matched => "matched",
            LogStatus::NoMatch => "no_match",
            LogStatus::Unavailable => "unavailable",
        }
    }

    /// Reads an attribute value.
    pub fn parse(s: &str) -> Option<LogStatus> {
        Some(match s {
            "matched" => LogStatus::Matched,
            "no_match" => LogStatus::NoMatch,
            "unavailable" => LogStatus::Unavailable,
            _ => return None,
        })
    }
}

/// Judges `log` with the user's signatures `user`, then the built-in pack.
pub fn judge(log: &JobLog, user: &[Signature]) -> LogFinding {
    let tail = match log {
        JobLog::Read(tail) => tail,
        JobLog::Unavailable(_) => {
            return LogFinding {
                status: LogStatus::Unavailable,
                signature: None,
                owner: None,
                evidence: None,
            };
        }
    };
    match signatures::classify(tail, user, signatures::builtin()) {
        Some(m) => LogFinding {
            status: LogStatus::Matched,
            signature: Some(m.signature),
            owner: Some(m.owner),
            evidence: Some(m.evidence),
        },
        None => LogFinding {
            status: LogStatus::NoMatch,
            signature: None,
            owner: None,
            evidence: None,
        },
    }
}
