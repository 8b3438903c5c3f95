//! TLS for listeners with rustls (ring provider): the certificate, its key and, for mTLS, the
//! client CA, read from PEM files and re-read when they change. Every `reload_interval` the
//! files' modification times and sizes are compared with the last load; on a change a new
//! config is built and used for the connections that follow. A new file that does not load
//! (half written, wrong key) keeps the old config serving and logs an error.

use super::config::{TlsServerConfig, TlsVersion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};
use tokio_util::sync::CancellationToken;

/// Why a TLS setup could not be loaded. Names the file; never prints key material.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or holds no usable PEM item.
    #[error("tls: cannot use {key} `{}`: {why}", path.display())]
    File {
        /// `cert_file`, `key_file` or `client_ca_file`.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// rustls refused the combination (e.g. the key does not match the certificate).
    #[error("tls: {0}")]
    Config(String),
}

/// Which application protocol the listener speaks, offered by ALPN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alpn {
    /// HTTP/1.1 (OTLP/HTTP, webhooks, health, metrics).
    Http1,
    /// HTTP/2 (gRPC; gRPC clients require `h2`).
    H2,
}

/// A listener's TLS config, reloaded when its files change.
///
/// Exists so a certificate renewed on disk (cert-manager, certbot) is served without a
/// restart, and a broken renewal never takes the listener down.
pub struct ReloadingTls {
    files: TlsServerConfig,
    alpn: Alpn,
    current: RwLock<Arc<ServerConfig>>,
    stamps: Mutex<Vec<Option<(SystemTime, u64)>>>,
}

impl ReloadingTls {
    /// Loads the files once; an error here stops the listener from starting.
    pub fn load(files: &TlsServerConfig, alpn: Alpn) -> Result<Self, TlsError> {
        let stamps = stamps(files);
        let config = build(files, alpn)?;
        Ok(ReloadingTls {
            files: files.clone(),
            alpn,
            current: RwLock::new(Arc::new(config)),
            stamps: Mutex::new(stamps),
        })
    }

    /// An acceptor with the config in force now.
    pub fn acceptor(&self) -> TlsAcceptor {
        let config = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        TlsAcceptor::from(config)
    }

    /// Reloads if a file changed. Returns whether a new config is in force.
    pub fn check(&self, component: &str) -> bool {
        let now = stamps(&self.files);
        {
            let mut last = self.stamps.lock().unwrap_or_else(|p| p.into_inner());
            if *last == now {
                return false;
            }
            *last = now;
        }
        match build(&self.files, self.alpn) {
            Ok(config) => {
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(config);
                tracing::info!(component, cert_file = %self.files.cert_file.display(), "TLS certificate reloaded");
                true
            }
            Err(e) => {
                tracing::error!(component, error = %e, "TLS files changed but do not load; still serving the previous certificate");
                false
            }
        }
    }

    /// Checks the files every `reload_interval` until `shutdown` (not at all for `0s`).
    pub fn watch(self: &Arc<Self>, component: String, shutdown: CancellationToken) {
        let every = self.files.reload_interval;
        if every.is_zero() {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tick.tick() => { this.check(&component); }
                }
            }
        });
    }
}

fn stamps(files: &TlsServerConfig) -> Vec<Option<(SystemTime, u64)>> {
    [
        Some(&files.cert_file),
        Some(&files.key_file),
        files.client_ca_file.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(|p| {
        let m = std::fs::metadata(p).ok()?;
        Some((m.modified().ok()?, m.len()))
    })
    .collect()
}

fn certificates(key: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bad = |why: String| TlsError::File {
        key,
        path: path.to_path_buf(),
        why,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("no PEM certificate in it".into()));
    }
    Ok(certs)
}

fn build(files: &TlsServerConfig, alpn: Alpn) -> Result<ServerConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match files.min_version {
        TlsVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsVersion::Tls13 => &[&rustls::version::TLS13],
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match &files.client_ca_file {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates("client_ca_file", ca)? {
                roots.add(cert).map_err(|e| TlsError::File {
                    key: "client_ca_file",
                    path: ca.clone(),
                    why: e.to_string(),
                })?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError::Config(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let chain = certificates("cert_file", &files.cert_file)?;
    let key = PrivateKeyDer::from_pem_file(&files.key_file).map_err(|e| TlsError::File {
        key: "key_file",
        path: files.key_file.clone(),
        why: format!("no usable private key ({e})"),
    })?;
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(format!("cert_file and key_file do not fit: {e}")))?;
    config.alpn_protocols = match alpn {
        Alpn::Http1 => vec![b"http/1.1".to_vec()],
        Alpn::H2 => vec![b"h2".to_vec()],
    };
    Ok(config)
}
