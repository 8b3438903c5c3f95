//! When a connection must be closed: a state machine per connection fed by its reads and by the
//! requests served on it. The connection's IO ([`super::conn::ServerIo`]) asks it for the next
//! deadline and fails its reads once that deadline passes, so the same rule holds for HTTP/1
//! (hyper) and gRPC (tonic), which both keep a read pending on every connection.
//!
//! | state                           | deadline                                        |
//! |---------------------------------|-------------------------------------------------|
//! | waiting for the first request   | accepted + `read_header_timeout` (HTTP) or `first_request_timeout` (gRPC) |
//! | HTTP: a request head is arriving| its first byte + `read_header_timeout`          |
//! | a request is in flight          | none (the body has its own `read_timeout`)      |
//! | idle between requests           | last response + `idle_timeout` (HTTP) or `max_connection_idle` (gRPC) |
//!
//! Apart from these, a write that makes no progress for `write_timeout` (HTTP) fails: a client
//! that stops reading its responses cannot hold a connection forever.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How a connection's bytes relate to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/1: the first byte read while idle starts a request head.
    Http1,
    /// HTTP/2 (gRPC): bytes flow while idle (pings, settings), so only requests count.
    Http2,
}

/// The limits that make a connection's deadlines (`None` = no limit).
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// From acceptance (or, HTTP/1, from a request's first byte) to the request's head.
    pub head: Option<Duration>,
    /// With no request in flight.
    pub idle: Option<Duration>,
    /// A write that makes no progress for this long fails (HTTP `write_timeout`).
    pub write: Option<Duration>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Accepted, or (HTTP/1) the first byte of a request head was read at this instant.
    AwaitingHead(Instant),
    /// This many requests are being served.
    InFlight(usize),
    /// The last response was finished at this instant.
    Idle(Instant),
}

/// One connection's activity.
#[derive(Debug)]
pub struct Activity {
    protocol: Protocol,
    limits: Deadlines,
    state: Mutex<State>,
}

impl Activity {
    /// A connection accepted now.
    pub fn new(protocol: Protocol, limits: Deadlines) -> Self {
        Activity {
            protocol,
            limits,
            state: Mutex::new(State::AwaitingHead(Instant::now())),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes were read from the client.
    pub fn on_read(&self) {
        if self.protocol == Protocol::Http1 {
            let mut state = self.state();
            if let State::Idle(_) = *state {
                *state = State::AwaitingHead(Instant::now());
            }
        }
    }

    /// A request's head arrived and is being served.
    pub fn request_started(&self) {
        let mut state = self.state();
        *state = match *state {
            State::InFlight(n) => State::InFlight(n + 1),
            _ => State::InFlight(1),
        };
    }

    /// A request's response was handed back.
    pub fn request_finished(&self) {
        let mut state = self.state();
        *state = match *state {
            State::InFlight(n) if n > 1 => State::InFlight(n - 1),
            _ => State::Idle(Instant::now()),
        };
    }

    /// How long a stalled write may wait.
    pub fn write_limit(&self) -> Option<Duration> {
        self.limits.write
    }

    /// When the connection must be closed if nothing changes, and why.
    pub fn deadline(&self) -> Option<(Instant, &'static str)> {
        match *self.state() {
            State::AwaitingHead(since) => self
                .limits
                .head
                .map(|d| (since + d, "no complete request in time")),
            State::InFlight(_) => None,
            State::Idle(since) => self.limits.idle.map(|d| (since + d, "idle")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Deadlines = Deadlines {
        head: Some(Duration::from_secs(1)),
        idle: Some(Duration::from_secs(5)),
        write: None,
    };

    #[tokio::test(start_paused = true)]
    async fn http1_deadlines_follow_the_request_cycle() {
        let a = Activity::new(Protocol::Http1, LIMITS);
        let start = Instant::now();
        assert_eq!(a.deadline().unwrap().0, start + Duration::from_secs(1));
        a.request_started();
        assert!(a.deadline().is_none());
        tokio::time::advance(Duration::from_secs(3)).await;
        a.request_finished();
        let idle_since = Instant::now();
        assert_eq!(a.deadline().unwrap().0, idle_since + Duration::from_secs(5));
        tokio::time::advance(Duration::from_secs(2)).await;
        a.on_read();
        assert_eq!(
            a.deadline().unwrap().0,
            Instant::now() + Duration::from_secs(1)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn http2_reads_do_not_count_as_requests() {
        let a = Activity::new(Protocol::Http2, LIMITS);
        a.request_started();
        a.request_started();
        a.request_finished();
        assert!(a.deadline().is_none(), "one call still in flight");
        a.request_finished();
        let idle = a.deadline().unwrap();
        tokio::time::advance(Duration::from_secs(1)).await;
        a.on_read();
        assert_eq!(a.deadline().unwrap(), idle, "a ping is not a request");
    }
}
