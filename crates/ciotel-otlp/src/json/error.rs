//! The one error type of the OTLP/JSON codec: what is wrong with a request body, and where.

use serde_json::error::Category;

/// Why an OTLP/JSON body could not be decoded.
///
/// Exists so the HTTP receiver can answer 400 with a message a sender can act on: every variant
/// says what is wrong and where (line and column in the body), e.g.
/// `invalid traceId: expected 32 hex characters at line 1 column 57`.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// The body is not well-formed JSON (a stray character, a missing comma, bad UTF-8, …).
    #[error("malformed JSON: {0}")]
    Syntax(serde_json::Error),
    /// The body ended before the JSON value was complete (a cut-off upload).
    #[error("truncated JSON: {0}")]
    Truncated(serde_json::Error),
    /// Well-formed JSON that is not a valid OTLP message: a wrong type, a bad hex id, a number
    /// out of range, an unknown enum name.
    #[error("{0}")]
    Invalid(serde_json::Error),
}

impl JsonError {
    /// The 1-based line in the body where the problem was found, so callers can point at it.
    pub fn line(&self) -> usize {
        self.inner().line()
    }

    /// The 1-based column in the body where the problem was found.
    pub fn column(&self) -> usize {
        self.inner().column()
    }

    fn inner(&self) -> &serde_json::Error {
        match self {
            Self::Syntax(e) | Self::Truncated(e) | Self::Invalid(e) => e,
        }
    }
}

impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> Self {
        match e.classify() {
            Category::Eof => Self::Truncated(e),
            Category::Syntax | Category::Io => Self::Syntax(e),
            Category::Data => Self::Invalid(e),
        }
    }
}
