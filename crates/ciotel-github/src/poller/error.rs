//! What can go wrong: [`PollerError`] stops a poller from starting (reported once, with the
//! path or setting to fix); [`PollError`] ends one repository's pass early (logged, the cursor
//! kept, tried again at the next interval).

use ciotel_core::poll::{Cancelled, NotUnderBase, StartError};

use super::auth::AuthError;
use super::client::ClientError;

/// Why a poller cannot start.
///
/// Exists so the daemon refuses to start with a message naming the receiver and the file or
/// setting at fault, instead of a poller that logs the same failure every interval.
#[derive(Debug, thiserror::Error)]
pub enum PollerError {
    /// The credentials cannot be used (e.g. the App's key file is unreadable).
    #[error("receiver {id}: {source}")]
    Credentials {
        /// The receiver.
        id: String,
        /// What is wrong.
        #[source]
        source: AuthError,
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

/// Why a repository's pass ended early.
///
/// Exists so the loop can tell shutdown from a failure to log, and say which URL failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Shutdown came.
    #[error("shutting down")]
    Shutdown,
    /// A request failed after its retries.
    #[error(transparent)]
    Client(ClientError),
    /// An answer was not the JSON expected.
    #[error("{url}: unexpected answer: {source}")]
    Malformed {
        /// The request.
        url: String,
        /// serde_json's description.
        #[source]
        source: serde_json::Error,
    },
    /// A 304 to a request that sent no ETag: nothing to go on.
    #[error("{url}: 304 Not Modified to a request that was not conditional")]
    NotModified {
        /// The request.
        url: String,
    },
    /// A URL could not be built from `base_url`, or a `Link` pointed outside it (the
    /// credentials are never sent elsewhere).
    #[error("{url}: not under base_url {base_url}")]
    Url {
        /// The URL.
        url: String,
        /// `base_url`.
        base_url: String,
    },
}

impl From<ClientError> for PollError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Shutdown => PollError::Shutdown,
            e => PollError::Client(e),
        }
    }
}

impl From<Cancelled> for PollError {
    fn from(_: Cancelled) -> Self {
        PollError::Shutdown
    }
}

impl From<NotUnderBase> for PollError {
    fn from(e: NotUnderBase) -> Self {
        PollError::Url {
            url: e.url,
            base_url: e.base_url,
        }
    }
}
