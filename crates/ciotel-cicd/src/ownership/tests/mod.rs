//! Tests of the `cicd_ownership` processor: config and its errors, each pack on spans where
//! the platform failed and where the change failed, user rules over packs, run verdicts with
//! and without the cache. Spans come from the real translator, fed with events modelled on
//! the fixtures in `../shared/fixtures` (the binary's `tests/explain.rs` uses the fixtures
//! themselves).

mod config;
mod github;
mod github_steps;
mod gitlab;
mod jenkins;
mod logs;
mod props;
mod regressions;
mod runs;
pub(crate) mod support;
