//! GitLab statuses → phase and semconv result, as a table to hold against GitLab's list of
//! pipeline and job statuses.
//!
//! | GitLab status | phase | `cicd.pipeline.result` |
//! |---|---|---|
//! | `success` | completed | `success` |
//! | `failed` | completed | `failure` |
//! | `canceled` | completed | `cancellation` |
//! | `skipped` | completed | `skip` |
//! | `running`, `canceling` | running | — |
//! | `created`, `waiting_for_resource`, `preparing`, `pending`, `manual`, `scheduled`, anything else | pending | — |
//!
//! `failed` stays `failure` whatever the failure reason; the reason is kept
//! (`gitlab.job.failure_reason`) for ownership rules to tell the runner's fault from the
//! script's.

use ciotel_cicd::{CiResult, Phase};

/// The phase and result of a pipeline's or job's status.
pub(crate) fn status(status: Option<&str>) -> (Phase, Option<CiResult>) {
    match status.map(str::trim) {
        Some("success") => (Phase::Completed, Some(CiResult::Success)),
        Some("failed") => (Phase::Completed, Some(CiResult::Failure)),
        Some("canceled") => (Phase::Completed, Some(CiResult::Cancellation)),
        Some("skipped") => (Phase::Completed, Some(CiResult::Skip)),
        Some("running" | "canceling") => (Phase::Running, None),
        _ => (Phase::Pending, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        use CiResult::*;
        use Phase::*;
        for (word, want) in [
            ("success", (Completed, Some(Success))),
            ("failed", (Completed, Some(Failure))),
            ("canceled", (Completed, Some(Cancellation))),
            ("skipped", (Completed, Some(Skip))),
            ("running", (Running, None)),
            ("canceling", (Running, None)),
            ("created", (Pending, None)),
            ("waiting_for_resource", (Pending, None)),
            ("preparing", (Pending, None)),
            ("pending", (Pending, None)),
            ("manual", (Pending, None)),
            ("scheduled", (Pending, None)),
            ("cancelled", (Pending, None)),
        ] {
            assert_eq!(status(Some(word)), want, "{word}");
        }
        assert_eq!(status(None), (Pending, None));
    }
}
