//! Plumbing every webhook receiver (GitHub, GitLab …) shares: the `webhook:` config and its
//! checks, secrets that never print, `required_headers` checked in constant time, a body read
//! with a size limit (chunked too), a bounded window of recent delivery ids for
//! de-duplication, the plain-text answers a delivery gets, and refusals counted and logged.

pub mod config;
pub mod dedup;
pub mod desk;
pub mod refusal;
pub mod required_headers;
pub mod respond;
pub mod secret;

pub use config::{RawWebhookConfig, WebhookConfig, WebhookConfigError, WebhookPlatform};
pub use secret::Secret;
