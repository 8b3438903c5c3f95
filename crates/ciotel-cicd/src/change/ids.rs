//! The change trace's id recipe: every id from (provider, repository id, change number) and,
//! for a child span, the event's own identifiers — never from arrival order or daemon state.
//!
//! `K` is the change key: `{provider}-{repository id}-{number}` for a pull / merge request
//! (`github-186853002-2`), `{provider}-{repository id}-push-{sha}` for a direct push. Each id is
//! a slice of SHA-256 of a text, as the run recipes are (`crate::ids`):
//!
//! | id | SHA-256 of | bytes |
//! |---|---|---|
//! | trace | `change-{K}-t` | 0..16 |
//! | root span (`CHANGE …`) | `change-{K}-s` | 8..16 |
//! | opened | `change-{K}-opened` | 8..16 |
//! | push (new head) | `change-{K}-push-{head sha}` | 8..16 |
//! | ready for review | `change-{K}-ready-{unix nanos}` | 8..16 |
//! | review requested | `change-{K}-review-requested-{reviewer}-{unix nanos}` | 8..16 |
//! | reopened | `change-{K}-reopened-{unix nanos}` | 8..16 |
//! | review | `change-{K}-review-{review id}` | 8..16 |
//! | merge queue | `change-{K}-queue-{queue head sha}-{entered\|left}` | 8..16 |
//! | merge | `change-{K}-merge` | 8..16 |
//! | run for the change | `change-{K}-run-{run id}-{attempt}` | 8..16 |
//! | deployment | `change-{K}-deploy-{deployment id}` | 8..16 |
//! | approval wait | `change-{K}-wait-{wait id}` | 8..16 |
//!
//! The times in ids (`{unix nanos}`) are the platform's time of the event, so a redelivery
//! gives the same id and a second "ready for review" another. In a shell (GitHub PR 2 of
//! repository 186853002):
//!
//! ```sh
//! trace=$(printf '%s' "change-github-186853002-2-t" | sha256sum | cut -c1-32)
//! root=$(printf '%s' "change-github-186853002-2-s" | sha256sum | cut -c17-32)
//! echo "00-${trace}-${root}-01"
//! ```

use sha2::{Digest, Sha256};

use super::ChangeNumber;
use crate::ids::{SpanId, TraceId};
use crate::time::Timestamp;

/// The change key and the ids derived from it.
///
/// Exists so the translator, `ciotel traceparent --change` and `can-i-deploy` compute the same
/// ids from the same three facts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChangeIds {
    key: String,
}

impl ChangeIds {
    /// The ids of change `number` of repository `repository_id` on `provider` (`github`,
    /// `gitlab`).
    pub fn new(provider: &str, repository_id: &str, number: &ChangeNumber) -> Self {
        let key = match number {
            ChangeNumber::Number(n) => format!("{provider}-{repository_id}-{n}"),
            ChangeNumber::Push(sha) => format!("{provider}-{repository_id}-push-{sha}"),
        };
        ChangeIds { key }
    }

    /// The change key `K` (`github-186853002-2`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The change's trace id: SHA-256(`change-{K}-t`)[0..16].
    pub fn trace_id(&self) -> TraceId {
        let h = sha256(&format!("change-{}-t", self.key));
        let mut id = [0u8; 16];
        id.copy_from_slice(&h[..16]);
        TraceId(id)
    }

    /// The root (`CHANGE …`) span id: SHA-256(`change-{K}-s`)[8..16].
    pub fn root_span_id(&self) -> SpanId {
        self.span(&["s"])
    }

    /// The `opened` span.
    pub fn opened_span_id(&self) -> SpanId {
        self.span(&["opened"])
    }

    /// The span of a push that made `head` the change's head.
    pub fn push_span_id(&self, head: &str) -> SpanId {
        self.span(&["push", head])
    }

    /// A `ready for review` span at `at`.
    pub fn ready_span_id(&self, at: Timestamp) -> SpanId {
        self.span(&["ready", &at.as_unix_nanos().to_string()])
    }

    /// A `review requested` span: `reviewer` asked at `at`.
    pub fn review_requested_span_id(&self, reviewer: &str, at: Timestamp) -> SpanId {
        self.span(&[
            "review-requested",
            reviewer,
            &at.as_unix_nanos().to_string(),
        ])
    }

    /// A `reopened` span at `at`.
    pub fn reopened_span_id(&self, at: Timestamp) -> SpanId {
        self.span(&["reopened", &at.as_unix_nanos().to_string()])
    }

    /// A review's span, by the platform's review id.
    pub fn review_span_id(&self, review_id: &str) -> SpanId {
        self.span(&["review", review_id])
    }

    /// A merge-queue span: the queue entry whose (merge-group) head is `queue_head`, `entered`
    /// or `left`.
    pub fn merge_queue_span_id(&self, queue_head: &str, entered: bool) -> SpanId {
        let side = if entered { "entered" } else { "left" };
        self.span(&["queue", queue_head, side])
    }

    /// The `MERGE` span.
    pub fn merge_span_id(&self) -> SpanId {
        self.span(&["merge"])
    }

    /// The span of run `run_id`, attempt `attempt` (1 where the platform has no attempts),
    /// for this change.
    pub fn run_span_id(&self, run_id: &str, attempt: u32) -> SpanId {
        self.span(&["run", run_id, &attempt.to_string()])
    }

    /// A deployment's span, by the platform's deployment id (GitLab: the deploying job's id,
    /// `deployable_id`).
    pub fn deployment_span_id(&self, deployment_id: &str) -> SpanId {
        self.span(&["deploy", deployment_id])
    }

    /// An approval wait's span, by [`ApprovalWait::wait_id`](super::ApprovalWait::wait_id).
    pub fn approval_span_id(&self, wait_id: &str) -> SpanId {
        self.span(&["wait", wait_id])
    }

    fn span(&self, parts: &[&str]) -> SpanId {
        let mut text = format!("change-{}", self.key);
        for p in parts {
            text.push('-');
            text.push_str(p);
        }
        let h = sha256(&text);
        let mut id = [0u8; 8];
        id.copy_from_slice(&h[8..16]);
        SpanId(id)
    }
}

fn sha256(input: &str) -> [u8; 32] {
    Sha256::digest(input.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(text: &str, range: std::ops::Range<usize>) -> String {
        hex::encode(&sha256(text)[range])
    }

    #[test]
    fn the_recipe_as_documented() {
        let ids = ChangeIds::new("github", "186853002", &ChangeNumber::Number(2));
        assert_eq!(ids.key(), "github-186853002-2");
        assert_eq!(
            ids.trace_id().to_string(),
            hex_of("change-github-186853002-2-t", 0..16)
        );
        assert_eq!(
            ids.root_span_id().to_string(),
            hex_of("change-github-186853002-2-s", 8..16)
        );
        assert_eq!(
            ids.run_span_id("289782451", 1).to_string(),
            hex_of("change-github-186853002-2-run-289782451-1", 8..16)
        );
        assert_eq!(
            ids.merge_queue_span_id("abc", true).to_string(),
            hex_of("change-github-186853002-2-queue-abc-entered", 8..16)
        );
        let at = Timestamp::from_unix_nanos(5);
        assert_eq!(
            ids.review_requested_span_id("octocat", at).to_string(),
            hex_of(
                "change-github-186853002-2-review-requested-octocat-5",
                8..16
            )
        );
    }

    #[test]
    fn providers_repositories_numbers_and_pushes_are_apart() {
        let a = ChangeIds::new("github", "1", &ChangeNumber::Number(2));
        let b = ChangeIds::new("gitlab", "1", &ChangeNumber::Number(2));
        let c = ChangeIds::new("github", "1", &ChangeNumber::Number(3));
        let d = ChangeIds::new("github", "2", &ChangeNumber::Number(2));
        let e = ChangeIds::new("github", "1", &ChangeNumber::Push("2".into()));
        let traces = [&a, &b, &c, &d, &e].map(|i| i.trace_id());
        for (i, x) in traces.iter().enumerate() {
            for y in &traces[i + 1..] {
                assert_ne!(x, y);
            }
        }
        assert_eq!(e.key(), "github-1-push-2");
        // The change trace never equals a run trace of the same numbers.
        assert_ne!(a.trace_id(), crate::ids::trace_id("1", 2));
    }
}
