//! The `gitlab` receiver: GitLab CI Pipeline Hook and Job Hook events → spans.
//!
//! - [`GitlabReceiverConfig`] is the receiver's config (`webhook:`, `api:`), checked while the
//!   YAML is parsed: a webhook never runs without a secret token unless the config says
//!   `insecure: true` on a loopback endpoint.
//! - [`webhook_router`] serves one receiver's webhook path and health path; the binary merges
//!   the routers of every webhook receiver on one endpoint into a single listener. Each
//!   delivery is checked (required headers, `X-Gitlab-Token`, size), mapped with
//!   [`map_webhook`](crate::map_webhook), translated with [`crate::translate`] and handed to
//!   the pipeline, which answers 503 when full.
//! - [`ApiConfig`] is the config of the REST API poller.
//!
//! Files: `config.rs` and `api_config.rs` (config), `webhook.rs` (the router and the order of
//! checks), `token.rs` (the token check). Plumbing shared with other webhook receivers
//! (required headers, body limit, delivery de-duplication, secrets) is in `ciotel_core::webhook`.

mod api_config;
mod config;
mod token;
mod webhook;

pub use api_config::{ApiConfig, ApiConfigError};
pub use ciotel_core::webhook::Secret;
pub use ciotel_core::webhook::WebhookConfig;
pub use config::{ConfigError, GitlabReceiverConfig};
pub use token::{TOKEN_HEADER, TokenError};
pub use webhook::{webhook_router, webhook_router_with_signals};
