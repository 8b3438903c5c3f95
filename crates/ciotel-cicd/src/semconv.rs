//! Attribute names and well-known values: OpenTelemetry CI/CD and VCS semantic conventions
//! (v1.43), and ciotel's own `ciotel.*` names for what the conventions do not cover yet.
//!
//! Every attribute ciotel writes is named here, so the README table and the code can be held
//! side by side. Names are consts, not an enum, so they can be used in `match` and in
//! processors' configs alike.

// --- service / general -------------------------------------------------------------------

/// `service.name`: required by every backend; ciotel sets it to the repository's full name.
pub const SERVICE_NAME: &str = "service.name";
/// `error.type`: class of error when a run or task fails (conditionally required by semconv).
pub const ERROR_TYPE: &str = "error.type";

// --- cicd.* (semconv v1.43) --------------------------------------------------------------

/// `cicd.pipeline.name`: human-readable pipeline name (GitHub: the workflow's name).
pub const CICD_PIPELINE_NAME: &str = "cicd.pipeline.name";
/// `cicd.pipeline.run.id`: the platform's run id, as a string.
pub const CICD_PIPELINE_RUN_ID: &str = "cicd.pipeline.run.id";
/// `cicd.pipeline.run.url.full`: where a person opens the run.
pub const CICD_PIPELINE_RUN_URL_FULL: &str = "cicd.pipeline.run.url.full";
/// `cicd.pipeline.run.state`: pending | executing | finalizing.
pub const CICD_PIPELINE_RUN_STATE: &str = "cicd.pipeline.run.state";
/// `cicd.pipeline.result`: the run's result, one of the [`result`] values.
pub const CICD_PIPELINE_RESULT: &str = "cicd.pipeline.result";
/// `cicd.pipeline.action.name`: BUILD | RUN | SYNC; the `{action}` in the run span's name.
pub const CICD_PIPELINE_ACTION_NAME: &str = "cicd.pipeline.action.name";
/// `cicd.pipeline.task.name`: a task's (GitHub: job's) name.
pub const CICD_PIPELINE_TASK_NAME: &str = "cicd.pipeline.task.name";
/// `cicd.pipeline.task.run.id`: the platform's id of one task run (GitHub: the job id).
pub const CICD_PIPELINE_TASK_RUN_ID: &str = "cicd.pipeline.task.run.id";
/// `cicd.pipeline.task.run.url.full`: where a person opens the task run.
pub const CICD_PIPELINE_TASK_RUN_URL_FULL: &str = "cicd.pipeline.task.run.url.full";
/// `cicd.pipeline.task.run.result`: the task's result, one of the [`result`] values.
pub const CICD_PIPELINE_TASK_RUN_RESULT: &str = "cicd.pipeline.task.run.result";
/// `cicd.pipeline.task.type`: build | test | deploy (not derivable from GitHub; unused today).
pub const CICD_PIPELINE_TASK_TYPE: &str = "cicd.pipeline.task.type";
/// `cicd.worker.id`: the runner / agent id.
pub const CICD_WORKER_ID: &str = "cicd.worker.id";
/// `cicd.worker.name`: the runner / agent name.
pub const CICD_WORKER_NAME: &str = "cicd.worker.name";
/// `cicd.worker.url.full`: where a person opens the runner.
pub const CICD_WORKER_URL_FULL: &str = "cicd.worker.url.full";
/// `cicd.worker.state`: available | busy | offline.
pub const CICD_WORKER_STATE: &str = "cicd.worker.state";
/// `cicd.system.component`: controller, scheduler, agent…
pub const CICD_SYSTEM_COMPONENT: &str = "cicd.system.component";

/// Values of `cicd.pipeline.result` and `cicd.pipeline.task.run.result`.
pub mod result {
    /// Finished successfully.
    pub const SUCCESS: &str = "success";
    /// Did not finish successfully because of the pipeline's content (test failure, compile error).
    pub const FAILURE: &str = "failure";
    /// Failed because of the CI/CD system itself (worker killed, platform error).
    pub const ERROR: &str = "error";
    /// Interrupted by a timeout.
    pub const TIMEOUT: &str = "timeout";
    /// Cancelled, e.g. by a person.
    pub const CANCELLATION: &str = "cancellation";
    /// Skipped, e.g. a precondition was not met.
    pub const SKIP: &str = "skip";
}

/// Values of `cicd.pipeline.action.name`.
pub mod action {
    /// A pipeline run that executes tasks; ciotel's run spans are all `RUN`.
    pub const RUN: &str = "RUN";
}

// --- vcs.* (semconv v1.43) ---------------------------------------------------------------

/// `vcs.provider.name`: github | gitlab | gitea | bitbucket.
pub const VCS_PROVIDER_NAME: &str = "vcs.provider.name";
/// `vcs.repository.url.full`: the repository's canonical browser URL, without `.git`.
pub const VCS_REPOSITORY_URL_FULL: &str = "vcs.repository.url.full";
/// `vcs.repository.name`: the repository's name without owner or group.
pub const VCS_REPOSITORY_NAME: &str = "vcs.repository.name";
/// `vcs.owner.name`: the organisation, user or group that owns the repository.
pub const VCS_OWNER_NAME: &str = "vcs.owner.name";
/// `vcs.ref.head.name`: the branch or tag the run builds.
pub const VCS_REF_HEAD_NAME: &str = "vcs.ref.head.name";
/// `vcs.ref.head.revision`: the commit the run builds.
pub const VCS_REF_HEAD_REVISION: &str = "vcs.ref.head.revision";
/// `vcs.ref.head.type`: branch | tag.
pub const VCS_REF_HEAD_TYPE: &str = "vcs.ref.head.type";
/// `vcs.ref.base.name`: the target branch of a change (pull/merge request).
pub const VCS_REF_BASE_NAME: &str = "vcs.ref.base.name";
/// `vcs.ref.base.revision`: the target branch's commit of a change.
pub const VCS_REF_BASE_REVISION: &str = "vcs.ref.base.revision";
/// `vcs.change.id`: the pull/merge request number.
pub const VCS_CHANGE_ID: &str = "vcs.change.id";
/// `vcs.change.title`: the pull/merge request title.
pub const VCS_CHANGE_TITLE: &str = "vcs.change.title";

/// `vcs.change.state`: open | wip | closed | merged.
pub const VCS_CHANGE_STATE: &str = "vcs.change.state";

/// Values of `vcs.change.state`.
pub mod change_state {
    /// Active and under review.
    pub const OPEN: &str = "open";
    /// A draft, not ready for review.
    pub const WIP: &str = "wip";
    /// Closed without merging.
    pub const CLOSED: &str = "closed";
    /// Merged into its target.
    pub const MERGED: &str = "merged";
}

// --- deployment.* (semconv v1.43) --------------------------------------------------------

/// `deployment.id`: the platform's deployment id.
pub const DEPLOYMENT_ID: &str = "deployment.id";
/// `deployment.environment.name`: the environment deployed to (`staging`, `production`).
pub const DEPLOYMENT_ENVIRONMENT_NAME: &str = "deployment.environment.name";
/// `deployment.status`: succeeded | failed (only for those outcomes).
pub const DEPLOYMENT_STATUS: &str = "deployment.status";

/// Values of `deployment.status`.
pub mod deployment_status {
    /// The deployment succeeded.
    pub const SUCCEEDED: &str = "succeeded";
    /// The deployment failed.
    pub const FAILED: &str = "failed";
}

/// Values of `vcs.provider.name`.
pub mod provider {
    /// GitHub and GitHub Enterprise Server.
    pub const GITHUB: &str = "github";
    /// GitLab.com and self-managed GitLab.
    pub const GITLAB: &str = "gitlab";
}

// --- ciotel.* (ciotel's own) -------------------------------------------------------------

/// `ciotel.run.attempt` (int): which attempt of the run; semconv has no name for it yet.
pub const CIOTEL_RUN_ATTEMPT: &str = "ciotel.run.attempt";
/// `ciotel.run.trigger.event`: what started the run (GitHub: `push`, `pull_request`, …).
pub const CIOTEL_RUN_TRIGGER_EVENT: &str = "ciotel.run.trigger.event";
/// `ciotel.run.actor`: who started this attempt (login).
pub const CIOTEL_RUN_ACTOR: &str = "ciotel.run.actor";
/// `ciotel.span.type`: run | stage | job | queue | step; lets processors classify spans
/// without parsing names.
pub const CIOTEL_SPAN_TYPE: &str = "ciotel.span.type";
/// `ciotel.stage.name`: the stage a job belongs to (GitLab), and the stage span's name.
pub const CIOTEL_STAGE_NAME: &str = "ciotel.stage.name";
/// `ciotel.stage.result`: a stage's result, one of the [`result`] values.
pub const CIOTEL_STAGE_RESULT: &str = "ciotel.stage.result";
/// `ciotel.step.name`: a step's name as the platform reported it.
pub const CIOTEL_STEP_NAME: &str = "ciotel.step.name";
/// `ciotel.step.number` (int): the step's number within its job (may have gaps).
pub const CIOTEL_STEP_NUMBER: &str = "ciotel.step.number";
/// `ciotel.step.result`: a step's result, one of the [`result`] values.
pub const CIOTEL_STEP_RESULT: &str = "ciotel.step.result";
/// `ciotel.step.uses`: the action a GitHub step runs (`actions/checkout@v4`), from the
/// workflow file at the run's revision.
pub const CIOTEL_STEP_USES: &str = "ciotel.step.uses";
/// `ciotel.step.run`: the first line of a GitHub step's `run:` script, secrets masked,
/// truncated.
pub const CIOTEL_STEP_RUN: &str = "ciotel.step.run";
/// `ciotel.step.id`: a GitHub step's `id:` in the workflow file.
pub const CIOTEL_STEP_ID: &str = "ciotel.step.id";
/// `ciotel.step.source`: where a GitHub step's `uses`/`run`/`id` came from, or why none are
/// known (`workflow`, `runner`, `unmatched`, `reusable_workflow`, `unavailable`); `job_log` on
/// GitLab runner phases read from a job log's section markers (not reported as steps).
pub const CIOTEL_STEP_SOURCE: &str = "ciotel.step.source";
/// `ciotel.worker.labels` (string array): the labels / tags that selected the runner.
pub const CIOTEL_WORKER_LABELS: &str = "ciotel.worker.labels";
/// `ciotel.worker.group.id`: the runner group's id.
pub const CIOTEL_WORKER_GROUP_ID: &str = "ciotel.worker.group.id";
/// `ciotel.worker.group.name`: the runner group's name.
pub const CIOTEL_WORKER_GROUP_NAME: &str = "ciotel.worker.group.name";
/// `ciotel.timing.adjusted` (bool): the platform's times were inconsistent (end before start,
/// step outside its job) and ciotel clamped them; the span's times are not as reported.
pub const CIOTEL_TIMING_ADJUSTED: &str = "ciotel.timing.adjusted";

/// `ciotel.change.author`: who opened the change (login); semconv has no name for it yet.
pub const CIOTEL_CHANGE_AUTHOR: &str = "ciotel.change.author";
/// `ciotel.change.url`: where a person opens the change.
pub const CIOTEL_CHANGE_URL: &str = "ciotel.change.url";
/// `ciotel.change.draft` (bool): the change was a draft at this event.
pub const CIOTEL_CHANGE_DRAFT: &str = "ciotel.change.draft";
/// `ciotel.change.merge.revision`: the commit the merge made on the base branch.
pub const CIOTEL_CHANGE_MERGE_REVISION: &str = "ciotel.change.merge.revision";
/// `ciotel.change.merged_by`: who merged the change.
pub const CIOTEL_CHANGE_MERGED_BY: &str = "ciotel.change.merged_by";
/// `ciotel.change.previous_revision`: the head before a push.
pub const CIOTEL_CHANGE_PREVIOUS_REVISION: &str = "ciotel.change.previous_revision";
/// `ciotel.review.reviewer`: who reviewed, or who was asked to.
pub const CIOTEL_REVIEW_REVIEWER: &str = "ciotel.review.reviewer";
/// `ciotel.review.state`: approved | changes_requested | commented | dismissed.
pub const CIOTEL_REVIEW_STATE: &str = "ciotel.review.state";
/// `ciotel.merge_queue.action`: entered | merged | dequeued.
pub const CIOTEL_MERGE_QUEUE_ACTION: &str = "ciotel.merge_queue.action";
/// `ciotel.merge_queue.reason`: why the change left the queue, as the platform says it.
pub const CIOTEL_MERGE_QUEUE_REASON: &str = "ciotel.merge_queue.reason";
/// `ciotel.deployment.result`: success | failure | error | cancellation.
pub const CIOTEL_DEPLOYMENT_RESULT: &str = "ciotel.deployment.result";
/// `ciotel.deployment.state`: the platform's own word for the deployment's final state.
pub const CIOTEL_DEPLOYMENT_STATE: &str = "ciotel.deployment.state";
/// `ciotel.deployment.production` (bool): the platform calls the environment production.
pub const CIOTEL_DEPLOYMENT_PRODUCTION: &str = "ciotel.deployment.production";
/// `ciotel.deployment.tier`: the platform's environment tier (GitLab `deployment_tier`).
pub const CIOTEL_DEPLOYMENT_TIER: &str = "ciotel.deployment.tier";
/// `ciotel.deployment.task`: GitHub's deployment task (`deploy`).
pub const CIOTEL_DEPLOYMENT_TASK: &str = "ciotel.deployment.task";
/// `ciotel.deployment.creator`: who created the deployment.
pub const CIOTEL_DEPLOYMENT_CREATOR: &str = "ciotel.deployment.creator";
/// `ciotel.deployment.url`: where a person opens the deployment (its log, the job).
pub const CIOTEL_DEPLOYMENT_URL: &str = "ciotel.deployment.url";
/// `ciotel.approval.reviewers` (string array): who may approve.
pub const CIOTEL_APPROVAL_REVIEWERS: &str = "ciotel.approval.reviewers";
/// `ciotel.approval.decision`: approved | rejected.
pub const CIOTEL_APPROVAL_DECISION: &str = "ciotel.approval.decision";
/// `ciotel.approval.approver`: who decided.
pub const CIOTEL_APPROVAL_APPROVER: &str = "ciotel.approval.approver";
/// `ciotel.link.type` on a span link: why the link exists (`previous_attempt`, `upstream`).
pub const CIOTEL_LINK_TYPE: &str = "ciotel.link.type";

/// Values of `ciotel.span.type`.
pub mod span_type {
    /// The root span of one run attempt.
    pub const RUN: &str = "run";
    /// A stage (GitLab) between the run and its jobs.
    pub const STAGE: &str = "stage";
    /// A job (semconv: task run).
    pub const JOB: &str = "job";
    /// The time a job waited for a runner.
    pub const QUEUE: &str = "queue";
    /// One step of a job.
    pub const STEP: &str = "step";
    /// Who made a failed run fail: written by the `cicd_ownership` processor once it is
    /// known, as a child of the run's root span (the root itself carries no verdict).
    pub const VERDICT: &str = "verdict";
    /// A failed job's log tail, handed by a receiver with `api:` to the `cicd_ownership`
    /// processor, which reads it and drops the span (`ownership::job_log`).
    pub const JOB_LOG: &str = "job_log";
    /// The root span of a change's trace (`CHANGE acme/shop#123 …`): opened → merged/closed.
    pub const CHANGE: &str = "change";
    /// A change was opened (instant).
    pub const OPENED: &str = "opened";
    /// New commits were pushed to a change (instant).
    pub const PUSH: &str = "push";
    /// A draft became ready for review (instant).
    pub const READY_FOR_REVIEW: &str = "ready_for_review";
    /// A review was requested (instant).
    pub const REVIEW_REQUESTED: &str = "review_requested";
    /// A closed change was reopened (instant).
    pub const REOPENED: &str = "reopened";
    /// A review was submitted (instant).
    pub const REVIEW: &str = "review";
    /// The change entered or left the merge queue (instant).
    pub const MERGE_QUEUE: &str = "merge_queue";
    /// The change was merged (instant).
    pub const MERGE: &str = "merge";
    /// A pipeline run for the change, linked to the run's own trace.
    pub const CHANGE_RUN: &str = "change_run";
    /// A deployment to an environment (created → final status).
    pub const DEPLOYMENT: &str = "deployment";
    /// A deployment's wait for approval.
    pub const APPROVAL: &str = "approval";
}

/// Values of `ciotel.link.type`.
pub mod link_type {
    /// The link points to the root span of the run's previous attempt.
    pub const PREVIOUS_ATTEMPT: &str = "previous_attempt";
    /// The link points to the job (or, without a job, the root span) of the run that started
    /// this one (GitLab parent pipeline and trigger job).
    pub const UPSTREAM: &str = "upstream";
    /// From a change trace's run span to the root span of the run's own trace.
    pub const RUN: &str = "run";
    /// From a deployment (or approval) span to the run or job that deployed.
    pub const DEPLOYING_RUN: &str = "deploying_run";
}

// --- metrics -----------------------------------------------------------------------------

/// Metric names: the CI/CD conventions' (v1.43), and ciotel's own where they have none.
pub mod metric {
    /// Histogram, `s`: a run attempt's time in each state (`cicd.pipeline.run.state`).
    pub const PIPELINE_RUN_DURATION: &str = "cicd.pipeline.run.duration";
    /// Counter, `{error}`: failed run attempts, by `error.type`.
    pub const PIPELINE_RUN_ERRORS: &str = "cicd.pipeline.run.errors";
    /// Counter, `{error}`: failures of the CI/CD system itself (jobs the ownership verdict
    /// puts on the platform), by `cicd.system.component` and `error.type`.
    pub const SYSTEM_ERRORS: &str = "cicd.system.errors";
    /// Histogram, `s`, ciotel's own: a task run's (job's) wait from created to started.
    pub const TASK_RUN_TIME_IN_QUEUE: &str = "cicd.pipeline.task.run.time_in_queue";
}

/// Values of `cicd.pipeline.run.state`.
pub mod run_state {
    /// From the run's creation until its execution starts (queueing, provisioning).
    pub const PENDING: &str = "pending";
    /// While its tasks run.
    pub const EXECUTING: &str = "executing";
}

/// Values of `cicd.system.component` ciotel writes.
pub mod system_component {
    /// Assigning jobs to runners: the job never got one, or waited in the queue and failed.
    pub const SCHEDULER: &str = "scheduler";
    /// The runner (worker, agent) that ran the job: lost, killed, or a platform step failed.
    pub const AGENT: &str = "agent";
    /// The platform's own services (GitLab `api_failure`, `data_integrity_failure`, …).
    pub const CONTROLLER: &str = "controller";
}
