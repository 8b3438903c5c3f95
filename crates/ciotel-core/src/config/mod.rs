//! Configuration: one YAML file in the OpenTelemetry Collector's shape, read by [`load`].
//!
//! Loading is two steps, each reporting every problem it finds with file and line: a typed
//! parse in one pass, expanding `${env:…}` in values as it goes (unknown keys, unknown
//! component types, unset variables and invalid values fail here with their line), then checks
//! of the pipeline graph (undefined or unused components, connectors and the pipelines they
//! join). Messages never echo a value that
//! may be secret ([`scrub`]).
//!
//! Files: `component_map.rs` (a section's components by id, typed by their `type`),
//! `service.rs` (`service:`), `values.rs` and `checked.rs` (values checked while parsed),
//! `env.rs` (the `${…}` syntax), `expand.rs` (expansion during the parse, tested in
//! `expand_tests.rs`), `unset.rs` (every unset variable at once), `scrub.rs` (secrets out of
//! messages), `locate.rs` (lines of key paths, for checks made after parsing), `graph.rs` (the
//! pipeline graph checks).

pub mod auth_refs;
pub mod checked;
pub mod component_map;
pub mod env;
pub mod expand;
pub mod graph;
pub mod locate;
pub mod scrub;
pub mod service;
mod unset;
pub mod values;

use crate::auth::AuthenticatorConfig;
use crate::component_id::ComponentId;
use crate::connectors::ConnectorConfig;
use crate::signal::Signal;
use auth_refs::AuthUse;
use component_map::{ComponentMap, TypedConfig};
use env::Environment;
use expand::Expand;
use serde::Deserialize;
use service::ServiceConfig;
use std::fmt;
use std::path::Path;

/// A whole config file, generic over the component types a build knows (the binary names them).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "R: TypedConfig, P: TypedConfig, E: TypedConfig, X: TypedConfig"))]
pub struct Config<R, P, E, X> {
    /// Components that bring data in.
    #[serde(default)]
    pub receivers: ComponentMap<R>,
    /// Components that edit, batch or guard data between receivers and exporters.
    #[serde(default)]
    pub processors: ComponentMap<P>,
    /// Components that send data out.
    #[serde(default)]
    pub exporters: ComponentMap<E>,
    /// Components beside the pipelines (health check).
    #[serde(default)]
    pub extensions: ComponentMap<X>,
    /// Components that join pipelines: an exporter of one, a receiver of others (`routing`).
    #[serde(default)]
    pub connectors: ComponentMap<ConnectorConfig>,
    /// Which pipelines run, and the daemon's own telemetry.
    pub service: ServiceConfig,
}

/// What a component config can say about itself for the graph checks.
pub trait ComponentInfo {
    /// Whether the component can carry `signal` (a CI receiver makes only traces).
    fn supports(&self, signal: Signal) -> bool {
        let _ = signal;
        true
    }

    /// Every `auth:` in this component's config (a receiver's listeners, an exporter), for
    /// checking the references with their lines.
    fn auth_references(&self) -> Vec<AuthUse<'_>> {
        Vec::new()
    }

    /// For an extension that is an authenticator (`bearertokenauth`, `basicauth`), its config.
    fn authenticator(&self) -> Option<AuthenticatorConfig<'_>> {
        None
    }
}

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong, naming the key.
    pub message: String,
}

/// Every problem that stopped a config from loading.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigError {
    /// The file (or `<embedded default>`).
    pub source_name: String,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.source_name)?;
            if let Some(line) = p.line {
                write!(f, ":{line}")?;
                if let Some(col) = p.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": {}", p.message)?;
        }
        Ok(())
    }
}

/// A config that loaded, with the warnings found on the way (unused components).
#[derive(Debug, Clone)]
pub struct Loaded<R, P, E, X> {
    /// The parsed, checked config.
    pub config: Config<R, P, E, X>,
    /// Problems that do not stop the daemon, formatted like errors.
    pub warnings: Vec<String>,
}

/// Reads and checks the config file at `path`, with `${env:…}` from the process environment.
pub fn load_file<R, P, E, X>(path: &Path) -> Result<Loaded<R, P, E, X>, ConfigError>
where
    R: TypedConfig + ComponentInfo,
    P: TypedConfig + ComponentInfo,
    E: TypedConfig + ComponentInfo,
    X: TypedConfig + ComponentInfo,
{
    let source_name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        source_name: source_name.clone(),
        problems: vec![Problem {
            line: None,
            column: None,
            message: format!("cannot read the config file: {e}"),
        }],
    })?;
    load(&source_name, &text, |name| std::env::var(name).ok())
}

/// Parses and checks config `text`; `source_name` is used in messages.
pub fn load<R, P, E, X>(
    source_name: &str,
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Loaded<R, P, E, X>, ConfigError>
where
    R: TypedConfig + ComponentInfo,
    P: TypedConfig + ComponentInfo,
    E: TypedConfig + ComponentInfo,
    X: TypedConfig + ComponentInfo,
{
    let env = Environment::new(&lookup);
    let fail = |problems: Vec<Problem>| {
        let values = env.handed_out();
        ConfigError {
            source_name: source_name.to_string(),
            problems: problems
                .into_iter()
                .map(|p| Problem {
                    message: scrub::scrub(&p.message, &values),
                    ..p
                })
                .collect(),
        }
    };
    let parsed = Config::<R, P, E, X>::deserialize(Expand::new(
        yaml_serde::Deserializer::from_str(text),
        &env,
    ));
    let config = match parsed {
        Ok(config) => config,
        Err(e) => {
            let first = yaml_problem(&e);
            let mut problems = more_component_problems::<R, P, E, X>(text, &first, &env);
            let is_set = |name: &str| lookup(name).is_some();
            problems.extend(
                unset::unset_variables(text, &is_set)
                    .into_iter()
                    .filter(|p| !(p.line == first.line && first.message == p.message)),
            );
            problems.insert(0, first);
            problems.sort_by_key(|p| p.line);
            return Err(fail(problems));
        }
    };
    let (mut errors, warnings) = graph::check_graph(&config, text);
    errors.extend(auth_refs::check(&config, text));
    errors.sort_by_key(|p| p.line);
    if !errors.is_empty() {
        return Err(fail(errors));
    }
    let warnings = warnings
        .into_iter()
        .map(|p| fail(vec![p]).to_string())
        .collect();
    Ok(Loaded { config, warnings })
}

/// After the typed parse stopped at its first error, parses every component alone to find the
/// problems in the others too, so one run of `validate` lists them all. These are located at
/// their component's line (the untyped pass has no finer positions).
/// Unset variables are left to [`unset::unset_variables`], which finds them all with their
/// lines.
fn more_component_problems<R, P, E, X>(
    text: &str,
    first: &Problem,
    env: &Environment<'_>,
) -> Vec<Problem>
where
    R: TypedConfig,
    P: TypedConfig,
    E: TypedConfig,
    X: TypedConfig,
{
    let Ok(yaml_serde::Value::Mapping(root)) = yaml_serde::from_str::<yaml_serde::Value>(text)
    else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let mut check = |section: &str, parse: &ParseComponent| {
        let Some(yaml_serde::Value::Mapping(components)) = root.get(section) else {
            return;
        };
        for (key, value) in components {
            let Some(key) = key.as_str() else { continue };
            let Ok(id) = ComponentId::parse(key) else {
                continue;
            };
            let path = format!("{section}.{key}");
            if first.message.starts_with(&path) {
                continue;
            }
            if let Err(e) = parse(id.kind(), Expand::new(value.clone(), env)) {
                let message = yaml_problem(&e).message;
                if message.contains(UNSET_MARK) {
                    continue;
                }
                // An unknown key can be pointed at exactly; anything else at its component.
                let field = message
                    .strip_prefix("unknown field `")
                    .and_then(|rest| rest.split('`').next());
                problems.push(Problem {
                    line: locate::locate(text, &[section, key], field),
                    column: None,
                    message: format!("{path}: {message}"),
                });
            }
        }
    };
    check(R::SECTION, &|kind, v| typed::<R>(kind, v));
    check(P::SECTION, &|kind, v| typed::<P>(kind, v));
    check(E::SECTION, &|kind, v| typed::<E>(kind, v));
    check(X::SECTION, &|kind, v| typed::<X>(kind, v));
    check(ConnectorConfig::SECTION, &|kind, v| {
        typed::<ConnectorConfig>(kind, v)
    });
    problems
}

/// Parses one component's config of the given type, for [`more_component_problems`].
type ParseComponent = dyn Fn(&str, Expand<'_, yaml_serde::Value>) -> Result<(), yaml_serde::Error>;

/// Part of every unset-variable message (see [`env::ReferenceError::Unset`]).
const UNSET_MARK: &str = "is not set and has no default";

fn typed<T: TypedConfig>(
    kind: &str,
    value: Expand<'_, yaml_serde::Value>,
) -> Result<(), yaml_serde::Error> {
    if !T::TYPES.contains(&kind) {
        return Ok(()); // reported by the typed pass, with its line
    }
    T::deserialize_typed(kind, value).map(|_| ())
}

fn yaml_problem(e: &yaml_serde::Error) -> Problem {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(at) if e.location().is_some() => text[..at].to_string(),
        _ => text,
    };
    Problem {
        line: e.location().map(|l| l.line()),
        column: e.location().map(|l| l.column()),
        message,
    }
}
