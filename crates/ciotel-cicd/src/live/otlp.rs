//! The OTLP pieces the live board's log records and metrics share: attributes, and the
//! resource of a repository (the one its run traces have, minus what a board entry lacks).

use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;

use crate::semconv;

/// The instrumentation scope of everything the board emits.
pub const SCOPE_NAME: &str = "ciotel-cicd/live";

/// `service.name` of entries whose events named no repository.
const UNKNOWN_SERVICE: &str = "unknown_service:ciotel";

pub(super) fn scope() -> Option<InstrumentationScope> {
    Some(InstrumentationScope {
        name: SCOPE_NAME.to_owned(),
        ..Default::default()
    })
}

/// `service.name` = the repository's full name and `vcs.provider.name`, as on run traces.
pub(super) fn repository_resource(provider: &str, repository: Option<&str>) -> Resource {
    let mut attributes = vec![str_kv(
        semconv::SERVICE_NAME,
        repository.unwrap_or(UNKNOWN_SERVICE),
    )];
    if !provider.is_empty() {
        attributes.push(str_kv(semconv::VCS_PROVIDER_NAME, provider));
    }
    Resource {
        attributes,
        ..Default::default()
    }
}

pub(super) fn str_kv(key: &str, value: &str) -> KeyValue {
    kv(key, any_value::Value::StringValue(value.to_owned()))
}

pub(super) fn int_kv(key: &str, value: i64) -> KeyValue {
    kv(key, any_value::Value::IntValue(value))
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

/// Attributes with `None` values left out.
pub(super) fn present(pairs: &[(&str, Option<&str>)]) -> Vec<KeyValue> {
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| str_kv(k, v)))
        .collect()
}
