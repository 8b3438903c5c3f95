//! The change model: a pull request / merge request's path to production, in platform-neutral
//! terms. Platform receivers map their payloads into [`ChangeEvent`]s; the change translator
//! turns each into spans of the change's own trace, beside (and linked to) the run traces.
//!
//! A change is identified by (provider, repository id, change number) — [`ChangeRef`] — and
//! its trace and span ids derive from that alone ([`ids`]), so every event of a change lands in
//! the same trace on every gateway instance with no shared state. A push straight to a
//! protected branch is a change of one commit ([`ChangeNumber::Push`]).
//!
//! Every span is a function of one event: redelivery, any arrival order and several gateways
//! give identical spans. Which changes a deployment delivers is the one fact no single event
//! tells; [`delivery`] keeps a bounded, best-effort cache of merge revisions for it.
//!
//! Files, one concern each:
//! - `ids.rs`: the id recipe (trace, root and one span id per event kind);
//! - `lifecycle.rs`: the change itself (opened, pushed to, ready, closed, merged, reopened);
//! - `review.rs`: reviews submitted (approved, changes requested, …);
//! - `merge_queue.rs`: the merge queue / merge train (entered, left);
//! - `run.rs`: a pipeline run for the change, linked to the run's own trace;
//! - `deployment.rs`: a deployment to an environment, and the run that made it;
//! - `approval.rs`: a deployment's wait for an approval (protection rule, manual job);
//! - `delivery.rs`: which changes a deployment delivers (bounded cache of merges seen).

pub mod approval;
pub mod delivery;
pub mod deployment;
pub mod ids;
pub mod lifecycle;
pub mod merge_queue;
pub mod review;
pub mod run;

use serde::{Deserialize, Serialize};

use crate::event::Vcs;

pub use approval::{ApprovalDecision, ApprovalWait};
pub use delivery::{ChangeBatch, DeliveryCache, MergeSeen};
pub use deployment::{Deployment, DeploymentState, RunLink};
pub use lifecycle::{ChangeAction, ChangeUpdate, RefRevision};
pub use merge_queue::{MergeQueueAction, MergeQueueEvent};
pub use review::{Review, ReviewState};
pub use run::ChangeRun;

/// One thing a platform reported about a change (or a deployment of changes), ready for
/// translation into spans of the change trace.
///
/// Exists so GitHub and GitLab are each only a mapping into this type. Like [`crate::CiEvent`],
/// the model grows by new variants; platforms build the structs with every field named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ChangeEvent {
    /// The change itself: opened, pushed to, ready for review, review requested, closed,
    /// merged, reopened (GitHub `pull_request`, GitLab Merge Request Hook).
    Update(ChangeUpdate),
    /// A review was submitted (GitHub `pull_request_review`, GitLab `approved`).
    Review(Review),
    /// The change entered or left the merge queue (GitHub `merge_group`).
    MergeQueue(MergeQueueEvent),
    /// A pipeline run for the change (GitHub `workflow_run` / `check_suite` with
    /// `pull_requests`, GitLab pipeline with `merge_request`).
    Run(ChangeRun),
    /// A deployment to an environment (GitHub `deployment_status`, GitLab job with
    /// `environment`); it appears in the trace of every change it delivers.
    Deployment(Deployment),
    /// A deployment waited for an approval (GitHub `deployment_review`,
    /// `deployment_protection_rule`; GitLab Deployment Hook `blocked`).
    ApprovalWait(ApprovalWait),
}

/// Identifies one change and carries its repository's facts (the spans' resource).
///
/// Exists because every change event must name its change (for the trace id and parents)
/// without the daemon remembering earlier events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeRef {
    /// `vcs.provider.name` (`github`, `gitlab`): part of the trace id.
    pub provider: String,
    /// The platform's numeric repository (GitLab: project) id, as a string: part of the trace
    /// id. Not the name, which a rename changes.
    pub repository_id: String,
    /// The pull / merge request number (GitLab: `iid`), or the commit of a direct push.
    pub number: ChangeNumber,
    /// The repository's facts (name, URL, owner) for the resource; only the repository fields
    /// of [`Vcs`] are read.
    pub repository: Vcs,
}

/// What tells a change apart within its repository.
///
/// Exists because a push straight to a protected branch is a change too, with no number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeNumber {
    /// A pull request number (GitHub) or merge request iid (GitLab).
    Number(u64),
    /// A push straight to a protected branch: the pushed (head) commit.
    Push(String),
}

impl Default for ChangeNumber {
    fn default() -> Self {
        ChangeNumber::Number(0)
    }
}

impl ChangeRef {
    /// How a person names the change: `acme/shop#123`, or `acme/shop@1a2b3c4` for a push.
    pub fn display_name(&self) -> String {
        let repo = self
            .repository
            .repository_full_name
            .as_deref()
            .unwrap_or(&self.repository_id);
        match &self.number {
            ChangeNumber::Number(n) => format!("{repo}#{n}"),
            ChangeNumber::Push(sha) => format!("{repo}@{}", short_sha(sha)),
        }
    }

    /// The ids of this change's trace.
    pub fn ids(&self) -> ids::ChangeIds {
        ids::ChangeIds::new(&self.provider, &self.repository_id, &self.number)
    }
}

impl ChangeEvent {
    /// The repository facts the spans' resource comes from.
    pub fn repository(&self) -> &Vcs {
        match self {
            ChangeEvent::Update(u) => &u.change.repository,
            ChangeEvent::Review(r) => &r.change.repository,
            ChangeEvent::MergeQueue(q) => &q.change.repository,
            ChangeEvent::Run(r) => &r.change.repository,
            ChangeEvent::Deployment(d) => &d.repository,
            ChangeEvent::ApprovalWait(w) => &w.repository,
        }
    }
}

/// The first 7 characters of a commit id, as platforms show it.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}
