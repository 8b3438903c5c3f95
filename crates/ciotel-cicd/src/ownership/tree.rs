//! The spans of a batch (or of a whole file) as trees, one per trace: parents, children in
//! time order, and every place a span occurs.
//!
//! The same span may occur several times (a re-delivered webhook, the queue span sent at
//! running and again at completion, the same run seen by webhook and poller). It is one
//! node, seen as its last copy; [`Node::locs`] lists every copy, so an attribute added to the
//! node can be added to each.

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use std::collections::HashMap;

use super::span_view::{SpanView, span_attr};
use crate::semconv;

/// Where one copy of a span sits: `resource_spans[resource].scope_spans[scope].spans[span]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    /// Index of the `ResourceSpans`.
    pub resource: usize,
    /// Index of the `ScopeSpans` within it.
    pub scope: usize,
    /// Index of the span within that.
    pub span: usize,
}

/// One span (its last copy) and its place in its trace.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// The span with its resource and scope.
    pub view: SpanView<'a>,
    /// Every copy's position.
    pub locs: Vec<Loc>,
    /// The parent's node, when the parent is present.
    pub parent: Option<usize>,
    /// Children, by start time (then the queue first, then step number, then first
    /// appearance).
    pub children: Vec<usize>,
    /// Order of first appearance, the last tie-breaker.
    order: usize,
}

/// The nodes of one trace.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The trace id.
    pub trace_id: Vec<u8>,
    /// Every node of the trace, in first-appearance order.
    pub nodes: Vec<usize>,
    /// Nodes whose parent is not present (the run span, or orphans when it is missing), in
    /// time order.
    pub roots: Vec<usize>,
    /// Earliest start of any span in the trace.
    pub start: u64,
    /// Latest end of any span in the trace.
    pub end: u64,
}

/// Every span of a set of `ResourceSpans`, as trees.
#[derive(Debug, Clone)]
pub struct Forest<'a> {
    /// All nodes.
    pub nodes: Vec<Node<'a>>,
    /// Traces by earliest start (then trace id).
    pub traces: Vec<Trace>,
}

impl<'a> Forest<'a> {
    /// Indexes every span of `groups`.
    pub fn build(groups: &'a [ResourceSpans]) -> Forest<'a> {
        let mut nodes: Vec<Node<'a>> = Vec::new();
        let mut by_id: HashMap<(&'a [u8], &'a [u8]), usize> = HashMap::new();
        for (ri, rs) in groups.iter().enumerate() {
            let resource: &'a [KeyValue] = rs
                .resource
                .as_ref()
                .map(|r| r.attributes.as_slice())
                .unwrap_or_default();
            for (si, ss) in rs.scope_spans.iter().enumerate() {
                let scope = ss.scope.as_ref().map(|s| s.name.as_str()).unwrap_or("");
                for (pi, span) in ss.spans.iter().enumerate() {
                    let loc = Loc {
                        resource: ri,
                        scope: si,
                        span: pi,
                    };
                    let view = SpanView {
                        span,
                        resource,
                        scope,
                    };
                    let key = (span.trace_id.as_slice(), span.span_id.as_slice());
                    let existing = (!span.span_id.is_empty())
                        .then(|| by_id.get(&key).copied())
                        .flatten();
                    match existing {
                        Some(i) => {
                            nodes[i].view = view;
                            nodes[i].locs.push(loc);
                        }
                        None => {
                            by_id.insert(key, nodes.len());
                            let order = nodes.len();
                            nodes.push(Node {
                                view,
                                locs: vec![loc],
                                parent: None,
                                children: Vec::new(),
                                order,
                            });
                        }
                    }
                }
            }
        }
        // Parents, once every span is known (a child may come before its parent).
        for i in 0..nodes.len() {
            let span = nodes[i].view.span;
            if span.parent_span_id.is_empty() {
                continue;
            }
            let key = (span.trace_id.as_slice(), span.parent_span_id.as_slice());
            match by_id.get(&key) {
                Some(&p) if p != i => {
                    nodes[i].parent = Some(p);
                    nodes[p].children.push(i);
                }
                _ => {}
            }
        }
        // Start time, then the queue before steps (a job's queue starts when it does), then
        // step number, then first appearance.
        let sort_key = |nodes: &[Node<'_>], i: usize| {
            let s = nodes[i].view.span;
            let after_queue = !nodes[i].view.is_queue();
            let number = span_attr(s, semconv::CIOTEL_STEP_NUMBER)
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(i64::MAX);
            (s.start_time_unix_nano, after_queue, number, nodes[i].order)
        };
        for i in 0..nodes.len() {
            let mut children = std::mem::take(&mut nodes[i].children);
            children.sort_by_key(|&c| sort_key(&nodes, c));
            nodes[i].children = children;
        }
        // Traces.
        let mut traces: Vec<Trace> = Vec::new();
        let mut trace_index: HashMap<&'a [u8], usize> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            let span = node.view.span;
            let t = *trace_index
                .entry(span.trace_id.as_slice())
                .or_insert_with(|| {
                    traces.push(Trace {
                        trace_id: span.trace_id.clone(),
                        nodes: Vec::new(),
                        roots: Vec::new(),
                        start: u64::MAX,
                        end: 0,
                    });
                    traces.len() - 1
                });
            let trace = &mut traces[t];
            trace.nodes.push(i);
            trace.start = trace.start.min(span.start_time_unix_nano);
            trace.end = trace
                .end
                .max(span.end_time_unix_nano.max(span.start_time_unix_nano));
            if node.parent.is_none() {
                trace.roots.push(i);
            }
        }
        for trace in &mut traces {
            trace.roots.sort_by_key(|&r| sort_key(&nodes, r));
        }
        traces.sort_by(|a, b| (a.start, &a.trace_id).cmp(&(b.start, &b.trace_id)));
        Forest { nodes, traces }
    }

    /// Every descendant of `node`, depth first, children in time order. Each node is visited
    /// once, so parent cycles in malformed input end.
    pub fn descendants(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.nodes.len()];
        seen[node] = true;
        let mut stack: Vec<usize> = self.nodes[node].children.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            out.push(n);
            stack.extend(self.nodes[n].children.iter().rev());
        }
        out
    }

    /// The node's `ciotel.span.type`.
    pub fn span_type(&self, node: usize) -> Option<String> {
        self.nodes[node].view.span_type()
    }
}
