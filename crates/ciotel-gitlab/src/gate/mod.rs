//! `ciotel can-i-deploy` on GitLab: the REST queries that fill in a change's path so far
//! ([`ciotel_cicd::gate::ChangePath`]), with the `gitlab` receiver's `api:` settings and the
//! poller's client. The decision itself is platform-neutral, in `ciotel_cicd::gate`.
//!
//! Files: `fetch.rs` (the requests, in order: [`GateClient`]), `payload.rs` (the answers'
//! shapes), `map.rs` (answers → the neutral model, as tables), `error.rs` ([`GateError`]).

mod error;
mod fetch;
pub mod map;
pub mod payload;

pub use error::GateError;
pub use fetch::{GateClient, Judging};
