//! The bounded store of recent runs the page shows: the spans of each trace as the pipeline
//! produced them (after `cicd_ownership`, so with owners and `verdict` spans), kept by trace id.
//!
//! - A span seen again (a redelivery, the webhook and the poller) replaces its earlier copy,
//!   so a run grows as its jobs arrive and its verdict span is the latest one written.
//! - Bounded three ways: `max_runs` (the least recently updated run is dropped first),
//!   `max_spans_per_run` (later spans of a run are counted, not kept) and `max_bytes` over all
//!   kept spans (encoded size; a run that would pass it alone keeps no more spans, other runs
//!   are dropped, least recently updated first).
//! - Readers take a cheap snapshot (each run's spans behind an `Arc`, copied on the next write
//!   only while a reader still holds it) and render outside the lock.
//! - Every change bumps a version on a watch channel, which the page's live stream waits on.

use ciotel_cicd::ownership::span_view::span_attr;
use ciotel_cicd::semconv::{self, span_type};
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};
use prost::Message;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;

/// How much the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Runs (traces) kept.
    pub max_runs: usize,
    /// Spans kept per run.
    pub max_spans_per_run: usize,
    /// Encoded bytes of all kept spans (and their resources and scopes).
    pub max_bytes: usize,
}

/// What a kept trace is: a pipeline run attempt, or a change's path to production (its spans
/// carry a change `ciotel.span.type`: `change`, `opened`, `review`, `change_run`,
/// `deployment`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// A run trace (or any trace without change spans).
    Run,
    /// A change trace.
    Change,
}

/// The `ciotel.span.type` values of change traces.
const CHANGE_SPAN_TYPES: &[&str] = &[
    span_type::CHANGE,
    span_type::OPENED,
    span_type::PUSH,
    span_type::READY_FOR_REVIEW,
    span_type::REVIEW_REQUESTED,
    span_type::REOPENED,
    span_type::REVIEW,
    span_type::MERGE_QUEUE,
    span_type::MERGE,
    span_type::CHANGE_RUN,
    span_type::DEPLOYMENT,
    span_type::APPROVAL,
];

/// One run as a reader sees it.
#[derive(Debug, Clone)]
pub struct RunSnapshot {
    /// The trace id.
    pub trace_id: Vec<u8>,
    /// Run or change.
    pub kind: TraceKind,
    /// The repository (`service.name` of its spans' resource), for filtering.
    pub repository: Option<String>,
    /// Its spans, one `ScopeSpans` per `ResourceSpans`.
    pub groups: Arc<Vec<ResourceSpans>>,
    /// Spans not kept because the run reached `max_spans_per_run` or `max_bytes`.
    pub dropped_spans: u64,
}

/// The store; shared by the `cicd_view` exporter (writer) and the page (readers).
#[derive(Debug)]
pub struct RunStore {
    bounds: Bounds,
    inner: Mutex<Inner>,
    version: watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct Inner {
    runs: HashMap<Vec<u8>, StoredRun>,
    bytes: usize,
    clock: u64,
}

#[derive(Debug)]
struct StoredRun {
    kind: TraceKind,
    repository: Option<String>,
    groups: Arc<Vec<ResourceSpans>>,
    /// span id → (group, position in its only `ScopeSpans`).
    index: HashMap<Vec<u8>, (usize, usize)>,
    bytes: usize,
    dropped_spans: u64,
    updated: u64,
}

impl RunStore {
    /// An empty store within `bounds`.
    pub fn new(bounds: Bounds) -> RunStore {
        RunStore {
            bounds,
            inner: Mutex::new(Inner::default()),
            version: watch::channel(0).0,
        }
    }

    /// Adds the spans of one batch, each to its trace's run.
    pub fn record(&self, groups: &[ResourceSpans]) {
        let mut inner = self.lock();
        let mut touched = false;
        for rs in groups {
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    touched |= inner.put(&self.bounds, rs.resource.as_ref(), ss, span);
                }
            }
        }
        if touched {
            inner.evict(&self.bounds);
            drop(inner);
            self.version.send_modify(|v| *v += 1);
        }
    }

    /// Every kept run, the most recently updated first.
    pub fn snapshot(&self) -> Vec<RunSnapshot> {
        let inner = self.lock();
        let mut runs: Vec<(&Vec<u8>, &StoredRun)> = inner.runs.iter().collect();
        runs.sort_by_key(|(_, r)| std::cmp::Reverse(r.updated));
        runs.into_iter()
            .map(|(id, run)| RunSnapshot {
                trace_id: id.clone(),
                kind: run.kind,
                repository: run.repository.clone(),
                groups: run.groups.clone(),
                dropped_spans: run.dropped_spans,
            })
            .collect()
    }

    /// The encoded bytes kept now.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// A receiver that sees a new version after every change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (every write is one step).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    /// Puts one span into its run; false when it was not kept.
    fn put(
        &mut self,
        bounds: &Bounds,
        resource: Option<&Resource>,
        scope_spans: &ScopeSpans,
        span: &opentelemetry_proto::tonic::trace::v1::Span,
    ) -> bool {
        self.clock += 1;
        let clock = self.clock;
        let run = self
            .runs
            .entry(span.trace_id.clone())
            .or_insert_with(|| StoredRun {
                kind: TraceKind::Run,
                repository: None,
                groups: Arc::new(Vec::new()),
                index: HashMap::new(),
                bytes: 0,
                dropped_spans: 0,
                updated: clock,
            });
        run.updated = clock;
        if run.repository.is_none() {
            run.repository = resource.and_then(repository);
        }
        if run.kind == TraceKind::Run
            && span_attr(span, semconv::CIOTEL_SPAN_TYPE)
                .is_some_and(|t| CHANGE_SPAN_TYPES.contains(&t.as_str()))
        {
            run.kind = TraceKind::Change;
        }
        let size = span.encoded_len();
        if let Some(&(g, i)) = run.index.get(&span.span_id) {
            let groups = Arc::make_mut(&mut run.groups);
            let old = std::mem::replace(&mut groups[g].scope_spans[0].spans[i], span.clone());
            let old_size = old.encoded_len();
            run.bytes = run.bytes - old_size + size;
            self.bytes = self.bytes - old_size + size;
            return true;
        }
        let scope = scope_spans.scope.as_ref();
        let home = run.groups.iter().position(|g| {
            g.resource.as_ref() == resource
                && g.scope_spans.first().and_then(|s| s.scope.as_ref()) == scope
        });
        let home_size = match home {
            Some(_) => 0,
            None => {
                resource.map_or(0, Message::encoded_len) + scope.map_or(0, Message::encoded_len)
            }
        };
        if run.index.len() >= bounds.max_spans_per_run
            || run.bytes + size + home_size > bounds.max_bytes
        {
            run.dropped_spans += 1;
            return true;
        }
        let groups = Arc::make_mut(&mut run.groups);
        let g = match home {
            Some(g) => g,
            None => {
                groups.push(ResourceSpans {
                    resource: resource.cloned(),
                    scope_spans: vec![ScopeSpans {
                        scope: scope.cloned(),
                        spans: Vec::new(),
                        schema_url: scope_spans.schema_url.clone(),
                    }],
                    schema_url: String::new(),
                });
                groups.len() - 1
            }
        };
        let spans = &mut groups[g].scope_spans[0].spans;
        spans.push(span.clone());
        run.index.insert(span.span_id.clone(), (g, spans.len() - 1));
        run.bytes += size + home_size;
        self.bytes += size + home_size;
        true
    }

    /// Drops the least recently updated runs until every bound holds.
    fn evict(&mut self, bounds: &Bounds) {
        while self.runs.len() > bounds.max_runs
            || (self.bytes > bounds.max_bytes && self.runs.len() > 1)
        {
            let Some(oldest) = self
                .runs
                .iter()
                .min_by_key(|(_, r)| r.updated)
                .map(|(id, _)| id.clone())
            else {
                return;
            };
            if let Some(run) = self.runs.remove(&oldest) {
                self.bytes -= run.bytes;
            }
        }
    }
}

/// The repository a resource names: `service.name` (what the CI receivers set it to).
fn repository(resource: &Resource) -> Option<String> {
    resource
        .attributes
        .iter()
        .find(|kv| kv.key == semconv::SERVICE_NAME)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
        .and_then(|v| match v {
            any_value::Value::StringValue(s) => Some(s.clone()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
    use opentelemetry_proto::tonic::trace::v1::Span;

    fn batch(repo: &str, trace: u8, spans: &[(u8, &str)]) -> Vec<ResourceSpans> {
        vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::StringValue(repo.into())),
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans: spans
                    .iter()
                    .map(|(id, name)| Span {
                        trace_id: vec![trace; 16],
                        span_id: vec![*id; 8],
                        name: (*name).into(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
            schema_url: String::new(),
        }]
    }

    fn bounds(max_runs: usize, max_spans_per_run: usize, max_bytes: usize) -> Bounds {
        Bounds {
            max_runs,
            max_spans_per_run,
            max_bytes,
        }
    }

    fn names(run: &RunSnapshot) -> Vec<String> {
        run.groups
            .iter()
            .flat_map(|g| g.scope_spans[0].spans.iter().map(|s| s.name.clone()))
            .collect()
    }

    #[test]
    fn a_span_seen_again_replaces_its_copy() {
        let store = RunStore::new(bounds(10, 10, 1 << 20));
        store.record(&batch("acme/shop", 1, &[(1, "job"), (2, "step")]));
        store.record(&batch("acme/shop", 1, &[(2, "step again"), (3, "verdict")]));
        let runs = store.snapshot();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].repository.as_deref(), Some("acme/shop"));
        assert_eq!(names(&runs[0]), ["job", "step again", "verdict"]);
        assert_eq!(runs[0].groups.len(), 1, "one resource and scope, one group");
    }

    #[test]
    fn a_trace_with_change_spans_is_a_change() {
        let store = RunStore::new(bounds(10, 10, 1 << 20));
        store.record(&batch("a", 1, &[(1, "RUN CI")]));
        let mut change = batch("a", 2, &[(1, "RUN CI")]);
        change[0].scope_spans[0].spans[0].attributes.push(
            ciotel_cicd::ownership::span_view::kv_str(
                semconv::CIOTEL_SPAN_TYPE,
                span_type::CHANGE_RUN,
            ),
        );
        store.record(&change);
        let kinds: Vec<(u8, TraceKind)> = store
            .snapshot()
            .iter()
            .map(|r| (r.trace_id[0], r.kind))
            .collect();
        assert_eq!(kinds, [(2, TraceKind::Change), (1, TraceKind::Run)]);
    }

    #[test]
    fn the_least_recently_updated_run_goes_first() {
        let store = RunStore::new(bounds(2, 10, 1 << 20));
        store.record(&batch("a", 1, &[(1, "one")]));
        store.record(&batch("a", 2, &[(1, "two")]));
        store.record(&batch("a", 1, &[(2, "one more")]));
        store.record(&batch("a", 3, &[(1, "three")]));
        let ids: Vec<u8> = store.snapshot().iter().map(|r| r.trace_id[0]).collect();
        assert_eq!(ids, [3, 1], "run 2 was the least recently updated");
    }

    #[test]
    fn spans_and_bytes_are_bounded() {
        let store = RunStore::new(bounds(10, 2, 1 << 20));
        store.record(&batch("a", 1, &[(1, "a"), (2, "b"), (3, "c"), (4, "d")]));
        let run = &store.snapshot()[0];
        assert_eq!(names(run), ["a", "b"]);
        assert_eq!(run.dropped_spans, 2);

        let store = RunStore::new(bounds(10, 1000, 2000));
        for trace in 0..50 {
            let spans: Vec<(u8, &str)> = (0..20).map(|i| (i, "a span name")).collect();
            store.record(&batch("a", trace, &spans));
            assert!(store.bytes() <= 2000, "{} bytes kept", store.bytes());
        }
        let runs = store.snapshot();
        assert_eq!(runs[0].trace_id[0], 49, "the newest run is kept");
        let kept: usize = runs.iter().map(|r| names(r).len()).sum();
        assert!(kept > 0 && runs.len() < 50, "{} runs", runs.len());
    }

    #[test]
    fn readers_keep_their_snapshot_and_see_a_new_version() {
        let store = RunStore::new(bounds(10, 10, 1 << 20));
        let mut version = store.subscribe();
        store.record(&batch("a", 1, &[(1, "first")]));
        assert!(version.has_changed().unwrap());
        let before = store.snapshot();
        version.mark_unchanged();
        store.record(&batch("a", 1, &[(1, "second")]));
        assert!(version.has_changed().unwrap());
        assert_eq!(names(&before[0]), ["first"]);
        assert_eq!(names(&store.snapshot()[0]), ["second"]);
    }
}
