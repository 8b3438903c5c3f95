//! GitHub's words → ciotel's: `status` → [`Phase`], `conclusion` → [`CiResult`].
//!
//! | GitHub conclusion | result | why |
//! |---|---|---|
//! | success | success | |
//! | neutral | success | finished, reported as passing by checks |
//! | failure | failure | the workflow's content failed |
//! | timed_out | timeout | |
//! | cancelled | cancellation | |
//! | skipped | skip | |
//! | action_required | skip | did not run: waits for approval (precondition not met) |
//! | startup_failure | error | the run could not start (platform-side) |
//! | stale | error | GitHub gave up on it after 14 days |
//! | anything else | none | unknown words are kept in `github.conclusion`, not guessed |
//!
//! Phase: `completed` → completed, `in_progress` → running, anything else (requested, queued,
//! waiting, pending) → pending. The object's `status` wins over the webhook's `action` when they
//! disagree (the REST API has no `action`, and `status` is the object's own state); `action` is
//! used only when `status` is missing.

use ciotel_cicd::{CiResult, Phase};

pub(super) fn phase(status: Option<&str>, action: Option<&str>) -> Phase {
    match status.or(action) {
        Some("completed") => Phase::Completed,
        Some("in_progress") => Phase::Running,
        _ => Phase::Pending,
    }
}

pub(super) fn result(conclusion: Option<&str>) -> Option<CiResult> {
    Some(match conclusion? {
        "success" | "neutral" => CiResult::Success,
        "failure" => CiResult::Failure,
        "timed_out" => CiResult::Timeout,
        "cancelled" => CiResult::Cancellation,
        "skipped" | "action_required" => CiResult::Skip,
        "startup_failure" | "stale" => CiResult::Error,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_wins_over_action() {
        assert_eq!(
            phase(Some("completed"), Some("requested")),
            Phase::Completed
        );
        assert_eq!(phase(Some("waiting"), Some("queued")), Phase::Pending);
        assert_eq!(phase(None, Some("in_progress")), Phase::Running);
        assert_eq!(phase(None, None), Phase::Pending);
    }

    #[test]
    fn conclusions() {
        let cases = [
            ("success", Some(CiResult::Success)),
            ("neutral", Some(CiResult::Success)),
            ("failure", Some(CiResult::Failure)),
            ("timed_out", Some(CiResult::Timeout)),
            ("cancelled", Some(CiResult::Cancellation)),
            ("skipped", Some(CiResult::Skip)),
            ("action_required", Some(CiResult::Skip)),
            ("startup_failure", Some(CiResult::Error)),
            ("stale", Some(CiResult::Error)),
            ("something_new", None),
        ];
        for (c, r) in cases {
            assert_eq!(result(Some(c)), r, "{c}");
        }
        assert_eq!(result(None), None);
    }
}
