//! `tls:` of the network exporters: which certificates to trust and which to present. Files are
//! read and parsed when the exporter is built, so a missing or malformed one stops start-up
//! with its path instead of failing every export later.

use super::BuildError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `tls:` with the Collector's keys (`configtls.ClientConfig`), the ones ciotel supports.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// `otlp` (gRPC) only: talk plaintext instead of TLS, as the Collector's `tls.insecure`.
    /// `otlphttp` ignores it: there the URL's scheme (`http`/`https`) decides.
    #[serde(default)]
    pub insecure: bool,
    /// Accept any server certificate. Only for testing: it gives up all protection against a
    /// man in the middle.
    #[serde(default)]
    pub insecure_skip_verify: bool,
    /// PEM file of the CA certificates to trust instead of the built-in (Mozilla) roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate for mutual TLS; needs `key_file`.
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    /// PEM private key of `cert_file`.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}

impl TlsConfig {
    /// Checks the keys that only make sense together.
    pub fn validate(&self) -> Result<(), String> {
        match (&self.cert_file, &self.key_file) {
            (Some(_), None) => Err("tls.cert_file needs tls.key_file".into()),
            (None, Some(_)) => Err("tls.key_file needs tls.cert_file".into()),
            _ => Ok(()),
        }
    }

    /// Reads and checks the files, for [`TlsMaterial`]'s users.
    pub(crate) fn load(&self, id: &str) -> Result<TlsMaterial, BuildError> {
        self.validate().map_err(|reason| BuildError::Tls {
            id: id.to_string(),
            reason,
        })?;
        let ca = match &self.ca_file {
            Some(path) => {
                let pem = read(id, "ca_file", path)?;
                let count = CertificateDer::pem_slice_iter(&pem)
                    .map(|c| c.map(|_| ()))
                    .collect::<Result<Vec<()>, _>>()
                    .map_err(|e| bad_pem(id, "ca_file", path, &e.to_string()))?
                    .len();
                if count == 0 {
                    return Err(bad_pem(id, "ca_file", path, "no PEM certificate in it"));
                }
                Some(pem)
            }
            None => None,
        };
        let identity = match (&self.cert_file, &self.key_file) {
            (Some(cert_path), Some(key_path)) => {
                let cert = read(id, "cert_file", cert_path)?;
                CertificateDer::from_pem_slice(&cert)
                    .map_err(|e| bad_pem(id, "cert_file", cert_path, &e.to_string()))?;
                let key = read(id, "key_file", key_path)?;
                PrivateKeyDer::from_pem_slice(&key)
                    .map_err(|e| bad_pem(id, "key_file", key_path, &e.to_string()))?;
                Some((cert, key))
            }
            _ => None,
        };
        Ok(TlsMaterial {
            ca,
            identity,
            skip_verify: self.insecure_skip_verify,
        })
    }
}

/// Deserializes an optional `tls:` (present with nothing under it means the defaults) and
/// checks it, so a mistake is reported with its line.
pub(crate) fn tls<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TlsConfig>, D::Error> {
    ciotel_core::config::checked::checked_map(d, TlsConfig::validate).map(Some)
}

fn read(id: &str, key: &'static str, path: &Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|source| BuildError::ReadTlsFile {
        id: id.to_string(),
        key,
        path: path.to_path_buf(),
        source,
    })
}

fn bad_pem(id: &str, key: &str, path: &Path, what: &str) -> BuildError {
    BuildError::Tls {
        id: id.to_string(),
        reason: format!("tls.{key} `{}`: {what}", path.display()),
    }
}

/// Certificates read from the configured files, ready for tonic or reqwest.
#[derive(Debug, Clone)]
pub(crate) struct TlsMaterial {
    ca: Option<Vec<u8>>,
    identity: Option<(Vec<u8>, Vec<u8>)>,
    skip_verify: bool,
}

impl TlsMaterial {
    /// Turns TLS on for a gRPC endpoint.
    pub(crate) fn apply_to_endpoint(
        &self,
        id: &str,
        endpoint: tonic::transport::Endpoint,
    ) -> Result<tonic::transport::Endpoint, BuildError> {
        use tonic::transport::{Certificate, ClientTlsConfig, Identity};
        let mut config = ClientTlsConfig::new();
        if let Some((cert, key)) = &self.identity {
            config = config.identity(Identity::from_pem(cert, key));
        }
        let endpoint = if self.skip_verify {
            // A custom verifier replaces the roots: tonic refuses both at once.
            endpoint.tls_config_with_verifier(config, Arc::new(AcceptAnyServerCert::new()))
        } else {
            config = match &self.ca {
                Some(ca) => config.ca_certificate(Certificate::from_pem(ca)),
                None => config.with_webpki_roots(),
            };
            endpoint.tls_config(config)
        };
        endpoint.map_err(|e| BuildError::Tls {
            id: id.to_string(),
            reason: super::error::with_causes(&e),
        })
    }

    /// Applies the same settings to an HTTP client (used for `https` URLs).
    pub(crate) fn apply_to_reqwest(
        &self,
        id: &str,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, BuildError> {
        let fail = |e: reqwest::Error| BuildError::Tls {
            id: id.to_string(),
            reason: super::error::with_causes(&e),
        };
        builder = builder.use_rustls_tls();
        if let Some(ca) = &self.ca {
            builder = builder.tls_built_in_root_certs(false);
            for cert in reqwest::Certificate::from_pem_bundle(ca).map_err(fail)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some((cert, key)) = &self.identity {
            let mut pem = cert.clone();
            pem.push(b'\n');
            pem.extend_from_slice(key);
            builder = builder.identity(reqwest::Identity::from_pem(&pem).map_err(fail)?);
        }
        Ok(builder.danger_accept_invalid_certs(self.skip_verify))
    }
}

/// `insecure_skip_verify`: accepts any certificate and name, but still checks that the server
/// holds the key of the certificate it showed (the handshake signatures).
#[derive(Debug)]
struct AcceptAnyServerCert(Arc<CryptoProvider>);

impl AcceptAnyServerCert {
    fn new() -> Self {
        AcceptAnyServerCert(Arc::new(rustls::crypto::ring::default_provider()))
    }
}

impl ServerCertVerifier for AcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Paths of the test-only certificates in `testdata/`.
#[cfg(test)]
pub(crate) mod testdata {
    use std::path::PathBuf;

    /// `testdata/<name>`.
    pub fn path(name: &str) -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/exporters/testdata"
        ))
        .join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::testdata::path;
    use super::*;

    #[test]
    fn certificates_and_keys_are_read_and_checked() {
        let config = TlsConfig {
            ca_file: Some(path("ca.pem")),
            cert_file: Some(path("client.pem")),
            key_file: Some(path("client-key.pem")),
            ..Default::default()
        };
        let material = config.load("otlp").unwrap();
        assert!(material.ca.is_some() && material.identity.is_some());
        material
            .apply_to_endpoint(
                "otlp",
                tonic::transport::Endpoint::from_static("https://127.0.0.1:1"),
            )
            .unwrap();
        material
            .apply_to_reqwest("otlp", reqwest::Client::builder())
            .unwrap()
            .build()
            .unwrap();
    }

    #[test]
    fn missing_or_malformed_files_name_the_key_and_path() {
        let missing = TlsConfig {
            ca_file: Some(path("nope.pem")),
            ..Default::default()
        };
        let e = missing.load("otlp/a").unwrap_err().to_string();
        assert!(
            e.starts_with("exporter otlp/a: cannot read tls.ca_file `"),
            "{e}"
        );
        assert!(e.contains("nope.pem"), "{e}");
        let not_pem = TlsConfig {
            ca_file: Some(path("README.md")),
            ..Default::default()
        };
        let e = not_pem.load("otlp").unwrap_err().to_string();
        assert!(
            e.contains("tls.ca_file") && e.contains("no PEM certificate"),
            "{e}"
        );
        let key_as_cert = TlsConfig {
            cert_file: Some(path("client-key.pem")),
            key_file: Some(path("client-key.pem")),
            ..Default::default()
        };
        let e = key_as_cert.load("otlp").unwrap_err().to_string();
        assert!(e.contains("tls.cert_file"), "{e}");
    }

    #[test]
    fn a_certificate_needs_its_key() {
        let e = TlsConfig {
            cert_file: Some(path("client.pem")),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e, "tls.cert_file needs tls.key_file");
    }
}
