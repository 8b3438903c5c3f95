//! `ciotel can-i-deploy --repo R (--pr N | --sha REV) --to ENV --config FILE`: may this change
//! go to that environment? Asked of the platform's REST API alone (no daemon state), with the
//! `api:` settings and `environments:` policy of the config's `github` or `gitlab` receiver,
//! in the manner of Pact's `can-i-deploy`: the path so far, `YES`/`NO`, one line per blocking
//! reason with whose side it is on, and the exit code a pipeline step gates on.
//!
//! | exit | when |
//! |---|---|
//! | 0 | it may go: checks green, approved, merged, each environment before ENV deployed it |
//! | 1 | it may not: every reason is listed (`blocked — platform: job "deploy" failed in …`) |
//! | 2 | the question cannot be answered: usage, config, or an API error (no secret is shown) |
//!
//! The queries are the platform crates' (`ciotel_github::gate`, `ciotel_gitlab::gate`); the
//! decision and its words are `ciotel_cicd::gate`'s.

use crate::components::{Loaded, ProcessorConfig, ReceiverConfig};
use ciotel_cicd::environments::EnvironmentsConfig;
use ciotel_cicd::gate::{self, ChangePath, Subject};
use ciotel_cicd::ownership::{OwnershipConfig, OwnershipProcessor};
use ciotel_core::poll::Tuning;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Arguments of `ciotel can-i-deploy`.
#[derive(Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["pr", "sha"])))]
pub struct CanIDeployArgs {
    /// The repository: `owner/repo` (GitHub), `group/project` or a project id (GitLab).
    /// Default: the receiver's only `repositories` / `projects` entry.
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,
    /// The pull request (GitHub) or merge request iid (GitLab) to ask about.
    #[arg(long, visible_alias = "mr", value_name = "N")]
    pub pr: Option<u64>,
    /// A revision to ask about (SHA, branch or tag): its pull / merge request is found.
    #[arg(long, value_name = "REV")]
    pub sha: Option<String>,
    /// The environment to deploy to; it must be in the receiver's `environments.promotion`.
    #[arg(long, value_name = "ENV")]
    pub to: String,
    /// The daemon config whose `github` or `gitlab` receiver has the `api:` settings.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Which platform, when the config has receivers of both.
    #[arg(long, value_enum)]
    pub platform: Option<Platform>,
    /// Which receiver (`github/ci`), when the config has several of the platform.
    #[arg(long, value_name = "ID")]
    pub receiver: Option<String>,
    /// `text`: the path and the answer; `json`: the same as one JSON object.
    #[arg(long, short, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Give up (exit 2) when the answer is not in after this many seconds, rate-limit waits
    /// included.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
}

/// The CI platform to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// GitHub (the `github` receiver's `api:`).
    Github,
    /// GitLab (the `gitlab` receiver's `api:`).
    Gitlab,
}

/// How to print the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// The path so far, then `YES`/`NO` and the blocking reasons.
    Text,
    /// One JSON object: `deployable`, `blockers`, `path`.
    Json,
}

/// Why there is no answer: exit 2.
#[derive(Debug, thiserror::Error)]
enum Unanswered {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(String),
    #[error("{platform} API: {message}")]
    Api {
        platform: &'static str,
        message: String,
    },
}

/// The receiver the question goes to.
enum Target<'a> {
    Github(&'a ciotel_github::receiver::GithubReceiverConfig),
    Gitlab(&'a ciotel_gitlab::receiver::GitlabReceiverConfig),
}

/// Runs `ciotel can-i-deploy`: exit 0 (may go), 1 (may not), 2 (no answer).
pub fn run(args: &CanIDeployArgs) -> ExitCode {
    init_logs();
    match answer(args) {
        Ok((text, deployable)) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
            if deployable {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("ciotel can-i-deploy: {e}");
            ExitCode::from(2)
        }
    }
}

fn answer(args: &CanIDeployArgs) -> Result<(String, bool), Unanswered> {
    let Some(path) = &args.config else {
        return Err(Unanswered::Usage(
            "--config FILE is needed: the daemon config whose github or gitlab receiver has \
             the `api:` settings (base_url, token) and the `environments:` policy"
                .into(),
        ));
    };
    let loaded: Loaded = ciotel_core::config::load_file(path).map_err(|e| {
        Unanswered::Config(format!(
            "{e}\nthe config has {} problem(s)",
            e.problems.len()
        ))
    })?;
    let target = pick_receiver(&loaded, args)?;
    let (policy, repo) = match &target {
        Target::Github(c) => (&c.environments, github_repo(c, args)?),
        Target::Gitlab(c) => (&c.environments, gitlab_project(c, args)?),
    };
    gate::target_in_order(policy, &args.to).map_err(|e| Unanswered::Usage(e.to_string()))?;
    let subject = match (&args.pr, &args.sha) {
        (Some(n), _) => Subject::Change(*n),
        (None, Some(rev)) => Subject::Revision(rev.clone()),
        (None, None) => return Err(Unanswered::Usage("give --pr N or --sha REV".into())),
    };
    let ownership = OwnershipProcessor::new(ownership_config(&loaded));
    let path = query(&target, &repo, &subject, policy, &ownership, args)?;
    let decision = gate::decide(&path, policy, &args.to);
    let text = match args.output {
        Output::Text => gate::report::text(&path, policy, &decision),
        Output::Json => gate::report::json(&path, &decision),
    };
    Ok((text, decision.deployable))
}

/// The receiver with an `api:` section: named by `--receiver`, else the only one (of
/// `--platform`'s type when given).
fn pick_receiver<'a>(loaded: &'a Loaded, args: &CanIDeployArgs) -> Result<Target<'a>, Unanswered> {
    let mut candidates = Vec::new();
    for (id, receiver) in loaded.config.receivers.iter() {
        let (platform, target) = match receiver {
            ReceiverConfig::Github(c) if c.api.is_some() => (Platform::Github, Target::Github(c)),
            ReceiverConfig::Gitlab(c) if c.api.is_some() => (Platform::Gitlab, Target::Gitlab(c)),
            _ => continue,
        };
        if args.platform.is_some_and(|p| p != platform) {
            continue;
        }
        if args
            .receiver
            .as_deref()
            .is_some_and(|r| r != id.to_string())
        {
            continue;
        }
        candidates.push((id.to_string(), target));
    }
    match candidates.len() {
        1 => Ok(candidates.remove(0).1),
        0 => Err(Unanswered::Config(match &args.receiver {
            Some(r) => format!("no github or gitlab receiver `{r}` with an `api:` section"),
            None => "no github or gitlab receiver with an `api:` section (base_url, token): \
                     can-i-deploy asks the platform's REST API"
                .into(),
        })),
        _ => Err(Unanswered::Usage(format!(
            "several receivers could answer ({}); pick one with --receiver ID or --platform",
            candidates
                .iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn github_repo(
    c: &ciotel_github::receiver::GithubReceiverConfig,
    args: &CanIDeployArgs,
) -> Result<String, Unanswered> {
    let listed = c
        .api
        .as_ref()
        .map(|a| a.repositories.as_slice())
        .unwrap_or_default();
    let repo = match (&args.repo, listed) {
        (Some(r), _) => r.clone(),
        (None, [only]) => only.clone(),
        (None, _) => return Err(Unanswered::Usage("--repo OWNER/REPO is needed".into())),
    };
    match repo.split_once('/') {
        Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') => Ok(repo),
        _ => Err(Unanswered::Usage(format!(
            "--repo `{repo}` is not written OWNER/REPO"
        ))),
    }
}

fn gitlab_project(
    c: &ciotel_gitlab::receiver::GitlabReceiverConfig,
    args: &CanIDeployArgs,
) -> Result<String, Unanswered> {
    let listed = c
        .api
        .as_ref()
        .map(|a| a.projects.as_slice())
        .unwrap_or_default();
    match (&args.repo, listed) {
        (Some(r), _) if !r.is_empty() => Ok(r.clone()),
        (None, [only]) => Ok(only.clone()),
        _ => Err(Unanswered::Usage(
            "--repo GROUP/PROJECT (or a project id) is needed".into(),
        )),
    }
}

/// The config's `cicd_ownership` rules when it has that processor (the one in a traces
/// pipeline when several), else the built-in defaults.
fn ownership_config(loaded: &Loaded) -> OwnershipConfig {
    let all: Vec<(String, &OwnershipConfig)> = loaded
        .config
        .processors
        .iter()
        .filter_map(|(id, p)| match p {
            ProcessorConfig::CicdOwnership(c) => Some((id.to_string(), &**c)),
            _ => None,
        })
        .collect();
    let in_pipelines = |id: &str| {
        loaded
            .config
            .service
            .pipelines
            .values()
            .any(|p| p.processors.iter().any(|pid| pid.to_string() == id))
    };
    all.iter()
        .find(|(id, _)| in_pipelines(id))
        .or(all.first())
        .map(|(_, c)| (*c).clone())
        .unwrap_or_default()
}

/// Asks the platform, within `--timeout`.
fn query(
    target: &Target<'_>,
    repo: &str,
    subject: &Subject,
    policy: &EnvironmentsConfig,
    ownership: &OwnershipProcessor,
    args: &CanIDeployArgs,
) -> Result<ChangePath, Unanswered> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Unanswered::Config(format!("cannot start the async runtime: {e}")))?;
    let limit = Duration::from_secs(args.timeout);
    let shutdown = CancellationToken::new();
    let tuning = cli_tuning(limit);
    runtime.block_on(async {
        let stop = shutdown.clone();
        let timer = tokio::spawn(async move {
            tokio::select! {
                () = tokio::time::sleep(limit) => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            stop.cancel();
        });
        let gave_up = |platform: &'static str| Unanswered::Api {
            platform,
            message: format!(
                "no answer within {}s (rate limited, or not answering: see the lines above); \
                 try again later or raise --timeout",
                args.timeout
            ),
        };
        let result = match target {
            Target::Github(c) => {
                let api = c
                    .api
                    .as_ref()
                    .ok_or_else(|| Unanswered::Config("no api".into()))?;
                let judging = ciotel_github::gate::Judging {
                    recipe: c.trace_id_recipe,
                    ownership,
                    environments: policy,
                    skip_run: own_run("GITHUB_REPOSITORY", repo, "GITHUB_RUN_ID"),
                };
                let mut client =
                    ciotel_github::gate::GateClient::new(api, tuning, shutdown.clone())
                        .map_err(|e| api_error("GitHub", e.to_string()))?;
                match client.change_path(repo, subject, &judging).await {
                    Ok(path) => Ok(path),
                    Err(ciotel_github::gate::GateError::Cancelled) => Err(gave_up("GitHub")),
                    Err(e) => Err(api_error("GitHub", e.to_string())),
                }
            }
            Target::Gitlab(c) => {
                let api = c
                    .api
                    .as_ref()
                    .ok_or_else(|| Unanswered::Config("no api".into()))?;
                let judging = ciotel_gitlab::gate::Judging {
                    ownership,
                    environments: policy,
                    skip_pipeline: own_run("CI_PROJECT_PATH", repo, "CI_PIPELINE_ID"),
                };
                let mut client =
                    ciotel_gitlab::gate::GateClient::new(api, tuning, shutdown.clone())
                        .map_err(|e| api_error("GitLab", e.to_string()))?;
                match client.change_path(repo, subject, &judging).await {
                    Ok(path) => Ok(path),
                    Err(ciotel_gitlab::gate::GateError::Cancelled) => Err(gave_up("GitLab")),
                    Err(e) => Err(api_error("GitLab", e.to_string())),
                }
            }
        };
        timer.abort();
        result
    })
}

fn api_error(platform: &'static str, message: String) -> Unanswered {
    Unanswered::Api { platform, message }
}

/// The run (pipeline) this command runs in, when it runs in a job of the same repository:
/// it is left out of the checks, or the gate would wait for itself.
fn own_run(repo_var: &str, repo: &str, run_var: &str) -> Option<u64> {
    let here = std::env::var(repo_var).ok()?;
    if !here.eq_ignore_ascii_case(repo) {
        return None;
    }
    std::env::var(run_var).ok()?.parse().ok()
}

/// Waits for a command: a few quick retries, rate-limit waits no longer than the time
/// allowed (the timeout cuts them short anyway).
fn cli_tuning(limit: Duration) -> Tuning {
    Tuning {
        backoff_initial: Duration::from_millis(500),
        backoff_max: Duration::from_secs(5),
        max_attempts: 3,
        secondary_limit_wait: Duration::from_secs(10),
        max_rate_limit_wait: limit,
        request_timeout: Duration::from_secs(30).min(limit.max(Duration::from_secs(1))),
        ..Tuning::default()
    }
}

/// Warnings, and the API client's rate-limit waits, on stderr; `RUST_LOG` overrides.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,ciotel_core::poll=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .try_init();
}
