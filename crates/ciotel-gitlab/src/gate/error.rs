//! Why the gate could not get an answer from GitLab.

use crate::poller::{BadToken, PollError};

/// Why the path could not be read; `can-i-deploy` exits 2 with it. Never holds the token:
/// it travels only in a sensitive header.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The token cannot be sent in a header.
    #[error(transparent)]
    Token(#[from] BadToken),
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
    /// The time allowed ran out (or the user interrupted), waiting or in flight.
    #[error("gave up waiting for GitLab")]
    Cancelled,
    /// A request failed, an answer was not the JSON expected, or a URL left `base_url`.
    #[error(transparent)]
    Poll(PollError),
    /// GitLab knows no such revision.
    #[error("{project} has no commit `{revision}`")]
    NoRevision {
        /// The project.
        project: String,
        /// What was asked.
        revision: String,
    },
    /// The project answered without its numeric id.
    #[error("{project}: GitLab's answer has no project id")]
    NoProjectId {
        /// The project.
        project: String,
    },
}

impl From<PollError> for GateError {
    fn from(e: PollError) -> Self {
        match e {
            PollError::Shutdown => GateError::Cancelled,
            e => GateError::Poll(e),
        }
    }
}

impl From<ciotel_core::poll::NotUnderBase> for GateError {
    fn from(e: ciotel_core::poll::NotUnderBase) -> Self {
        GateError::Poll(PollError::Url(e))
    }
}
