//! The attributes the `cicd_ownership` processor writes, and their well-known values.
//!
//! Kept beside the processor rather than in `semconv`, since they are all ciotel's own
//! (`ciotel.*`): the semantic conventions have no notion of ownership yet.

/// `ciotel.owner` on every span: `platform` or `application`.
pub const OWNER: &str = "ciotel.owner";
/// `ciotel.owner.rule` on every span: the name of the rule that decided its owner
/// (`default` when no rule matched), so every decision can be explained.
pub const OWNER_RULE: &str = "ciotel.owner.rule";
/// `ciotel.owner.basis` on every span: what its owner was decided on: `rule:<name>` (one of
/// the user's rules); for a built-in pack's entry, what the entry looked at, then the entry:
/// `action:<pack>/<entry>` (the step's action, `ciotel.step.uses`), `run:<pack>/<entry>` (a
/// `run:` script, `ciotel.step.run`), `name:<pack>/<entry>` (the step's name: no workflow file
/// said more), `pack:<pack>/<entry>` (anything else, e.g. a queue span, GitLab's and Jenkins'
/// entries); or `default` (no rule matched: `default_owner`).
pub const OWNER_BASIS: &str = "ciotel.owner.basis";
/// `ciotel.owner.team`: the team the deciding rule names, when it names one.
pub const OWNER_TEAM: &str = "ciotel.owner.team";

/// `ciotel.failure.owner` on failed job spans and on a failed run's `verdict` span:
/// `platform`, `application`, `mixed` (runs only) or `unknown`.
pub const FAILURE_OWNER: &str = "ciotel.failure.owner";
/// `ciotel.failure.span`: the first failing step or phase, by time (on a run: that of its
/// first failed job); absent when no finer span is known.
pub const FAILURE_SPAN: &str = "ciotel.failure.span";
/// `ciotel.failure.reason`: the platform's failure reason, else the failing span's status
/// message, else the job's conclusion.
pub const FAILURE_REASON: &str = "ciotel.failure.reason";
/// `ciotel.failure.rule`: which verdict rule decided (see [`rule`]), so a verdict explains
/// itself as ownership does.
pub const FAILURE_RULE: &str = "ciotel.failure.rule";
/// `ciotel.failure.job` on a run's `verdict` span: the name of its first failed job, by time.
pub const FAILURE_JOB: &str = "ciotel.failure.job";
/// `ciotel.failure.jobs` (int) on a run's `verdict` span: how many failed jobs it summarises.
pub const FAILURE_JOBS: &str = "ciotel.failure.jobs";

/// `ciotel.failure.evidence` on a `verdict` span decided by a failed job's log: the deciding
/// line, secrets masked, truncated.
pub const FAILURE_EVIDENCE: &str = "ciotel.failure.evidence";
/// `ciotel.failure.log` on a `verdict` span whose first failed job's log was asked for:
/// `matched`, `no_match` or `unavailable` (fetching failed: the verdict is the spans').
pub const FAILURE_LOG: &str = "ciotel.failure.log";
/// The prefix of `ciotel.failure.rule` when a failure signature decided (`log:disk-full`).
pub const LOG_RULE_PREFIX: &str = "log:";
/// `ciotel.owner.rule` and `ciotel.owner.basis` of a `verdict` span whose owner is the side
/// it blames (owner routing sends a platform verdict to Ops).
pub const VERDICT_OWNER_RULE: &str = "verdict";

/// The `ciotel.owner.rule` of a span no rule matched (it got `default_owner`).
pub const DEFAULT_RULE: &str = "default";

/// Values of `ciotel.failure.rule`.
pub mod rule {
    /// The platform's own failure reason (GitLab `failure_reason`) decided, by its pack's table.
    pub const FAILURE_REASON: &str = "failure_reason";
    /// The owner of the first failing step or phase decided.
    pub const FAILING_STEP: &str = "failing_step";
    /// The job timed out; the owner of the step that was running decided.
    pub const TIMEOUT: &str = "timeout";
    /// The job never got a runner (no runner, no steps): platform.
    pub const NO_RUNNER: &str = "no_runner";
    /// The job ran steps and none of them failed (lost runner, killed job): platform.
    pub const NO_FAILING_STEP: &str = "no_failing_step";
    /// The job had a runner but no steps are known and the platform gave no reason: unknown.
    pub const NO_STEPS: &str = "no_steps";
    /// Run: summarised over its failed jobs (from the same batch or this instance's cache;
    /// which is not written, so the same jobs give the same span wherever they came from).
    pub const JOBS: &str = "jobs";
    /// Run: no failed job is known: unknown (`ciotel explain` only; no verdict span says it).
    pub const NO_JOBS: &str = "no_jobs";
}
