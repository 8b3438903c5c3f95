//! The `routing` connector: sends each span, log record or metric data point to the pipelines
//! whose condition it meets, in the Collector's config shape.
//!
//! ```yaml
//! connectors:
//!   routing:
//!     default_pipelines: [traces/archive]
//!     table:
//!       - context: span
//!         condition: 'attributes["ciotel.owner"] == "platform"'
//!         pipelines: [traces/ops, traces/archive]
//!       - context: span
//!         condition: 'attributes["ciotel.owner"] == "application"'
//!         pipelines: [traces/dev, traces/archive]
//! ```
//!
//! Files, one concern each:
//! - `config.rs`: the config as written, conditions compiled per route context;
//! - `router.rs`: the table resolved to destination pipelines, and each item's destinations;
//! - `consume.rs`: splitting a batch by destination and handing the parts on (refusals);
//! - `tests.rs`: routing per context and signal, splits, refusals.

mod config;
mod consume;
mod router;
#[cfg(test)]
mod tests;

pub use config::{Action, MAX_PIPELINES, MAX_ROUTES, Route, RoutingConfig};
pub use consume::RoutingConnector;
pub use router::{Router, RouterError, Targets};
