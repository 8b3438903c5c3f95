//! Component and pipeline ids in the Collector's `type[/name]` form.

use crate::signal::Signal;
use std::fmt;

/// A component id such as `otlp` or `otlp/tempo`: the type picks the implementation, the
/// name tells two instances of one type apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId {
    kind: String,
    name: Option<String>,
}

/// Read from config text as `type[/name]`, e.g. in `auth: {authenticator: bearertokenauth/ci}`.
impl<'de> serde::Deserialize<'de> for ComponentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ComponentId::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Why an id string is not a valid `type[/name]`.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("id `{0}` has an empty type")]
    EmptyType(String),
    #[error("id `{0}` has an empty name after `/`")]
    EmptyName(String),
    #[error(
        "id `{0}` has invalid characters (allowed: letters, digits, `_`, `-`, `.`, and one `/`)"
    )]
    InvalidCharacters(String),
    #[error("pipeline id `{0}` must start with traces, metrics or logs")]
    UnknownSignal(String),
}

impl ComponentId {
    /// Parses `type` or `type/name`.
    pub fn parse(id: &str) -> Result<ComponentId, IdError> {
        let (kind, name) = match id.split_once('/') {
            Some((k, n)) => (k, Some(n)),
            None => (id, None),
        };
        if kind.is_empty() {
            return Err(IdError::EmptyType(id.to_string()));
        }
        let valid_kind = kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_kind {
            return Err(IdError::InvalidCharacters(id.to_string()));
        }
        if let Some(name) = name {
            if name.is_empty() {
                return Err(IdError::EmptyName(id.to_string()));
            }
            if name.contains('/') || name.chars().any(char::is_whitespace) {
                return Err(IdError::InvalidCharacters(id.to_string()));
            }
        }
        Ok(ComponentId {
            kind: kind.to_string(),
            name: name.map(str::to_string),
        })
    }

    /// The component type, e.g. `otlp`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The instance name after `/`, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{}/{}", self.kind, name),
            None => f.write_str(&self.kind),
        }
    }
}

/// A pipeline id such as `traces` or `traces/ci`: the signal it carries and an optional name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PipelineId {
    /// The signal every component of this pipeline handles.
    pub signal: Signal,
    /// The instance name after `/`, if any.
    pub name: Option<String>,
}

impl PipelineId {
    /// Parses `traces[/name]`, `metrics[/name]` or `logs[/name]`.
    pub fn parse(id: &str) -> Result<PipelineId, IdError> {
        let parsed = ComponentId::parse(id)?;
        let signal =
            Signal::parse(parsed.kind()).ok_or_else(|| IdError::UnknownSignal(id.to_string()))?;
        Ok(PipelineId {
            signal,
            name: parsed.name,
        })
    }
}

impl fmt::Display for PipelineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{}/{}", self.signal, name),
            None => write!(f, "{}", self.signal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_type_and_name() {
        let id = ComponentId::parse("otlp/tempo").unwrap();
        assert_eq!((id.kind(), id.name()), ("otlp", Some("tempo")));
        assert_eq!(id.to_string(), "otlp/tempo");
        assert_eq!(ComponentId::parse("batch").unwrap().name(), None);
    }

    #[test]
    fn rejects_malformed_ids() {
        assert_eq!(
            ComponentId::parse("/x"),
            Err(IdError::EmptyType("/x".into()))
        );
        assert_eq!(
            ComponentId::parse("otlp/"),
            Err(IdError::EmptyName("otlp/".into()))
        );
        assert!(matches!(
            ComponentId::parse("ot lp"),
            Err(IdError::InvalidCharacters(_))
        ));
        assert!(matches!(
            ComponentId::parse("a/b/c"),
            Err(IdError::InvalidCharacters(_))
        ));
    }

    #[test]
    fn pipeline_ids_name_a_signal() {
        let id = PipelineId::parse("traces/ci").unwrap();
        assert_eq!(id.signal, Signal::Traces);
        assert_eq!(id.to_string(), "traces/ci");
        assert_eq!(
            PipelineId::parse("spans"),
            Err(IdError::UnknownSignal("spans".into()))
        );
    }
}
