//! The DORA figures as OTLP metrics, made from change events ([`ChangeEvent`]): deployment
//! frequency, lead time for changes, change failure rate (with rework) and time to restore.
//!
//! | metric | type, unit | recorded | point attributes |
//! |---|---|---|---|
//! | `ciotel.dora.deployments` | counter, `{deployment}` | each deployment that reached a final state, once | `deployment.environment.name`, `ciotel.deployment.result`, `ciotel.deployment.production` |
//! | `ciotel.dora.lead_time` | histogram, `s` | each change, the first time a successful production deployment delivers it: from its first commit, from when it was opened, from its merge | `deployment.environment.name`, `ciotel.dora.lead_time.from` (`first_commit`, `opened`, `merged`) |
//! | `ciotel.dora.change_failures` | counter, `{deployment}` | each production deployment that failed (`failure`, `error`), once | `deployment.environment.name`, `ciotel.deployment.result` |
//! | `ciotel.dora.rework` | counter, `{deployment}` | each successful production deployment that is rework, once: a rollback (a revision deployed there before, other than the last) or one delivering a revert or hotfix change | `deployment.environment.name`, `ciotel.dora.rework.kind` (`rollback`, `revert`, `hotfix`) |
//! | `ciotel.dora.time_to_restore` | histogram, `s` | a failed production deployment → the next successful one, same repository and environment | `deployment.environment.name` |
//!
//! Change failure rate is `change_failures / deployments{ciotel.deployment.production=true}`,
//! computed where the metrics are read (a ratio of two cumulative counters keeps its meaning
//! over any window). Production is what the platform says (GitHub `production_environment`,
//! GitLab tier `production`) or a name in the receiver's `environments.production`.
//!
//! What the figures need from earlier events is remembered per receiver, bounded: the facts
//! of the last `deduplication` changes (opened, merged, first commit, title, head branch) and,
//! per repository and environment, the revisions deployed and the open failure. So a lead
//! time needs the change's own events to have reached this instance first (a change it never
//! saw opened or merged has no lead time from that point), and the first-commit lead time
//! needs the mapping to say when the first commit was made ([`FIRST_COMMIT_AT`]; the
//! platforms' change events do not carry it).

use ciotel_core::pipeline::signals::MetricSource;
use opentelemetry_proto::tonic::metrics::v1::ResourceMetrics;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::config::MetricsConfig;
use super::dedup::{Counted, Seen};
use super::events::{DURATION_BOUNDS, repository};
use super::instruments::{Counter, Descriptor, Histogram, Instrument, Value, collect};
use crate::change::{
    ChangeAction, ChangeEvent, ChangeNumber, ChangeRef, ChangeUpdate, Deployment, DeploymentState,
};
use crate::environments::EnvironmentsConfig;
use crate::event::AttrValue;
use crate::time::Timestamp;

/// `deployment.environment.name` (semantic conventions): the environment deployed to.
pub const ENVIRONMENT: &str = "deployment.environment.name";
/// `ciotel.deployment.result`: `success`, `failure`, `error` or `cancellation`.
pub const RESULT: &str = "ciotel.deployment.result";
/// `ciotel.deployment.production` (bool): whether the environment is production.
pub const PRODUCTION: &str = "ciotel.deployment.production";
/// `ciotel.dora.lead_time.from`: where a lead time starts (`first_commit`, `opened`, `merged`).
pub const LEAD_TIME_FROM: &str = "ciotel.dora.lead_time.from";
/// `ciotel.dora.rework.kind`: `rollback`, `revert` or `hotfix`.
pub const REWORK_KIND: &str = "ciotel.dora.rework.kind";
/// The change attribute (RFC 3339 text) a mapping may set with its first commit's time, for
/// the first-commit lead time.
pub const FIRST_COMMIT_AT: &str = "ciotel.change.first_commit_at";

/// Revisions remembered per repository and environment, to tell a rollback.
const REVISIONS_KEPT: usize = 100;

const DEPLOYMENTS: Descriptor = Descriptor {
    name: "ciotel.dora.deployments",
    description: "Deployments that reached a final state, by environment and result (DORA deployment frequency).",
    unit: "{deployment}",
};
const LEAD_TIME: Descriptor = Descriptor {
    name: "ciotel.dora.lead_time",
    description: "Time from a change's first commit, opening or merge to its first successful production deployment (DORA lead time for changes).",
    unit: "s",
};
const CHANGE_FAILURES: Descriptor = Descriptor {
    name: "ciotel.dora.change_failures",
    description: "Production deployments that failed (DORA change failure rate, over ciotel.dora.deployments in production).",
    unit: "{deployment}",
};
const REWORK: Descriptor = Descriptor {
    name: "ciotel.dora.rework",
    description: "Successful production deployments that are rework: a rollback, or a revert or hotfix change.",
    unit: "{deployment}",
};
const TIME_TO_RESTORE: Descriptor = Descriptor {
    name: "ciotel.dora.time_to_restore",
    description: "Time from a failed production deployment to the next successful one of the same repository and environment (DORA time to restore).",
    unit: "s",
};

/// The DORA metrics of one receiver.
///
/// Exists as a [`MetricSource`]: the receiver records its change events into it.
pub struct DoraMetrics {
    environments: EnvironmentsConfig,
    capacity: usize,
    start: u64,
    state: Mutex<State>,
}

/// What a change's events said, as far as the figures need it.
#[derive(Debug, Clone, Default)]
struct ChangeFacts {
    opened_at: Option<Timestamp>,
    merged_at: Option<Timestamp>,
    first_commit_at: Option<Timestamp>,
    title: Option<String>,
    head_ref: Option<String>,
}

/// A change, by (provider, repository id, number).
type ChangeKey = (String, String, ChangeNumber);
/// A repository's environment, by (provider, repository id, environment name in lowercase).
type EnvKey = (String, String, String);

/// One environment's history.
#[derive(Debug, Default)]
struct EnvState {
    /// Revisions deployed successfully, oldest first.
    revisions: VecDeque<String>,
    /// When the open failure happened, if the last final production deployment failed.
    failed_at: Option<Timestamp>,
}

struct State {
    changes: HashMap<ChangeKey, ChangeFacts>,
    change_order: VecDeque<ChangeKey>,
    /// Deployments already counted, and (change, environment) lead times already recorded.
    counted: Seen,
    envs: HashMap<EnvKey, EnvState>,
    env_order: VecDeque<EnvKey>,
    deployments: Counter,
    lead_time: Histogram,
    change_failures: Counter,
    rework: Counter,
    time_to_restore: Histogram,
}

impl DoraMetrics {
    /// Empty figures, cumulative from `start_unix_nano`; `environments` says which are
    /// production.
    pub fn new(
        config: &MetricsConfig,
        environments: EnvironmentsConfig,
        start_unix_nano: u64,
    ) -> Self {
        let max = config.max_series;
        DoraMetrics {
            environments,
            capacity: config.deduplication.max(1),
            start: start_unix_nano,
            state: Mutex::new(State {
                changes: HashMap::new(),
                change_order: VecDeque::new(),
                counted: Seen::new(config.deduplication),
                envs: HashMap::new(),
                env_order: VecDeque::new(),
                deployments: Counter::new(DEPLOYMENTS, max),
                lead_time: Histogram::new(LEAD_TIME, DURATION_BOUNDS, max),
                change_failures: Counter::new(CHANGE_FAILURES, max),
                rework: Counter::new(REWORK, max),
                time_to_restore: Histogram::new(TIME_TO_RESTORE, DURATION_BOUNDS, max),
            }),
        }
    }

    /// Takes note of change events, in order: changes' facts, and deployments' figures. Pass
    /// deployments with their `changes` filled (after the receiver's `DeliveryCache`).
    pub fn record(&self, events: &[ChangeEvent]) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        for event in events {
            match event {
                ChangeEvent::Update(update) => self.update(&mut state, update),
                ChangeEvent::Deployment(d) => self.deployment(&mut state, d),
                _ => {}
            }
        }
    }

    fn update(&self, state: &mut State, update: &ChangeUpdate) {
        let key = change_key(&update.change);
        if !state.changes.contains_key(&key) {
            while state.change_order.len() >= self.capacity {
                if let Some(old) = state.change_order.pop_front() {
                    state.changes.remove(&old);
                }
            }
            state.change_order.push_back(key.clone());
        }
        let facts = state.changes.entry(key).or_default();
        facts.opened_at = facts.opened_at.or(update.opened_at);
        facts.merged_at = facts
            .merged_at
            .or(update.merged_at)
            .or(match update.action {
                ChangeAction::Merged => update.at,
                _ => None,
            });
        facts.first_commit_at = facts.first_commit_at.or_else(|| first_commit_at(update));
        if update.title.is_some() {
            facts.title.clone_from(&update.title);
        }
        if update.head.name.is_some() {
            facts.head_ref.clone_from(&update.head.name);
        }
    }

    /// A deployment's figures. The deployment itself (frequency, failure, restore, rollback)
    /// counts once by its id; each change it delivers counts its lead time and rework once, so
    /// the same deployment seen again with more changes attributed (the delivery cache found
    /// their merges later) adds only what is new.
    fn deployment(&self, state: &mut State, d: &Deployment) {
        if !d.state.is_final() {
            return;
        }
        let flagged =
            d.production == Some(true) || EnvironmentsConfig::is_production_tier(d.tier.as_deref());
        let production = self.environments.is_production(&d.environment, flagged);
        let environment = self.environments.canonical(&d.environment).to_owned();
        let resource = repository(&d.repository);
        let env_attr = || vec![(ENVIRONMENT, Value::Str(environment.clone()))];
        let at = d.state_at.or(d.created_at);
        let once = |what: Counted, id: String, detail: &str| {
            (
                what,
                d.provider.clone(),
                d.repository_id.clone(),
                id,
                0,
                detail.to_owned(),
            )
        };
        if state
            .counted
            .first(once(Counted::Deployment, d.id.clone(), ""))
        {
            let mut attrs = env_attr();
            attrs.push((RESULT, Value::Str(d.state.as_str().into())));
            attrs.push((PRODUCTION, Value::Bool(production)));
            state.deployments.add(&resource, attrs, 1);
            if production {
                let env_key = (
                    d.provider.clone(),
                    d.repository_id.clone(),
                    environment.to_ascii_lowercase(),
                );
                self.production_outcome(state, d, env_key, &resource, at);
            }
        }
        if !production || d.state != DeploymentState::Success {
            return;
        }
        for change in &d.changes {
            let Some(facts) = state.changes.get(&change_key(change)).cloned() else {
                continue;
            };
            if let Some(kind) = rework_kind(&facts)
                && state
                    .counted
                    .first(once(Counted::Rework, d.id.clone(), kind))
            {
                let mut attrs = env_attr();
                attrs.push((REWORK_KIND, Value::Str(kind.into())));
                state.rework.add(&resource, attrs, 1);
            }
            let lead = once(
                Counted::LeadTime,
                number_text(&change.number),
                &environment.to_ascii_lowercase(),
            );
            if !state.counted.first(lead) {
                continue;
            }
            for (from, since) in [
                ("first_commit", facts.first_commit_at),
                ("opened", facts.opened_at),
                ("merged", facts.merged_at),
            ] {
                if let Some(seconds) = seconds(since, at) {
                    let mut attrs = env_attr();
                    attrs.push((LEAD_TIME_FROM, Value::Str(from.into())));
                    state.lead_time.record(&resource, attrs, seconds);
                }
            }
        }
    }

    /// A production deployment's failure (counted, opening a failure) or success (closing
    /// one: time to restore; a rollback when its revision was deployed there before).
    fn production_outcome(
        &self,
        state: &mut State,
        d: &Deployment,
        env_key: EnvKey,
        resource: &super::instruments::Attributes,
        at: Option<Timestamp>,
    ) {
        let environment = self.environments.canonical(&d.environment).to_owned();
        let env_attr = || vec![(ENVIRONMENT, Value::Str(environment.clone()))];
        match d.state {
            DeploymentState::Failure | DeploymentState::Error => {
                let mut attrs = env_attr();
                attrs.push((RESULT, Value::Str(d.state.as_str().into())));
                state.change_failures.add(resource, attrs, 1);
                let env = self.env(state, env_key);
                env.failed_at = env.failed_at.or(at);
            }
            DeploymentState::Success => {
                let env = self.env(state, env_key);
                let restored = env.failed_at.take();
                let rollback = d.revision.as_ref().is_some_and(|rev| {
                    env.revisions.back() != Some(rev) && env.revisions.contains(rev)
                });
                if let Some(rev) = &d.revision {
                    env.revisions.retain(|r| r != rev);
                    if env.revisions.len() >= REVISIONS_KEPT {
                        env.revisions.pop_front();
                    }
                    env.revisions.push_back(rev.clone());
                }
                if let Some(seconds) = seconds(restored, at) {
                    state.time_to_restore.record(resource, env_attr(), seconds);
                }
                if rollback {
                    let mut attrs = env_attr();
                    attrs.push((REWORK_KIND, Value::Str("rollback".into())));
                    state.rework.add(resource, attrs, 1);
                }
            }
            DeploymentState::Cancelled | DeploymentState::Pending => {}
        }
    }

    /// The history of one environment, the oldest forgotten past the bound.
    fn env<'a>(&self, state: &'a mut State, key: EnvKey) -> &'a mut EnvState {
        if !state.envs.contains_key(&key) {
            while state.env_order.len() >= self.capacity {
                if let Some(old) = state.env_order.pop_front() {
                    state.envs.remove(&old);
                }
            }
            state.env_order.push_back(key.clone());
        }
        state.envs.entry(key).or_default()
    }
}

impl MetricSource for DoraMetrics {
    fn collect(&self, now_unix_nano: u64) -> Vec<ResourceMetrics> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        collect(
            &[
                Instrument::Counter(&state.deployments),
                Instrument::Histogram(&state.lead_time),
                Instrument::Counter(&state.change_failures),
                Instrument::Counter(&state.rework),
                Instrument::Histogram(&state.time_to_restore),
            ],
            self.start,
            now_unix_nano,
        )
    }
}

fn change_key(change: &ChangeRef) -> ChangeKey {
    (
        change.provider.clone(),
        change.repository_id.clone(),
        change.number.clone(),
    )
}

fn number_text(number: &ChangeNumber) -> String {
    match number {
        ChangeNumber::Number(n) => n.to_string(),
        ChangeNumber::Push(sha) => sha.clone(),
    }
}

fn first_commit_at(update: &ChangeUpdate) -> Option<Timestamp> {
    update
        .attributes
        .iter()
        .find(|a| a.key == FIRST_COMMIT_AT)
        .and_then(|a| match &a.value {
            AttrValue::Str(s) => Timestamp::parse_rfc3339(s).ok(),
            _ => None,
        })
}

/// `revert` for GitHub's and GitLab's revert changes (title `Revert "…"`, branch `revert-…`),
/// `hotfix` for a branch `hotfix/…` or `hotfix-…` or a title starting `hotfix`.
fn rework_kind(facts: &ChangeFacts) -> Option<&'static str> {
    let title = facts
        .title
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let branch = facts.head_ref.as_deref().unwrap_or("").to_ascii_lowercase();
    if title.starts_with("revert ")
        || title.starts_with("revert\"")
        || branch.starts_with("revert-")
    {
        Some("revert")
    } else if branch.starts_with("hotfix/")
        || branch.starts_with("hotfix-")
        || title.starts_with("hotfix")
    {
        Some("hotfix")
    } else {
        None
    }
}

fn seconds(from: Option<Timestamp>, to: Option<Timestamp>) -> Option<f64> {
    let (from, to) = (from?.as_unix_nanos(), to?.as_unix_nanos());
    #[allow(clippy::cast_precision_loss)]
    to.checked_sub(from).map(|n| n as f64 / 1e9)
}
