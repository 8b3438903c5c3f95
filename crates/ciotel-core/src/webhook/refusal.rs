//! Refused deliveries made visible: each refusal is counted by reason
//! (`ciotel_webhook_refused_deliveries{receiver,reason}`) and logged at warn, at most one line
//! per reason per receiver every [`LOG_INTERVAL`], the next line telling how many were left
//! out in between. A line names the delivery id, event, reason and peer address; never the
//! secret, the signature or any other header value.
//!
//! Rate-limited because refusals come from whoever can reach the endpoint: a flood of bad
//! signatures must not become a flood of log lines, while the counter still sees every one.

use crate::body::BodyError;
use crate::telemetry::{Counter, Registry};
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most one log line per reason per receiver in this time.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The self-metric counting refusals.
pub const REFUSED_METRIC: &str = "ciotel_webhook_refused_deliveries";

/// Longest header text (delivery id, event) put into a log line, in characters.
const MAX_SHOWN: usize = 80;

/// Why a delivery was refused: the `reason` label and log field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A `required_headers` header is absent (401).
    RequiredHeaderMissing,
    /// A `required_headers` header has another value (403).
    RequiredHeaderWrong,
    /// Not POST (405).
    MethodNotAllowed,
    /// Over `max_request_body_size` (413).
    BodyTooLarge,
    /// The body could not be read (400).
    BodyUnreadable,
    /// The body did not arrive within the listener's `read_timeout` (408).
    BodyTimedOut,
    /// The in-flight body budget is used up (503).
    BodyBudgetFull,
    /// GitHub's `X-Hub-Signature-256` missing, malformed or not matching (401).
    BadSignature,
    /// GitLab's `X-Gitlab-Token` missing or not matching (401).
    BadToken,
    /// The receiver has no secret and is not marked insecure (401).
    NoSecret,
    /// No event header: not a delivery of the platform (400).
    NotADelivery,
    /// A content type the receiver does not read (415).
    UnsupportedMediaType,
    /// The payload could not be mapped (400).
    MalformedPayload,
    /// The pipeline (or the poller's hand-off queue) is full (503).
    PipelineFull,
    /// The pipeline will never take these spans (500).
    PipelineError,
}

impl Reason {
    /// Every reason, so each receiver's counters exist (at 0) from the start.
    pub const ALL: [Reason; 15] = [
        Reason::RequiredHeaderMissing,
        Reason::RequiredHeaderWrong,
        Reason::MethodNotAllowed,
        Reason::BodyTooLarge,
        Reason::BodyUnreadable,
        Reason::BodyTimedOut,
        Reason::BodyBudgetFull,
        Reason::BadSignature,
        Reason::BadToken,
        Reason::NoSecret,
        Reason::NotADelivery,
        Reason::UnsupportedMediaType,
        Reason::MalformedPayload,
        Reason::PipelineFull,
        Reason::PipelineError,
    ];

    /// The reason for a body that could not be read.
    pub fn of_body(error: &BodyError) -> Reason {
        match error {
            BodyError::TooLarge { .. } => Reason::BodyTooLarge,
            BodyError::Read(_) => Reason::BodyUnreadable,
            BodyError::TimedOut { .. } => Reason::BodyTimedOut,
            BodyError::Busy { .. } => Reason::BodyBudgetFull,
        }
    }

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::RequiredHeaderMissing => "required_header_missing",
            Reason::RequiredHeaderWrong => "required_header_wrong",
            Reason::MethodNotAllowed => "method_not_allowed",
            Reason::BodyTooLarge => "body_too_large",
            Reason::BodyUnreadable => "body_unreadable",
            Reason::BodyTimedOut => "body_timed_out",
            Reason::BodyBudgetFull => "body_budget_full",
            Reason::BadSignature => "bad_signature",
            Reason::BadToken => "bad_token",
            Reason::NoSecret => "no_secret",
            Reason::NotADelivery => "not_a_delivery",
            Reason::UnsupportedMediaType => "unsupported_media_type",
            Reason::MalformedPayload => "malformed_payload",
            Reason::PipelineFull => "pipeline_full",
            Reason::PipelineError => "pipeline_error",
        }
    }
}

/// What a log line may say about a delivery: taken from the request before any check.
///
/// Exists so every refusal names the same things, and only these: header values other than
/// the event and delivery id are never kept.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The peer's address, when the listener records it (`ConnectInfo`).
    pub peer: Option<SocketAddr>,
    /// The delivery id, as the platform sends it.
    pub delivery: Option<String>,
    /// The event, as the platform names it.
    pub event: Option<String>,
}

impl Seen {
    /// Reads the peer from `extensions` and the event and delivery id from `headers`: the
    /// first of `delivery_headers` present and non-empty.
    pub fn new(
        extensions: &Extensions,
        headers: &HeaderMap,
        event_header: &str,
        delivery_headers: &[&str],
    ) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Seen {
            peer: extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0),
            delivery: delivery_headers.iter().find_map(|h| text(h)),
            event: text(event_header),
        }
    }

    /// The delivery id, for de-duplication.
    pub fn delivery(&self) -> Option<&str> {
        self.delivery.as_deref()
    }
}

/// One receiver's refusal counters and log limiter.
pub struct Refusals {
    counters: HashMap<Reason, Counter>,
    windows: Mutex<HashMap<Reason, Window>>,
    interval: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    logged_at: Instant,
    suppressed: u64,
}

impl Refusals {
    /// Counters for receiver `id` in `registry`, logging every `interval` at most per reason.
    pub fn new(registry: &Registry, id: &str, interval: Duration) -> Self {
        let counters = Reason::ALL
            .iter()
            .map(|&reason| {
                let counter = registry.counter(
                    REFUSED_METRIC,
                    "Webhook deliveries refused, by reason.",
                    &[("receiver", id), ("reason", reason.as_str())],
                );
                (reason, counter)
            })
            .collect();
        Refusals {
            counters,
            windows: Mutex::new(HashMap::new()),
            interval,
        }
    }

    /// Counts a refusal; `Some(n)` when it should be logged, `n` being how many of this reason
    /// were left out of the log since the last line.
    pub fn record(&self, reason: Reason, now: Instant) -> Option<u64> {
        if let Some(counter) = self.counters.get(&reason) {
            counter.add(1);
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.get_mut(&reason) {
            Some(window) if now.saturating_duration_since(window.logged_at) < self.interval => {
                window.suppressed += 1;
                None
            }
            Some(window) => {
                let suppressed = window.suppressed;
                *window = Window {
                    logged_at: now,
                    suppressed: 0,
                };
                Some(suppressed)
            }
            None => {
                windows.insert(
                    reason,
                    Window {
                        logged_at: now,
                        suppressed: 0,
                    },
                );
                Some(0)
            }
        }
    }
}

/// Header text fit for a log line: at most [`MAX_SHOWN`] characters (`…` after), no control
/// characters (the sender chose it).
pub fn shown(text: Option<&str>) -> String {
    let Some(text) = text else {
        return "none".to_string();
    };
    let mut out: String = text
        .chars()
        .take(MAX_SHOWN)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().count() > MAX_SHOWN {
        out.push('…');
    }
    out
}

/// The peer for a log line: its address, or `unknown` when the listener does not record it.
pub fn peer(peer: Option<SocketAddr>) -> String {
    peer.map_or_else(|| "unknown".to_string(), |p| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_reason_per_interval_with_the_count_left_out() {
        let registry = Registry::new();
        let refusals = Refusals::new(&registry, "github", Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(refusals.record(Reason::BadSignature, t0), Some(0));
        for i in 1..=4 {
            let at = t0 + Duration::from_secs(i);
            assert_eq!(refusals.record(Reason::BadSignature, at), None);
        }
        assert_eq!(
            refusals.record(Reason::BodyTooLarge, t0 + Duration::from_secs(2)),
            Some(0),
            "another reason has its own window"
        );
        assert_eq!(
            refusals.record(Reason::BadSignature, t0 + Duration::from_secs(10)),
            Some(4)
        );
        assert_eq!(
            refusals.record(Reason::BadSignature, t0 + Duration::from_secs(21)),
            Some(0)
        );
        let count = |reason: Reason| {
            registry.value(
                REFUSED_METRIC,
                &[("receiver", "github"), ("reason", reason.as_str())],
            )
        };
        assert_eq!(
            count(Reason::BadSignature),
            Some(7),
            "every refusal counted"
        );
        assert_eq!(count(Reason::BodyTooLarge), Some(1));
        assert_eq!(
            count(Reason::MethodNotAllowed),
            Some(0),
            "exists from the start"
        );
    }

    #[test]
    fn header_text_is_cut_and_cleaned() {
        assert_eq!(shown(None), "none");
        assert_eq!(shown(Some("a\nb\u{1b}c")), "a?b?c");
        let long = "x".repeat(200);
        assert_eq!(shown(Some(&long)).chars().count(), MAX_SHOWN + 1);
        assert_eq!(peer(None), "unknown");
    }

    #[test]
    fn seen_reads_the_peer_when_the_listener_gives_it() {
        let mut extensions = Extensions::new();
        let mut headers = HeaderMap::new();
        headers.insert("x-event", "push".parse().unwrap());
        headers.insert("x-b", "id-2".parse().unwrap());
        let seen = Seen::new(&extensions, &headers, "x-event", &["x-a", "x-b"]);
        assert_eq!(
            (seen.peer, seen.delivery(), seen.event.as_deref()),
            (None, Some("id-2"), Some("push"))
        );
        let addr: SocketAddr = "192.0.2.7:5555".parse().unwrap();
        extensions.insert(ConnectInfo(addr));
        assert_eq!(
            Seen::new(&extensions, &headers, "x-event", &[]).peer,
            Some(addr)
        );
    }
}
