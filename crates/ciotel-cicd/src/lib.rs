//! ciotel-cicd: the CI/CD domain, no I/O. Semantic-convention names ([`semconv`]), the
//! platform-neutral [`CiEvent`], deterministic trace and span ids ([`ids`]) and the one
//! translator from events to OTLP spans ([`translate()`]).

#![warn(missing_docs)]

pub mod environments;
pub mod event;
pub mod gate;
pub mod hierarchy;
pub mod ids;
pub mod ownership;
pub mod render;
pub mod semconv;
pub mod time;
pub mod translate;

pub use environments::EnvironmentsConfig;
pub use event::{
    AttrValue, Attribute, CiEvent, CiResult, DownstreamRun, Job, Phase, PipelineRun,
    PreviousAttempt, RunRef, Runner, Stage, Step, Upstream, Vcs,
};
pub use ids::IdRecipe;
pub use time::{Timestamp, TimestampError};
pub use translate::{translate, translate_all};
