//! The `routing` connector's config, in the Collector's keys: `table` of
//! `{context, condition | statement, action, pipelines}`, `default_pipelines`, `error_mode`.
//! Conditions are parsed (syntax errors at their own line) and compiled for their route's
//! context while the table entry is read.

use super::super::PipelineReference;
use crate::component_id::PipelineId;
use crate::condition::serde::{ErrorMode, ParsedCondition};
use crate::condition::{Condition, ContextKind};
use crate::processors::attribute_actions::deserialize_checked;
use serde::Deserialize;
use serde::de::{self, Deserializer};

/// At most this many distinct pipelines per connector (a route set is one machine word).
pub const MAX_PIPELINES: usize = 64;

/// At most this many routes per table (one bit each for group-level answers).
pub const MAX_ROUTES: usize = 64;

/// The routing connector's config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    /// Routes, tried in order for each item.
    #[serde(deserialize_with = "table")]
    pub table: Vec<Route>,
    /// Where items that no `move` route took go; without it they are dropped.
    #[serde(default, deserialize_with = "pipeline_ids")]
    pub default_pipelines: Vec<PipelineId>,
    /// The Collector's `error_mode`. ciotel's conditions are checked at load and cannot fail
    /// on data, so every mode behaves alike.
    #[serde(default)]
    pub error_mode: ErrorMode,
}

/// What a route does with the items it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The items go to this route's pipelines and no later route sees them (the default).
    #[default]
    Move,
    /// The items go to this route's pipelines and later routes (and the default) still see them.
    Copy,
}

/// One compiled route.
#[derive(Debug, Clone)]
pub struct Route {
    /// What the condition is evaluated on.
    pub context: ContextKind,
    /// The condition.
    pub condition: Condition,
    /// Move (first match wins) or copy.
    pub action: Action,
    /// Where matching items go.
    pub pipelines: Vec<PipelineId>,
}

/// A route as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteConfig {
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    condition: Option<ParsedCondition>,
    #[serde(default)]
    statement: Option<Statement>,
    #[serde(default)]
    action: Action,
    #[serde(default, deserialize_with = "pipeline_ids")]
    pipelines: Vec<PipelineId>,
}

/// `route() where <condition>`: the Collector's statement form, reduced to its condition.
#[derive(Debug, Clone)]
struct Statement(ParsedCondition);

const STATEMENT_PREFIX: &str = "route() where ";

impl<'de> de::Deserialize<'de> for Statement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::config::checked::checked_str(d, "a statement `route() where <condition>`", |text| {
            let Some(condition) = text.trim_start().strip_prefix(STATEMENT_PREFIX) else {
                return Err(format!(
                    "statement `{text}` must read `route() where <condition>` (or write the condition under `condition`)"
                ));
            };
            let offset = text.len() - condition.len();
            crate::condition::parse(condition)
                .map(|expr| {
                    Statement(ParsedCondition {
                        text: condition.to_string(),
                        expr,
                    })
                })
                .map_err(|e| {
                    format!(
                        "invalid statement `{text}`: column {}: {}",
                        e.column + offset,
                        e.message
                    )
                })
        })
    }
}

/// The contexts a route may name (the Collector's `request` context reads client metadata,
/// which ciotel does not carry).
const CONTEXTS: &[(&str, ContextKind)] = &[
    ("resource", ContextKind::Resource),
    ("span", ContextKind::Span),
    ("log", ContextKind::Log),
    ("metric", ContextKind::Metric),
    ("datapoint", ContextKind::DataPoint),
];

impl TryFrom<RouteConfig> for Route {
    type Error = String;

    fn try_from(c: RouteConfig) -> Result<Route, String> {
        let context = match c.context.as_deref() {
            None => ContextKind::Resource,
            Some("request") => {
                return Err("context `request` (routing on client request metadata) is not supported by ciotel".into());
            }
            Some(name) => CONTEXTS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, k)| *k)
                .ok_or_else(|| {
                    let known: Vec<_> = CONTEXTS.iter().map(|(n, _)| *n).collect();
                    format!("unknown context `{name}` (known: {})", known.join(", "))
                })?,
        };
        let parsed = match (c.condition, c.statement) {
            (Some(condition), None) => condition,
            (None, Some(Statement(condition))) => condition,
            (Some(_), Some(_)) => {
                return Err("give either `condition` or `statement`, not both".into());
            }
            (None, None) => return Err("a route needs a `condition` (or a `statement`)".into()),
        };
        if c.pipelines.is_empty() {
            return Err("a route needs at least one pipeline under `pipelines`".into());
        }
        Ok(Route {
            context,
            condition: parsed.compile(context)?,
            action: c.action,
            pipelines: c.pipelines,
        })
    }
}

impl<'de> de::Deserialize<'de> for Route {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_checked::<D, RouteConfig, Route>(d, "a route {condition, pipelines}")
    }
}

impl RoutingConfig {
    /// Every pipeline the table and the defaults name, with where.
    pub fn destinations(&self) -> Vec<PipelineReference<'_>> {
        let mut out: Vec<PipelineReference<'_>> = self
            .table
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.pipelines.iter().map(move |p| PipelineReference {
                    key: format!("table[{i}].pipelines"),
                    pipeline: p,
                })
            })
            .collect();
        out.extend(self.default_pipelines.iter().map(|p| PipelineReference {
            key: "default_pipelines".into(),
            pipeline: p,
        }));
        out
    }

    /// The distinct pipelines named, in order of first mention (a route set's bit order).
    pub fn distinct_pipelines(&self) -> Vec<&PipelineId> {
        let mut out: Vec<&PipelineId> = Vec::new();
        for r in self.destinations() {
            if !out.contains(&r.pipeline) {
                out.push(r.pipeline);
            }
        }
        out
    }
}

fn table<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Route>, D::Error> {
    let routes = Vec::<Route>::deserialize(d)?;
    if routes.is_empty() {
        return Err(de::Error::custom("table: at least one route is required"));
    }
    if routes.len() > MAX_ROUTES {
        return Err(de::Error::custom(format!(
            "table: at most {MAX_ROUTES} routes"
        )));
    }
    Ok(routes)
}

fn pipeline_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PipelineId>, D::Error> {
    let names = Option::<Vec<String>>::deserialize(d)?.unwrap_or_default();
    let ids = names
        .iter()
        .map(|n| PipelineId::parse(n).map_err(de::Error::custom))
        .collect::<Result<Vec<_>, _>>()?;
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() > MAX_PIPELINES {
        return Err(de::Error::custom(format!(
            "at most {MAX_PIPELINES} pipelines"
        )));
    }
    Ok(ids)
}
