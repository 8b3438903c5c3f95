//! ciotel-cicd: the CI/CD domain, no I/O. Semantic-convention names ([`semconv`]), the
//! platform-neutral [`CiEvent`], deterministic trace and span ids ([`ids`]) and the one
//! translator from events to OTLP spans ([`translate()`]); the metrics made from the same
//! events, and the sink a receiver emits metrics and logs through ([`signals`]). Changes (pull
//! / merge requests on their way to production) have their own model and trace: [`change`].

#![warn(missing_docs)]

pub mod change;
pub mod environments;
pub mod event;
pub mod gate;
pub mod hierarchy;
pub mod ids;
pub mod live;
pub mod ownership;
pub mod render;
pub mod semconv;
pub mod signals;
pub mod time;
pub mod translate;

pub use environments::EnvironmentsConfig;
pub use event::{
    AttrValue, Attribute, CiEvent, CiResult, DownstreamRun, Job, Phase, PipelineRun,
    PreviousAttempt, RunRef, Runner, Stage, Step, Upstream, Vcs,
};
pub use ids::IdRecipe;
pub use time::{Timestamp, TimestampError};
pub use translate::{translate, translate_all, translate_change, translate_changes};
