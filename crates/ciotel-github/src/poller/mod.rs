//! The `github` receiver's REST API poller: every `interval`, each repository's finished
//! workflow runs since a persisted cursor (the last `lookback` on first start) and their jobs
//! become the same `CiEvent`s, hence the same spans, as the webhook's — so a run seen both ways
//! yields identical spans, which backends de-duplicate.
//!
//! Files, one concern each:
//! - `poll.rs`: the loop and a repository's pass ([`Poller`]);
//! - `attempt.rs`: one run attempt → its events (run, then every page of its jobs);
//! - `emit.rs`: handing spans to the pipeline, waiting while it refuses;
//! - `cursor.rs`: what is remembered across restarts, and how the cursor moves;
//! - `repos.rs`: which repositories (`repositories:` or every repository of `owner:`);
//! - `client.rs`: HTTP, headers, conditional requests, retries; `limits.rs`: GitHub's answers
//!   as wait/retry/fail decisions; `link.rs`: pagination links; `pages.rs`: ETags;
//! - `window.rs`: what a listing's pages say, and GitHub's 1000-run cap;
//! - `auth.rs`: token, or GitHub App JWT → installation token;
//! - `tuning.rs`: the waits; `error.rs`: the errors.

mod attempt;
mod auth;
mod client;
mod cursor;
mod emit;
mod error;
mod limits;
mod link;
mod pages;
mod poll;
mod repos;
mod tuning;
mod window;

pub use auth::AuthError;
pub use client::ClientError;
pub use cursor::{SETTLE, state_file};
pub use error::{PollError, PollerError};
pub use poll::Poller;
pub use tuning::Tuning;

use ciotel_cicd::IdRecipe;
use ciotel_core::pipeline::ReceiverOutput;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::receiver::ApiConfig;

/// Sets up receiver `id`'s poller and spawns it on the current tokio runtime; it polls until
/// `shutdown` is cancelled, then saves its cursor and ends.
///
/// Exists for the daemon's wiring: a setup error (unreadable App key, `state_dir` that cannot
/// be created, unreadable cursor file) is returned at once, before anything runs.
///
/// # Panics
/// Outside a tokio runtime.
pub fn start(
    id: &str,
    config: &ApiConfig,
    recipe: IdRecipe,
    output: ReceiverOutput,
    shutdown: CancellationToken,
) -> Result<JoinHandle<()>, PollerError> {
    let poller = Poller::new(id, config, recipe, output, Tuning::default())?;
    Ok(tokio::spawn(poller.run(shutdown)))
}

/// Sets up receiver `id`'s poller and polls until `shutdown` is cancelled.
///
/// Exists for callers that drive the future themselves; [`start`] spawns it.
pub async fn run(
    id: &str,
    config: &ApiConfig,
    recipe: IdRecipe,
    output: ReceiverOutput,
    shutdown: CancellationToken,
) -> Result<(), PollerError> {
    Poller::new(id, config, recipe, output, Tuning::default())?
        .run(shutdown)
        .await;
    Ok(())
}
