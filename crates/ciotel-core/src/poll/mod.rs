//! Plumbing every REST API poller (GitHub, GitLab …) shares, so each platform's poller holds only
//! its own business: which URLs, which cursor, which mapping.
//!
//! - `client.rs`: [`ApiClient`], one request at a time with retries — back off on 5xx and
//!   network errors, wait out rate limits — every wait cut short by shutdown;
//! - `limits.rs`: a platform's answers as [`Verdict`]s, given its [`ApiRules`] (rate-limit
//!   header names, how it says "rate limited" without headers, hints for errors);
//! - `paging.rs`: the next page, from `Link: <…>; rel="next"` (RFC 8288) or a page-number
//!   header such as GitLab's `X-Next-Page`, and the check that a page stays under `base_url`;
//! - `state.rs`: the cursor file, JSON replaced atomically (tmp + fsync + rename);
//! - `start.rs`: what a poller does before its first poll (`state_dir`, cursor file, HTTP
//!   client), and [`StartError`] when it cannot;
//! - `hand_over.rs`: offering a batch to the pipeline, waiting while it refuses;
//! - `job_logs.rs`: the `api.logs` section and a bounded GET of a job log ([`get_bounded`]);
//! - `tuning.rs`: the waits ([`Tuning`]).

mod client;
mod hand_over;
mod job_logs;
mod limits;
mod paging;
mod start;
mod state;
mod tuning;

pub use client::{Answer, ApiClient, Cancelled, RequestError, http_client, sleep_or_shutdown};
pub use hand_over::hand_over;
pub use job_logs::{
    JobLogsConfig, LogBody, LogFetchError, get_bounded, get_log, log_http_client, tail,
};
pub use limits::{ApiRules, Verdict, classify, exhausted, retry_after};
pub use paging::{NotUnderBase, next_link, next_page_number, under_base};
pub use start::{Start, StartError, load_versioned, start};
pub use state::{load_json, save_json, state_file, write_atomically};
pub use tuning::{Tuning, default_interval, default_lookback, is_http_url};
