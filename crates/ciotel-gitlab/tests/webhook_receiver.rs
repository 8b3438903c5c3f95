//! The webhook receiver over real HTTP: `webhook_router` served on 127.0.0.1:0, driven with
//! reqwest (and a raw socket for chunked bodies), its pipeline ending in a collecting consumer.
//! Deliveries are the real fixtures from `../shared/fixtures`, with GitLab's headers.

mod common;

use ciotel_core::pipeline::{PipelineInputs, ReceiverOutput};
use ciotel_core::telemetry::Registry;
use ciotel_core::testing::CollectingConsumer;
use ciotel_core::{Batch, Signal};
use ciotel_gitlab::receiver::{GitlabReceiverConfig, webhook_router};
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "glwt-s3cret-token";
const PIPELINE: &str = "gitlab/go-gitlab/webhook_pipeline.json";
const JOB: &str = "gitlab/go-gitlab/webhook_job.json";
/// A job still `created`: nothing to emit yet.
const JOB_CREATED: &str = "gitlab/go-gitlab/webhook_build.json";

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
        let config: GitlabReceiverConfig = yaml_serde::from_str(yaml).expect("test config");
        let webhook = config.webhook.expect("test config has a webhook");
        let sink = Arc::new(CollectingConsumer::default());
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        let registry = Registry::new();
        let output = ReceiverOutput::new(inputs, &registry, "gitlab", "webhook");
        let router = webhook_router("gitlab", &webhook, output);
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

    /// The default test receiver, with a secret token.
    async fn with_token() -> Hook {
        Hook::start(&format!(
            "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{TOKEN}\"\n"
        ))
        .await
    }

    fn url(&self) -> String {
        format!("{}{}", self.base, self.path)
    }

    /// A delivery as GitLab sends it: event, event UUID, token and JSON body.
    fn delivery(&self, event: &str, uuid: &str, body: &[u8]) -> reqwest::RequestBuilder {
        self.tokenless(event, uuid, body)
            .header("X-Gitlab-Token", TOKEN)
    }

    /// The same without `X-Gitlab-Token`.
    fn tokenless(&self, event: &str, uuid: &str, body: &[u8]) -> reqwest::RequestBuilder {
        self.client
            .post(self.url())
            .header("X-Gitlab-Event", event)
            .header("X-Gitlab-Event-UUID", uuid)
            .header("X-Gitlab-Instance", "https://gitlab.example")
            .header("User-Agent", "GitLab/17.6.0")
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
                other => panic!("the gitlab receiver sends traces only, got {other:?}"),
            })
            .collect()
    }

    /// `ciotel_webhook_refused_deliveries` for `reason`.
    fn refused(&self, reason: &str) -> Option<u64> {
        self.registry.value(
            "ciotel_webhook_refused_deliveries",
            &[("receiver", "gitlab"), ("reason", reason)],
        )
    }

    fn metric(&self, what: &str) -> Option<u64> {
        self.registry.value(
            &format!("ciotel_receiver_{what}_spans"),
            &[("receiver", "gitlab"), ("transport", "webhook")],
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

#[tokio::test]
async fn a_pipeline_hook_yields_exactly_the_translated_spans() {
    let hook = Hook::with_token().await;
    let body = common::read(PIPELINE);
    let (status, text) = send(hook.delivery("Pipeline Hook", "u-1", &body)).await;
    // 11 spans of the run's trace and the run's span in its merge request's change trace.
    assert_eq!((status, text.as_str()), (202, "accepted: 12 spans\n"));
    assert_eq!(
        hook.collected(),
        vec![common::delivered_spans(PIPELINE)],
        "one batch, as translate gives it"
    );
    assert_eq!(hook.metric("accepted"), Some(12));
}

#[tokio::test]
async fn every_fixture_through_http_equals_translate() {
    let hook = Hook::with_token().await;
    let mut expected = Vec::new();
    for (n, rel) in common::gitlab_fixtures().iter().enumerate() {
        let body = common::read(rel);
        let spans = common::delivered_spans(rel);
        let event = common::event_of(&body);
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
async fn a_wrong_or_missing_token_is_401_and_emits_nothing() {
    let hook = Hook::with_token().await;
    let body = common::read(JOB);
    let (status, text) = send(
        hook.tokenless("Job Hook", "u-1", &body)
            .header("X-Gitlab-Token", "glwt-s3cret-tokem"),
    )
    .await;
    assert_eq!(status, 401);
    assert!(text.contains("does not match"), "{text}");
    let (status, text) = send(hook.tokenless("Job Hook", "u-2", &body)).await;
    assert_eq!(status, 401);
    assert!(text.contains("missing X-Gitlab-Token"), "{text}");
    assert!(hook.collected().is_empty());
    assert_eq!(hook.metric("accepted").unwrap_or(0), 0);
    // The refused deliveries were not remembered: the real one goes through.
    assert_eq!(send(hook.delivery("Job Hook", "u-1", &body)).await.0, 202);
}

#[tokio::test]
async fn the_token_is_checked_before_the_body_is_read() {
    let hook = Hook::start(&format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{TOKEN}\"\n  max_request_body_size: 10\n"
    ))
    .await;
    let (status, _) = send(hook.tokenless("Job Hook", "u", &[b' '; 100])).await;
    assert_eq!(
        status, 401,
        "a stranger's big body is refused for the token, unread"
    );
}

#[tokio::test]
async fn required_headers_are_enforced_on_every_request_to_the_path() {
    let hook = Hook::start(&format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{TOKEN}\"\n  \
         required_headers:\n    X-Proxy-Token: p1\n"
    ))
    .await;
    let body = common::read(JOB);
    let (status, text) = send(hook.delivery("Job Hook", "u-1", &body)).await;
    assert_eq!(status, 401);
    assert!(
        text.contains("missing required header `x-proxy-token`"),
        "{text}"
    );
    let (status, _) = send(
        hook.delivery("Job Hook", "u-1", &body)
            .header("X-Proxy-Token", "p2"),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = answer(hook.client.get(hook.url()).send().await.unwrap()).await;
    assert_eq!(status, 401, "checked first, whatever the method");
    assert!(hook.collected().is_empty());
    let (status, _) = send(
        hook.delivery("Job Hook", "u-1", &body)
            .header("X-Proxy-Token", "p1"),
    )
    .await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn other_events_are_204_and_a_missing_event_header_400() {
    let hook = Hook::with_token().await;
    for event in ["Push Hook", "Tag Push Hook", "Note Hook"] {
        let (status, text) = send(hook.delivery(event, "u", b"{}")).await;
        assert_eq!((status, text.as_str()), (204, ""), "{event}");
    }
    // Change events are read: an empty body is no merge request.
    let (status, text) = send(hook.delivery("Merge Request Hook", "u-mr", b"{}")).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("object_attributes"), "{text}");
    let (status, text) = send(
        hook.client
            .post(hook.url())
            .header("X-Gitlab-Token", TOKEN)
            .body("{}"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains("X-Gitlab-Event"), "{text}");
    // The event name's case does not matter.
    let body = common::read(JOB);
    assert_eq!(send(hook.delivery("job hook", "u-job", &body)).await.0, 202);
    assert_eq!(hook.collected().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_400_with_the_mapping_message() {
    let hook = Hook::with_token().await;
    let (status, text) = send(hook.delivery("Pipeline Hook", "u-1", b"{\"object_attrib")).await;
    assert_eq!(status, 400);
    assert!(text.contains("malformed GitLab Pipeline Hook"), "{text}");
    let body = common::patched(JOB, |v| v["build_started_at"] = "soon".into());
    let (status, text) = send(hook.delivery("Job Hook", "u-2", &body)).await;
    assert_eq!(status, 400);
    assert!(
        text.contains("build_started_at") && text.contains("soon"),
        "{text}"
    );
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let hook = Hook::start(&format!(
        "webhook:\n  endpoint: 127.0.0.1:0\n  secret: \"{TOKEN}\"\n  max_request_body_size: 1000\n"
    ))
    .await;
    let body = common::read(PIPELINE);
    assert!(body.len() > 1000);
    let (status, text) = send(hook.delivery("Pipeline Hook", "u-1", &body)).await;
    assert_eq!(status, 413);
    assert!(
        text.contains("max_request_body_size (1000 bytes)"),
        "{text}"
    );

    // Chunked, without Content-Length: counted as it arrives.
    let address = hook.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nX-Gitlab-Event: Pipeline Hook\r\nX-Gitlab-Token: \
         {TOKEN}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        hook.path
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(400) {
        let framed = format!("{:x}\r\n", chunk.len());
        stream.write_all(framed.as_bytes()).await.unwrap();
        stream.write_all(chunk).await.unwrap();
        if stream.write_all(b"\r\n").await.is_err() {
            break; // the server may answer and close before the rest is sent
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn a_redelivery_emits_nothing_new() {
    let hook = Hook::with_token().await;
    let body = common::read(JOB);
    assert_eq!(
        send(hook.delivery("Job Hook", "uuid-1", &body)).await.0,
        202
    );
    let (status, text) = send(hook.delivery("Job Hook", "uuid-1", &body)).await;
    assert_eq!(status, 200);
    assert!(text.contains("uuid-1 was already accepted"), "{text}");
    assert_eq!(hook.collected().len(), 1);

    // Idempotency-Key (the same across GitLab's retries) wins over the event UUID.
    let (status, _) = send(
        hook.delivery("Job Hook", "uuid-2", &body)
            .header("Idempotency-Key", "idem-1"),
    )
    .await;
    assert_eq!(status, 202);
    let (status, text) = send(
        hook.delivery("Job Hook", "uuid-3", &body)
            .header("Idempotency-Key", "idem-1"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("idem-1"), "{text}");

    let collected = hook.collected();
    assert_eq!(collected.len(), 2);
    assert_eq!(collected[0], collected[1], "deterministic ids");
}

#[tokio::test]
async fn a_full_pipeline_answers_503_and_the_redelivery_goes_through() {
    let hook = Hook::with_token().await;
    let body = common::read(PIPELINE);
    hook.sink.refuse.store(true, Ordering::Relaxed);
    let response = hook
        .delivery("Pipeline Hook", "uuid-busy", &body)
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
    assert_eq!(hook.metric("refused"), Some(12));

    hook.sink.refuse.store(false, Ordering::Relaxed);
    let (status, _) = send(hook.delivery("Pipeline Hook", "uuid-busy", &body)).await;
    assert_eq!(status, 202);
    assert_eq!(hook.collected(), vec![common::delivered_spans(PIPELINE)]);
}

#[tokio::test]
async fn an_event_with_no_spans_yet_is_200() {
    let hook = Hook::with_token().await;
    let body = common::read(JOB_CREATED);
    let (status, text) = send(hook.delivery("Job Hook", "u-created", &body)).await;
    assert_eq!(status, 200);
    assert!(text.contains("no spans yet"), "{text}");
    assert!(hook.collected().is_empty());
}

#[tokio::test]
async fn insecure_on_loopback_accepts_deliveries_without_a_token() {
    let hook = Hook::start("webhook:\n  endpoint: 127.0.0.1:0\n  insecure: true\n").await;
    let body = common::read(JOB);
    assert_eq!(send(hook.tokenless("Job Hook", "u-1", &body)).await.0, 202);
    assert_eq!(hook.collected().len(), 1);
}

#[tokio::test]
async fn the_router_claims_only_its_own_paths() {
    let hook = Hook::with_token().await;
    let health = hook
        .client
        .get(format!("{}/health/gitlab", hook.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(health.status().as_u16(), 200);
    for other in ["/health", "/events/github", "/v1/traces"] {
        let r = hook
            .client
            .get(format!("{}{other}", hook.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status().as_u16(), 404, "{other}");
    }
    let (status, text) = send(hook.client.get(hook.url()).header("X-Gitlab-Token", TOKEN)).await;
    assert_eq!(status, 405);
    assert!(text.contains("POST"), "{text}");
}

#[tokio::test]
async fn merged_with_another_receiver_on_one_listener() {
    let sinks = [
        Arc::new(CollectingConsumer::default()),
        Arc::new(CollectingConsumer::default()),
    ];
    let registry = Registry::new();
    let mut router = axum::Router::new();
    for (n, sink) in sinks.iter().enumerate() {
        let yaml = format!(
            "webhook:\n  path: /events/gitlab/{n}\n  health_path: /health/gitlab/{n}\n  \
             secret: \"{TOKEN}\"\n"
        );
        let config: GitlabReceiverConfig = yaml_serde::from_str(&yaml).expect("config");
        let mut inputs = PipelineInputs::new();
        inputs.add(Signal::Traces, sink.clone());
        let id = format!("gitlab/{n}");
        let output = ReceiverOutput::new(inputs, &registry, &id, "webhook");
        router = router.merge(webhook_router(
            &id,
            &config.webhook.expect("webhook"),
            output,
        ));
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    let body = common::read(JOB);
    let response = reqwest::Client::new()
        .post(format!("http://{address}/events/gitlab/1"))
        .header("X-Gitlab-Event", "Job Hook")
        .header("X-Gitlab-Token", TOKEN)
        .body(body)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(
        (sinks[0].item_counts(), sinks[1].item_counts()),
        (vec![], vec![2])
    );
}

#[tokio::test]
async fn refusals_are_counted_by_reason() {
    let hook = Hook::with_token().await;
    let body = common::read(JOB);
    assert_eq!(
        hook.refused("bad_token"),
        Some(0),
        "the series exists before any refusal"
    );
    for id in ["r-1", "r-2", "r-3"] {
        assert_eq!(send(hook.tokenless("Job Hook", id, &body)).await.0, 401);
    }
    let get = hook.client.get(hook.url()).send().await.expect("request");
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(
        send(hook.delivery("Job Hook", "r-4", b"{not json")).await.0,
        400
    );
    assert_eq!(hook.refused("bad_token"), Some(3));
    assert_eq!(hook.refused("method_not_allowed"), Some(1));
    assert_eq!(hook.refused("malformed_payload"), Some(1));
    assert_eq!(hook.refused("body_too_large"), Some(0));
    assert_eq!(send(hook.delivery("Job Hook", "r-5", &body)).await.0, 202);
    assert_eq!(
        hook.refused("bad_token"),
        Some(3),
        "an accepted delivery is not counted"
    );
}
