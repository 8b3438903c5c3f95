//! Why an exporter could not be built from its config: each message names the exporter and
//! what to fix, because it is shown to a person at start-up. Endpoints in these messages (and
//! in export failures, see [`at`]) never show their userinfo.

use ciotel_core::redact;
use std::path::PathBuf;

/// A failure to build an exporter. Building never contacts the backend, so these are all
/// problems of the config or of local files (certificates, the output file).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A required key is empty (e.g. a config built in code from `Default`).
    #[error("exporter {id}: `{key}` must be set")]
    Missing {
        /// The exporter's id.
        id: String,
        /// The missing key.
        key: &'static str,
    },
    /// An endpoint that cannot be turned into a URL or gRPC target.
    #[error(
        "exporter {id}: invalid endpoint `{}`: {}",
        redact::userinfo(endpoint),
        redact::userinfo(reason)
    )]
    Endpoint {
        /// The exporter's id.
        id: String,
        /// The endpoint as configured.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A header name or value that cannot be sent.
    #[error("exporter {id}: invalid header `{name}`: {reason}")]
    Header {
        /// The exporter's id.
        id: String,
        /// The header's name as configured.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A certificate or key file that cannot be read.
    #[error("exporter {id}: cannot read tls.{key} `{}`: {source}", path.display())]
    ReadTlsFile {
        /// The exporter's id.
        id: String,
        /// `ca_file`, `cert_file` or `key_file`.
        key: &'static str,
        /// The file as configured.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Certificates or keys that were read but are not usable PEM, or a TLS setup rustls refuses.
    #[error("exporter {id}: invalid TLS settings: {reason}")]
    Tls {
        /// The exporter's id.
        id: String,
        /// What rustls or the PEM parser said.
        reason: String,
    },
    /// The HTTP client could not be created.
    #[error("exporter {id}: cannot create the HTTP client: {reason}")]
    HttpClient {
        /// The exporter's id.
        id: String,
        /// What reqwest said.
        reason: String,
    },
    /// `auth:` names an authenticator that cannot be used here.
    #[error("exporter {id}: auth: {reason}")]
    Auth {
        /// The exporter's id.
        id: String,
        /// What is wrong with the reference (never a credential).
        reason: String,
    },
    /// The `file` exporter's output file (or its directory) cannot be created or opened.
    #[error("exporter {id}: cannot open `{}` for writing: {source}", path.display())]
    OpenFile {
        /// The exporter's id.
        id: String,
        /// The file as configured.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// An error with its chain of causes, for messages: tonic's and reqwest's top-level errors
/// ("transport error") say little without their sources. A URL in any of them (reqwest and
/// hyper name the request's) shows no userinfo.
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    redact::userinfo(&text).into_owned()
}

/// What rustls says when the server's first bytes are not a TLS record, i.e. it speaks
/// plaintext.
const PLAINTEXT_ANSWER: &str = "InvalidContentType";

/// A failure's text, or — when a TLS handshake with `target` (a URL) met a plaintext server —
/// a message saying so and what to set, instead of rustls's "received corrupt message of type
/// InvalidContentType".
pub(crate) fn explain_tls(reason: String, target: &str) -> String {
    if !reason.contains(PLAINTEXT_ANSWER) {
        return reason;
    }
    let target = redact::userinfo(target);
    let address = target.split_once("://").map_or(&*target, |(_, rest)| rest);
    let address = address.split('/').next().unwrap_or(address);
    format!(
        "TLS handshake with {address} failed: the server answered in plaintext (set \
         `tls.insecure: true` if it does not use TLS)"
    )
}

/// Prefixes an export failure with where it happened (`http://tempo:4317: …`, userinfo
/// hidden), keeping its classification.
pub(crate) fn at(
    target: &str,
    error: ciotel_core::exporters::ExportError,
) -> ciotel_core::exporters::ExportError {
    use ciotel_core::exporters::ExportError;
    let target = redact::userinfo(target);
    match error {
        ExportError::Retryable(reason) => ExportError::Retryable(format!("{target}: {reason}")),
        ExportError::Permanent(reason) => ExportError::Permanent(format!("{target}: {reason}")),
        ExportError::Throttled { after, reason } => ExportError::Throttled {
            after,
            reason: format!("{target}: {reason}"),
        },
    }
}

/// An authenticator that could not add its credential: a token that cannot go in a header will
/// not get better by retrying; an authenticator that cannot answer now (its file) may.
pub(crate) fn auth_failure(
    error: ciotel_core::auth::AuthError,
) -> ciotel_core::exporters::ExportError {
    use ciotel_core::auth::AuthError;
    use ciotel_core::exporters::ExportError;
    match error {
        AuthError::Unavailable(reason) => ExportError::Retryable(format!(
            "the authenticator cannot add its credential: {reason}"
        )),
        other => ExportError::Permanent(format!(
            "the authenticator cannot add its credential: {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciotel_core::exporters::ExportError;

    #[test]
    fn endpoints_in_messages_hide_their_userinfo() {
        let e = at(
            "http://u:hunter2@h:4318/v1/traces",
            ExportError::Retryable("refused".into()),
        );
        assert!(
            matches!(&e, ExportError::Retryable(r) if r == "http://***@h:4318/v1/traces: refused")
        );
        let e = BuildError::Endpoint {
            id: "otlphttp".into(),
            endpoint: "http://u:hunter2@h:x".into(),
            reason: "bad port in http://u:hunter2@h:x".into(),
        };
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn a_plaintext_answer_to_a_tls_handshake_is_explained() {
        let rustls = "transport error: received corrupt message of type InvalidContentType";
        assert_eq!(
            explain_tls(rustls.into(), "https://127.0.0.1:4317"),
            "TLS handshake with 127.0.0.1:4317 failed: the server answered in plaintext (set \
             `tls.insecure: true` if it does not use TLS)"
        );
        assert!(explain_tls(rustls.into(), "https://h:4318/v1/traces").contains("with h:4318 "));
        assert_eq!(
            explain_tls("connection refused".into(), "https://h:1"),
            "connection refused"
        );
    }
}
