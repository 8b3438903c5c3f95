//! What each sender saw, merged into one report: throughput, request latency percentiles from
//! the sorted sample of every request's latency, and refusals by status code.

use std::collections::BTreeMap;
use std::time::Duration;

/// One sender's tally.
#[derive(Default)]
pub struct Tally {
    /// Requests answered with success.
    pub accepted: u64,
    /// Latency of every answered request (success or refusal), in microseconds.
    pub latencies_us: Vec<u32>,
    /// Refusals and transport failures by code (`grpc:Unavailable`, `http:503`, `transport`).
    pub refusals: BTreeMap<String, u64>,
}

impl Tally {
    /// Records one answer.
    pub fn record(&mut self, took: Duration, outcome: Result<(), String>) {
        self.latencies_us
            .push(took.as_micros().min(u32::MAX as u128) as u32);
        match outcome {
            Ok(()) => self.accepted += 1,
            Err(code) => *self.refusals.entry(code).or_default() += 1,
        }
    }

    /// Adds another sender's tally to this one.
    pub fn merge(&mut self, other: Tally) {
        self.accepted += other.accepted;
        self.latencies_us.extend(other.latencies_us);
        for (code, n) in other.refusals {
            *self.refusals.entry(code).or_default() += n;
        }
    }
}

/// The value at quantile `q` of a sorted sample.
fn quantile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Prints a line for people and a `RESULT key=value …` line for scripts (benches/compare).
pub fn print(mut tally: Tally, elapsed: Duration, spans_per_request: usize, what: &str) {
    tally.latencies_us.sort_unstable();
    let secs = elapsed.as_secs_f64().max(1e-9);
    let answered = tally.latencies_us.len() as u64;
    let spans = tally.accepted * spans_per_request as u64;
    let (p50, p99, max) = (
        quantile(&tally.latencies_us, 0.50),
        quantile(&tally.latencies_us, 0.99),
        tally.latencies_us.last().copied().unwrap_or(0),
    );
    let refusals = if tally.refusals.is_empty() {
        "none".to_string()
    } else {
        tally
            .refusals
            .iter()
            .map(|(code, n)| format!("{code}={n}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    println!(
        "{what}: {secs:.1}s, {answered} requests answered, {} accepted ({:.0} req/s, {:.0} spans/s); \
         latency p50 {p50}µs p99 {p99}µs max {max}µs; refusals {refusals}",
        tally.accepted,
        tally.accepted as f64 / secs,
        spans as f64 / secs,
    );
    println!(
        "RESULT seconds={secs:.3} requests={answered} accepted={} requests_per_s={:.1} spans_per_s={:.1} \
         p50_us={p50} p99_us={p99} max_us={max} refusals={refusals} driver_cpu_s={:.3}",
        tally.accepted,
        tally.accepted as f64 / secs,
        spans as f64 / secs,
        own_cpu_seconds(),
    );
}

/// CPU seconds (user + system, all threads) this process has used, from /proc/self/stat; 0
/// where that is not readable. Lets benches/compare show the driver was not the bottleneck.
fn own_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name: state is the 1st, utime the 12th, stime the 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // The fields count USER_HZ ticks, which Linux fixes at 100 per second for user space.
    (ticks(11) + ticks(12)) / 100.0
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_of_a_sorted_sample() {
        let sample: Vec<u32> = (1..=100).collect();
        assert_eq!(quantile(&sample, 0.5), 50);
        assert_eq!(quantile(&sample, 0.99), 99);
        assert_eq!(quantile(&[], 0.5), 0);
    }
}
