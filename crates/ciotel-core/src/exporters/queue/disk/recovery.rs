//! The start-up scan: every segment read once, its intact records at or past the ledger
//! position queued again in file order, every unreadable stretch logged, counted and skipped.

use super::record::{QueueRecord, VERSION};
use super::segment::{self, Stretch};
use super::{Position, Segment};
use crate::exporters::queue::metrics::{Held, HeldBatch, QueueMetrics};
use prost::Message;
use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What the scan found.
pub(super) struct Recovered {
    pub segments: BTreeMap<u64, Segment>,
    pub waiting: VecDeque<Position>,
    pub unacked: Held,
    pub next_id: u64,
    pub next_segment: u64,
}

/// Scans the segments in `dir`; records below `first_unacked` were sent already.
pub(super) fn recover(
    exporter: &str,
    dir: &Path,
    first_unacked: u64,
    metrics: &QueueMetrics,
) -> std::io::Result<Recovered> {
    let mut numbers: Vec<u64> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| segment::number(&e.file_name().to_string_lossy()))
        .collect();
    numbers.sort_unstable();
    let mut out = Recovered {
        segments: BTreeMap::new(),
        waiting: VecDeque::new(),
        unacked: Held::default(),
        next_id: first_unacked,
        next_segment: numbers.last().map_or(1, |n| n + 1),
    };
    for number in numbers {
        let path = segment::path(dir, number);
        let data = std::fs::read(&path)?;
        let skip = |what: &str, offset: u64, len: u64, corrupt: bool| {
            metrics.skipped_records.add(1);
            let file = path.display().to_string();
            if corrupt {
                tracing::error!(
                    exporter,
                    file,
                    offset,
                    bytes = len,
                    "persistent sending queue: {what}; skipped, the rest is delivered"
                );
            } else {
                tracing::warn!(
                    exporter,
                    file,
                    offset,
                    bytes = len,
                    "persistent sending queue: {what}; skipped"
                );
            }
        };
        let Some(stretches) = segment::scan(&data) else {
            skip(
                "a segment file without the segment header",
                0,
                data.len() as u64,
                true,
            );
            std::fs::remove_file(&path)?;
            continue;
        };
        let mut max_id = None;
        for stretch in stretches {
            match stretch {
                Stretch::Frame {
                    offset,
                    len,
                    payload,
                } => {
                    let record = match QueueRecord::decode(payload) {
                        Ok(r) => r,
                        Err(_) => {
                            skip("a record that does not decode", offset, len, true);
                            continue;
                        }
                    };
                    max_id = max_id.max(Some(record.id));
                    out.next_id = out.next_id.max(record.id + 1);
                    if record.id < first_unacked {
                        continue;
                    }
                    if record.version > VERSION {
                        skip(
                            "a record written by a newer ciotel (version unknown to this one)",
                            offset,
                            len,
                            true,
                        );
                        continue;
                    }
                    let Some(signal) = record.ciotel_signal() else {
                        skip("a record of an unknown signal", offset, len, true);
                        continue;
                    };
                    out.unacked.add(
                        record.id,
                        HeldBatch {
                            signal,
                            items: record.items,
                            bytes: len,
                            since: SystemTime::UNIX_EPOCH
                                + Duration::from_nanos(record.enqueued_unix_nano),
                        },
                    );
                    out.waiting.push_back(Position {
                        id: record.id,
                        segment: number,
                        offset,
                        len,
                    });
                }
                Stretch::Corrupt { offset, len } => {
                    skip("corrupt bytes (checksum or framing)", offset, len, true)
                }
                Stretch::Truncated { offset, len } => skip(
                    "a record cut short at the end of a segment (a write interrupted by a crash)",
                    offset,
                    len,
                    false,
                ),
            }
        }
        let all_sent = max_id.is_none_or(|m| m < first_unacked);
        if all_sent {
            std::fs::remove_file(&path)?;
            continue;
        }
        let file = std::fs::File::open(&path)?;
        out.segments.insert(
            number,
            Segment {
                file: Arc::new(file),
                bytes: data.len() as u64,
                max_id,
            },
        );
    }
    Ok(out)
}
