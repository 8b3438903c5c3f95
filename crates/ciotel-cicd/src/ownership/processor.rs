//! The `cicd_ownership` processor: tags every span with its owner, then judges failed jobs and
//! runs. A [`Transform`]: one batch in, the same batch out with attributes added.
//!
//! Spans that already carry `ciotel.owner` keep it (an upstream ciotel, or a tool inside a
//! job that knows better, decided first), and job spans that already carry a verdict keep it.
//! A run's verdict is never written on its root span: it goes into a `verdict` span under the
//! root once it is known ([`super::verdict_span`]), so no span is ever emitted twice with two
//! answers.
//!
//! **Logs.** A failed job's log is classified here, where the `job_log` span a receiver with
//! `api:` put beside the job arrives (in the same batch as the job and, from a poller, its
//! run): the receiver fetches, this processor decides, with the config's
//! `failure_signatures` and the built-in pack ([`super::log_verdict`]). So the poller's batch
//! (run, jobs and logs together) writes the verdict once the logs are known or known to be
//! unreadable, and a verdict written from a webhook without logs, or with a log unreadable
//! here and read elsewhere, has another id: each id one content. The `job_log` spans are
//! dropped from the batch after.

use ciotel_core::processors::Transform;
use ciotel_core::signal::Batch;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};

use super::cache::{FailedRoot, VerdictCache};
use super::config::{GithubActionsConfig, OwnershipConfig};
use super::job_log;
use super::log_verdict;
use super::names::{self, rule};
use super::owner::Owner;
use super::packs::Pack;
use super::rule::Rule;
use super::signatures::Signature;
use super::span_view::{Origin, SpanView, find, kv_str, set};
use super::tree::{Forest, Loc, Trace};
use super::verdict::{JobVerdict, judge_job, summarise};
use super::verdict_span::{self, Home};
use crate::semconv::{self, span_type};

/// Which rule gave a span its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    /// The owner.
    pub owner: Owner,
    /// The deciding rule's name, or `default`.
    pub rule: &'a str,
    /// The team the rule names.
    pub team: Option<&'a str>,
    /// Whether the rule is the user's, a built-in pack's, or none matched.
    pub basis: Basis,
    /// What a pack's rule decided on (`action`, `run`, `name`), when it says.
    pub by: Option<&'a str>,
}

/// What an owner was decided on: written as `ciotel.owner.basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// One of the user's `rules` (`rule:<name>`).
    Rule,
    /// A built-in pack's entry: `<by>:<pack>/<entry>` when the entry says what it decided on
    /// (`action:github_actions/checkout`, `run:…`, `name:…`), else `pack:<pack>/<entry>`.
    Pack,
    /// No rule matched: `default_owner` (`default`).
    Default,
}

impl Decision<'_> {
    /// `ciotel.owner.basis`: `rule:<name>`, `<by>:<pack>/<entry>` (`action:`, `run:`,
    /// `name:`), `pack:<pack>/<entry>` or `default`.
    pub fn basis_text(&self) -> String {
        match self.basis {
            Basis::Rule => format!("rule:{}", self.rule),
            Basis::Pack => format!("{}:{}", self.by.unwrap_or("pack"), self.rule),
            Basis::Default => names::DEFAULT_RULE.to_owned(),
        }
    }

    /// `ciotel.owner`, `ciotel.owner.rule`, `ciotel.owner.basis` and, with a team,
    /// `ciotel.owner.team`.
    pub fn attributes(&self) -> Vec<KeyValue> {
        let mut out = vec![
            kv_str(names::OWNER, self.owner.as_str()),
            kv_str(names::OWNER_RULE, self.rule),
            kv_str(names::OWNER_BASIS, &self.basis_text()),
        ];
        if let Some(team) = self.team {
            out.push(kv_str(names::OWNER_TEAM, team));
        }
        out
    }
}

/// The `cicd_ownership` processor.
#[derive(Debug)]
pub struct OwnershipProcessor {
    rules: Vec<Rule>,
    packs: Vec<&'static Pack>,
    default_owner: Owner,
    github_actions: GithubActionsConfig,
    cache: VerdictCache,
    signatures: Vec<Signature>,
}

impl OwnershipProcessor {
    /// Builds the processor; the config's patterns were compiled when it was read.
    pub fn new(config: OwnershipConfig) -> Self {
        OwnershipProcessor {
            rules: config.rules,
            packs: config.packs.iter().map(|p| p.pack()).collect(),
            default_owner: config.default_owner,
            github_actions: config.github_actions,
            cache: VerdictCache::new(config.verdict_cache),
            signatures: config.failure_signatures,
        }
    }

    /// The owner of `span`: the first matching rule (the user's, then the packs'), else
    /// `default_owner`.
    pub fn decide(&self, span: &SpanView<'_>) -> Decision<'_> {
        self.group_rules(span.resource, span.scope)
            .decide(span.span)
    }

    /// The rules (the user's, then the packs', in order) whose resource and scope criteria
    /// hold for spans of `resource` and `scope`: checked once per group, so a span is only
    /// tried against its own criteria, and a group outside CI (no pack applies to it, no user
    /// rule either) goes straight to the default.
    fn group_rules(&self, resource: &[KeyValue], scope: &str) -> GroupRules<'_> {
        let user = self.rules.iter().map(|r| (r, Basis::Rule));
        let packs = self
            .packs
            .iter()
            .flat_map(|p| p.rules.iter().map(|r| (r, Basis::Pack)));
        GroupRules {
            rules: user
                .chain(packs)
                .filter(|(r, _)| r.matcher.matches_group(resource, scope))
                .collect(),
            github_actions: &self.github_actions,
            default: Decision {
                owner: self.default_owner,
                rule: names::DEFAULT_RULE,
                team: None,
                basis: Basis::Default,
                by: None,
            },
        }
    }

    /// Tags and judges the spans of `groups` in place, adding `verdict` spans where a run's
    /// verdict became known.
    pub fn process(&self, groups: &mut Vec<ResourceSpans>) {
        self.tag(groups);
        if !may_hold_verdicts(groups) {
            return;
        }
        let edits = self.verdicts(groups);
        for (loc, attrs) in edits.attributes {
            if let Some(span) = span_at(groups, loc) {
                for kv in attrs {
                    set(&mut span.attributes, kv);
                }
            }
        }
        for (home, mut span) in edits.spans {
            let owner = self.verdict_owner(&home, &span);
            span.attributes.extend(owner);
            groups.push(home.holding(span));
        }
        job_log::remove_all(groups);
    }

    /// `ciotel.owner*` of a verdict span: the side it blames (`ciotel.owner.rule` and
    /// `.basis` `verdict`), so owner routing sends a platform verdict to Ops; a `mixed` or
    /// `unknown` verdict gets the rules' owner, as any span.
    fn verdict_owner(&self, home: &Home, span: &Span) -> Vec<KeyValue> {
        let blamed = find(&span.attributes, names::FAILURE_OWNER).and_then(|v| match &v.value {
            Some(opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s)) => {
                Owner::parse(s)
            }
            _ => None,
        });
        if let Some(owner) = blamed {
            return vec![
                kv_str(names::OWNER, owner.as_str()),
                kv_str(names::OWNER_RULE, names::VERDICT_OWNER_RULE),
                kv_str(names::OWNER_BASIS, names::VERDICT_OWNER_RULE),
            ];
        }
        let resource: &[KeyValue] = home
            .resource
            .as_ref()
            .map(|r| r.attributes.as_slice())
            .unwrap_or_default();
        let scope = home.scope.as_ref().map(|s| s.name.as_str()).unwrap_or("");
        self.decide(&SpanView {
            span,
            resource,
            scope,
        })
        .attributes()
    }

    /// `ciotel.owner*` on every span that has no owner yet.
    fn tag(&self, groups: &mut [ResourceSpans]) {
        for rs in groups.iter_mut() {
            let resource: &[KeyValue] = rs
                .resource
                .as_ref()
                .map(|r| r.attributes.as_slice())
                .unwrap_or_default();
            for ss in rs.scope_spans.iter_mut() {
                let scope = ss.scope.as_ref().map(|s| s.name.as_str()).unwrap_or("");
                let rules = self.group_rules(resource, scope);
                // Spans no rule can match all get the same attributes: made once per group.
                let default_attrs = rules.rules.is_empty().then(|| rules.default.attributes());
                for span in ss.spans.iter_mut() {
                    if find(&span.attributes, names::OWNER).is_some() {
                        continue;
                    }
                    let attrs = match &default_attrs {
                        Some(attrs) => attrs.clone(),
                        None => rules.decide(span).attributes(),
                    };
                    // `set`, not `extend`: a `ciotel.owner` key without a value counts as no
                    // owner, and must be replaced rather than followed by a second key.
                    for kv in attrs {
                        set(&mut span.attributes, kv);
                    }
                }
            }
        }
    }

    /// The verdict attributes to add to failed job spans, and the verdict spans to add.
    fn verdicts(&self, groups: &[ResourceSpans]) -> Edits {
        let forest = Forest::build(groups);
        let mut edits = Edits::default();
        for trace in &forest.traces {
            let (jobs, has_jobs) = self.job_verdicts(&forest, trace, &mut edits);
            self.run_verdict(groups, &forest, trace, &jobs, &mut edits);
            if !has_jobs {
                platform_root(groups, &forest, trace, &self.packs, &mut edits);
            }
        }
        edits
    }

    /// Judges the trace's failed jobs that carry no verdict yet (a job's verdict is a function
    /// of its own event: its steps come with it) and remembers them for their run. Returns the
    /// failed jobs that count for the run, and whether the trace has job spans at all.
    fn job_verdicts(
        &self,
        forest: &Forest<'_>,
        trace: &Trace,
        edits: &mut Edits,
    ) -> (Vec<(Vec<u8>, JobVerdict)>, bool) {
        let mut jobs = Vec::new();
        let mut has_jobs = false;
        for &n in &trace.nodes {
            let view = forest.nodes[n].view;
            if view.span_type().as_deref() != Some(span_type::JOB) {
                continue;
            }
            has_jobs = true;
            if !view.failed() {
                continue;
            }
            let mut verdict = match JobVerdict::from_span(&view) {
                Some(existing) => existing,
                None => {
                    let v = judge_job(forest, n, &self.packs);
                    edits.add(forest, n, v.attributes());
                    v
                }
            };
            verdict.log = forest.nodes[n]
                .children
                .iter()
                .find_map(|&c| job_log::read(&forest.nodes[c].view))
                .map(|log| log_verdict::judge(&log, &self.signatures));
            if view.allowed_to_fail() {
                continue;
            }
            self.cache
                .remember(&trace.trace_id, &view.span.span_id, &verdict);
            jobs.push((view.span.span_id.clone(), verdict));
        }
        (jobs, has_jobs)
    }

    /// The verdict span of the trace's failed run, when one is known now: the run's root is in
    /// the batch (or remembered as failed) and failed jobs are in the batch (or remembered).
    /// Its id names the jobs it summarises, so the same id always carries the same verdict.
    fn run_verdict(
        &self,
        groups: &[ResourceSpans],
        forest: &Forest<'_>,
        trace: &Trace,
        batch_jobs: &[(Vec<u8>, JobVerdict)],
        edits: &mut Edits,
    ) {
        let root = trace
            .nodes
            .iter()
            .copied()
            .find(|&n| forest.nodes[n].view.span_type().as_deref() == Some(span_type::RUN));
        let root = match root {
            Some(n) => {
                let view = forest.nodes[n].view;
                if !view.failed() {
                    return;
                }
                let loc = forest.nodes[n].locs[0];
                let root = FailedRoot {
                    span_id: view.span.span_id.clone(),
                    end: view.span.end_time_unix_nano,
                    home: Home::of(groups, loc.resource, loc.scope),
                };
                self.cache
                    .remember_failed_root(&trace.trace_id, root.clone());
                root
            }
            // The run came first (in an earlier batch): the jobs' batch writes its verdict.
            None if batch_jobs.is_empty() => return,
            None => match self.cache.recall_failed_root(&trace.trace_id) {
                Some(root) => root,
                None => return,
            },
        };
        let mut all: Vec<(Vec<u8>, JobVerdict)> = self.cache.recall(&trace.trace_id);
        for (id, verdict) in batch_jobs {
            match all.iter_mut().find(|(known, _)| known == id) {
                // What a log said (remembered) is kept over this sighting without it.
                Some(entry) if verdict.log.is_none() && entry.1.log.is_some() => {}
                Some(entry) => entry.1 = verdict.clone(),
                None => all.push((id.clone(), verdict.clone())),
            }
        }
        if all.is_empty() {
            return;
        }
        let ids: Vec<&[u8]> = all.iter().map(|(id, _)| id.as_slice()).collect();
        let logs: Vec<String> = all
            .iter()
            .filter_map(|(id, v)| {
                let log = v.log.as_ref()?;
                Some(format!("{}={}", hex::encode(id), log.status.as_str()))
            })
            .collect();
        let verdict = summarise(
            all.iter().map(|(_, v)| v.clone()).collect(),
            rule::JOBS,
            crate::semconv::result::FAILURE.to_owned(),
        );
        let span = verdict_span::build(
            &trace.trace_id,
            &root.span_id,
            root.end,
            &ids,
            &logs,
            verdict.attributes(),
        );
        edits.add_span(forest, trace, root.home, span);
    }
}

/// The rules that can decide spans of one resource and scope, in order, and the decision
/// when none matches.
struct GroupRules<'a> {
    rules: Vec<(&'a Rule, Basis)>,
    /// Owners the config gives the GitHub pack's `run:` scripts and other actions.
    github_actions: &'a GithubActionsConfig,
    default: Decision<'a>,
}

impl<'a> GroupRules<'a> {
    /// The first rule whose span criteria hold for `span`, else the default.
    fn decide(&self, span: &Span) -> Decision<'a> {
        match self
            .rules
            .iter()
            .find(|(r, _)| r.matcher.matches_span(span))
        {
            Some(&(r, basis)) => {
                let configured = match basis {
                    Basis::Pack => self.github_actions.owner_of(&r.name),
                    _ => None,
                };
                Decision {
                    owner: configured.unwrap_or(r.owner),
                    rule: &r.name,
                    team: r.team.as_deref(),
                    basis,
                    by: r.by,
                }
            }
            None => self.default,
        }
    }
}

/// What [`OwnershipProcessor::verdicts`] adds to a batch.
#[derive(Debug, Default)]
struct Edits {
    /// Attributes, per copy of a span.
    attributes: Vec<(Loc, Vec<KeyValue>)>,
    /// New spans, each with the resource and scope it goes out with.
    spans: Vec<(Home, Span)>,
}

impl Edits {
    /// `attrs` on every copy of `node`.
    fn add(&mut self, forest: &Forest<'_>, node: usize, attrs: Vec<KeyValue>) {
        for &loc in &forest.nodes[node].locs {
            self.attributes.push((loc, attrs.clone()));
        }
    }

    /// `span`, unless the batch already holds a span of that id (written upstream, or
    /// earlier: the same id carries the same verdict).
    fn add_span(&mut self, forest: &Forest<'_>, trace: &Trace, home: Home, span: Span) {
        let present = trace
            .nodes
            .iter()
            .any(|&n| forest.nodes[n].view.span.span_id == span.span_id);
        if !present {
            self.spans.push((home, span));
        }
    }
}

/// A platform that reports a run as one tree with no jobs (Jenkins): its failed root is
/// judged as a job is, and the verdict goes into a verdict span under it.
fn platform_root(
    groups: &[ResourceSpans],
    forest: &Forest<'_>,
    trace: &Trace,
    packs: &[&Pack],
    edits: &mut Edits,
) {
    for &n in &trace.roots {
        let node = &forest.nodes[n];
        let view = node.view;
        let is_platform_root = view.span_type().is_none()
            && node.parent.is_none()
            && view.span.parent_span_id.is_empty()
            && view.origin() == Origin::Platform;
        if !is_platform_root || !view.failed() || node.children.is_empty() {
            continue;
        }
        let id = view.span.span_id.as_slice();
        let verdict = judge_job(forest, n, packs);
        let span = verdict_span::build(
            &trace.trace_id,
            id,
            view.span.end_time_unix_nano,
            &[id],
            &[],
            verdict.attributes(),
        );
        let loc = node.locs[0];
        edits.add_span(
            forest,
            trace,
            Home::of(groups, loc.resource, loc.scope),
            span,
        );
    }
}

/// Whether a verdict can come out of `groups`: only job and run spans (`ciotel.span.type`)
/// and platform roots (a platform's instrumentation scope) are judged, so a batch of spans
/// from tools outside CI skips indexing its traces.
fn may_hold_verdicts(groups: &[ResourceSpans]) -> bool {
    groups.iter().flat_map(|rs| &rs.scope_spans).any(|ss| {
        let scope = ss.scope.as_ref().map(|s| s.name.as_str()).unwrap_or("");
        Origin::of_scope(scope) == Origin::Platform
            || ss
                .spans
                .iter()
                .any(|span| find(&span.attributes, semconv::CIOTEL_SPAN_TYPE).is_some())
    })
}

/// The span at `loc`.
fn span_at(groups: &mut [ResourceSpans], loc: Loc) -> Option<&mut Span> {
    groups
        .get_mut(loc.resource)
        .and_then(|rs| rs.scope_spans.get_mut(loc.scope))
        .and_then(|ss| ss.spans.get_mut(loc.span))
}

impl Transform for OwnershipProcessor {
    fn apply(&self, batch: &mut Batch) {
        if let Batch::Traces(groups) = batch {
            self.process(groups);
        }
    }
}
