//! The deploy gate behind `ciotel can-i-deploy`: may this revision go to that environment?
//! Platform-neutral and free of I/O — a platform crate asks its REST API and fills in a
//! [`ChangePath`]; this module judges it and words the answer.
//!
//! Files, one concern each:
//! - `path.rs`: the change's path so far ([`ChangePath`]: change, checks with verdicts,
//!   reviews, merge, deployments);
//! - `judge.rs`: a failed run's verdict from its API events, by the same translation and
//!   `cicd_ownership` logic as the daemon's traces ([`judge_run`]);
//! - `decide.rs`: the rules and the blocking reasons, each with its side ([`decide`]);
//! - `report.rs`: the answer as text and as JSON.

pub mod decide;
pub mod judge;
pub mod path;
pub mod report;

pub use decide::{Blocker, Decision, NotInOrder, Side, decide, target_in_order};
pub use judge::{judge_run, unjudged};
pub use path::{
    Approval, Change, ChangePath, ChangeState, Check, CheckKind, CheckStatus, Deployment,
    DeploymentState, Review, ReviewState, RunJudgement, Subject,
};
