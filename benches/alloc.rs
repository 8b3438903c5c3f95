//! What the counting allocator (`ciotel_core::alloc`, the daemon's global allocator) costs
//! against the plain system allocator:
//! - `alloc/free 64 B`: one small allocation and its free, called on each allocator directly;
//! - `decode 8192 spans`: decoding and dropping an OTLP request of 8192 spans with a few
//!   attributes each (~100 k allocations), with this bench's global allocator switched between
//!   the two, so the whole path (prost, Vec growth, frees) is measured.
//!
//! Run: `cargo bench --bench alloc`.

use ciotel_core::alloc::CountingAllocator;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};

/// This bench's global allocator: the system allocator, or the counting one while
/// [`COUNTING`] is set. Both sides pay the same switch.
struct Switch;

static COUNTING: AtomicBool = AtomicBool::new(false);

#[global_allocator]
static GLOBAL: Switch = Switch;

// SAFETY: every call goes unchanged to one of two allocators that share `System`'s memory, so
// a block may be freed by either (the counting one only adds bookkeeping).
unsafe impl GlobalAlloc for Switch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { CountingAllocator.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { CountingAllocator.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { CountingAllocator.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

fn small_alloc(c: &mut Criterion) {
    let layout = Layout::from_size_align(64, 8).unwrap();
    let mut group = c.benchmark_group("alloc/free 64 B");
    group.bench_function("system", |b| {
        b.iter(|| unsafe {
            let p = System.alloc(black_box(layout));
            System.dealloc(black_box(p), layout);
        })
    });
    group.bench_function("counting", |b| {
        b.iter(|| unsafe {
            let p = CountingAllocator.alloc(black_box(layout));
            CountingAllocator.dealloc(black_box(p), layout);
        })
    });
    group.finish();
}

fn request(spans: u64) -> Vec<u8> {
    let attr = |k: &str, v: String| KeyValue {
        key: k.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v)),
        }),
        ..Default::default()
    };
    let spans = (0..spans)
        .map(|i| Span {
            trace_id: vec![7; 16],
            span_id: i.to_be_bytes().to_vec(),
            name: format!("step-{i}"),
            kind: 1,
            attributes: vec![
                attr("cicd.pipeline.task.name", format!("job-{}", i % 97)),
                attr("cicd.pipeline.run.id", "1234567890".into()),
                attr("ciotel.owner", "application".into()),
            ],
            ..Default::default()
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

fn decode(c: &mut Criterion) {
    let body = request(8192);
    let mut group = c.benchmark_group("decode 8192 spans");
    group.throughput(Throughput::Elements(8192));
    for (name, counting) in [("system", false), ("counting", true)] {
        group.bench_function(name, |b| {
            COUNTING.store(counting, Ordering::SeqCst);
            b.iter(|| {
                drop(black_box(ExportTraceServiceRequest::decode(
                    body.as_slice(),
                )))
            });
            COUNTING.store(false, Ordering::SeqCst);
        });
    }
    group.finish();
}

criterion_group!(benches, small_alloc, decode);
criterion_main!(benches);
