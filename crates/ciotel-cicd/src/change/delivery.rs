//! Which changes a deployment delivers, without the platform's API: a bounded cache of the
//! merge revisions seen. Best-effort by design (see DESIGN.md, "a bounded cache is an
//! optimisation with a documented fallback"):
//!
//! - a merge seen (`MergeSeen`: change, merge revision, base branch, time) is remembered, up to
//!   `capacity` merges per cache, oldest forgotten first;
//! - a deployment of revision X to environment E delivers the merge whose revision is X and
//!   every earlier merge into the same base branch not yet deployed successfully to E; a
//!   successful deployment marks them deployed to E;
//! - a deployment of a revision not seen as a merge waits (up to `capacity` of them) for that
//!   merge: when it arrives, the deployment goes into its trace then. So the exact match does
//!   not depend on arrival order; the "earlier merges" part does (and on the cache having seen
//!   them: after a restart, or for merges evicted, they are missed);
//! - a deployment whose event names its change (deployed from a pull request's run) keeps that
//!   and is not looked up.
//!
//! With `api:` configured the platform is the source of truth instead (compare the previous
//! successful deployment's revision with this one, then the pull requests of those commits).
//!
//! Each instance has its own cache, so behind a load balancer a deployment lands in the
//! traces of the merges *that* instance saw; the spans themselves are identical everywhere.

use std::collections::{BTreeSet, VecDeque};

use super::{ChangeEvent, ChangeRef};
use crate::time::Timestamp;

/// A merge the receiver saw: which change, and the revision it made.
///
/// Exists as the cache's entry and what a mapping reports besides the change's spans.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MergeSeen {
    /// The merged change.
    pub change: ChangeRef,
    /// The commit the merge made on the base branch.
    pub revision: String,
    /// The base branch.
    pub base_ref: Option<String>,
    /// When it was merged.
    pub merged_at: Option<Timestamp>,
}

/// What a platform mapping makes of one delivery: the change events, and the merges it
/// reports (for the [`DeliveryCache`]).
///
/// Exists so a receiver resolves deliveries and translates in one place for every platform.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChangeBatch {
    /// The events, in the delivery's order.
    pub events: Vec<ChangeEvent>,
    /// Merges the delivery reports.
    pub merges: Vec<MergeSeen>,
}

impl ChangeBatch {
    /// Nothing for the change traces.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.merges.is_empty()
    }
}

struct Entry {
    merge: MergeSeen,
    /// Environments this merge was deployed to successfully.
    deployed_to: BTreeSet<String>,
}

/// The bounded cache of merges and of deployments waiting for their merge.
///
/// Exists so a receiver can attribute a deployment to the changes it delivers when the event
/// does not say; one per receiver, behind a mutex.
pub struct DeliveryCache {
    capacity: usize,
    merges: VecDeque<Entry>,
    waiting: VecDeque<ChangeEvent>,
}

/// The default number of merges (and of waiting deployments) a cache remembers.
pub const DEFAULT_CAPACITY: usize = 4096;

impl Default for DeliveryCache {
    fn default() -> Self {
        DeliveryCache::new(DEFAULT_CAPACITY)
    }
}

impl DeliveryCache {
    /// A cache remembering up to `capacity` merges and `capacity` waiting deployments.
    pub fn new(capacity: usize) -> Self {
        DeliveryCache {
            capacity: capacity.max(1),
            merges: VecDeque::new(),
            waiting: VecDeque::new(),
        }
    }

    /// Attributes deployments and approval waits in `events` to the changes they deliver,
    /// records the merges in `merges`, and returns the events to translate: those given (a
    /// deployment with no change yet is held back) and any held deployment whose merge just
    /// arrived.
    pub fn resolve(&mut self, events: Vec<ChangeEvent>, merges: &[MergeSeen]) -> Vec<ChangeEvent> {
        let mut out = Vec::with_capacity(events.len());
        for merge in merges {
            out.extend(self.merged(merge.clone()));
        }
        for event in events {
            match self.attribute(event) {
                Some(e) => out.push(e),
                None => continue,
            }
        }
        out
    }

    /// How many merges are remembered.
    pub fn merges_len(&self) -> usize {
        self.merges.len()
    }

    fn merged(&mut self, merge: MergeSeen) -> Vec<ChangeEvent> {
        if !self.merges.iter().any(|e| {
            same_repo(&e.merge.change, &merge.change) && e.merge.revision == merge.revision
        }) {
            if self.merges.len() == self.capacity {
                self.merges.pop_front();
            }
            self.merges.push_back(Entry {
                merge: merge.clone(),
                deployed_to: BTreeSet::new(),
            });
        }
        let mut released = Vec::new();
        let mut keep = VecDeque::with_capacity(self.waiting.len());
        for mut event in self.waiting.drain(..) {
            let matches = target(&event)
                .is_some_and(|(c, rev)| same_repo_ids(c, &merge.change) && rev == merge.revision);
            if matches {
                set_changes(&mut event, vec![merge.change.clone()]);
                released.push(event);
            } else {
                keep.push_back(event);
            }
        }
        self.waiting = keep;
        released
    }

    /// `Some(event)` with its changes filled when known; `None` when it waits for its merge.
    fn attribute(&mut self, mut event: ChangeEvent) -> Option<ChangeEvent> {
        let Some(((provider, repo), revision)) = target(&event) else {
            return Some(event);
        };
        if !changes_of(&event).is_empty() {
            return Some(event);
        }
        let (provider, repo, revision) =
            (provider.to_owned(), repo.to_owned(), revision.to_owned());
        let key = (provider.as_str(), repo.as_str());
        let Some(at) = self
            .merges
            .iter()
            .position(|e| same_repo_ids(key, &e.merge.change) && e.merge.revision == revision)
        else {
            if self.waiting.len() == self.capacity {
                self.waiting.pop_front();
            }
            self.waiting.push_back(event);
            return None;
        };
        let (environment, success) = match &event {
            ChangeEvent::Deployment(d) => (
                d.environment.clone(),
                d.state == super::DeploymentState::Success,
            ),
            ChangeEvent::ApprovalWait(w) => (w.environment.clone(), false),
            _ => return Some(event),
        };
        let base = self.merges[at].merge.base_ref.clone();
        let mut changes = Vec::new();
        for (i, entry) in self.merges.iter_mut().enumerate() {
            let earlier = i < at
                && same_repo_ids(key, &entry.merge.change)
                && entry.merge.base_ref == base
                && !entry.deployed_to.contains(&environment);
            if i == at || earlier {
                changes.push(entry.merge.change.clone());
                if success {
                    entry.deployed_to.insert(environment.clone());
                }
            }
        }
        set_changes(&mut event, changes);
        Some(event)
    }
}

type RepoKey<'a> = (&'a str, &'a str);

/// The repository and revision of a deployment-like event.
fn target(event: &ChangeEvent) -> Option<(RepoKey<'_>, &str)> {
    match event {
        ChangeEvent::Deployment(d) => Some((
            (d.provider.as_str(), d.repository_id.as_str()),
            d.revision.as_deref()?,
        )),
        ChangeEvent::ApprovalWait(w) => Some((
            (w.provider.as_str(), w.repository_id.as_str()),
            w.revision.as_deref()?,
        )),
        _ => None,
    }
}

fn changes_of(event: &ChangeEvent) -> &[ChangeRef] {
    match event {
        ChangeEvent::Deployment(d) => &d.changes,
        ChangeEvent::ApprovalWait(w) => &w.changes,
        _ => &[],
    }
}

fn set_changes(event: &mut ChangeEvent, changes: Vec<ChangeRef>) {
    match event {
        ChangeEvent::Deployment(d) => d.changes = changes,
        ChangeEvent::ApprovalWait(w) => w.changes = changes,
        _ => {}
    }
}

fn same_repo(a: &ChangeRef, b: &ChangeRef) -> bool {
    a.provider == b.provider && a.repository_id == b.repository_id
}

fn same_repo_ids(key: RepoKey<'_>, c: &ChangeRef) -> bool {
    key.0 == c.provider && key.1 == c.repository_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{ChangeNumber, Deployment, DeploymentState};

    fn change(n: u64) -> ChangeRef {
        ChangeRef {
            provider: "github".into(),
            repository_id: "1".into(),
            number: ChangeNumber::Number(n),
            ..ChangeRef::default()
        }
    }

    fn merge(n: u64, rev: &str) -> MergeSeen {
        MergeSeen {
            change: change(n),
            revision: rev.into(),
            base_ref: Some("main".into()),
            merged_at: None,
        }
    }

    fn deploy(env: &str, rev: &str, state: DeploymentState) -> ChangeEvent {
        ChangeEvent::Deployment(Deployment {
            provider: "github".into(),
            repository_id: "1".into(),
            id: format!("{env}-{rev}"),
            environment: env.into(),
            revision: Some(rev.into()),
            state,
            ..Deployment::default()
        })
    }

    fn numbers(events: &[ChangeEvent]) -> Vec<Vec<ChangeNumber>> {
        events
            .iter()
            .map(|e| changes_of(e).iter().map(|c| c.number.clone()).collect())
            .collect()
    }

    #[test]
    fn a_deployment_delivers_its_merge_and_the_earlier_undeployed_ones() {
        let mut cache = DeliveryCache::new(8);
        assert!(
            cache
                .resolve(vec![], &[merge(1, "a"), merge(2, "b")])
                .is_empty()
        );
        let out = cache.resolve(vec![deploy("staging", "b", DeploymentState::Success)], &[]);
        let n = |x| ChangeNumber::Number(x);
        assert_eq!(numbers(&out), vec![vec![n(1), n(2)]]);
        cache.resolve(vec![], &[merge(3, "c")]);
        // A failed production deployment delivers (and does not mark) all three.
        let out = cache.resolve(
            vec![deploy("production", "c", DeploymentState::Failure)],
            &[],
        );
        assert_eq!(numbers(&out), vec![vec![n(1), n(2), n(3)]]);
        let out = cache.resolve(vec![deploy("staging", "c", DeploymentState::Success)], &[]);
        assert_eq!(numbers(&out), vec![vec![n(3)]]);
    }

    #[test]
    fn a_deployment_before_its_merge_waits_for_it() {
        let mut cache = DeliveryCache::new(8);
        let d = deploy("staging", "x", DeploymentState::Success);
        assert!(cache.resolve(vec![d], &[]).is_empty());
        let out = cache.resolve(vec![], &[merge(7, "x")]);
        assert_eq!(numbers(&out), vec![vec![ChangeNumber::Number(7)]]);
        // Redelivered merge: the deployment is not released twice.
        assert!(cache.resolve(vec![], &[merge(7, "x")]).is_empty());
    }

    #[test]
    fn the_cache_is_bounded() {
        let mut cache = DeliveryCache::new(2);
        cache.resolve(vec![], &[merge(1, "a"), merge(2, "b"), merge(3, "c")]);
        assert_eq!(cache.merges_len(), 2);
        assert!(
            cache
                .resolve(vec![deploy("e", "a", DeploymentState::Success)], &[])
                .is_empty()
        );
    }
}
