//! The `cicd_ownership` processor: tags every span with its owner, then judges failed jobs and
//! runs. A [`Transform`]: one batch in, the same batch out with attributes added.
//!
//! Spans that already carry `ciotel.owner` keep it (an upstream ciotel, or a tool inside a
//! job that knows better, decided first), and job and run spans that already carry a verdict
//! keep it, except a run verdict of `unknown`, which is judged again: a batch holding the
//! run's jobs (a file given to `ciotel explain`, the API poller's copy of the run) knows more.

use ciotel_core::processors::Transform;
use ciotel_core::signal::Batch;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use std::collections::HashSet;

use super::cache::VerdictCache;
use super::config::OwnershipConfig;
use super::names::{self, rule};
use super::owner::{FailureOwner, Owner};
use super::packs::Pack;
use super::rule::Rule;
use super::span_view::{Origin, SpanView, find, kv_str, set};
use super::tree::{Forest, Loc};
use super::verdict::{JobVerdict, judge_job, own_reason, summarise};
use crate::semconv::span_type;

/// Which rule gave a span its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    /// The owner.
    pub owner: Owner,
    /// The deciding rule's name, or `default`.
    pub rule: &'a str,
    /// The team the rule names.
    pub team: Option<&'a str>,
}

impl Decision<'_> {
    /// `ciotel.owner`, `ciotel.owner.rule` and, with a team, `ciotel.owner.team`.
    pub fn attributes(&self) -> Vec<KeyValue> {
        let mut out = vec![
            kv_str(names::OWNER, self.owner.as_str()),
            kv_str(names::OWNER_RULE, self.rule),
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
    cache: VerdictCache,
}

impl OwnershipProcessor {
    /// Builds the processor; the config's patterns were compiled when it was read.
    pub fn new(config: OwnershipConfig) -> Self {
        OwnershipProcessor {
            rules: config.rules,
            packs: config.packs.iter().map(|p| p.pack()).collect(),
            default_owner: config.default_owner,
            cache: VerdictCache::new(config.verdict_cache),
        }
    }

    /// The owner of `span`: the first matching rule (the user's, then the packs'), else
    /// `default_owner`.
    pub fn decide(&self, span: &SpanView<'_>) -> Decision<'_> {
        let pack_rules = self.packs.iter().flat_map(|p| p.rules.iter());
        match self
            .rules
            .iter()
            .chain(pack_rules)
            .find(|r| r.matcher.matches(span))
        {
            Some(r) => Decision {
                owner: r.owner,
                rule: &r.name,
                team: r.team.as_deref(),
            },
            None => Decision {
                owner: self.default_owner,
                rule: names::DEFAULT_RULE,
                team: None,
            },
        }
    }

    /// Tags and judges the spans of `groups` in place.
    pub fn process(&self, groups: &mut [ResourceSpans]) {
        self.tag(groups);
        let edits = self.verdicts(groups);
        for (loc, attrs) in edits {
            let Some(span) = groups
                .get_mut(loc.resource)
                .and_then(|rs| rs.scope_spans.get_mut(loc.scope))
                .and_then(|ss| ss.spans.get_mut(loc.span))
            else {
                continue;
            };
            for kv in attrs {
                set(&mut span.attributes, kv);
            }
        }
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
                for span in ss.spans.iter_mut() {
                    if find(&span.attributes, names::OWNER).is_some() {
                        continue;
                    }
                    let attrs = self
                        .decide(&SpanView {
                            span,
                            resource,
                            scope,
                        })
                        .attributes();
                    // `set`, not `extend`: a `ciotel.owner` key without a value counts as no
                    // owner, and must be replaced rather than followed by a second key.
                    for kv in attrs {
                        set(&mut span.attributes, kv);
                    }
                }
            }
        }
    }

    /// The verdict attributes to add, per copy of each failed job and run span.
    fn verdicts(&self, groups: &[ResourceSpans]) -> Vec<(Loc, Vec<KeyValue>)> {
        let forest = Forest::build(groups);
        let mut edits = Vec::new();
        let mut add = |node: usize, attrs: Vec<KeyValue>| {
            for &loc in &forest.nodes[node].locs {
                edits.push((loc, attrs.clone()));
            }
        };
        for trace in &forest.traces {
            let mut jobs: Vec<(Vec<u8>, JobVerdict)> = Vec::new();
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
                let verdict = match JobVerdict::from_span(&view) {
                    Some(existing) => existing,
                    None => {
                        let v = judge_job(&forest, n, &self.packs);
                        add(n, v.attributes());
                        v
                    }
                };
                if view.allowed_to_fail() {
                    continue;
                }
                self.cache
                    .remember(&trace.trace_id, &view.span.span_id, &verdict);
                jobs.push((view.span.span_id.clone(), verdict));
            }
            for &n in &trace.nodes {
                let view = forest.nodes[n].view;
                if !view.failed() {
                    continue;
                }
                let ty = view.span_type();
                if ty.as_deref() == Some(span_type::RUN) {
                    let known = view
                        .attr(names::FAILURE_OWNER)
                        .is_some_and(|o| FailureOwner::parse(&o) != FailureOwner::Unknown);
                    if known {
                        continue;
                    }
                    let in_batch: HashSet<Vec<u8>> =
                        jobs.iter().map(|(id, _)| id.clone()).collect();
                    let remembered: Vec<JobVerdict> = self
                        .cache
                        .recall(&trace.trace_id)
                        .into_iter()
                        .filter(|(id, _)| !in_batch.contains(id))
                        .map(|(_, v)| v)
                        .collect();
                    let source = if remembered.is_empty() {
                        rule::JOBS
                    } else {
                        rule::CACHE
                    };
                    let all = jobs
                        .iter()
                        .map(|(_, v)| v.clone())
                        .chain(remembered)
                        .collect();
                    add(n, summarise(all, source, own_reason(&view)).attributes());
                } else if ty.is_none()
                    && !has_jobs
                    && forest.nodes[n].parent.is_none()
                    && view.span.parent_span_id.is_empty()
                    && view.origin() == Origin::Platform
                    && JobVerdict::from_span(&view).is_none()
                {
                    // A platform that reports a run as one tree with no jobs (Jenkins): the
                    // root is judged as a job is.
                    add(n, judge_job(&forest, n, &self.packs).attributes());
                }
            }
        }
        edits
    }
}

impl Transform for OwnershipProcessor {
    fn apply(&self, batch: &mut Batch) {
        if let Batch::Traces(groups) = batch {
            self.process(groups);
        }
    }
}
