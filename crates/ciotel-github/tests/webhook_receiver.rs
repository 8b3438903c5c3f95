//! The webhook receiver over real HTTP: `webhook_router` served on 127.0.0.1:0, driven with
//! reqwest (and a raw socket for chunked bodies), its pipeline ending in a collecting consumer.
//! Deliveries are the real fixtures from `../shared/fixtures`, signed as GitHub signs them.

mod common;

use ciotel_cicd::IdRecipe;
use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::telemetry::Registry;
use ciotel_core::testing::CollectingConsumer;
use ciotel_core::{Batch, Signal};
use ciotel_github::receiver::{GithubReceiverConfig, sign_delivery, webhook_router};
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "It's a Secret to Everybody";
/// A completed job with steps (the Collector's fixture for run 14460881260 attempt 13).
const JOB_67: &str = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
/// A completed job from GitHub's own examples.
const JOB_SUCCESS: &str = "github/webhooks/workflow_job.completed.success.with-organization.json";
/// A job still waiting for a runner: nothing to emit yet.
const JOB_QUEUED: &str = "github/webhooks/workflow_job.queued.json";

/// One receiver served on a free port, with what its pipeline collected.
struct Hook {
    base: String,
    path: String,
    sink: Arc<CollectingConsumer>,
    registry: Registry,
    client: reqwest::Client,
}

impl Hook {
    /// Serves a receiver configured by `yaml` (the receiver's own section) on 127.0.0.1:0.
    async fn start(yaml: &str) -> Hook {
        let config: GithubReceiverConfig = yaml_serde::from_str(yaml).expect("test config");
        let webhook = config.webhook.expect("test config has a webhook");
        let sink = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        let registry = Registry::new();
        let output = ReceiverOutput::new(inputs, &registry, "github", "webhook");
        let router = webhook_router("github", &webhook, config.trace_id_recipe, output, None);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, router).await });
        Hook {
            base: format!("http://{address}"),
            path: webhook.path.clone(),
            sink,
            registry,
            client: reqwest::Client::new(),
        }
    }

    /// The default test receiver: signed, check_run ids.
    async fn signed() -> Hook {
        Hook::start(&format!(
            "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{SECRET}\"\n"
        ))
        .await
    }

    fn url(&self) -> String {
        format!("{}{}", self.base, self.path)
    }

    /// A delivery as GitHub sends it: event, delivery id, JSON body and a valid signature.
    fn delivery(&self, event: &str, id: &str, body: &[u8]) -> reqwest::RequestBuilder {
        self.unsigned(event, id, body).header(
            "X-Hub-Signature-256",
            sign_delivery(SECRET.as_bytes(), body),
        )
    }

    /// The same without `X-Hub-Signature-256`.
    fn unsigned(&self, event: &str, id: &str, body: &[u8]) -> reqwest::RequestBuilder {
        self.client
            .post(self.url())
            .header("X-GitHub-Event", event)
            .header("X-GitHub-Delivery", id)
            .header("User-Agent", "GitHub-Hookshot/test")
            .header("Content-Type", "application/json")
            .body(body.to_vec())
    }

    /// Every batch the pipeline took, as spans.
    fn collected(&self) -> Vec<Vec<ResourceSpans>> {
        self.sink
            .batches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|b| match b {
                Batch::Traces(rs) => rs.clone(),
                other => panic!("the github receiver sends traces only, got {other:?}"),
            })
            .collect()
    }

    /// `ciotel_webhook_refused_deliveries` for `reason`.
    fn refused(&self, reason: &str) -> Option<u64> {
        self.registry.value(
            "ciotel_webhook_refused_deliveries",
            &[("receiver", "github"), ("reason", reason)],
        )
    }

    fn metric(&self, what: &str) -> Option<u64> {
        self.registry.value(
            &format!("ciotel_receiver_{what}_spans"),
            &[("receiver", "github"), ("transport", "webhook")],
        )
    }
}

/// Status and body text of a response.
async fn answer(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.expect("response body"))
}

async fn send(request: reqwest::RequestBuilder) -> (u16, String) {
    answer(request.send().await.expect("request reaches the receiver")).await
}

/// The event name of a fixture, as `X-GitHub-Event` would carry it.
fn event_of(body: &[u8]) -> &'static str {
    match common::source_of(body) {
        common::Source::Webhook(name) => name,
        other => panic!("not a webhook fixture: {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_completed_job_yields_exactly_the_translated_spans() {
    let hook = Hook::signed().await;
    let body = common::read(JOB_67);
    let (status, text) = send(hook.delivery("workflow_job", "d-67", &body)).await;
    assert_eq!((status, text.as_str()), (202, "accepted: 10 spans\n"));

    let expected = common::resource_spans(JOB_67, IdRecipe::CheckRun);
    assert_eq!(
        hook.collected(),
        vec![expected],
        "one batch, as translate gives it"
    );

    // The ids and parents the Collector's recipe gives for run 14460881260 attempt 13.
    let got = common::spans(&hook.collected()[0]);
    let job = got
        .iter()
        .find(|s| s.name == "test (1.23)")
        .expect("job span");
    assert_eq!(
        hex::encode(&job.trace_id),
        "731ec8a47fd7450f753a812a4a8aa5a0"
    );
    assert_eq!(
        hex::encode(&job.parent_span_id),
        "aba151af7cfbcf0f",
        "job under the run root"
    );
    for span in got.iter().filter(|s| s.span_id != job.span_id) {
        assert_eq!(span.trace_id, job.trace_id, "{}", span.name);
        assert_eq!(
            span.parent_span_id, job.span_id,
            "{} under the job",
            span.name
        );
    }
    assert_eq!(hook.metric("accepted"), Some(10));
}

#[tokio::test]
async fn the_legacy_recipe_is_used_when_configured() {
    let yaml = format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{SECRET}\"\ntrace_id_recipe: legacy\n"
    );
    let hook = Hook::start(&yaml).await;
    let body = common::read(JOB_67);
    assert_eq!(
        send(hook.delivery("workflow_job", "d-legacy", &body))
            .await
            .0,
        202
    );
    let expected = common::resource_spans(JOB_67, IdRecipe::Legacy);
    assert_eq!(hook.collected(), vec![expected]);
    let got = common::spans(&hook.collected()[0]);
    let queue = common::by_id(&got, "d328504edfc4f5dc");
    assert_eq!(hex::encode(&queue.parent_span_id), "e68a36b3514c8634");
}

#[tokio::test]
async fn every_webhook_fixture_through_http_equals_translate() {
    let hook = Hook::signed().await;
    let mut expected = Vec::new();
    for (n, rel) in common::github_fixtures().iter().enumerate() {
        let body = common::read(rel);
        let common::Source::Webhook(event) = common::source_of(&body) else {
            continue; // REST pages belong to the poller
        };
        let spans = common::resource_spans(rel, IdRecipe::CheckRun);
        let (status, text) = send(hook.delivery(event, &format!("fixture-{n}"), &body)).await;
        let want = if spans.is_empty() { 200 } else { 202 };
        assert_eq!(status, want, "{rel}: {text}");
        if !spans.is_empty() {
            expected.push(spans);
        }
    }
    assert!(
        expected.len() >= 10,
        "most fixtures emit spans: {}",
        expected.len()
    );
    assert_eq!(hook.collected(), expected);
}

#[tokio::test]
async fn a_wrong_signature_is_refused_and_emits_nothing() {
    let hook = Hook::signed().await;
    let body = common::read(JOB_SUCCESS);
    let wrong = sign_delivery(b"not the secret", &body);
    let request = hook
        .unsigned("workflow_job", "d-wrong", &body)
        .header("X-Hub-Signature-256", wrong);
    let (status, text) = send(request).await;
    assert_eq!(status, 401);
    assert!(text.contains("does not match the body"), "{text}");

    // A valid signature over another body does not carry over either.
    let request = hook.unsigned("workflow_job", "d-swapped", &body).header(
        "X-Hub-Signature-256",
        sign_delivery(SECRET.as_bytes(), b"{}"),
    );
    assert_eq!(send(request).await.0, 401);
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn a_missing_or_malformed_signature_is_refused() {
    let hook = Hook::signed().await;
    let body = common::read(JOB_SUCCESS);
    let (status, text) = send(hook.unsigned("workflow_job", "d-none", &body)).await;
    assert_eq!(status, 401);
    assert!(text.contains("missing X-Hub-Signature-256"), "{text}");
    let request = hook
        .unsigned("workflow_job", "d-sha1", &body)
        .header("X-Hub-Signature-256", "sha1=0123");
    let (status, text) = send(request).await;
    assert_eq!(status, 401);
    assert!(text.contains("malformed X-Hub-Signature-256"), "{text}");
    // Even a ping must be signed: the check comes before the event is looked at.
    assert_eq!(send(hook.unsigned("ping", "d-ping", b"{}")).await.0, 401);
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn required_headers_are_enforced_on_every_request_to_the_path() {
    let yaml = format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{SECRET}\"\n  \
         required_headers:\n    X-Proxy-Token: let-me-in\n"
    );
    let hook = Hook::start(&yaml).await;
    let body = common::read(JOB_SUCCESS);

    // Correctly signed, but not through the proxy.
    let (status, text) = send(hook.delivery("workflow_job", "d-1", &body)).await;
    assert_eq!(status, 401);
    assert!(
        text.contains("missing required header `x-proxy-token`"),
        "{text}"
    );
    let wrong = hook
        .delivery("workflow_job", "d-2", &body)
        .header("x-proxy-token", "let-me-in-please");
    let (status, text) = send(wrong).await;
    assert_eq!(status, 403);
    assert!(text.contains("wrong value"), "{text}");
    // Events that emit nothing, and other methods, are checked too.
    for event in ["ping", "push"] {
        assert_eq!(
            send(hook.delivery(event, "d-3", b"{}")).await.0,
            401,
            "{event}"
        );
    }
    let get = hook.client.get(hook.url()).send().await.expect("GET");
    assert_eq!(get.status().as_u16(), 401);
    assert!(hook.collected().is_empty());

    let ok = hook
        .delivery("workflow_job", "d-4", &body)
        .header("X-PROXY-TOKEN", "let-me-in");
    assert_eq!(send(ok).await.0, 202);
    assert_eq!(hook.collected().len(), 1);
}

#[tokio::test]
async fn ping_is_answered_200_and_other_events_204() {
    let hook = Hook::signed().await;
    let ping = br#"{"zen":"Keep it logically awesome.","hook_id":1}"#;
    let (status, text) = send(hook.delivery("ping", "d-ping", ping)).await;
    assert_eq!(status, 200);
    assert!(text.starts_with("pong"), "{text}");
    let push = br#"{"ref":"refs/heads/main"}"#;
    let (status, text) = send(hook.delivery("push", "d-push", push)).await;
    assert_eq!((status, text.as_str()), (204, ""));
    let (status, text) = send(
        hook.client
            .post(hook.url())
            .header(
                "X-Hub-Signature-256",
                sign_delivery(SECRET.as_bytes(), b"{}"),
            )
            .body("{}"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains("missing X-GitHub-Event"), "{text}");
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn malformed_json_is_400_with_the_mapping_message() {
    let hook = Hook::signed().await;
    let (status, text) =
        send(hook.delivery("workflow_job", "d-bad", b"{\"workflow_job\": [")).await;
    assert_eq!(status, 400);
    assert!(
        text.contains("malformed GitHub workflow_job event payload"),
        "{text}"
    );
    let (status, text) = send(hook.delivery("workflow_run", "d-empty", b"{}")).await;
    assert_eq!(status, 400);
    assert!(text.contains("workflow_run"), "{text}");
    // A bad timestamp names its field.
    let body = common::patched(JOB_67, |v| {
        v["workflow_job"]["steps"][2]["started_at"] = "yesterday".into();
    });
    let (status, text) = send(hook.delivery("workflow_job", "d-time", &body)).await;
    assert_eq!(status, 400);
    assert!(text.contains("workflow_job.steps[2].started_at"), "{text}");
    assert!(hook.collected().is_empty());

    // A refused delivery is not remembered: fixed and redelivered, it goes through.
    let fixed = common::read(JOB_67);
    assert_eq!(
        send(hook.delivery("workflow_job", "d-time", &fixed))
            .await
            .0,
        202
    );
}

#[tokio::test]
async fn a_form_encoded_delivery_is_refused_with_what_to_change() {
    let hook = Hook::signed().await;
    let body = b"payload=%7B%7D";
    let request = hook
        .client
        .post(hook.url())
        .header("X-GitHub-Event", "workflow_job")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header(
            "X-Hub-Signature-256",
            sign_delivery(SECRET.as_bytes(), body),
        )
        .body(body.to_vec());
    let (status, text) = send(request).await;
    assert_eq!(status, 415);
    assert!(text.contains("application/json"), "{text}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let yaml = format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{SECRET}\"\n  max_request_body_size: 1024\n"
    );
    let hook = Hook::start(&yaml).await;
    let big = vec![b' '; 4096];
    let (status, text) = send(hook.delivery("workflow_job", "d-big", &big)).await;
    assert_eq!(status, 413);
    assert!(
        text.contains("max_request_body_size (1024 bytes)"),
        "{text}"
    );
    // Exactly at the limit is read (and then refused for what it is).
    let at_limit = vec![b' '; 1024];
    assert_eq!(
        send(hook.delivery("workflow_job", "d-1024", &at_limit))
            .await
            .0,
        400
    );
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn a_chunked_body_is_counted_as_it_arrives() {
    let yaml = format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{SECRET}\"\n  max_request_body_size: 1024\n"
    );
    let hook = Hook::start(&yaml).await;
    let address = hook.base.trim_start_matches("http://").to_string();
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {address}\r\nX-GitHub-Event: workflow_job\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        hook.path
    )
    .into_bytes();
    for _ in 0..3 {
        request.extend_from_slice(format!("{:x}\r\n", 500).as_bytes());
        request.extend_from_slice(&[b' '; 500]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    stream.write_all(&request).await.expect("send request");
    let mut response = Vec::new();
    // The server may close without reading the rest; what it answered first is what counts.
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("max_request_body_size"), "{response}");
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn a_redelivery_emits_nothing_new() {
    let hook = Hook::signed().await;
    let body = common::read(JOB_SUCCESS);
    assert_eq!(
        send(hook.delivery("workflow_job", "guid-1", &body)).await.0,
        202
    );
    let (status, text) = send(hook.delivery("workflow_job", "guid-1", &body)).await;
    assert_eq!(status, 200);
    assert!(text.contains("guid-1 was already accepted"), "{text}");
    assert_eq!(hook.collected().len(), 1);

    // Another delivery of the same event is processed, and its spans are identical.
    assert_eq!(
        send(hook.delivery("workflow_job", "guid-2", &body)).await.0,
        202
    );
    let collected = hook.collected();
    assert_eq!(collected.len(), 2);
    assert_eq!(collected[0], collected[1], "deterministic ids");
}

#[tokio::test]
async fn a_full_pipeline_answers_503_and_the_redelivery_goes_through() {
    let hook = Hook::signed().await;
    let body = common::read(JOB_67);
    hook.sink.refuse.store(true, Ordering::Relaxed);
    let response = hook
        .delivery("workflow_job", "guid-busy", &body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 503);
    let retry_after = response.headers().get("retry-after").cloned();
    assert_eq!(
        retry_after.as_ref().and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let text = response.text().await.expect("body");
    assert!(text.contains("redeliver later"), "{text}");
    assert!(hook.collected().is_empty());
    assert_eq!(hook.metric("refused"), Some(10));

    hook.sink.refuse.store(false, Ordering::Relaxed);
    assert_eq!(
        send(hook.delivery("workflow_job", "guid-busy", &body))
            .await
            .0,
        202
    );
    assert_eq!(
        hook.collected(),
        vec![common::resource_spans(JOB_67, IdRecipe::CheckRun)]
    );
}

#[tokio::test]
async fn an_event_with_no_spans_yet_is_200_and_emits_nothing() {
    let hook = Hook::signed().await;
    let body = common::read(JOB_QUEUED);
    assert_eq!(event_of(&body), "workflow_job");
    let (status, text) = send(hook.delivery("workflow_job", "d-queued", &body)).await;
    assert_eq!(status, 200);
    assert!(text.contains("no spans yet"), "{text}");
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn insecure_on_loopback_accepts_unsigned_deliveries() {
    let hook = Hook::start("webhook:\n  endpoint: 127.0.0.1:0\n  insecure: true\n").await;
    let body = common::read(JOB_SUCCESS);
    assert_eq!(
        send(hook.unsigned("workflow_job", "d-1", &body)).await.0,
        202
    );
    assert_eq!(hook.collected().len(), 1);
}

#[tokio::test]
async fn the_router_claims_only_its_own_paths() {
    let hook = Hook::signed().await;
    let health = hook
        .client
        .get(format!("{}/health", hook.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(health.status().as_u16(), 200);
    let other = hook
        .client
        .get(format!("{}/v1/traces", hook.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(other.status().as_u16(), 404);
    let (status, text) = answer(hook.client.get(hook.url()).send().await.expect("GET")).await;
    assert_eq!(status, 405);
    assert!(text.contains("POST"), "{text}");
}

#[tokio::test]
async fn two_receivers_merged_on_one_listener_each_serve_their_own_path() {
    let sinks = [
        Arc::new(CollectingConsumer::default()),
        Arc::new(CollectingConsumer::default()),
    ];
    let registry = Registry::new();
    let mut router = axum::Router::new();
    for (n, sink) in sinks.iter().enumerate() {
        let yaml = format!(
            "webhook:\n  path: /events/github/{n}\n  health_path: /health/{n}\n  \
             secret: \"{SECRET}\"\n"
        );
        let config: GithubReceiverConfig = yaml_serde::from_str(&yaml).expect("config");
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        let id = format!("github/{n}");
        let output = ReceiverOutput::new(inputs, &registry, &id, "webhook");
        let webhook = config.webhook.expect("webhook");
        router = router.merge(webhook_router(
            &id,
            &webhook,
            config.trace_id_recipe,
            output,
            None,
        ));
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });

    let body = common::read(JOB_SUCCESS);
    let response = reqwest::Client::new()
        .post(format!("http://{address}/events/github/1"))
        .header("X-GitHub-Event", "workflow_job")
        .header(
            "X-Hub-Signature-256",
            sign_delivery(SECRET.as_bytes(), &body),
        )
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(sinks[0].item_counts(), Vec::<usize>::new());
    assert_eq!(sinks[1].item_counts().len(), 1);
}

#[tokio::test]
async fn refusals_are_counted_by_reason() {
    let hook = Hook::signed().await;
    let body = common::read(JOB_SUCCESS);
    assert_eq!(
        hook.refused("bad_signature"),
        Some(0),
        "the series exists before any refusal"
    );
    for id in ["r-1", "r-2", "r-3"] {
        assert_eq!(send(hook.unsigned("workflow_job", id, &body)).await.0, 401);
    }
    let get = hook.client.get(hook.url()).send().await.expect("request");
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(
        send(hook.delivery("workflow_job", "r-4", b"{not json"))
            .await
            .0,
        400
    );
    assert_eq!(hook.refused("bad_signature"), Some(3));
    assert_eq!(hook.refused("method_not_allowed"), Some(1));
    assert_eq!(hook.refused("malformed_payload"), Some(1));
    assert_eq!(hook.refused("body_too_large"), Some(0));
    assert_eq!(
        send(hook.delivery("workflow_job", "r-5", &body)).await.0,
        202
    );
    assert_eq!(
        hook.refused("bad_signature"),
        Some(3),
        "an accepted delivery is not counted"
    );
}
