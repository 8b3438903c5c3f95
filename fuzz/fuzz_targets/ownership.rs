//! The CI span processors on arbitrary spans and rules: a `cicd_ownership` config (its rules'
//! `regex:`/`glob:`/exact patterns compiled while parsing) and a batch of spans with arbitrary
//! attributes, tagged and judged by the ownership processor, re-homed by `cicd_hierarchy`, and
//! drawn by `ciotel explain`'s renderer.
//!
//! Input: a 2-byte big-endian length `n`, `n` bytes of the processor's YAML config, then an
//! OTLP/protobuf `ExportTraceServiceRequest` (fuzz/seedgen writes seeds in this shape).

#![no_main]

use ciotel_cicd::hierarchy::{HierarchyConfig, HierarchyProcessor};
use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_cicd::render::{RenderOptions, render, render_plain};
use ciotel_core::processors::Transform;
use ciotel_core::signal::Batch;
use libfuzzer_sys::fuzz_target;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use std::sync::LazyLock;

static HIERARCHY: LazyLock<HierarchyProcessor> =
    LazyLock::new(|| HierarchyProcessor::new(HierarchyConfig::default()));

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
    let (yaml, spans) = rest.split_at(len);
    let config = match std::str::from_utf8(yaml) {
        Ok("") => OwnershipConfig::default(),
        Ok(text) => match yaml_serde::from_str::<OwnershipConfig>(text) {
            Ok(c) if c.validate().is_ok() => c,
            _ => return,
        },
        Err(_) => return,
    };
    let Ok(request) = ExportTraceServiceRequest::decode(spans) else {
        return;
    };
    let processor = OwnershipProcessor::new(config);
    let mut groups = request.resource_spans;
    processor.process(&mut groups);
    // A second pass sees its own verdicts, as a downstream ciotel would.
    processor.process(&mut groups);
    let mut batch = Batch::Traces(groups);
    HIERARCHY.apply(&mut batch);
    let Batch::Traces(groups) = batch else {
        unreachable!()
    };
    let _ = render_plain(&groups);
    let _ = render(
        &groups,
        &RenderOptions {
            color: true,
            bar_width: 7,
        },
    );
});
