//! The persistent sending queue, black box: the real binary with `sending_queue.storage:
//! file_storage`, real OTLP/gRPC clients that retry as SDKs do, a real OTLP/gRPC backend (a
//! tonic server in this test recording span ids), real files and real `kill -9`:
//! - (a) the backend is down for ~10 s, then up: every acknowledged span arrives;
//! - (b) `kill -9` five times during a 100k-span stream, restarting each time: every
//!   acknowledged span arrives (duplicates are counted and reported, not failed);
//! - (c) a corrupted queue file: the daemon starts, logs the damage, counts it, delivers the rest;
//! - (d) a full queue: clients get retryable refusals, and nothing acknowledged is dropped;
//! - (e) a shutdown past its deadline says how much an in-memory queue lost; a persistent one
//!   loses nothing;
//! - (f) a GitLab hook answered 2xx survives kill -9;
//! - `ciotel validate` checks `sending_queue.storage`;
//! - an ignored soak (benches/soak_queue.sh): a long outage with many kills.

mod support;

#[path = "durable_queue/harness.rs"]
mod harness;

use harness::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Daemon, TempDir, wait_for};
use tonic::Code;

// ---- (a) ----------------------------------------------------------------------------------

/// Ten seconds of outage: every span acknowledged meanwhile is held on disk (the gauges say so)
/// and arrives once the backend is up.
#[test]
fn a_backend_down_for_ten_seconds_then_up_gets_everything() {
    let rt = runtime();
    let port = free_port();
    let dir = TempDir::new("durable-outage");
    let daemon = Daemon::start(&dir, "ciotel", &config(port, &queue_dir(&dir), "", "5s"));
    let client = Client::new(&daemon);
    let outage = Instant::now();
    let mut acknowledged = BTreeSet::new();
    let mut n = 0;
    while outage.elapsed() < Duration::from_secs(10) {
        let (request, ids) = request(n, 200);
        rt.block_on(client.send_until_ok(request));
        acknowledged.extend(ids);
        n += 1;
        std::thread::sleep(Duration::from_millis(200));
    }
    let metrics = metrics_text(&daemon);
    let queued = metric(
        &metrics,
        "ciotel_exporter_queue_items{exporter=\"otlp/sink\"}",
    );
    assert_eq!(queued, Some(acknowledged.len() as f64), "{metrics}");
    let age = metric(
        &metrics,
        "ciotel_exporter_queue_oldest_age_seconds{exporter=\"otlp/sink\"}",
    );
    assert!(age >= Some(5.0), "the oldest batch waited ~10 s: {metrics}");
    assert!(
        metric(
            &metrics,
            "ciotel_exporter_queue_bytes{exporter=\"otlp/sink\"}"
        ) > Some(0.0)
    );

    let sink = Sink::start(&rt, port);
    sink.wait_for_all(&acknowledged, &daemon);
    eprintln!(
        "outage: {} spans acknowledged during 10 s down, all delivered; {} duplicates",
        acknowledged.len(),
        sink.duplicates()
    );
}

// ---- (b) ----------------------------------------------------------------------------------

/// Four clients stream 100,000 spans (1,000 requests) while the daemon is killed with SIGKILL
/// five times and restarted on the same queue directory; every span a client was answered OK
/// for reaches the backend.
#[test]
fn kill_9_five_times_during_a_stream_loses_nothing_acknowledged() {
    let rt = runtime();
    let port = free_port();
    let sink = Sink::start(&rt, port);
    let dir = TempDir::new("durable-kill9");
    let config = config(port, &queue_dir(&dir), "", "5s");
    let mut daemon = Daemon::start(&dir, "ciotel", &config);
    let endpoint = Arc::new(Mutex::new(Some(grpc_endpoint(&daemon))));
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let sent = Arc::new(AtomicU64::new(0));
    const CLIENTS: u64 = 4;
    const REQUESTS: u64 = 250;
    const SPANS: usize = 100;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (endpoint, acknowledged, sent) =
                (endpoint.clone(), acknowledged.clone(), sent.clone());
            rt.spawn(async move {
                let mut retries = 0u64;
                for i in 0..REQUESTS {
                    let (request, ids) = request(c * REQUESTS + i, SPANS);
                    retries += send_retrying(&endpoint, request).await;
                    acknowledged.lock().unwrap().extend(ids);
                    sent.fetch_add(1, Ordering::SeqCst);
                }
                retries
            })
        })
        .collect();

    for kill in 1..=5u64 {
        // Kill when the stream is a sixth further along each time: mid-stream, never idle.
        let target = kill * CLIENTS * REQUESTS / 6;
        wait_for("the stream to progress", || {
            (sent.load(Ordering::SeqCst) >= target).then_some(())
        });
        *endpoint.lock().unwrap() = None;
        daemon.kill();
        daemon = Daemon::start(&dir, "ciotel", &config);
        *endpoint.lock().unwrap() = Some(grpc_endpoint(&daemon));
    }
    let retries: u64 = clients
        .into_iter()
        .map(|c| rt.block_on(c).expect("client task"))
        .sum();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert_eq!(acknowledged.len(), (CLIENTS * REQUESTS) as usize * SPANS);
    sink.wait_for_all(&acknowledged, &daemon);
    eprintln!(
        "kill -9 ×5: {} spans acknowledged, all delivered; {} duplicates; {retries} client retries",
        acknowledged.len(),
        sink.duplicates()
    );
}

// ---- (c) ----------------------------------------------------------------------------------

/// A byte flipped in the middle of a queue file: the daemon starts, logs the damage as an
/// error, counts one skipped record, and delivers every other record.
#[test]
fn a_corrupted_queue_file_costs_only_the_damaged_record() {
    let rt = runtime();
    let port = free_port();
    let dir = TempDir::new("durable-corrupt");
    let queue = queue_dir(&dir);
    let config = config(port, &queue, "", "5s");
    let mut daemon = Daemon::start(&dir, "ciotel", &config);
    let client = Client::new(&daemon);
    let mut acknowledged = Vec::new();
    for n in 0..20 {
        let (request, ids) = request(n, 10);
        rt.block_on(client.send_until_ok(request));
        acknowledged.push(ids);
    }
    assert!(daemon.terminate().success(), "{}", daemon.log_text());
    assert!(
        daemon
            .log_text()
            .contains("the persistent sending queue keeps what was not sent"),
        "{}",
        daemon.log_text()
    );
    let segment = segment_files(&queue.join("exporter_otlp_sink"))
        .pop()
        .expect("a segment file");
    let mut bytes = std::fs::read(&segment).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&segment, &bytes).unwrap();

    let sink = Sink::start(&rt, port);
    let daemon = Daemon::start(&dir, "ciotel", &config);
    wait_for("the queue to empty", || {
        let text = metrics_text(&daemon);
        (metric(&text, "ciotel_exporter_queue_size{exporter=\"otlp/sink\"}") == Some(0.0))
            .then_some(())
    });
    let delivered = sink.ids();
    assert!(
        sink.altered().is_empty(),
        "the intact records arrive exactly as sent: {:?}",
        sink.altered().first()
    );
    let whole: Vec<_> = acknowledged
        .iter()
        .filter(|ids| ids.iter().all(|id| delivered.contains(id)))
        .collect();
    assert_eq!(
        whole.len(),
        19,
        "all records but the damaged one are delivered"
    );
    assert_eq!(delivered.len(), 190);
    let text = metrics_text(&daemon);
    assert_eq!(
        metric(
            &text,
            "ciotel_exporter_queue_skipped_records{exporter=\"otlp/sink\"}"
        ),
        Some(1.0),
        "{text}"
    );
    let log = daemon.log_text();
    assert!(
        log.contains("ERROR") && log.contains("corrupt bytes (checksum or framing)"),
        "{log}"
    );
}

// ---- (d) ----------------------------------------------------------------------------------

/// A 1 MiB persistent queue with the backend down fills up: clients get UNAVAILABLE (which
/// SDKs retry), never an OK for data that is then dropped; once the backend is up, everything
/// acknowledged and everything re-sent arrives.
#[test]
fn a_full_queue_refuses_retryably_and_drops_nothing_acknowledged() {
    let rt = runtime();
    let port = free_port();
    let dir = TempDir::new("durable-full");
    let config = config(port, &queue_dir(&dir), "      max_size_mib: 1\n", "5s");
    let daemon = Daemon::start(&dir, "ciotel", &config);
    let client = Client::new(&daemon);
    let mut acknowledged = BTreeSet::new();
    let mut refused = Vec::new();
    let mut n = 0;
    while refused.len() < 5 {
        assert!(n < 2000, "the queue never filled");
        let (request, ids) = request(n, 500);
        n += 1;
        match rt.block_on(client.send(request.clone())) {
            Ok(()) => acknowledged.extend(ids),
            Err(status) => {
                assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                assert!(status.message().contains("full"), "{status:?}");
                refused.push((request, ids));
            }
        }
    }
    let text = metrics_text(&daemon);
    let on_disk = metric(&text, "ciotel_exporter_queue_bytes{exporter=\"otlp/sink\"}").unwrap();
    assert!(on_disk <= 1024.0 * 1024.0, "{text}");
    assert!(
        metric(
            &text,
            "ciotel_exporter_enqueue_failed_spans{exporter=\"otlp/sink\"}"
        ) >= Some(2500.0)
    );

    let sink = Sink::start(&rt, port);
    for (request, ids) in refused {
        rt.block_on(client.send_until_ok(request));
        acknowledged.extend(ids);
    }
    sink.wait_for_all(&acknowledged, &daemon);
    let text = metrics_text(&daemon);
    assert_eq!(
        metric(
            &text,
            "ciotel_exporter_send_failed_spans{exporter=\"otlp/sink\"}"
        ),
        Some(0.0)
    );
}

// ---- (e) ----------------------------------------------------------------------------------

/// With an in-memory queue and the backend down, a shutdown that passes its deadline says how
/// much it lost, in batches and items; the same with a persistent queue loses nothing and exits
/// 0 at once, keeping the batches for the next start.
#[test]
fn a_shutdown_that_loses_data_says_how_much_and_a_persistent_one_loses_none() {
    let rt = runtime();
    let port = free_port();
    let dir = TempDir::new("durable-shutdown");
    let memory =
        config(port, &queue_dir(&dir), "", "1s").replace("      storage: file_storage/queue\n", "");
    let mut daemon = Daemon::start(&dir, "memory", &memory);
    let client = Client::new(&daemon);
    for n in 0..3 {
        rt.block_on(client.send_until_ok(request(n, 7).0));
    }
    assert!(!daemon.terminate().success());
    let said = wait_for("the loss report", || {
        daemon
            .log_lines()
            .into_iter()
            .find(|l| l.contains("still in in-memory sending queues were lost"))
    });
    assert!(said.contains("3 batch(es) (21 items)"), "{said}");
    assert!(
        daemon
            .log_text()
            .contains("data still in the in-memory sending queue is lost"),
        "{}",
        daemon.log_text()
    );

    let mut daemon = Daemon::start(&dir, "disk", &config(port, &queue_dir(&dir), "", "1s"));
    let client = Client::new(&daemon);
    for n in 10..13 {
        rt.block_on(client.send_until_ok(request(n, 7).0));
    }
    assert!(daemon.terminate().success(), "{}", daemon.log_text());
    assert!(
        daemon.log_text().contains("batches=3 items=21"),
        "{}",
        daemon.log_text()
    );
}

// ---- (f) ----------------------------------------------------------------------------------

/// GitLab does not redeliver a hook it got a 2xx for: with a persistent queue, that 2xx means
/// the spans are on disk. A Pipeline Hook accepted while the backend is down survives kill -9
/// and reaches the backend after the restart.
#[test]
fn a_webhook_answered_2xx_survives_kill_9() {
    const TOKEN: &str = "gitlab-shared-token";
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        shared.is_dir(),
        "../shared/fixtures is missing (real GitLab payloads)"
    );
    let hook = std::fs::read(shared.join("gitlab/go-gitlab/webhook_pipeline.json")).unwrap();
    let rt = runtime();
    let port = free_port();
    let dir = TempDir::new("durable-webhook");
    let config = config(port, &queue_dir(&dir), "", "5s")
        .replace(
            "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n",
            &format!("receivers:\n  gitlab:\n    webhook:\n      endpoint: 127.0.0.1:0\n      secret: {TOKEN}\n"),
        )
        .replace("receivers: [otlp]", "receivers: [gitlab]");
    let mut daemon = Daemon::start(&dir, "ciotel", &config);
    let url = format!(
        "http://{}/events/gitlab",
        daemon.address("gitlab", "webhook")
    );
    let answer = reqwest::blocking::Client::new()
        .post(&url)
        .header("X-Gitlab-Event", "Pipeline Hook")
        .header("Idempotency-Key", "k-1")
        .header("X-Gitlab-Token", TOKEN)
        .header("Content-Type", "application/json")
        .body(hook.clone())
        .send()
        .expect("POST the hook");
    assert!(answer.status().is_success(), "{}", answer.status());
    daemon.kill();

    // Every span the hook makes, exactly as the receiver translates it, must arrive.
    let events = ciotel_gitlab::map_webhook(ciotel_gitlab::EVENT_PIPELINE_HOOK, &hook)
        .expect("the fixture maps")
        .expect("a pipeline event");
    // The pipeline's own trace, and its span in its merge request's change trace.
    let change = ciotel_gitlab::map_change_webhook(ciotel_gitlab::EVENT_PIPELINE_HOOK, &hook)
        .expect("the fixture maps");
    let spans: Vec<_> = ciotel_gitlab::translate(&events)
        .into_iter()
        .chain(ciotel_cicd::translate_changes(
            &change.events,
            ciotel_gitlab::ID_RECIPE,
        ))
        .flat_map(|r| r.scope_spans)
        .flat_map(|s| s.spans)
        .collect();
    let expected: BTreeSet<[u8; 8]> = spans
        .iter()
        .map(|s| s.span_id.as_slice().try_into().expect("8-byte id"))
        .collect();
    let pipeline = ciotel_gitlab::ids::pipeline_span_id(31).to_string();
    assert!(
        spans.iter().any(|s| hex(&s.span_id) == pipeline),
        "the pipeline span is among them"
    );
    let sink = Sink::start_expecting(&rt, port, spans);
    let daemon = Daemon::start(&dir, "ciotel", &config);
    sink.wait_for_all(&expected, &daemon);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- config -------------------------------------------------------------------------------

/// `ciotel validate` catches a queue whose storage is not a listed file_storage extension.
#[test]
fn validate_names_a_storage_that_is_not_a_listed_file_storage_extension() {
    let dir = TempDir::new("durable-validate");
    let good = config(4317, &queue_dir(&dir), "", "5s");
    let cases = [
        (
            good.replace("  extensions: [file_storage/queue]\n", ""),
            "extension `file_storage/queue` is not listed in service.extensions",
        ),
        (
            good.replace("storage: file_storage/queue", "storage: file_storage/other"),
            "extension `file_storage/other` is not defined under `extensions`",
        ),
    ];
    for (text, expected) in cases {
        let path = dir.join("bad.yaml");
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new(support::binary())
            .args(["validate", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(stderr.contains("exporter `otlp/sink`"), "{stderr}");
    }
    let path = dir.join("good.yaml");
    std::fs::write(&path, good).unwrap();
    let out = std::process::Command::new(support::binary())
        .args(["validate", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- soak (not run in CI: benches/soak_queue.sh) ------------------------------------------

/// Minutes of outage with the daemon killed again and again, then recovery with more kills:
/// every acknowledged span arrives. Durations from `CIOTEL_SOAK_DOWN_SECS` (default 60) and
/// `CIOTEL_SOAK_KILLS` (default 20, half during the outage).
#[test]
#[ignore = "soak test: run benches/soak_queue.sh"]
fn soak_a_long_outage_with_many_kills() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let down = Duration::from_secs(env("CIOTEL_SOAK_DOWN_SECS", 60));
    let kills = env("CIOTEL_SOAK_KILLS", 20).max(2);
    let rt = runtime();
    let port = free_port();
    let dir = TempDir::new("durable-soak");
    let config = config(port, &queue_dir(&dir), "      queue_size: 200000\n", "5s");
    let mut daemon = Daemon::start(&dir, "ciotel", &config);
    let endpoint = Arc::new(Mutex::new(Some(grpc_endpoint(&daemon))));
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4u64)
        .map(|c| {
            let (endpoint, acknowledged, stop) =
                (endpoint.clone(), acknowledged.clone(), stop.clone());
            rt.spawn(async move {
                let mut retries = 0;
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let (request, ids) = request((c << 32) | i, 100);
                    retries += send_retrying(&endpoint, request).await;
                    acknowledged.lock().unwrap().extend(ids);
                    i += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                retries
            })
        })
        .collect();
    let restart = |daemon: &mut Daemon| {
        *endpoint.lock().unwrap() = None;
        daemon.kill();
        *daemon = Daemon::start(&dir, "ciotel", &config);
        *endpoint.lock().unwrap() = Some(grpc_endpoint(daemon));
    };
    let outage = Instant::now();
    for k in 1..=kills / 2 {
        std::thread::sleep((down * k as u32 / (kills / 2) as u32).saturating_sub(outage.elapsed()));
        restart(&mut daemon);
    }
    let during_outage = acknowledged.lock().unwrap().len();
    let sink = Sink::start(&rt, port);
    for _ in 0..kills - kills / 2 {
        std::thread::sleep(Duration::from_secs(2));
        restart(&mut daemon);
    }
    stop.store(true, Ordering::SeqCst);
    let retries: u64 = clients
        .into_iter()
        .map(|c| rt.block_on(c).expect("client"))
        .sum();
    let acknowledged = acknowledged.lock().unwrap().clone();
    sink.wait_for_all(&acknowledged, &daemon);
    eprintln!(
        "soak: {:?} down, {kills} kills: {} spans acknowledged ({during_outage} during the outage), all delivered; {} duplicates; {retries} client retries",
        down,
        acknowledged.len(),
        sink.duplicates()
    );
}
