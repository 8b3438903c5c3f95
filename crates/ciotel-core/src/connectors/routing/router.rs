//! The routing table resolved once at build: each route's pipelines become a set of
//! destination indexes (bits of a `u64`), and each item gets the set it goes to.
//!
//! For one item, routes are tried in table order. A `move` route that matches adds its
//! pipelines and ends the search (first match wins, as in the Collector since `match_once` was
//! removed); a `copy` route adds its pipelines and the search goes on. An item no `move` route
//! took also goes to `default_pipelines` (dropped when there are none). A `resource` route is
//! evaluated once per resource group, a `metric` route once per metric.

use super::config::{Action, Route, RoutingConfig};
use crate::component_id::PipelineId;
use crate::condition::ContextKind;
use crate::condition::context::{Item, Subject};
use crate::consumer::NextConsumer;

/// A set of destinations: bit `i` is `Router::destinations[i]`.
pub type Targets = u64;

/// The resolved table.
pub struct Router {
    routes: Vec<ResolvedRoute>,
    default: Targets,
    /// The first stage of each destination pipeline, by bit.
    pub(super) destinations: Vec<(PipelineId, NextConsumer)>,
}

struct ResolvedRoute {
    route: Route,
    targets: Targets,
}

/// Why a table cannot be resolved (the config checks normally catch these first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouterError {
    #[error("pipeline `{0}` is not built (it must receive from this connector)")]
    UnknownPipeline(String),
    #[error("more than {} distinct pipelines", super::config::MAX_PIPELINES)]
    TooManyPipelines,
}

impl Router {
    /// Resolves `config`'s pipelines with `first_stage` (the built pipelines' entries).
    pub fn new(
        config: &RoutingConfig,
        first_stage: impl Fn(&PipelineId) -> Option<NextConsumer>,
    ) -> Result<Router, RouterError> {
        let names = config.distinct_pipelines();
        if names.len() > super::config::MAX_PIPELINES {
            return Err(RouterError::TooManyPipelines);
        }
        let destinations = names
            .iter()
            .map(|id| {
                first_stage(id)
                    .map(|c| ((*id).clone(), c))
                    .ok_or_else(|| RouterError::UnknownPipeline(id.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let targets = |ids: &[PipelineId]| -> Targets {
            ids.iter()
                .filter_map(|id| names.iter().position(|n| *n == id))
                .fold(0, |set, bit| set | (1 << bit))
        };
        Ok(Router {
            routes: config
                .table
                .iter()
                .map(|r| ResolvedRoute {
                    route: r.clone(),
                    targets: targets(&r.pipelines),
                })
                .collect(),
            default: targets(&config.default_pipelines),
            destinations,
        })
    }

    /// Evaluates the routes of `context` for a group (`resource` or `metric`), once for all
    /// its items: bit `i` is route `i`'s answer.
    pub fn group_answers(&self, context: ContextKind, subject: &Subject<'_>) -> u64 {
        self.routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.route.context == context)
            .fold(0, |bits, (i, r)| {
                bits | (u64::from(r.route.condition.matches(subject)) << i)
            })
    }

    /// Whether any route is of `context`.
    pub fn uses(&self, context: ContextKind) -> bool {
        self.routes.iter().any(|r| r.route.context == context)
    }

    /// The destinations of one item: `subject` for item-level routes, `resource` and `metric`
    /// answers from [`Router::group_answers`]. A route of a context that does not apply to this
    /// signal never matches (the config checks refuse such routes).
    pub fn targets(&self, subject: &Subject<'_>, resource: u64, metric: u64) -> Targets {
        let mut set = 0;
        for (i, r) in self.routes.iter().enumerate() {
            let matched = match (r.route.context, subject.item) {
                (ContextKind::Resource, _) => resource & (1 << i) != 0,
                (ContextKind::Metric, _) => metric & (1 << i) != 0,
                (ContextKind::Span, Item::Span(_))
                | (ContextKind::Log, Item::Log(_))
                | (ContextKind::DataPoint, Item::DataPoint(..)) => {
                    r.route.condition.matches(subject)
                }
                _ => false,
            };
            if matched {
                set |= r.targets;
                if r.route.action == Action::Move {
                    return set;
                }
            }
        }
        set | self.default
    }
}
