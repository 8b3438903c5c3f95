//! Plumbing every webhook receiver (GitHub, GitLab …) shares: secrets that never print,
//! `required_headers` checked in constant time, a body read with a size limit (chunked too),
//! and a bounded window of recent delivery ids for de-duplication.

pub mod body;
pub mod dedup;
pub mod required_headers;
pub mod secret;

pub use secret::Secret;
