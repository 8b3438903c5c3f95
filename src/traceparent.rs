//! `ciotel traceparent`: the W3C `traceparent` of the current CI job (or step), computed from
//! the CI environment with the receivers' own id recipes ([`ciotel_cicd::ids`]), so a tool
//! inside a job puts its spans under the job's span with no state and no network.
//!
//! | platform | trace from | parent span from |
//! |---|---|---|
//! | GitHub Actions | `GITHUB_RUN_ID`, `GITHUB_RUN_ATTEMPT` | `--job-id` / `CIOTEL_JOB_ID` (`${{ job.check_run_id }}`), `--step`; none: the run's root span |
//! | GitLab CI | `CI_PIPELINE_ID` | `CI_JOB_ID` (or `--job-id`) |
//!
//! With `--change`, the traceparent of a *change*'s trace (its root span), from (provider,
//! repository id, change number) by the change recipe (`ciotel_cicd::change::ids`); see
//! `change_traceparent.rs`.
//!
//! Output: the bare value, `TRACEPARENT=…` (`--env`), or `--exec -- CMD ARGS`, which runs CMD
//! with `TRACEPARENT` set and exits with its exit code. A missing or malformed variable is
//! an error naming it, exit code 2.

use ciotel_cicd::IdRecipe;
use ciotel_cicd::ids::{JobKey, StepKey, traceparent};
use clap::{Args, ValueEnum};
use std::process::{Command, ExitCode};

/// Exit code for a usage error or a missing variable, as clap's own usage errors.
const USAGE: u8 = 2;

/// Print the W3C traceparent of this CI job (or step), for tools whose spans should land under
/// it: `export TRACEPARENT=$(ciotel traceparent)`.
#[derive(Args, Debug, Clone, Default)]
pub struct TraceparentArgs {
    /// Whose environment to read: `auto` looks at GITHUB_ACTIONS and GITLAB_CI.
    #[arg(long, value_enum, default_value_t = PlatformArg::Auto)]
    pub platform: PlatformArg,
    /// GitHub: the span id recipe, as the github receiver's `trace_id_recipe`.
    #[arg(long, value_enum, value_name = "RECIPE")]
    pub trace_id_recipe: Option<RecipeArg>,
    /// The job's id. GitHub: its check-run id, `${{ job.check_run_id }}` [default:
    /// $CIOTEL_JOB_ID]; without one the run's root span is the parent. GitLab: [default:
    /// $CI_JOB_ID].
    #[arg(long, value_name = "ID")]
    pub job_id: Option<String>,
    /// GitHub, `legacy` recipe only: the job's name as GitHub shows it [default:
    /// $CIOTEL_JOB_NAME].
    #[arg(long, value_name = "NAME")]
    pub job_name: Option<String>,
    /// GitHub: parent to this step's span instead of the job's (the step's name as GitHub
    /// shows it; the n-th repeat of a name is `NAME-n`).
    #[arg(long, value_name = "NAME")]
    pub step: Option<String>,
    /// GitHub, `legacy` recipe only: the step's number.
    #[arg(long, value_name = "N", requires = "step")]
    pub step_number: Option<u32>,
    /// Print the traceparent of a change's trace (pull / merge request) instead of a job's.
    #[arg(long)]
    pub change: bool,
    /// --change: whose change, `github` or `gitlab` [default: the CI platform detected].
    #[arg(long, value_enum, value_name = "PROVIDER", requires = "change")]
    pub provider: Option<PlatformArg>,
    /// --change: the repository's (GitLab: project's) numeric id [default:
    /// $GITHUB_REPOSITORY_ID, $CI_PROJECT_ID].
    #[arg(long, value_name = "N", requires = "change")]
    pub repo_id: Option<String>,
    /// --change: the pull request number (GitLab: merge request iid) [default: from
    /// GITHUB_REF `refs/pull/N/merge`, $CI_MERGE_REQUEST_IID].
    #[arg(long, value_name = "N", requires = "change", conflicts_with = "sha")]
    pub number: Option<String>,
    /// --change: a push straight to a protected branch: the pushed commit.
    #[arg(long, value_name = "REV", requires = "change")]
    pub sha: Option<String>,
    /// Print `TRACEPARENT=…`, for `>> "$GITHUB_ENV"` or a GitLab dotenv report.
    #[arg(long, conflicts_with = "exec")]
    pub env: bool,
    /// Run the command given after `--` with TRACEPARENT set, and exit with its exit code.
    #[arg(long)]
    pub exec: bool,
    /// The command (and its arguments) for --exec.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// `--platform`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlatformArg {
    /// GitHub Actions if GITHUB_ACTIONS=true, GitLab CI if GITLAB_CI=true.
    #[default]
    Auto,
    /// GitHub Actions.
    Github,
    /// GitLab CI.
    Gitlab,
}

/// `--trace-id-recipe` (GitHub).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipeArg {
    /// Job and step ids from the job's check-run id (the default).
    #[value(name = "check_run")]
    CheckRun,
    /// Job and step ids from run id, attempt and job name (the Collector's older recipe).
    #[value(name = "legacy")]
    Legacy,
}

/// Why no traceparent could be computed. Every one is the caller's to fix: exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceparentError {
    /// `--platform auto` and neither platform's marker variable is set.
    #[error(
        "cannot tell the CI platform: neither GITHUB_ACTIONS nor GITLAB_CI is `true` here; run \
         inside a CI job, or pass --platform github|gitlab"
    )]
    UnknownPlatform,
    /// `--platform auto` and both markers are set.
    #[error("both GITHUB_ACTIONS and GITLAB_CI are `true`: pass --platform github|gitlab")]
    AmbiguousPlatform,
    /// A variable the ids need is not set (or empty).
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable (or option).
        name: &'static str,
        /// What sets it.
        hint: &'static str,
    },
    /// A variable or option has a value the ids cannot use.
    #[error("{name}=`{value}` is not {expected}")]
    Invalid {
        /// The variable (or option).
        name: &'static str,
        /// Its value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// An option that does not apply to the platform or recipe.
    #[error("{0}")]
    NotApplicable(&'static str),
    /// `--exec` without a command, or a command without `--exec`.
    #[error("{0}")]
    Command(&'static str),
}

/// A computed traceparent, with what it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The W3C `traceparent` value.
    pub traceparent: String,
    /// Things the user should know (e.g. "no job id: parented to the run's root span").
    pub notes: Vec<&'static str>,
}

/// Runs `ciotel traceparent` in this process's environment: prints the value (or runs the
/// command) and returns the exit code.
pub fn run(args: &TraceparentArgs) -> ExitCode {
    let resolved = match resolve(args, |name| std::env::var(name).ok()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ciotel traceparent: {e}");
            return ExitCode::from(USAGE);
        }
    };
    for note in &resolved.notes {
        eprintln!("ciotel traceparent: {note}");
    }
    if args.exec {
        return exec(&args.command, &resolved.traceparent);
    }
    if args.env {
        println!("TRACEPARENT={}", resolved.traceparent);
    } else {
        println!("{}", resolved.traceparent);
    }
    ExitCode::SUCCESS
}

/// Computes the traceparent from `args` and the environment `env` (a variable's value, or
/// `None` when unset).
///
/// Exists apart from [`run`] so the computation can be tested with any environment.
pub fn resolve(
    args: &TraceparentArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Resolved, TraceparentError> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    if args.exec && args.command.is_empty() {
        return Err(TraceparentError::Command(
            "--exec needs a command after `--`, e.g. `ciotel traceparent --exec -- pytest`",
        ));
    }
    if !args.exec && !args.command.is_empty() {
        return Err(TraceparentError::Command(
            "a command after `--` needs --exec: `ciotel traceparent --exec -- CMD ARGS`",
        ));
    }
    if args.change {
        return crate::change_traceparent::resolve(args, env);
    }
    let platform = match args.platform {
        PlatformArg::Auto => {
            let github = env("GITHUB_ACTIONS").as_deref() == Some("true");
            let gitlab = env("GITLAB_CI").as_deref() == Some("true");
            match (github, gitlab) {
                (true, false) => PlatformArg::Github,
                (false, true) => PlatformArg::Gitlab,
                (true, true) => return Err(TraceparentError::AmbiguousPlatform),
                (false, false) => return Err(TraceparentError::UnknownPlatform),
            }
        }
        chosen => chosen,
    };
    match platform {
        PlatformArg::Gitlab => gitlab(args, env),
        _ => github(args, env),
    }
}

fn github(
    args: &TraceparentArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Resolved, TraceparentError> {
    let recipe = match args.trace_id_recipe {
        Some(RecipeArg::Legacy) => IdRecipe::Legacy,
        Some(RecipeArg::CheckRun) | None => IdRecipe::CheckRun,
    };
    let run_id = number(
        "GITHUB_RUN_ID",
        env("GITHUB_RUN_ID"),
        "GitHub Actions sets it in every job",
    )?;
    let attempt_text = number(
        "GITHUB_RUN_ATTEMPT",
        env("GITHUB_RUN_ATTEMPT"),
        "GitHub Actions sets it in every job",
    )?;
    let attempt = attempt_text
        .parse::<u32>()
        .ok()
        .filter(|a| *a >= 1)
        .ok_or_else(|| TraceparentError::Invalid {
            name: "GITHUB_RUN_ATTEMPT",
            value: attempt_text.clone(),
            expected: "an attempt number from 1",
        })?;
    let trace = recipe.trace_id(&run_id, attempt);
    let job_id = match &args.job_id {
        Some(id) => Some(number("--job-id", Some(id.clone()), "")?),
        None => match env("CIOTEL_JOB_ID") {
            Some(id) => Some(number("CIOTEL_JOB_ID", Some(id), "")?),
            None => None,
        },
    };
    let job_name = args
        .job_name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| env("CIOTEL_JOB_NAME"));
    // What identifies the job for this recipe; without it, the run's root span.
    let identified = match recipe {
        IdRecipe::Legacy => job_name.is_some(),
        _ => job_id.is_some(),
    };
    if !identified {
        if args.step.is_some() {
            return Err(match recipe {
                IdRecipe::Legacy => TraceparentError::Missing {
                    name: "CIOTEL_JOB_NAME",
                    hint: "--step needs the job: pass --job-name (the job's name as GitHub shows it)",
                },
                _ => TraceparentError::Missing {
                    name: "CIOTEL_JOB_ID",
                    hint: "--step needs the job: pass --job-id or set CIOTEL_JOB_ID from \
                           ${{ job.check_run_id }}",
                },
            });
        }
        let note = match recipe {
            IdRecipe::Legacy => {
                "no job name (--job-name or CIOTEL_JOB_NAME): the traceparent points at the \
                 run's root span, so spans land under the run, not under this job"
            }
            _ => {
                "no job id (--job-id or CIOTEL_JOB_ID, from ${{ job.check_run_id }}): the \
                 traceparent points at the run's root span, so spans land under the run, not \
                 under this job"
            }
        };
        return Ok(Resolved {
            traceparent: traceparent(trace, recipe.root_span_id(&run_id, attempt)),
            notes: vec![note],
        });
    }
    let job = JobKey {
        run_id: &run_id,
        run_attempt: attempt,
        job_id: job_id.as_deref().unwrap_or(""),
        job_name: job_name.as_deref().unwrap_or(""),
    };
    let parent = match &args.step {
        None => {
            if args.step_number.is_some() {
                return Err(TraceparentError::NotApplicable(
                    "--step-number needs --step",
                ));
            }
            recipe.job_span_id(&job)
        }
        Some(step) => {
            if recipe == IdRecipe::Legacy && args.step_number.is_none() {
                return Err(TraceparentError::NotApplicable(
                    "the legacy recipe numbers steps: pass --step-number with --step",
                ));
            }
            let key = StepKey {
                name: step,
                occurrence: 0,
                number: args.step_number,
            };
            recipe.step_span_id(&job, &key)
        }
    };
    Ok(Resolved {
        traceparent: traceparent(trace, parent),
        notes: Vec::new(),
    })
}

fn gitlab(
    args: &TraceparentArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Resolved, TraceparentError> {
    if args.trace_id_recipe.is_some() {
        return Err(TraceparentError::NotApplicable(
            "--trace-id-recipe is for GitHub: GitLab ids have one recipe",
        ));
    }
    if args.step.is_some() || args.step_number.is_some() || args.job_name.is_some() {
        return Err(TraceparentError::NotApplicable(
            "GitLab reports no steps and its job spans are named by id: --step, --step-number \
             and --job-name are for GitHub",
        ));
    }
    let recipe = IdRecipe::Gitlab;
    let pipeline = number(
        "CI_PIPELINE_ID",
        env("CI_PIPELINE_ID"),
        "GitLab CI sets it in every job",
    )?;
    let job_id = match &args.job_id {
        Some(id) => number("--job-id", Some(id.clone()), "")?,
        None => number(
            "CI_JOB_ID",
            env("CI_JOB_ID"),
            "GitLab CI sets it in every job",
        )?,
    };
    let job = JobKey {
        run_id: &pipeline,
        run_attempt: 1,
        job_id: &job_id,
        job_name: "",
    };
    Ok(Resolved {
        traceparent: traceparent(recipe.trace_id(&pipeline, 1), recipe.job_span_id(&job)),
        notes: Vec::new(),
    })
}

/// A platform id: decimal digits, as GitHub and GitLab hand them out.
pub(crate) fn number(
    name: &'static str,
    value: Option<String>,
    hint: &'static str,
) -> Result<String, TraceparentError> {
    let Some(value) = value else {
        return Err(TraceparentError::Missing { name, hint });
    };
    let trimmed = value.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TraceparentError::Invalid {
            name,
            value,
            expected: "a number",
        });
    }
    Ok(trimmed.to_owned())
}

/// Runs `command` with `TRACEPARENT` set. On Unix the command replaces this process, so its
/// exit code and signals are the command's own; elsewhere it is waited for.
fn exec(command: &[String], value: &str) -> ExitCode {
    let Some((program, rest)) = command.split_first() else {
        return ExitCode::from(USAGE);
    };
    let mut cmd = Command::new(program);
    cmd.args(rest).env("TRACEPARENT", value);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = cmd.exec();
        eprintln!("ciotel traceparent: cannot run `{program}`: {error}");
        // The shell's conventions: 127 not found, 126 found but not runnable.
        ExitCode::from(if error.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            126
        })
    }
    #[cfg(not(unix))]
    {
        match cmd.status() {
            Ok(status) => ExitCode::from(status.code().map_or(1, |c| (c & 0xff) as u8)),
            Err(error) => {
                eprintln!("ciotel traceparent: cannot run `{program}`: {error}");
                ExitCode::from(if error.kind() == std::io::ErrorKind::NotFound {
                    127
                } else {
                    126
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciotel_cicd::ids::{root_span_id, trace_id};
    use opentelemetry_proto::tonic::trace::v1::Span;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn github_env(job: Option<&str>) -> Vec<(&'static str, String)> {
        let mut vars = vec![
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("GITHUB_RUN_ID", "14460881260".to_owned()),
            ("GITHUB_RUN_ATTEMPT", "13".to_owned()),
        ];
        if let Some(job) = job {
            vars.push(("CIOTEL_JOB_ID", job.to_owned()));
        }
        vars
    }

    fn resolve_in(
        args: &TraceparentArgs,
        vars: &[(&str, String)],
    ) -> Result<Resolved, TraceparentError> {
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        resolve(args, env(&pairs))
    }

    fn fixture(path: &str) -> Vec<u8> {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures")
            .join(path);
        std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    }

    /// The spans the github receiver emits for a `workflow_job` fixture.
    fn receiver_spans(path: &str, recipe: IdRecipe) -> Vec<Span> {
        let event = ciotel_github::map_webhook("workflow_job", &fixture(path))
            .expect("fixture maps")
            .expect("fixture is an event");
        ciotel_cicd::translate(&event, recipe)
            .into_iter()
            .flat_map(|r| r.scope_spans)
            .flat_map(|s| s.spans)
            .collect()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn parent_of(tp: &str) -> (String, String) {
        let parts: Vec<&str> = tp.split('-').collect();
        assert_eq!(parts.len(), 4, "{tp}");
        assert_eq!((parts[0], parts[3]), ("00", "01"), "{tp}");
        (parts[1].to_owned(), parts[2].to_owned())
    }

    #[test]
    fn github_ids_are_the_ones_the_receiver_emits_for_the_fixture_job() {
        // Run 14460881260 attempt 13, job 40685651258 "test (1.23)", 8 steps.
        let path = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
        let spans = receiver_spans(path, IdRecipe::CheckRun);
        let job = &spans[0];
        let vars = github_env(Some("40685651258"));
        let got = resolve_in(&TraceparentArgs::default(), &vars).unwrap();
        assert!(got.notes.is_empty());
        assert_eq!(
            parent_of(&got.traceparent),
            (hex(&job.trace_id), hex(&job.span_id))
        );
        // Every step span, by its name.
        let steps: Vec<&Span> = spans
            .iter()
            .filter(|s| s.parent_span_id == job.span_id)
            .collect();
        assert!(steps.len() >= 8, "{} steps", steps.len());
        for step in steps.iter().filter(|s| s.name != "queue") {
            let args = TraceparentArgs {
                step: Some(step.name.clone()),
                ..Default::default()
            };
            let got = resolve_in(&args, &vars).unwrap();
            assert_eq!(
                parent_of(&got.traceparent).1,
                hex(&step.span_id),
                "{}",
                step.name
            );
        }
    }

    #[test]
    fn the_legacy_recipe_matches_the_receiver_too() {
        let path = "otel-contrib/githubreceiver/workflow-job-completed.67dbedeb.json";
        let spans = receiver_spans(path, IdRecipe::Legacy);
        let job = &spans[0];
        assert_eq!(hex(&job.span_id), "e68a36b3514c8634");
        let vars = github_env(None);
        let args = TraceparentArgs {
            trace_id_recipe: Some(RecipeArg::Legacy),
            job_name: Some("test (1.23)".into()),
            ..Default::default()
        };
        let got = resolve_in(&args, &vars).unwrap();
        assert_eq!(parent_of(&got.traceparent).1, "e68a36b3514c8634");
        let step = spans.iter().find(|s| s.name == "Set up job").expect("step");
        let args = TraceparentArgs {
            step: Some("Set up job".into()),
            step_number: Some(1),
            ..args
        };
        let got = resolve_in(&args, &vars).unwrap();
        assert_eq!(parent_of(&got.traceparent).1, hex(&step.span_id));
    }

    #[test]
    fn without_a_job_id_the_root_span_is_the_parent_and_a_note_says_so() {
        let got = resolve_in(&TraceparentArgs::default(), &github_env(None)).unwrap();
        assert_eq!(
            got.traceparent,
            traceparent(trace_id("14460881260", 13), root_span_id("14460881260", 13))
        );
        assert_eq!(
            got.traceparent,
            "00-731ec8a47fd7450f753a812a4a8aa5a0-aba151af7cfbcf0f-01"
        );
        assert_eq!(got.notes.len(), 1);
        assert!(got.notes[0].contains("root span"), "{}", got.notes[0]);
    }

    #[test]
    fn the_option_wins_over_the_variable() {
        let args = TraceparentArgs {
            job_id: Some("41546348818".into()),
            ..Default::default()
        };
        let got = resolve_in(&args, &github_env(Some("1"))).unwrap();
        assert_eq!(parent_of(&got.traceparent).1, "fb6779d8c7b7c66c");
    }

    #[test]
    fn gitlab_ids_follow_the_gitlab_recipe() {
        let vars = [
            ("GITLAB_CI", "true".to_owned()),
            ("CI_PIPELINE_ID", "743121198".to_owned()),
            ("CI_JOB_ID", "3580121225".to_owned()),
        ];
        let got = resolve_in(&TraceparentArgs::default(), &vars).unwrap();
        let recipe = IdRecipe::Gitlab;
        let job = JobKey {
            run_id: "743121198",
            run_attempt: 1,
            job_id: "3580121225",
            job_name: "",
        };
        assert_eq!(
            got.traceparent,
            traceparent(recipe.trace_id("743121198", 1), recipe.job_span_id(&job))
        );
        assert_eq!(
            parent_of(&got.traceparent).0,
            "1753c00632db6eadd4e4695f66cb6fe6"
        );
        let step = TraceparentArgs {
            step: Some("x".into()),
            ..Default::default()
        };
        assert!(matches!(
            resolve_in(&step, &vars),
            Err(TraceparentError::NotApplicable(_))
        ));
    }

    #[test]
    fn missing_and_malformed_variables_are_named() {
        let args = TraceparentArgs::default();
        let err = |vars: &[(&str, String)]| resolve_in(&args, vars).unwrap_err().to_string();
        assert!(err(&[]).contains("neither GITHUB_ACTIONS nor GITLAB_CI"));
        let both = [
            ("GITHUB_ACTIONS", "true".into()),
            ("GITLAB_CI", "true".into()),
        ];
        assert!(err(&both).contains("--platform"));
        let mut vars = github_env(Some("5"));
        vars.retain(|(k, _)| *k != "GITHUB_RUN_ATTEMPT");
        assert_eq!(
            err(&vars),
            "GITHUB_RUN_ATTEMPT is not set: GitHub Actions sets it in every job"
        );
        let mut vars = github_env(Some("5"));
        vars[1].1 = String::new();
        assert!(
            err(&vars).starts_with("GITHUB_RUN_ID is not set"),
            "{}",
            err(&vars)
        );
        let vars = github_env(Some("${{ job.check_run_id }}"));
        assert_eq!(
            err(&vars),
            "CIOTEL_JOB_ID=`${{ job.check_run_id }}` is not a number"
        );
        let mut vars = github_env(None);
        vars[2].1 = "0".into();
        assert!(err(&vars).contains("an attempt number from 1"));
        let gitlab = [("GITLAB_CI", "true".into()), ("CI_PIPELINE_ID", "7".into())];
        assert_eq!(
            err(&gitlab),
            "CI_JOB_ID is not set: GitLab CI sets it in every job"
        );
        let no_command = TraceparentArgs {
            exec: true,
            ..Default::default()
        };
        assert!(matches!(
            resolve_in(&no_command, &github_env(None)),
            Err(TraceparentError::Command(_))
        ));
    }

    #[test]
    fn clap_parses_the_documented_forms() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: TraceparentArgs,
        }
        let cli = Cli::try_parse_from([
            "t",
            "--platform",
            "github",
            "--trace-id-recipe",
            "check_run",
            "--step",
            "Run tests",
            "--exec",
            "--",
            "pytest",
            "-x",
            "--otel-session-name=a b",
        ])
        .unwrap();
        assert_eq!(cli.args.platform, PlatformArg::Github);
        assert_eq!(cli.args.trace_id_recipe, Some(RecipeArg::CheckRun));
        assert!(cli.args.exec);
        assert_eq!(
            cli.args.command,
            ["pytest", "-x", "--otel-session-name=a b"]
        );
        assert!(Cli::try_parse_from(["t", "--env", "--exec", "--", "x"]).is_err());
        assert!(Cli::try_parse_from(["t", "--step-number", "3"]).is_err());
        assert!(Cli::try_parse_from(["t", "--trace-id-recipe", "gitlab"]).is_err());
    }
}
