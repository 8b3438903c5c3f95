//! Connectors: components that join pipelines, as in the Collector. A connector is listed as an
//! exporter of one pipeline and as a receiver of others; what the first pipeline exports, the
//! connector hands to the others.
//!
//! - `routing/`: sends each span, log record or data point to the pipelines whose condition it
//!   meets.
//!
//! The graph checks (`config/graph.rs`) make sure a connector is used on both sides, carries one
//! signal, and that no pipeline feeds itself through connectors.

pub mod routing;

use crate::component_id::PipelineId;
use crate::condition::ContextKind;
use crate::config::component_map::TypedConfig;
use routing::RoutingConfig;
use serde::Deserialize;
use serde::de::{self, Deserializer};

/// A connector's config, by type.
#[derive(Debug, Clone)]
pub enum ConnectorConfig {
    /// `routing`: items to pipelines by condition.
    Routing(Box<RoutingConfig>),
}

impl TypedConfig for ConnectorConfig {
    const SECTION: &'static str = "connectors";
    const TYPES: &'static [&'static str] = &["routing"];

    fn deserialize_typed<'de, D: Deserializer<'de>>(kind: &str, d: D) -> Result<Self, D::Error> {
        match kind {
            "routing" => {
                RoutingConfig::deserialize(d).map(|c| ConnectorConfig::Routing(Box::new(c)))
            }
            other => Err(de::Error::custom(format!(
                "unknown connector type `{other}`"
            ))),
        }
    }
}

/// A place in a connector's config that names a pipeline, for the graph checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineReference<'a> {
    /// The key path under the connector, e.g. `table[1].pipelines` or `default_pipelines`.
    pub key: String,
    /// The pipeline named.
    pub pipeline: &'a PipelineId,
}

impl ConnectorConfig {
    /// Every pipeline the connector's config names as a destination, with where it does.
    pub fn destinations(&self) -> Vec<PipelineReference<'_>> {
        match self {
            ConnectorConfig::Routing(c) => c.destinations(),
        }
    }

    /// Routes that repeat an earlier `move` route's context and condition, as (earlier, later)
    /// table indexes: the later one never sees an item.
    pub fn repeated_routes(&self) -> Vec<(usize, usize)> {
        match self {
            ConnectorConfig::Routing(c) => {
                let mut out = Vec::new();
                for (j, later) in c.table.iter().enumerate() {
                    let twin = c.table[..j].iter().position(|earlier| {
                        earlier.action == routing::Action::Move
                            && earlier.context == later.context
                            && earlier.condition.text().trim() == later.condition.text().trim()
                    });
                    if let Some(i) = twin {
                        out.push((i, j));
                    }
                }
                out
            }
        }
    }

    /// The contexts its conditions run in, with the key of each, for the signal check.
    pub fn contexts(&self) -> Vec<(String, ContextKind)> {
        match self {
            ConnectorConfig::Routing(c) => c
                .table
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("table[{i}]"), r.context))
                .collect(),
        }
    }
}
