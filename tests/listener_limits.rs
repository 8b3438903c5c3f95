//! The listener kit against real slow and greedy clients: slowloris headers, idle keep-alive,
//! slow bodies, more connections than the limit, more connections than file descriptors, and
//! more parked uploads than the in-flight body budget. Each test starts the real binary with
//! short timeouts and checks what a client sees (EOF, status codes), the log and /metrics.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};
use support::{Daemon, TempDir, wait_for};

/// A config with an OTLP/HTTP receiver, a GitHub webhook, health_check and metrics, every
/// listener on an OS-picked port; `http_keys` and `webhook_keys` are extra lines (already
/// indented) under `protocols.http` and `webhook`, `service_keys` under `service`.
fn config(http_keys: &str, webhook_keys: &str, service_keys: &str) -> String {
    format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n{http_keys}\
         \x20 github:\n    webhook:\n      endpoint: 127.0.0.1:0\n      insecure: true\n{webhook_keys}\
         exporters:\n  debug:\n\
         extensions:\n  health_check:\n    endpoint: 127.0.0.1:0\n\
         service:\n  extensions: [health_check]\n{service_keys}  telemetry:\n    metrics:\n      address: 127.0.0.1:0\n\
         \x20 pipelines:\n    traces:\n      receivers: [otlp, github]\n      exporters: [debug]\n"
    )
}

fn connect(address: &str) -> TcpStream {
    let s = TcpStream::connect(address).expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("read timeout");
    s
}

/// True once the server has closed `s` (a read returns EOF or a reset); false while it is
/// open. Any bytes the server sent first (e.g. a 408) are skipped.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    s.set_nonblocking(true).expect("nonblocking");
    let closed = loop {
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break false;
            }
            Err(_) => break true,
        }
    };
    s.set_nonblocking(false).expect("blocking");
    closed
}

/// Reads what the server sends until it closes or `patience` passes.
fn read_reply(s: &mut TcpStream, patience: Duration) -> String {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < patience {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn post_empty_trace(address: &str) -> Result<u16, String> {
    reqwest::blocking::Client::new()
        .post(format!("http://{address}/v1/traces"))
        .header("content-type", "application/json")
        .body(r#"{"resourceSpans":[]}"#)
        .timeout(Duration::from_secs(5))
        .send()
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

fn metric(daemon: &Daemon, series: &str) -> Option<f64> {
    let url = format!("http://{}/metrics", daemon.address("metrics", "http"));
    let text = reqwest::blocking::get(url).ok()?.text().ok()?;
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

fn health(daemon: &Daemon) -> Option<u16> {
    let url = format!("http://{}/", daemon.address("health_check", "http"));
    reqwest::blocking::get(url)
        .ok()
        .map(|r| r.status().as_u16())
}

/// Slowloris: connections trickling their headers a byte at a time are closed after
/// `read_header_timeout`, on OTLP/HTTP and on the webhook port, while a normal client is
/// served meanwhile.
#[test]
fn slowloris_connections_are_closed_after_read_header_timeout() {
    let dir = TempDir::new("slowloris");
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &config(
            "        read_header_timeout: 1s\n",
            "      read_header_timeout: 1s\n",
            "",
        ),
    );
    let otlp = daemon.address("otlp", "http");
    let webhook = daemon.address("github", "webhook");
    let head = b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    let mut slow: Vec<TcpStream> = (0..40)
        .map(|i| connect(if i % 2 == 0 { &otlp } else { &webhook }))
        .collect();
    let started = Instant::now();
    let mut open = slow.len();
    let mut served_meanwhile = false;
    let mut byte = 0;
    while open > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{open} slowloris connections still open after 15 s"
        );
        open = 0;
        for s in &mut slow {
            let b = head[byte % head.len()];
            if s.write_all(&[b]).is_ok() && !closed_by_server(s) {
                open += 1;
            }
        }
        byte += 1;
        std::thread::sleep(Duration::from_millis(100));
        if !served_meanwhile && open == slow.len() {
            served_meanwhile = post_empty_trace(&otlp) == Ok(200);
        }
    }
    assert!(
        served_meanwhile,
        "a normal client was not served while the slow ones were open"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "closed before read_header_timeout: {:?}",
        started.elapsed()
    );
    assert_eq!(post_empty_trace(&otlp), Ok(200));
}

/// A keep-alive connection left idle is closed after `idle_timeout`; a body sent too slowly
/// gets a 408 after `read_timeout`.
#[test]
fn idle_connections_and_slow_bodies_are_cut_off() {
    let dir = TempDir::new("idle-slow-body");
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &config(
            "        idle_timeout: 1s\n        read_timeout: 1s\n        read_header_timeout: 5s\n",
            "      read_timeout: 1s\n",
            "",
        ),
    );
    let otlp = daemon.address("otlp", "http");

    // Idle: one full request, answered and kept alive, then silence.
    let mut s = connect(&otlp);
    let body = r#"{"resourceSpans":[]}"#;
    write!(
        s,
        "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let reply = read_reply(&mut s, Duration::from_millis(500));
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(!closed_by_server(&mut s), "closed right after the response");
    wait_for("the idle keep-alive connection to be closed", || {
        closed_by_server(&mut s).then_some(())
    });

    // Slow body: headers at once, then 10 of 100 bytes, then nothing.
    for address in [otlp.clone(), daemon.address("github", "webhook")] {
        let mut s = connect(&address);
        let path = if address == otlp {
            "/v1/traces"
        } else {
            "/events/github"
        };
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-GitHub-Event: ping\r\nX-GitHub-Delivery: d1\r\nContent-Length: 100\r\n\r\n{{\"resource"
        )
        .unwrap();
        let reply = read_reply(&mut s, Duration::from_secs(10));
        assert!(reply.starts_with("HTTP/1.1 408"), "{address}: {reply}");
        assert!(reply.contains("read_timeout"), "{reply}");
    }
}

/// Beyond `max_concurrent_connections` new connections are closed at once, counted in
/// /metrics and logged; health_check, its own listener, still answers 200.
#[test]
fn connections_beyond_the_limit_are_closed_counted_and_logged() {
    let dir = TempDir::new("conn-limit");
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &config("        max_concurrent_connections: 5\n", "", ""),
    );
    let otlp = daemon.address("otlp", "http");
    let mut held: Vec<TcpStream> = (0..5).map(|_| connect(&otlp)).collect();
    // Let the daemon take all five before trying more.
    wait_for("five open connections in /metrics", || {
        (metric(
            &daemon,
            r#"ciotel_listener_open_connections{component="otlp",transport="http"}"#,
        ) == Some(5.0))
        .then_some(())
    });
    for _ in 0..3 {
        let mut extra = connect(&otlp);
        let _ = extra.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(
            wait_until(|| closed_by_server(&mut extra)),
            "a connection beyond the limit was not closed"
        );
    }
    let refused = metric(
        &daemon,
        r#"ciotel_listener_refused_connections{component="otlp",transport="http"}"#,
    );
    assert!(refused.is_some_and(|n| n >= 3.0), "refused: {refused:?}");
    assert!(
        daemon.log_text().contains("connection limit reached"),
        "{}",
        daemon.log_text()
    );
    assert_eq!(health(&daemon), Some(200));
    // The held ones are still served.
    let s = &mut held[0];
    write!(s, "GET /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let reply = read_reply(s, Duration::from_millis(500));
    assert!(reply.starts_with("HTTP/1.1 405"), "{reply}");
    drop(held);
    wait_for("a new client to be served", || {
        (post_empty_trace(&otlp) == Ok(200)).then_some(())
    });
}

/// Out of file descriptors: accept errors are logged and counted, the daemon does not spin,
/// and once the connections close it serves again.
#[test]
fn out_of_file_descriptors_is_logged_counted_and_survived() {
    let dir = TempDir::new("emfile");
    let daemon = Daemon::start(&dir, "ciotel", &config("", "", ""));
    let status = std::process::Command::new("prlimit")
        .args(["--pid", &daemon.pid().to_string(), "--nofile=64:64"])
        .status()
        .expect("run prlimit");
    assert!(status.success(), "prlimit failed");
    let otlp = daemon.address("otlp", "http");
    let held: Vec<TcpStream> = (0..120).map(|_| connect(&otlp)).collect();
    wait_for("the accept error in the log", || {
        daemon
            .log_text()
            .contains("cannot accept connections")
            .then_some(())
    });
    drop(held);
    wait_for("the daemon to serve again", || {
        (post_empty_trace(&otlp) == Ok(200)).then_some(())
    });
    let errors = metric(
        &daemon,
        r#"ciotel_listener_accept_errors{component="otlp",transport="http"}"#,
    );
    assert!(
        errors.is_some_and(|n| n >= 1.0),
        "accept errors: {errors:?}"
    );
    assert!(
        daemon.log_text().contains("Too many open files"),
        "{}",
        daemon.log_text()
    );
}

/// Parked uploads holding the in-flight body budget make new uploads get 503 with
/// Retry-After at once; after the parked ones time out, uploads are accepted again.
#[test]
fn uploads_beyond_the_in_flight_budget_get_503_until_the_parked_ones_time_out() {
    let dir = TempDir::new("budget");
    let daemon = Daemon::start(
        &dir,
        "ciotel",
        &config(
            "        read_timeout: 2s\n",
            "      read_timeout: 2s\n",
            "  max_in_flight_body_size: 1000000\n",
        ),
    );
    let otlp = daemon.address("otlp", "http");
    let webhook = daemon.address("github", "webhook");
    let park = |address: &str, path: &str| {
        let mut s = connect(address);
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-GitHub-Event: ping\r\nX-GitHub-Delivery: d\r\nContent-Length: 400000\r\n\r\n{{"
        )
        .unwrap();
        s
    };
    let mut parked = vec![park(&otlp, "/v1/traces"), park(&webhook, "/events/github")];
    for s in &mut parked {
        let reply = read_reply(s, Duration::from_millis(300));
        assert!(reply.is_empty(), "a parked upload was answered: {reply}");
    }
    // Both fit (800 kB of 1 MB); a third does not, on either listener.
    for (address, path) in [(&otlp, "/v1/traces"), (&webhook, "/events/github")] {
        let mut s = park(address, path);
        let reply = read_reply(&mut s, Duration::from_secs(1));
        assert!(reply.starts_with("HTTP/1.1 503"), "{path}: {reply}");
        assert!(
            reply.to_ascii_lowercase().contains("retry-after: 1"),
            "{reply}"
        );
        assert!(reply.contains("retry later"), "{reply}");
    }
    // The parked ones are cut off by read_timeout, which frees the budget.
    for s in &mut parked {
        let reply = read_reply(s, Duration::from_secs(10));
        assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    }
    let mut s = park(&otlp, "/v1/traces");
    let reply = read_reply(&mut s, Duration::from_millis(300));
    assert!(reply.is_empty(), "a new upload fits again: {reply}");
    let _ = s.shutdown(Shutdown::Both);
    assert_eq!(post_empty_trace(&otlp), Ok(200));
}

/// Polls `check` for up to 5 s.
fn wait_until(mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// gRPC: a TCP connection that never sends a call is closed after `first_request_timeout`,
/// connections beyond the limit are closed at once, and a real client is served meanwhile.
#[test]
fn grpc_closes_silent_connections_and_enforces_its_connection_limit() {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
    let dir = TempDir::new("grpc-limits");
    let config = "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n        first_request_timeout: 1s\n        max_concurrent_connections: 3\n\
         exporters:\n  debug:\n\
         service:\n  telemetry:\n    metrics:\n      address: 127.0.0.1:0\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n";
    let daemon = Daemon::start(&dir, "ciotel", config);
    let grpc = daemon.address("otlp", "grpc");
    let mut silent: Vec<TcpStream> = (0..2).map(|_| connect(&grpc)).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut client = runtime
        .block_on(TraceServiceClient::connect(format!("http://{grpc}")))
        .expect("connect over gRPC");
    let mut export = || {
        runtime
            .block_on(client.export(ExportTraceServiceRequest::default()))
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    // Two silent connections and this client make three: the limit.
    assert_eq!(export(), Ok(()));
    let mut extra = connect(&grpc);
    assert!(
        wait_until(|| closed_by_server(&mut extra)),
        "a connection beyond the limit was not closed"
    );
    wait_for("the silent connections to be closed", || {
        silent.iter_mut().all(closed_by_server).then_some(())
    });
    assert_eq!(export(), Ok(()), "the client's connection is served on");
    let refused = metric(
        &daemon,
        r#"ciotel_listener_refused_connections{component="otlp",transport="grpc"}"#,
    );
    assert!(refused.is_some_and(|n| n >= 1.0), "refused: {refused:?}");
}
