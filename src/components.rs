//! The component types this build of ciotel knows, by the `type` part of their ids: what the
//! config file may name, and how each section's entries are parsed.

use ciotel_cicd::hierarchy::HierarchyConfig;
use ciotel_cicd::ownership::OwnershipConfig;
use ciotel_core::Signal;
use ciotel_core::auth::{AuthenticatorConfig, BasicAuthConfig, BearerTokenAuthConfig};
use ciotel_core::config::ComponentInfo;
use ciotel_core::config::auth_refs::AuthUse;
use ciotel_core::config::checked::checked_map;
use ciotel_core::config::component_map::{TypedConfig, or_default};
use ciotel_core::exporters::debug::DebugConfig;
use ciotel_core::exporters::nop::NopConfig;
use ciotel_core::extensions::file_storage::FileStorageConfig;
use ciotel_core::extensions::health_check::HealthCheckConfig;
use ciotel_core::processors::attributes::AttributesConfig;
use ciotel_core::processors::batch::BatchConfig;
use ciotel_core::processors::filter::FilterConfig;
use ciotel_core::processors::memory_limiter::{MemoryLimiterConfig, total_memory_bytes};
use ciotel_core::processors::resource::ResourceConfig;
use ciotel_core::webhook::WebhookConfig;
use ciotel_github::receiver::GithubReceiverConfig;
use ciotel_gitlab::receiver::GitlabReceiverConfig;
use ciotel_otlp::exporters::file::FileExporterConfig;
use ciotel_otlp::exporters::otlp_grpc::OtlpGrpcExporterConfig;
use ciotel_otlp::exporters::otlp_http::OtlpHttpExporterConfig;
use ciotel_otlp::receiver::OtlpReceiverConfig;
use ciotel_view::{CicdViewConfig, CicdViewExporterConfig};
use serde::Deserialize;
use serde::de::{self, Deserializer};

/// The whole config file with this build's components.
pub type Config =
    ciotel_core::config::Config<ReceiverConfig, ProcessorConfig, ExporterConfig, ExtensionConfig>;

/// A loaded config with its warnings.
pub type Loaded =
    ciotel_core::config::Loaded<ReceiverConfig, ProcessorConfig, ExporterConfig, ExtensionConfig>;

/// A receiver's config.
#[derive(Debug, Clone)]
pub enum ReceiverConfig {
    /// `otlp`: OTLP over gRPC and HTTP.
    Otlp(Box<OtlpReceiverConfig>),
    /// `github`: GitHub Actions workflow runs and jobs (webhook, REST API).
    Github(Box<GithubReceiverConfig>),
    /// `gitlab`: GitLab CI pipelines and jobs (webhook).
    Gitlab(Box<GitlabReceiverConfig>),
}

impl TypedConfig for ReceiverConfig {
    const SECTION: &'static str = "receivers";
    const TYPES: &'static [&'static str] = &["otlp", "github", "gitlab"];

    fn deserialize_typed<'de, D: Deserializer<'de>>(kind: &str, d: D) -> Result<Self, D::Error> {
        match kind {
            "otlp" => or_default(d).map(|c| ReceiverConfig::Otlp(Box::new(c))),
            "github" => {
                GithubReceiverConfig::deserialize(d).map(|c| ReceiverConfig::Github(Box::new(c)))
            }
            "gitlab" => {
                GitlabReceiverConfig::deserialize(d).map(|c| ReceiverConfig::Gitlab(Box::new(c)))
            }
            other => Err(de::Error::custom(format!(
                "unknown receiver type `{other}`"
            ))),
        }
    }
}

impl ComponentInfo for ReceiverConfig {
    fn supports(&self, _signal: Signal) -> bool {
        match self {
            // CI receivers make spans from runs, metrics from the same events (as the
            // Collector's GitHub receiver serves both), and log records (hung jobs).
            ReceiverConfig::Otlp(_) | ReceiverConfig::Github(_) | ReceiverConfig::Gitlab(_) => true,
        }
    }

    /// Each listener's `auth:`, so `ciotel validate` checks what it names.
    fn auth_references(&self) -> Vec<AuthUse<'_>> {
        let mut out = Vec::new();
        match self {
            ReceiverConfig::Otlp(c) => {
                if let Some(reference) = c.protocols.grpc.as_ref().and_then(|g| g.auth.as_ref()) {
                    out.push(AuthUse {
                        path: &["protocols", "grpc", "auth"],
                        reference,
                    });
                }
                if let Some(reference) = c.protocols.http.as_ref().and_then(|h| h.auth.as_ref()) {
                    out.push(AuthUse {
                        path: &["protocols", "http", "auth"],
                        reference,
                    });
                }
            }
            ReceiverConfig::Github(c) => out.extend(webhook_auth(&c.webhook)),
            ReceiverConfig::Gitlab(c) => out.extend(webhook_auth(&c.webhook)),
        }
        out
    }
}

/// A webhook listener's `auth:`, if any.
fn webhook_auth(webhook: &Option<WebhookConfig>) -> Option<AuthUse<'_>> {
    let reference = webhook.as_ref()?.auth.as_ref()?;
    Some(AuthUse {
        path: &["webhook", "auth"],
        reference,
    })
}

/// A processor's config.
#[derive(Debug, Clone)]
pub enum ProcessorConfig {
    /// `batch`.
    Batch(BatchConfig),
    /// `memory_limiter`.
    MemoryLimiter(MemoryLimiterConfig),
    /// `attributes`.
    Attributes(AttributesConfig),
    /// `resource`.
    Resource(ResourceConfig),
    /// `filter`.
    Filter(Box<FilterConfig>),
    /// `cicd_hierarchy`: moves in-job tools' spans under their CI job.
    CicdHierarchy(HierarchyConfig),
    /// `cicd_ownership`: who owns each span, and who made failed jobs and runs fail.
    CicdOwnership(Box<OwnershipConfig>),
}

impl TypedConfig for ProcessorConfig {
    const SECTION: &'static str = "processors";
    const TYPES: &'static [&'static str] = &[
        "batch",
        "memory_limiter",
        "attributes",
        "resource",
        "filter",
        "cicd_hierarchy",
        "cicd_ownership",
    ];

    fn deserialize_typed<'de, D: Deserializer<'de>>(kind: &str, d: D) -> Result<Self, D::Error> {
        Ok(match kind {
            "batch" => ProcessorConfig::Batch(checked_map(d, BatchConfig::validate)?),
            "memory_limiter" => {
                ProcessorConfig::MemoryLimiter(checked_map(d, |c: &MemoryLimiterConfig| {
                    c.soft_limit_bytes(total_memory_bytes()).map(|_| ())
                })?)
            }
            "attributes" => ProcessorConfig::Attributes(or_default(d)?),
            "resource" => ProcessorConfig::Resource(or_default(d)?),
            "filter" => ProcessorConfig::Filter(Box::new(checked_map(d, FilterConfig::validate)?)),
            "cicd_hierarchy" => ProcessorConfig::CicdHierarchy(or_default(d)?),
            "cicd_ownership" => {
                ProcessorConfig::CicdOwnership(Box::new(checked_map(d, OwnershipConfig::validate)?))
            }
            other => {
                return Err(de::Error::custom(format!(
                    "unknown processor type `{other}`"
                )));
            }
        })
    }
}

impl ComponentInfo for ProcessorConfig {
    /// The CI/CD processors work on spans (`cicd_hierarchy` on log records too): elsewhere
    /// they would do nothing, which is a mistake to point out.
    fn supports(&self, signal: Signal) -> bool {
        match self {
            ProcessorConfig::CicdHierarchy(_) => signal != Signal::Metrics,
            ProcessorConfig::CicdOwnership(_) => signal == Signal::Traces,
            _ => true,
        }
    }
}

/// An exporter's config.
#[derive(Debug, Clone)]
pub enum ExporterConfig {
    /// `otlp`: OTLP over gRPC.
    Otlp(Box<OtlpGrpcExporterConfig>),
    /// `otlphttp`: OTLP over HTTP, protobuf or JSON.
    OtlpHttp(Box<OtlpHttpExporterConfig>),
    /// `file`: OTLP JSON lines.
    File(Box<FileExporterConfig>),
    /// `debug`: a summary on stdout.
    Debug(DebugConfig),
    /// `nop`: accepts and drops.
    Nop(NopConfig),
    /// `cicd_view`: hands trace batches to a `cicd_view` extension's page.
    CicdView(CicdViewExporterConfig),
}

impl TypedConfig for ExporterConfig {
    const SECTION: &'static str = "exporters";
    const TYPES: &'static [&'static str] =
        &["otlp", "otlphttp", "file", "debug", "nop", "cicd_view"];

    fn deserialize_typed<'de, D: Deserializer<'de>>(kind: &str, d: D) -> Result<Self, D::Error> {
        Ok(match kind {
            "otlp" => ExporterConfig::Otlp(Box::new(or_default(d)?)),
            "otlphttp" => ExporterConfig::OtlpHttp(Box::new(or_default(d)?)),
            "file" => ExporterConfig::File(Box::new(or_default(d)?)),
            "debug" => ExporterConfig::Debug(or_default(d)?),
            "nop" => ExporterConfig::Nop(or_default(d)?),
            "cicd_view" => ExporterConfig::CicdView(or_default(d)?),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown exporter type `{other}`"
                )));
            }
        })
    }
}

impl ComponentInfo for ExporterConfig {
    fn supports(&self, signal: Signal) -> bool {
        match self {
            ExporterConfig::OtlpHttp(c) => c.supports(signal),
            // The page shows runs: traces only.
            ExporterConfig::CicdView(_) => signal == Signal::Traces,
            _ => true,
        }
    }

    fn auth_references(&self) -> Vec<AuthUse<'_>> {
        match self {
            ExporterConfig::Otlp(c) => c.auth_references(),
            ExporterConfig::OtlpHttp(c) => c.auth_references(),
            _ => Vec::new(),
        }
    }
}

/// An extension's config.
#[derive(Debug, Clone)]
pub enum ExtensionConfig {
    /// `health_check`.
    HealthCheck(Box<HealthCheckConfig>),
    /// `bearertokenauth`: a static token in a header, checked or sent.
    BearerTokenAuth(Box<BearerTokenAuthConfig>),
    /// `basicauth`: htpasswd users checked, or Basic credentials sent.
    BasicAuth(Box<BasicAuthConfig>),
    /// `file_storage`: a directory for persistent sending queues.
    FileStorage(FileStorageConfig),
    /// `cicd_view`: the built-in page of recent runs and live jobs.
    CicdView(Box<CicdViewConfig>),
}

impl TypedConfig for ExtensionConfig {
    const SECTION: &'static str = "extensions";
    const TYPES: &'static [&'static str] = &[
        "health_check",
        "bearertokenauth",
        "basicauth",
        "file_storage",
        "cicd_view",
    ];

    fn deserialize_typed<'de, D: Deserializer<'de>>(kind: &str, d: D) -> Result<Self, D::Error> {
        match kind {
            "health_check" => checked_map(d, HealthCheckConfig::validate)
                .map(|c| ExtensionConfig::HealthCheck(Box::new(c))),
            "bearertokenauth" => checked_map(d, BearerTokenAuthConfig::validate)
                .map(|c| ExtensionConfig::BearerTokenAuth(Box::new(c))),
            "basicauth" => checked_map(d, BasicAuthConfig::validate)
                .map(|c| ExtensionConfig::BasicAuth(Box::new(c))),
            "file_storage" => or_default(d).map(ExtensionConfig::FileStorage),
            "cicd_view" => checked_map(d, CicdViewConfig::validate)
                .map(|c| ExtensionConfig::CicdView(Box::new(c))),
            other => Err(de::Error::custom(format!(
                "unknown extension type `{other}`"
            ))),
        }
    }
}

impl ComponentInfo for ExtensionConfig {
    fn authenticator(&self) -> Option<AuthenticatorConfig<'_>> {
        match self {
            ExtensionConfig::BearerTokenAuth(c) => Some(AuthenticatorConfig::BearerToken(c)),
            ExtensionConfig::BasicAuth(c) => Some(AuthenticatorConfig::Basic(c)),
            ExtensionConfig::HealthCheck(_)
            | ExtensionConfig::FileStorage(_)
            | ExtensionConfig::CicdView(_) => None,
        }
    }
}
