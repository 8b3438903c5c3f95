//! Moving spans (and log records) into their pipeline's trace: the trace id is replaced, a
//! tool's root span gets the job (or step) span as its parent, links within the tool's own
//! trace follow it, and the old trace id is kept in an attribute.
//!
//! Spans that carry no identity themselves follow an identified span of the same original
//! trace in the same batch, so a tool that tags only its root span still moves as one trace
//! (as long as its spans arrive together; identity on the resource always works).

use super::config::Identity;
use super::identity::{Attributes, Recipes, Target, locate};
use crate::translate::SCOPE_NAME;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::ResourceLogs;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use std::collections::HashMap;

/// `ciotel.hierarchy.original_trace_id`: on a span moved into its pipeline's trace, the trace
/// id it was sent with (hex), so it can still be found by the id its tool logged.
pub const ORIGINAL_TRACE_ID: &str = "ciotel.hierarchy.original_trace_id";

/// OTLP span flags: the parent's `is_remote` bit is known (bit 8) and set (bit 9).
const PARENT_IS_REMOTE: u32 = 0x300;

/// Moves every span with CI identity (or in the same original trace as one) into its
/// pipeline's trace. Spans ciotel derived from CI events, and spans already in their
/// pipeline's trace, are left as they are.
pub fn rehome_spans(groups: &mut [ResourceSpans], identities: &[Identity], recipes: Recipes) {
    // Pass 1: where each span belongs by its own identity, and where each original trace goes.
    let mut own: Vec<Option<Target>> = Vec::new();
    let mut by_trace: HashMap<Vec<u8>, Target> = HashMap::new();
    for_each_span(groups, |span, resource| {
        let attrs = Attributes {
            item: &span.attributes,
            resource,
        };
        let target = locate(identities, attrs, recipes);
        if let Some(t) = target.filter(|t| span.trace_id != t.trace.0) {
            by_trace.entry(span.trace_id.clone()).or_insert(t);
        }
        own.push(target);
    });
    if by_trace.is_empty() {
        return;
    }
    // Pass 2: move them, in the same order.
    let mut own = own.into_iter();
    for_each_span_mut(groups, |span| {
        let target = own
            .next()
            .flatten()
            .or_else(|| by_trace.get(&span.trace_id).copied());
        if let Some(t) = target {
            move_span(span, t);
        }
    });
}

/// Gives log records with CI identity (their own or their resource's) their pipeline's trace
/// id, so they stay correlated with the spans moved by [`rehome_spans`]. Span ids are kept.
pub fn rehome_logs(groups: &mut [ResourceLogs], identities: &[Identity], recipes: Recipes) {
    for group in groups {
        let resource = group
            .resource
            .as_ref()
            .map(|r| r.attributes.as_slice())
            .unwrap_or(&[]);
        for scope in &mut group.scope_logs {
            for record in &mut scope.log_records {
                if record.trace_id.is_empty() {
                    continue;
                }
                let attrs = Attributes {
                    item: &record.attributes,
                    resource,
                };
                if let Some(t) = locate(identities, attrs, recipes) {
                    record.trace_id = t.trace.0.to_vec();
                }
            }
        }
    }
}

fn move_span(span: &mut Span, target: Target) {
    if span.trace_id == target.trace.0 {
        return;
    }
    let old = std::mem::replace(&mut span.trace_id, target.trace.0.to_vec());
    let remote_parent = span.flags & PARENT_IS_REMOTE == PARENT_IS_REMOTE;
    if span.parent_span_id.is_empty() || remote_parent {
        span.parent_span_id = target.parent.0.to_vec();
        span.flags |= PARENT_IS_REMOTE;
    }
    for link in &mut span.links {
        if link.trace_id == old {
            link.trace_id = target.trace.0.to_vec();
        }
    }
    if !span.attributes.iter().any(|kv| kv.key == ORIGINAL_TRACE_ID) {
        span.attributes.push(KeyValue {
            key: ORIGINAL_TRACE_ID.to_owned(),
            value: Some(AnyValue {
                value: Some(any_value::Value::StringValue(hex::encode(&old))),
            }),
            ..Default::default()
        });
    }
}

/// Calls `f` with every span that is not ciotel's own, and its resource's attributes.
fn for_each_span(groups: &[ResourceSpans], mut f: impl FnMut(&Span, &[KeyValue])) {
    for group in groups {
        let resource = group
            .resource
            .as_ref()
            .map(|r| r.attributes.as_slice())
            .unwrap_or(&[]);
        for scope in group.scope_spans.iter().filter(|s| !is_ciotel(s)) {
            for span in &scope.spans {
                f(span, resource);
            }
        }
    }
}

/// Calls `f` with the same spans as [`for_each_span`], in the same order.
fn for_each_span_mut(groups: &mut [ResourceSpans], mut f: impl FnMut(&mut Span)) {
    for group in groups {
        for scope in group.scope_spans.iter_mut().filter(|s| !is_ciotel(s)) {
            for span in &mut scope.spans {
                f(span);
            }
        }
    }
}

/// Spans ciotel derived from CI events are the pipeline itself: they are never moved.
fn is_ciotel(scope: &opentelemetry_proto::tonic::trace::v1::ScopeSpans) -> bool {
    scope.scope.as_ref().is_some_and(|s| s.name == SCOPE_NAME)
}
