//! What a listener tells about its connections: counters in the self-metrics and log lines that
//! are rate-limited, so a flood of refused connections costs a few lines, not a disk.

use crate::telemetry::{Counter, Registry};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most one line per this long per listener and kind of event.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// One listener's counters and its rate-limited log.
///
/// Exists so every listener names its refusals the same way, with `component` and `transport`
/// labels (`otlp`/`grpc`, `github/ci`/`webhook`, `health_check`/`http`, `telemetry`/`metrics`).
pub struct ListenerReport {
    /// e.g. `otlp`, for logs and labels.
    pub component: String,
    /// e.g. `grpc`.
    pub transport: &'static str,
    refused: Counter,
    accept_errors: Counter,
    tls_failures: Counter,
    open: Counter,
    refused_log: RateLimited,
    accept_log: RateLimited,
    tls_log: RateLimited,
}

impl ListenerReport {
    /// The counters of listener `component`/`transport` in `registry`.
    pub fn new(registry: &Registry, component: &str, transport: &'static str) -> Self {
        let labels = [("component", component), ("transport", transport)];
        ListenerReport {
            component: component.to_string(),
            transport,
            refused: registry.counter(
                "ciotel_listener_refused_connections",
                "Connections closed at once because max_concurrent_connections were open.",
                &labels,
            ),
            accept_errors: registry.counter(
                "ciotel_listener_accept_errors",
                "Errors accepting a connection (e.g. out of file descriptors).",
                &labels,
            ),
            tls_failures: registry.counter(
                "ciotel_listener_tls_handshake_failures",
                "TLS handshakes that failed or timed out.",
                &labels,
            ),
            open: registry.gauge(
                "ciotel_listener_open_connections",
                "Connections open now.",
                &labels,
            ),
            refused_log: RateLimited::default(),
            accept_log: RateLimited::default(),
            tls_log: RateLimited::default(),
        }
    }

    /// A connection was refused because `limit` were open.
    pub fn refused(&self, limit: usize) {
        self.refused.add(1);
        if let Some(more) = self.refused_log.allow() {
            tracing::warn!(
                component = %self.component,
                transport = self.transport,
                max_concurrent_connections = limit,
                refused_since_last_line = more,
                "connection limit reached: new connections are closed at once"
            );
        }
    }

    /// Accepting failed (EMFILE, ENFILE, ENOBUFS …).
    pub fn accept_error(&self, error: &std::io::Error) {
        self.accept_errors.add(1);
        if let Some(more) = self.accept_log.allow() {
            tracing::error!(
                component = %self.component,
                transport = self.transport,
                error = %error,
                errors_since_last_line = more,
                "cannot accept connections (out of file descriptors? raise `ulimit -n` or lower \
                 max_concurrent_connections); retrying"
            );
        }
    }

    /// A TLS handshake failed or timed out.
    pub fn tls_failure(&self, peer: std::net::SocketAddr, error: &dyn std::fmt::Display) {
        self.tls_failures.add(1);
        if let Some(more) = self.tls_log.allow() {
            tracing::warn!(
                component = %self.component,
                transport = self.transport,
                %peer,
                error = %error,
                failures_since_last_line = more,
                "TLS handshake failed"
            );
        }
    }

    /// The open-connections gauge.
    pub(crate) fn open_gauge(&self) -> &Counter {
        &self.open
    }
}

/// Lets one event through per [`LOG_EVERY`], counting the ones held back.
#[derive(Default)]
struct RateLimited(Mutex<Option<(Instant, u64)>>);

impl RateLimited {
    /// `Some(held back since the last line)` when a line may be written now.
    fn allow(&self) -> Option<u64> {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match &mut *state {
            Some((last, held)) if now.duration_since(*last) < LOG_EVERY => {
                *held += 1;
                None
            }
            Some((last, held)) => {
                let more = *held;
                *last = now;
                *held = 0;
                Some(more)
            }
            None => {
                *state = Some((now, 0));
                Some(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_period_counts_the_rest() {
        let r = RateLimited::default();
        assert_eq!(r.allow(), Some(0));
        assert_eq!(r.allow(), None);
        assert_eq!(r.allow(), None);
        *r.0.lock().unwrap() = Some((Instant::now() - LOG_EVERY, 2));
        assert_eq!(r.allow(), Some(2));
    }
}
