//! The webhook endpoint: an axum router serving one receiver's `path` (deliveries) and
//! `health_path`, and nothing else, so the routers of all webhook receivers sharing an
//! endpoint can be merged into one listener.
//!
//! A delivery goes through, in order: `required_headers` (401 missing / 403 wrong), method (405
//! unless POST), `X-Gitlab-Token` in constant time (401, before the body is read), body limit
//! (413), then by `X-Gitlab-Event`: `Pipeline Hook` / `Job Hook` / `Merge Request Hook` /
//! `Deployment Hook` → de-duplicate by
//! `Idempotency-Key` (kept across GitLab's retries), else `X-Gitlab-Event-UUID` (200, nothing
//! emitted), map (400 with the mapping's message), translate, hand to the pipeline (202; 200
//! when a pipeline or job event emits no spans yet, 204 when a change event makes none; 503 +
//! Retry-After when the pipeline is full); any other event → 204. Change events go through the
//! receiver's bounded delivery cache (`ciotel_cicd::change::DeliveryCache`), which finds the
//! changes a deployment delivers from the merges this receiver saw. Every refusal says why in a plain-text body, which GitLab shows in the
//! webhook's "Recent events". The answer comes as soon as the pipeline has the spans, well
//! within GitLab's webhook timeout (10 s by default). Every refusal is counted by reason and
//! logged at warn, rate-limited (`ciotel_core::webhook::refusal`).
//!
//! GitLab counts 4xx/5xx answers toward disabling a failing webhook, so 503 is kept for a full
//! pipeline, where redelivering later helps.

use super::token::Token;
use crate::{
    EVENT_DEPLOYMENT_HOOK, EVENT_JOB_HOOK, EVENT_MERGE_REQUEST_HOOK, EVENT_PIPELINE_HOOK,
    map_change_webhook, map_webhook,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use ciotel_cicd::change::{ChangeBatch, ChangeEvent, DeliveryCache};
use ciotel_cicd::signals::CicdSignals;
use ciotel_core::Batch;
use ciotel_core::body::{BodyError, read_limited};
use ciotel_core::pipeline::ReceiverOutput;
use ciotel_core::webhook::WebhookConfig;
use ciotel_core::webhook::desk::Desk;
use ciotel_core::webhook::refusal::{Reason, Seen};
use ciotel_core::webhook::required_headers::{HeaderRefusal, RequiredHeaders};
use ciotel_core::webhook::respond::Reply;
use std::sync::Arc;

/// The header naming the event of a delivery.
const EVENT_HEADER: &str = "x-gitlab-event";
/// GitLab 17.4+: the same on every retry of one delivery; the preferred de-dup key.
const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// The event's id (older GitLab, and the fallback de-dup key).
const EVENT_UUID_HEADER: &str = "x-gitlab-event-uuid";

/// Builds the router of one webhook receiver: `POST path` for deliveries, `GET health_path`
/// answering 200. Spans go to `output`, with GitLab's ids ([`crate::ids`]).
///
/// Exists so the binary can merge the routers of every webhook receiver on one endpoint into a
/// single listener: this router claims only its two paths and has no fallback. The caller must
/// make sure no two merged routers share a path (axum panics on overlapping routes).
///
/// # Panics
/// If `path` or `health_path` is not a route axum accepts. A `WebhookConfig` that came from
/// the config file always has valid paths.
pub fn webhook_router(id: &str, config: &WebhookConfig, output: ReceiverOutput) -> Router {
    webhook_router_with_signals(id, config, output, CicdSignals::none())
}

/// [`webhook_router`], whose events also feed `signals` (the receiver's metrics, shared with
/// its poller so a pipeline both see counts once).
///
/// # Panics
/// As [`webhook_router`].
pub fn webhook_router_with_signals(
    id: &str,
    config: &WebhookConfig,
    output: ReceiverOutput,
    signals: CicdSignals,
) -> Router {
    let hook = Arc::new(Webhook::new(id, config, output, signals));
    Router::new()
        .route(&config.path, any(deliver))
        .route(&config.health_path, get(health))
        .with_state(hook)
}

async fn deliver(State(hook): State<Arc<Webhook>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let seen = Seen::new(
        &parts.extensions,
        &parts.headers,
        EVENT_HEADER,
        &[IDEMPOTENCY_HEADER, EVENT_UUID_HEADER],
    );
    match hook
        .deliver(parts.method, &parts.headers, body, &seen)
        .await
    {
        Ok(reply) | Err(reply) => reply.into_response(),
    }
}

async fn health() -> &'static str {
    "ok\n"
}

/// How deliveries are authenticated.
enum Verification {
    /// `X-Gitlab-Token` must equal the secret.
    Token(Token),
    /// `insecure: true` and no secret: every delivery is taken as GitLab's.
    Open,
    /// Neither a secret nor `insecure: true` (a config built in code, bypassing the checks):
    /// every delivery is refused rather than trusted.
    Refuse,
}

/// One receiver's webhook state, shared by its requests.
struct Webhook {
    desk: Desk,
    required: RequiredHeaders,
    verification: Verification,
    limit: usize,
    signals: CicdSignals,
    /// Which changes a deployment delivers, from the merges this receiver saw (best-effort).
    deliveries: std::sync::Mutex<DeliveryCache>,
}

impl Webhook {
    fn new(id: &str, config: &WebhookConfig, output: ReceiverOutput, signals: CicdSignals) -> Self {
        let verification = match &config.secret {
            Some(secret) if !secret.is_empty() => Verification::Token(Token::new(secret)),
            _ if config.insecure => Verification::Open,
            _ => {
                tracing::error!(
                    receiver = %id,
                    "webhook has no secret and is not marked insecure: it refuses every delivery"
                );
                Verification::Refuse
            }
        };
        Webhook {
            desk: Desk::new(id, "GitLab", output),
            required: RequiredHeaders::new(&config.required_headers),
            verification,
            limit: config.max_request_body_size,
            signals,
            deliveries: std::sync::Mutex::new(DeliveryCache::default()),
        }
    }

    async fn deliver(
        &self,
        method: Method,
        headers: &HeaderMap,
        body: Body,
        seen: &Seen,
    ) -> Result<Reply, Reply> {
        self.required.check(headers).map_err(|refusal| {
            let reason = match refusal {
                HeaderRefusal::Missing(_) => Reason::RequiredHeaderMissing,
                HeaderRefusal::Wrong(_) => Reason::RequiredHeaderWrong,
            };
            self.desk
                .refuse(reason, seen, Reply::required_header(&refusal))
        })?;
        if method != Method::POST {
            return Err(self.desk.refuse(
                Reason::MethodNotAllowed,
                seen,
                Reply::method_not_allowed(&method, "GitLab"),
            ));
        }
        self.verify(headers, seen)?;
        let body = read_limited(headers, body, self.limit)
            .await
            .map_err(|e| self.desk.refuse(Reason::of_body(&e), seen, body_refusal(e)))?;
        let Some(event) = headers.get(EVENT_HEADER) else {
            return Err(self.desk.refuse(
                Reason::NotADelivery,
                seen,
                Reply::new(
                    StatusCode::BAD_REQUEST,
                    "missing X-Gitlab-Event header: not a GitLab webhook delivery",
                ),
            ));
        };
        let event = event.to_str().unwrap_or("").trim();
        if [
            EVENT_PIPELINE_HOOK,
            EVENT_JOB_HOOK,
            EVENT_MERGE_REQUEST_HOOK,
            EVENT_DEPLOYMENT_HOOK,
        ]
        .iter()
        .any(|name| event.eq_ignore_ascii_case(name))
        {
            self.ci_event(event, seen, &body)
        } else {
            tracing::debug!(
                receiver = %self.desk.id(), event = %event,
                "ignoring a GitLab event ciotel does not map"
            );
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
    }

    fn verify(&self, headers: &HeaderMap, seen: &Seen) -> Result<(), Reply> {
        match &self.verification {
            Verification::Token(token) => token.check(headers).map_err(|e| {
                self.desk.refuse(
                    Reason::BadToken,
                    seen,
                    Reply::new(StatusCode::UNAUTHORIZED, e.to_string()),
                )
            }),
            Verification::Open => Ok(()),
            Verification::Refuse => Err(self.desk.refuse(
                Reason::NoSecret,
                seen,
                Reply::new(
                    StatusCode::UNAUTHORIZED,
                    "this receiver has no secret configured and is not marked insecure; it \
                     accepts no deliveries",
                ),
            )),
        }
    }

    /// A Pipeline Hook or Job Hook whose token checked out; de-duplicated by the delivery key
    /// ([`Seen`] takes `Idempotency-Key`, else `X-Gitlab-Event-UUID`).
    fn ci_event(&self, event: &str, seen: &Seen, body: &[u8]) -> Result<Reply, Reply> {
        if let Some(reply) = self.desk.duplicate(seen.delivery()) {
            return Ok(reply);
        }
        let malformed = |e: crate::GitlabError| {
            self.desk.refuse(
                Reason::MalformedPayload,
                seen,
                Reply::new(StatusCode::BAD_REQUEST, e.to_string()),
            )
        };
        let mapped = map_webhook(event, body).map_err(malformed)?;
        let change = map_change_webhook(event, body).map_err(malformed)?;
        if let Some(events) = &mapped {
            self.signals.observe(events);
        }
        let mut spans = mapped.as_deref().map(crate::translate).unwrap_or_default();
        spans.extend(ciotel_cicd::translate_changes(
            &self.resolve_changes(change),
            crate::ID_RECIPE,
        ));
        if mapped.is_none() && spans.is_empty() {
            return Ok(Reply::empty(StatusCode::NO_CONTENT));
        }
        self.desk.hand_over(Batch::Traces(spans), seen)
    }

    /// The change events of one delivery, deployments attributed to the changes they deliver
    /// by the receiver's delivery cache.
    fn resolve_changes(&self, change: ChangeBatch) -> Vec<ChangeEvent> {
        if change.is_empty() {
            return Vec::new();
        }
        // DORA counts a deployment now, even one the cache holds back for its merge; the
        // changes it delivers count once they are attributed.
        self.signals.observe_changes(&change.events);
        let resolved = match self.deliveries.lock() {
            Ok(mut cache) => cache.resolve(change.events, &change.merges),
            // A panic elsewhere poisoned the cache: go on with it (best-effort by design).
            Err(poisoned) => poisoned.into_inner().resolve(change.events, &change.merges),
        };
        self.signals.observe_changes(&resolved);
        resolved
    }
}

/// A body that could not be read; GitLab has no 25 MiB cap of its own to mention.
fn body_refusal(e: BodyError) -> Reply {
    let message = match &e {
        BodyError::TooLarge { limit } => format!(
            "request body exceeds max_request_body_size ({limit} bytes); raise it for pipelines \
             with very many jobs"
        ),
        BodyError::Read(why) => format!("failed to read the request body: {why}"),
        _ => e.to_string(),
    };
    Reply::body(&e, message)
}
