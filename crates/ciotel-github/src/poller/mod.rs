//! The `github` receiver's REST API poller: every `interval`, each repository's finished
//! workflow runs since a persisted cursor (the last `lookback` on first start) and their jobs
//! become the same `CiEvent`s, hence the same spans, as the webhook's — so a run seen both ways
//! yields identical spans, which backends de-duplicate.
//!
//! Files, one concern each:
//! - `poll.rs`: the loop and a repository's pass ([`Poller`]);
//! - `attempt.rs`: one run attempt → its events (run, then every page of its jobs);
//! - `cursor.rs`: what is remembered across restarts, and how the cursor moves;
//! - `repos.rs`: which repositories (`repositories:` or every repository of `owner:`);
//! - `client.rs`: GitHub's headers, authentication and conditional requests; `limits.rs`:
//!   GitHub's rate-limit headers and messages; `pages.rs`: ETags;
//! - `window.rs`: what a listing's pages say, and GitHub's 1000-run cap;
//! - `auth.rs`: token, or GitHub App JWT → installation token; `error.rs`: the errors;
//! - `live.rs`: the running and queued runs and their jobs, onto the receiver's live board
//!   (at start and every poll, when the receiver's signals carry a board), so a restart does
//!   not forget what runs now;
//! - `job_logs.rs`: failed jobs' log tails, for verdicts from the logs;
//! - `handoff.rs`: completed runs the receiver's webhook hands over, to be emitted with their
//!   jobs (see [`RunHandoff`]).
//!
//! What any REST poller needs — retries and backoff, rate-limit waits, `Link` pagination, the
//! atomic cursor file, handing spans to a pipeline that may refuse, the waits ([`Tuning`]) —
//! is shared, in `ciotel_core::poll`.

pub(crate) mod attempt;
pub(crate) mod auth;
pub(crate) mod client;
mod cursor;
mod error;
mod handoff;
mod job_logs;
mod limits;
mod live;
mod pages;
mod poll;
mod repos;
mod window;

pub use auth::AuthError;
pub use ciotel_core::poll::{Tuning, state_file};
pub use client::ClientError;
pub use cursor::SETTLE;
pub use error::{PollError, PollerError};
pub use handoff::{CAPACITY, HandoffError, RunHandoff, RunRequest, RunRequests, run_handoff};
pub use poll::Poller;

use ciotel_cicd::IdRecipe;
use ciotel_cicd::signals::CicdSignals;
use ciotel_core::pipeline::ReceiverOutput;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::receiver::ApiConfig;

/// Sets up receiver `id`'s poller and spawns it on the current tokio runtime; it polls until
/// `shutdown` is cancelled, then saves its cursor and ends. With `requests` (the poller's end
/// of the webhook's [`RunHandoff`]), it also emits each handed-over run with its jobs. The
/// events it maps also feed `signals` (the receiver's metrics).
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
    requests: Option<RunRequests>,
    signals: CicdSignals,
) -> Result<JoinHandle<()>, PollerError> {
    let mut poller =
        Poller::new(id, config, recipe, output, Tuning::default())?.with_signals(signals);
    if let Some(requests) = requests {
        poller = poller.with_requests(requests);
    }
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
