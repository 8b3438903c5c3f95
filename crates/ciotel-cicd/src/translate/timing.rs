//! Making platform times usable as span times: never end before start, steps inside their job.
//!
//! GitHub reports skipped jobs that "complete" before they were created, and steps whose times
//! precede their job's. As the Collector's githubreceiver does, a reversed interval becomes a
//! zero-duration span at its start; ciotel also clamps step times into the job span's window
//! and marks every changed span with `ciotel.timing.adjusted = true`.

use crate::time::Timestamp;

/// A span's start and end, and whether they differ from what the platform reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
    pub adjusted: bool,
}

/// `start → end`, or a zero-duration interval at `start` when `end` precedes it.
pub(super) fn ordered(start: Timestamp, end: Timestamp) -> Interval {
    if end < start {
        Interval {
            start,
            end: start,
            adjusted: true,
        }
    } else {
        Interval {
            start,
            end,
            adjusted: false,
        }
    }
}

/// `start → end` clamped into `window`, then ordered.
pub(super) fn within(start: Timestamp, end: Timestamp, window: Interval) -> Interval {
    let s = start.clamp(window.start, window.end);
    let e = end.clamp(window.start, window.end);
    let mut iv = ordered(s, e);
    iv.adjusted |= s != start || e != end;
    iv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(n: u64) -> Timestamp {
        Timestamp::from_unix_nanos(n)
    }

    #[test]
    fn reversed_becomes_zero_duration_at_start() {
        assert_eq!(
            ordered(t(5), t(4)),
            Interval {
                start: t(5),
                end: t(5),
                adjusted: true
            }
        );
        assert_eq!(
            ordered(t(4), t(5)),
            Interval {
                start: t(4),
                end: t(5),
                adjusted: false
            }
        );
    }

    #[test]
    fn steps_are_clamped_into_the_job() {
        let job = ordered(t(10), t(20));
        assert_eq!(
            within(t(12), t(15), job),
            Interval {
                start: t(12),
                end: t(15),
                adjusted: false
            }
        );
        assert_eq!(
            within(t(1), t(2), job),
            Interval {
                start: t(10),
                end: t(10),
                adjusted: true
            }
        );
        assert_eq!(
            within(t(8), t(25), job),
            Interval {
                start: t(10),
                end: t(20),
                adjusted: true
            }
        );
    }
}
