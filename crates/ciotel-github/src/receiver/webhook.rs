//! The webhook endpoint: an axum router serving one receiver's `path` (deliveries) and
//! `health_path`, and nothing else, so the routers of all webhook receivers sharing an
//! endpoint can be merged into one listener.
//!
//! A delivery goes through, in order: `required_headers` (401 missing / 403 wrong), method (405
//! unless POST), body limit (413), `X-Hub-Signature-256` over the raw body (401), then by
//! `X-GitHub-Event`: `ping` → 200; `workflow_run` / `workflow_job` → de-duplicate by
//! `X-GitHub-Delivery` (200, nothing emitted), map (400 with the mapping's message), translate,
//! hand to the pipeline (202; 503 + Retry-After when it is full; 204 when the delivery makes no
//! span, e.g. a `labeled` pull request); anything else → 204. Change events go through the
//! receiver's bounded delivery cache (`ciotel_cicd::change::DeliveryCache`), which finds the
//! changes a deployment delivers from the merges this receiver saw. Every
//! refusal says why in a plain-text body, which GitHub shows in the delivery's log. The answer
//! comes as soon as the pipeline has the spans, well within GitHub's 10 s. Every refusal is
//! counted by reason and logged at warn, rate-limited (`ciotel_core::webhook::refusal`).
//!
//! When the receiver also has `api:`, a `workflow_run` delivery of a completed run is not
//! emitted here: the run goes to the poller ([`RunHandoff`]), which emits it with its jobs in
//! one batch (202 once queued; 503 + Retry-After when the hand-off queue is full).
//!
//! With `api:`, a `workflow_job` delivery emits only the job's `queue` span: the job span and
//! its step spans are the poller's alone, since only the poller reads the workflow file that
//! says what each step runs (and so who owns it, and who failed the job). A span both paths
//! emitted would otherwise carry two answers. The poller emits every job of a run once the run
//! is completed (handed over by its `workflow_run` delivery, or listed).

use super::signature::{self, SIGNATURE_HEADER};
use crate::payload::WorkflowRunEvent;
use crate::poller::{HandoffError, RunHandoff, RunRequest};
use crate::{
    CHANGE_EVENTS, EVENT_WORKFLOW_JOB, EVENT_WORKFLOW_RUN, map_change_webhook, map_webhook,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use ciotel_cicd::change::{ChangeBatch, DeliveryCache};
use ciotel_cicd::ownership::span_view::span_attr;
use ciotel_cicd::signals::CicdSignals;
use ciotel_cicd::{IdRecipe, semconv, translate, translate_changes};
use ciotel_core::Batch;
use ciotel_core::body::{BodyError, read_limited};
use ciotel_core::pipeline::ReceiverOutput;
use ciotel_core::webhook::WebhookConfig;
use ciotel_core::webhook::desk::Desk;
use ciotel_core::webhook::refusal::{Reason, Seen};
use ciotel_core::webhook::required_headers::{HeaderRefusal, RequiredHeaders};
use ciotel_core::webhook::respond::Reply;
use opentelemetry_proto::tonic::trace::v1::ResourceSpans;
use std::sync::{Arc, Mutex};

/// The header naming the event of a delivery.
const EVENT_HEADER: &str = "x-github-event";
/// The header carrying a delivery's unique id (a GUID, kept on redelivery).
const DELIVERY_HEADER: &str = "x-github-delivery";

/// Builds the router of one webhook receiver: `POST path` for deliveries, `GET health_path`
/// answering 200. Spans go to `output`, with ids derived by `recipe`; with `handoff` (the
/// receiver also polls the API), completed runs go to the poller instead, to be emitted with
/// their jobs.
///
/// Exists so the binary can merge the routers of every webhook receiver on one endpoint into a
/// single listener: this router claims only its two paths and has no fallback. The caller must
/// make sure no two merged routers share a path (axum panics on overlapping routes).
///
/// # Panics
/// If `path` or `health_path` is not a route axum accepts. A `WebhookConfig` that came from
/// the config file always has valid paths.
pub fn webhook_router(
    id: &str,
    config: &WebhookConfig,
    recipe: IdRecipe,
    output: ReceiverOutput,
    handoff: Option<RunHandoff>,
) -> Router {
    webhook_router_with_signals(id, config, recipe, output, handoff, CicdSignals::none())
}

/// [`webhook_router`], whose events also feed `signals` (the receiver's metrics, shared with
/// its poller so a run both see counts once).
///
/// # Panics
/// As [`webhook_router`].
pub fn webhook_router_with_signals(
    id: &str,
    config: &WebhookConfig,
    recipe: IdRecipe,
    output: ReceiverOutput,
    handoff: Option<RunHandoff>,
    signals: CicdSignals,
) -> Router {
    let hook = Arc::new(Webhook::new(id, config, recipe, output, handoff, signals));
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
        &[DELIVERY_HEADER],
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
    /// HMAC-SHA256 with this key.
    Signed(Vec<u8>),
    /// `insecure: true` and no secret: every delivery is taken as GitHub's.
    Unsigned,
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
    recipe: IdRecipe,
    handoff: Option<RunHandoff>,
    signals: CicdSignals,
    /// Which changes a deployment delivers, from the merges this receiver saw (best-effort).
    deliveries: Mutex<DeliveryCache>,
}

impl Webhook {
    fn new(
        id: &str,
        config: &WebhookConfig,
        recipe: IdRecipe,
        output: ReceiverOutput,
        handoff: Option<RunHandoff>,
        signals: CicdSignals,
    ) -> Self {
        let verification = match &config.secret {
            Some(secret) if !secret.is_empty() => {
                Verification::Signed(secret.expose().as_bytes().to_vec())
            }
            _ if config.insecure => Verification::Unsigned,
            _ => {
                tracing::error!(
                    receiver = %id,
                    "webhook has no secret and is not marked insecure: it refuses every delivery"
                );
                Verification::Refuse
            }
        };
        Webhook {
            desk: Desk::new(id, "GitHub", output),
            required: RequiredHeaders::new(&config.required_headers),
            verification,
            limit: config.max_request_body_size,
            recipe,
            handoff,
            signals,
            deliveries: Mutex::new(DeliveryCache::default()),
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
                Reply::method_not_allowed(&method, "GitHub"),
            ));
        }
        let body = read_limited(headers, body, self.limit)
            .await
            .map_err(|e| self.desk.refuse(Reason::of_body(&e), seen, body_refusal(e)))?;
        self.verify(headers, &body, seen)?;
        let Some(event) = headers.get(EVENT_HEADER) else {
            return Err(self.desk.refuse(
                Reason::NotADelivery,
                seen,
                Reply::new(
                    StatusCode::BAD_REQUEST,
                    "missing X-GitHub-Event header: not a GitHub webhook delivery",
                ),
            ));
        };
        let event = event.to_str().unwrap_or("");
        let delivery = seen.delivery();
        match event {
            "ping" => Ok(Reply::new(
                StatusCode::OK,
                "pong: ready for workflow_run, workflow_job and change events",
            )),
            EVENT_WORKFLOW_RUN | EVENT_WORKFLOW_JOB => self.workflow(event, seen, headers, &body),
            change if CHANGE_EVENTS.contains(&change) => self.workflow(event, seen, headers, &body),
            other => {
                tracing::debug!(
                    receiver = %self.desk.id(), event = %other, delivery = ?delivery,
                    "ignoring a GitHub event ciotel does not map"
                );
                Ok(Reply::empty(StatusCode::NO_CONTENT))
            }
        }
    }

    fn verify(&self, headers: &HeaderMap, body: &[u8], seen: &Seen) -> Result<(), Reply> {
        match &self.verification {
            Verification::Signed(key) => {
                let header = headers.get(SIGNATURE_HEADER).map(HeaderValue::as_bytes);
                signature::verify(key, header, body).map_err(|e| {
                    self.desk.refuse(
                        Reason::BadSignature,
                        seen,
                        Reply::new(StatusCode::UNAUTHORIZED, e.to_string()),
                    )
                })
            }
            Verification::Unsigned => Ok(()),
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

    /// A `workflow_run`, `workflow_job` or change-event delivery whose signature checked out.
    fn workflow(
        &self,
        event: &str,
        seen: &Seen,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Reply, Reply> {
        let delivery = seen.delivery();
        if is_form(headers) {
            return Err(self.desk.refuse(
                Reason::UnsupportedMediaType,
                seen,
                Reply::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "this receiver reads JSON deliveries: set the webhook's content type to \
                     application/json in GitHub",
                ),
            ));
        }
        if let Some(reply) = self.desk.duplicate(delivery) {
            return Ok(reply);
        }
        let malformed = |e: crate::GithubError| {
            self.desk.refuse(
                Reason::MalformedPayload,
                seen,
                Reply::new(StatusCode::BAD_REQUEST, e.to_string()),
            )
        };
        let mapped = map_webhook(event, body).map_err(malformed)?;
        let change = map_change_webhook(event, body).map_err(malformed)?;
        if mapped.is_none() && change.is_empty() {
            return Ok(Reply::empty(StatusCode::NO_CONTENT));
        }
        if let Some(ci_event) = &mapped {
            self.signals.observe(std::slice::from_ref(ci_event));
        }
        let mut spans = mapped
            .as_ref()
            .map(|e| translate(e, self.recipe))
            .unwrap_or_default();
        if self.handoff.is_some() && event == EVENT_WORKFLOW_JOB {
            keep_queue_spans(&mut spans);
        }
        spans.extend(translate_changes(
            &self.resolve_changes(change),
            self.recipe,
        ));
        if mapped.is_none() && spans.is_empty() {
            return Ok(Reply::empty(StatusCode::NO_CONTENT));
        }
        let batch = Batch::Traces(spans);
        let (handoff, request) = match (&self.handoff, event) {
            (Some(handoff), EVENT_WORKFLOW_RUN) => match completed_run(body, batch) {
                Ok(request) => (handoff, request),
                Err(batch) => return self.desk.hand_over(batch, seen),
            },
            _ => return self.desk.hand_over(batch, seen),
        };
        let (repo, run) = (request.repo.clone(), request.run_id);
        // The run's own spans go into the pipeline before the answer, so a 2xx means they are
        // as safe as the pipeline's queues make them (GitHub does not redeliver on its own).
        // The poller then emits the run again with its jobs: the root is the same span (no
        // verdict on it), the jobs and the verdict span are added.
        let reply = self.desk.hand_over(request.fallback.clone(), seen)?;
        match handoff.offer(request) {
            Ok(()) => {
                tracing::debug!(
                    receiver = %self.desk.id(), repository = %repo, run,
                    "completed run handed to the API poller for its jobs"
                );
                Ok(Reply::new(
                    StatusCode::ACCEPTED,
                    "accepted; handed to the API poller for its jobs",
                ))
            }
            Err(HandoffError::Full(_)) => {
                tracing::warn!(
                    receiver = %self.desk.id(), repository = %repo, run,
                    "the API poller's queue of runs is full: this run's jobs come from its \
                     workflow_job deliveries or the poller's next listing"
                );
                Ok(reply)
            }
            // The poller stopped (shutdown): the run went alone, as without `api:`.
            Err(HandoffError::Closed(_)) => Ok(reply),
        }
    }
}

impl Webhook {
    /// The change events of one delivery, its deployments attributed to changes by the
    /// receiver's delivery cache.
    fn resolve_changes(&self, change: ChangeBatch) -> Vec<ciotel_cicd::change::ChangeEvent> {
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

/// The hand-off of a `workflow_run` delivery whose run is completed, with `batch` (its spans)
/// as fallback; `Err(batch)` when the run is not completed or names no repository.
fn completed_run(body: &[u8], batch: Batch) -> Result<RunRequest, Batch> {
    let Ok(event) = serde_json::from_slice::<WorkflowRunEvent>(body) else {
        return Err(batch);
    };
    let run = &event.workflow_run;
    let repo = run
        .repository
        .as_ref()
        .or(event.repository.as_ref())
        .and_then(|r| r.full_name.clone())
        .filter(|r| !r.is_empty());
    match repo {
        Some(repo) if run.status.as_deref() == Some("completed") => Ok(RunRequest {
            repo,
            run_id: run.id,
            attempt: run.run_attempt,
            fallback: batch,
        }),
        _ => Err(batch),
    }
}

/// Drops every span but `queue` spans: with `api:`, a job's own span and its steps come from
/// the poller, which knows what each step runs.
fn keep_queue_spans(groups: &mut Vec<ResourceSpans>) {
    for group in groups.iter_mut() {
        for scope in &mut group.scope_spans {
            scope.spans.retain(|span| {
                span_attr(span, semconv::CIOTEL_SPAN_TYPE).as_deref()
                    == Some(semconv::span_type::QUEUE)
            });
        }
        group.scope_spans.retain(|s| !s.spans.is_empty());
    }
    groups.retain(|g| !g.scope_spans.is_empty());
}

/// `application/x-www-form-urlencoded`, GitHub's other content type, which wraps the JSON in
/// a `payload=` form field.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// A body that could not be read, with GitHub's own cap mentioned for one too large.
fn body_refusal(e: BodyError) -> Reply {
    let message = match &e {
        BodyError::TooLarge { .. } => format!("{e}; GitHub itself caps deliveries at 25 MiB"),
        _ => e.to_string(),
    };
    Reply::body(&e, message)
}
