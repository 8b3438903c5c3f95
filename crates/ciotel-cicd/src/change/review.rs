//! A review submitted on a change.

use serde::{Deserialize, Serialize};

use super::ChangeRef;
use crate::time::Timestamp;

/// A review (GitHub `pull_request_review` submitted or dismissed; GitLab Merge Request Hook
/// `approved` / `unapproved`).
///
/// Exists to become one `REVIEW` span under the change root, at the time it was submitted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Review {
    /// Which change.
    pub change: ChangeRef,
    /// The platform's review id (GitLab, which has none for approvals:
    /// `approved-{user}-{unix nanos}`); the span id comes from it.
    pub review_id: String,
    /// Who reviewed (login / username).
    pub reviewer: Option<String>,
    /// What the review says.
    pub state: ReviewState,
    /// The platform's own word for the state (`approved`, `changes_requested`, `commented`).
    pub state_detail: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<Timestamp>,
    /// The commit reviewed.
    pub revision: Option<String>,
    /// Where a person opens the review.
    pub url: Option<String>,
}

/// A review's verdict.
///
/// Exists so can-i-deploy and the waterfall read one vocabulary for both platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Approved.
    Approved,
    /// Changes requested.
    ChangesRequested,
    /// A comment only.
    #[default]
    Commented,
    /// An earlier review was dismissed (GitHub) or an approval withdrawn (GitLab).
    Dismissed,
}

impl ReviewState {
    /// The `ciotel.review.state` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReviewState::Approved => "approved",
            ReviewState::ChangesRequested => "changes_requested",
            ReviewState::Commented => "commented",
            ReviewState::Dismissed => "dismissed",
        }
    }
}
