//! Tests of the filter processor, per signal, and of its config.

mod config;
mod logs;
mod metrics;
mod spans;
mod support;
