//! Why the gate could not get an answer from GitHub.

use ciotel_core::poll::NotUnderBase;

use crate::poller::{AuthError, ClientError, PollError};

/// Why the path could not be read; `can-i-deploy` exits 2 with it. Never holds a secret:
/// URLs are shown without userinfo, tokens travel only in sensitive headers.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The credentials cannot be used (an unreadable App key, a token no header can carry).
    #[error("{0}")]
    Credentials(#[from] AuthError),
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
    /// The time allowed ran out (or the user interrupted), waiting or in flight.
    #[error("gave up waiting for GitHub")]
    Cancelled,
    /// A request failed after its retries (status, network, rate limit).
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
    /// A page to follow pointed outside `base_url`.
    #[error(transparent)]
    Url(#[from] NotUnderBase),
    /// GitHub knows no such revision.
    #[error("{repo} has no commit `{revision}`")]
    NoRevision {
        /// The repository.
        repo: String,
        /// What was asked.
        revision: String,
    },
}

impl From<ClientError> for GateError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Shutdown => GateError::Cancelled,
            e => GateError::Client(e),
        }
    }
}

impl From<PollError> for GateError {
    fn from(e: PollError) -> Self {
        match e {
            PollError::Shutdown => GateError::Cancelled,
            PollError::Client(e) => e.into(),
            PollError::Malformed { url, source } => GateError::Malformed { url, source },
            PollError::NotModified { url } => GateError::Http(format!(
                "{url}: 304 Not Modified to a request that was not conditional"
            )),
            PollError::Url { url, base_url } => GateError::Url(NotUnderBase { url, base_url }),
        }
    }
}
