//! What can go wrong: [`PollerError`] stops a poller from starting (reported once, with the
//! path or setting to fix); [`PollError`] ends one project's pass early (logged, the cursor
//! kept, tried again at the next interval).

use ciotel_core::poll::{Cancelled, NotUnderBase, RequestError, StartError};

use super::auth::BadToken;

/// Why a poller cannot start.
///
/// Exists so the daemon refuses to start with a message naming the receiver and the file or
/// setting at fault, instead of a poller that logs the same failure every interval.
#[derive(Debug, thiserror::Error)]
pub enum PollerError {
    /// The token cannot be sent.
    #[error("receiver {id}: api.token: {source}")]
    Token {
        /// The receiver.
        id: String,
        /// What is wrong.
        #[source]
        source: BadToken,
    },
    /// `state_dir`, the cursor file or the HTTP client (see [`StartError`]).
    #[error("receiver {id}: {source}")]
    Start {
        /// The receiver.
        id: String,
        /// What is wrong.
        #[source]
        source: StartError,
    },
}

/// Why a project's pass ended early.
///
/// Exists so the loop can tell shutdown from a failure to log, and say which URL failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Shutdown came.
    #[error("shutting down")]
    Shutdown,
    /// A request failed after its retries.
    #[error(transparent)]
    Request(RequestError),
    /// An answer was not the JSON expected.
    #[error("{url}: unexpected answer: {source}")]
    Malformed {
        /// The request.
        url: String,
        /// serde_json's description.
        #[source]
        source: serde_json::Error,
    },
    /// A URL could not be built from `base_url`, or a next page pointed outside it (the
    /// token is never sent elsewhere).
    #[error(transparent)]
    Url(#[from] NotUnderBase),
}

impl From<RequestError> for PollError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::Shutdown => PollError::Shutdown,
            e => PollError::Request(e),
        }
    }
}

impl From<Cancelled> for PollError {
    fn from(_: Cancelled) -> Self {
        PollError::Shutdown
    }
}
