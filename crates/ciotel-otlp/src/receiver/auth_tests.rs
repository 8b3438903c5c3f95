//! The auth hook on both OTLP transports, with a test authenticator: a request without the
//! token is refused on its headers (HTTP 401 with `google.rpc.Status` in the request's encoding
//! and `WWW-Authenticate`, before any body byte is read; gRPC UNAUTHENTICATED), one with it is
//! served.

use super::*;
use crate::rpc_status::RpcStatus;
use ciotel_core::ComponentId;
use ciotel_core::auth::{AuthError, ClientAuthenticator};
use ciotel_core::testing::CollectingConsumer;
use ciotel_core::{NextConsumer, Signal};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Accepts `Authorization: Bearer good` only.
struct TokenAuth;

impl ServerAuthenticator for TokenAuth {
    fn authenticate(&self, headers: &::http::HeaderMap) -> Result<(), AuthError> {
        match headers.get("authorization") {
            None => Err(AuthError::Missing),
            Some(v) if v == "Bearer good" => Ok(()),
            Some(_) => Err(AuthError::Invalid),
        }
    }
}

struct TestResolver;

impl AuthResolver for TestResolver {
    fn server(&self, id: &ComponentId) -> Result<Arc<dyn ServerAuthenticator>, String> {
        if id.to_string() == "bearertokenauth/test" {
            Ok(Arc::new(TokenAuth))
        } else {
            Err(format!("{id} is not defined"))
        }
    }
    fn client(&self, id: &ComponentId) -> Result<Arc<dyn ClientAuthenticator>, String> {
        Err(format!("{id}: no client side in this test"))
    }
}

async fn start_with_auth() -> (RunningReceiver, Arc<CollectingConsumer>, CancellationToken) {
    let config: OtlpReceiverConfig = yaml_serde::from_str(
        "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n    auth: {authenticator: bearertokenauth/test}\n  http:\n    endpoint: 127.0.0.1:0\n    auth: {authenticator: bearertokenauth/test}\n",
    )
    .unwrap();
    let sink = Arc::new(CollectingConsumer::default());
    let mut inputs = PipelineInputs::new();
    inputs.add(Signal::Traces, sink.clone() as NextConsumer);
    let stop = CancellationToken::new();
    let running = start(
        "otlp",
        &config,
        inputs,
        &Registry::new(),
        &TestResolver,
        stop.clone(),
    )
    .await
    .unwrap();
    (running, sink, stop)
}

#[tokio::test]
async fn http_refuses_before_reading_the_body_and_answers_in_the_requests_encoding() {
    let (running, sink, stop) = start_with_auth().await;
    let address = running.http_address.unwrap();

    // A body announced as 1 MB of which one byte is sent: the answer comes anyway.
    let mut tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    tcp.write_all(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{")
        .await
        .unwrap();
    let mut reply = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut reply))
        .await
        .expect("answered without the body")
        .unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]).to_ascii_lowercase();
    assert!(reply.starts_with("http/1.1 401"), "{reply}");
    assert!(
        reply.contains("www-authenticate: bearer realm=\"ciotel\""),
        "{reply}"
    );
    assert!(
        reply.contains("\"code\":16") && reply.contains("missing credentials"),
        "{reply}"
    );

    let url = format!("http://{address}/v1/traces");
    let client = reqwest::Client::new();
    let body = ExportTraceServiceRequest::default().encode_to_vec();
    let refused = client
        .post(&url)
        .header("content-type", "application/x-protobuf")
        .header("authorization", "Bearer bad")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let status = RpcStatus::decode(refused.bytes().await.unwrap()).unwrap();
    assert_eq!(status.code, tonic::Code::Unauthenticated as i32);
    assert!(status.message.contains("invalid credentials"), "{status:?}");

    let served = client
        .post(&url)
        .header("content-type", "application/x-protobuf")
        .header("authorization", "Bearer good")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(sink.item_counts().len(), 1);
    stop.cancel();
}

#[tokio::test]
async fn grpc_answers_unauthenticated_without_the_token() {
    let (running, sink, stop) = start_with_auth().await;
    let endpoint = format!("http://{}", running.grpc_address.unwrap());
    let mut client = TraceServiceClient::connect(endpoint).await.unwrap();
    let e = client
        .export(ExportTraceServiceRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unauthenticated, "{e:?}");
    assert!(e.message().contains("missing credentials"), "{e:?}");

    let mut request = tonic::Request::new(ExportTraceServiceRequest::default());
    request
        .metadata_mut()
        .insert("authorization", "Bearer good".parse().unwrap());
    client.export(request).await.unwrap();
    assert_eq!(sink.item_counts().len(), 1);
    stop.cancel();
}

#[tokio::test]
async fn an_unknown_authenticator_stops_the_receiver_from_starting() {
    let config: OtlpReceiverConfig = yaml_serde::from_str(
        "protocols:\n  http:\n    endpoint: 127.0.0.1:0\n    auth: {authenticator: basicauth/nope}\n",
    )
    .unwrap();
    let e = start(
        "otlp",
        &config,
        PipelineInputs::new(),
        &Registry::new(),
        &TestResolver,
        CancellationToken::new(),
    )
    .await
    .err()
    .expect("refused");
    assert!(
        e.to_string().contains("basicauth/nope is not defined"),
        "{e}"
    );
}
