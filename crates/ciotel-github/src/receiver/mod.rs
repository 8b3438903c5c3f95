//! The `github` receiver: GitHub Actions `workflow_run` and `workflow_job` events → spans.
//!
//! - [`GithubReceiverConfig`] is the receiver's config (`webhook:`, `api:`, `trace_id_recipe:`),
//!   checked while the YAML is parsed: a webhook never runs unsigned unless the config says
//!   `insecure: true` on a loopback endpoint.
//! - [`webhook_router`] serves one receiver's webhook path and health path; the binary merges
//!   the routers of every webhook receiver on one endpoint into a single listener. Each
//!   delivery is checked (required headers, size, HMAC signature), mapped with
//!   [`map_webhook`](crate::map_webhook), translated with `ciotel_cicd::translate` and handed to
//!   the pipeline, which answers 503 when full.
//! - [`ApiConfig`] is the config of the REST API poller, which lives in its own module. With
//!   both, the webhook hands completed runs to the poller
//!   ([`RunHandoff`](crate::poller::RunHandoff)), which emits them with their jobs.
//!
//! Files: `config.rs` and `api_config.rs` (config), `webhook.rs` (the router and the order of
//! checks), `signature.rs` (the HMAC check). Plumbing shared with other webhook receivers
//! (required headers, body limit, delivery de-duplication, secrets) is in `ciotel_core::webhook`.

mod api_config;
mod config;
mod signature;
mod webhook;

pub use api_config::{ApiConfig, ApiConfigError, GithubAppConfig};
pub use ciotel_core::webhook::Secret;
pub use ciotel_core::webhook::WebhookConfig;
pub use config::{ConfigError, GithubReceiverConfig};
pub use signature::{SignatureError, sign as sign_delivery};
pub use webhook::{webhook_router, webhook_router_with_signals};
