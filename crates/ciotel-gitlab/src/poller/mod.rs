//! The `gitlab` receiver's REST API poller: every `interval`, each project's pipelines updated
//! since a persisted cursor (the last `lookback` on first start) that are finished, with their
//! jobs and bridges, become the same `CiEvent`s, hence the same spans, as the webhook's — so a
//! pipeline seen both ways yields identical spans, which backends de-duplicate.
//!
//! Files, one concern each:
//! - `poll.rs`: the loop and a project's pass ([`Poller`]);
//! - `pipeline.rs`: one finished pipeline fetched whole (pipeline, jobs, bridges);
//! - `cursor.rs`: what is remembered across restarts, and how the cursor moves;
//! - `projects.rs`: which projects (`projects:`, and every project of `groups:`);
//! - `job_logs.rs`: each job's log — runner phases from its sections, a failed job's tail;
//! - `upstream.rs`: child pipelines' upstream, learnt from bridges polled earlier;
//! - `client.rs`: GitLab's token header, rate-limit headers and pages; `urls.rs`: the URLs;
//! - `auth.rs`: `auth: private_token | bearer`; `error.rs`: the errors;
//! - `live.rs`: the running and pending pipelines and their jobs, onto the receiver's live
//!   board (at start and every poll, when the receiver's signals carry a board), so a restart
//!   does not forget what runs now.
//!
//! What any REST poller needs — retries and backoff, rate-limit waits, pagination headers, the
//! atomic cursor file, handing spans to a pipeline that may refuse, the waits ([`Tuning`]) —
//! is shared with the GitHub poller, in `ciotel_core::poll`.

mod auth;
pub(crate) mod client;
mod cursor;
mod error;
mod job_logs;
mod live;
pub(crate) mod pipeline;
mod poll;
mod projects;
mod upstream;
pub(crate) mod urls;

pub use auth::{BadToken, TokenAuth};
pub use ciotel_core::poll::{Tuning, state_file};
pub use cursor::SETTLE;
pub use error::{PollError, PollerError};
pub use poll::Poller;

use ciotel_cicd::signals::CicdSignals;
use ciotel_core::pipeline::ReceiverOutput;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::receiver::ApiConfig;

/// Sets up receiver `id`'s poller and spawns it on the current tokio runtime; it polls until
/// `shutdown` is cancelled, then saves its cursor and ends. The events it maps also feed
/// `signals` (the receiver's metrics).
///
/// Exists for the daemon's wiring: a setup error (a token no header can carry, `state_dir`
/// that cannot be created, unreadable cursor file) is returned at once, before anything runs.
///
/// # Panics
/// Outside a tokio runtime.
pub fn start(
    id: &str,
    config: &ApiConfig,
    output: ReceiverOutput,
    shutdown: CancellationToken,
    signals: CicdSignals,
) -> Result<JoinHandle<()>, PollerError> {
    let poller = Poller::new(id, config, output, Tuning::default())?.with_signals(signals);
    Ok(tokio::spawn(poller.run(shutdown)))
}

/// Sets up receiver `id`'s poller and polls until `shutdown` is cancelled.
///
/// Exists for callers that drive the future themselves; [`start`] spawns it.
pub async fn run(
    id: &str,
    config: &ApiConfig,
    output: ReceiverOutput,
    shutdown: CancellationToken,
) -> Result<(), PollerError> {
    Poller::new(id, config, output, Tuning::default())?
        .run(shutdown)
        .await;
    Ok(())
}
