//! `ciotel traceparent --change`: the W3C `traceparent` of a change's trace (its root span),
//! so a tool — or a job of the change's own pipeline — can put spans into the change's path to
//! production. The ids come from (provider, repository id, change number) alone
//! (`ciotel_cicd::change::ids`), as the receivers compute them.
//!
//! | fact | option | default in a CI job |
//! |---|---|---|
//! | provider | `--provider github\|gitlab` | the platform detected (`--platform`) |
//! | repository id | `--repo-id N` | `GITHUB_REPOSITORY_ID`, `CI_PROJECT_ID` |
//! | change number | `--number N` (or `--sha REV` for a direct push) | `GITHUB_REF` = `refs/pull/N/merge`, `CI_MERGE_REQUEST_IID` |

use ciotel_cicd::change::ChangeNumber;
use ciotel_cicd::change::ids::ChangeIds;
use ciotel_cicd::ids::traceparent;

use crate::traceparent::{PlatformArg, Resolved, TraceparentArgs, TraceparentError, number};

/// Computes the change trace's traceparent from `args` and the environment `env` (already
/// reading empty as unset).
pub fn resolve(
    args: &TraceparentArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Resolved, TraceparentError> {
    if args.job_id.is_some() || args.step.is_some() || args.job_name.is_some() {
        return Err(TraceparentError::NotApplicable(
            "--change points at a change's root span: --job-id, --job-name and --step are for \
             a job's traceparent",
        ));
    }
    let chosen = args.provider.unwrap_or(args.platform);
    let provider = match chosen {
        PlatformArg::Github => PlatformArg::Github,
        PlatformArg::Gitlab => PlatformArg::Gitlab,
        PlatformArg::Auto => {
            let github = env("GITHUB_ACTIONS").as_deref() == Some("true");
            let gitlab = env("GITLAB_CI").as_deref() == Some("true");
            match (github, gitlab) {
                (true, false) => PlatformArg::Github,
                (false, true) => PlatformArg::Gitlab,
                (true, true) => return Err(TraceparentError::AmbiguousPlatform),
                (false, false) => {
                    return Err(TraceparentError::Missing {
                        name: "--provider",
                        hint: "outside a CI job, say whose change it is: --provider github|gitlab",
                    });
                }
            }
        }
    };
    let (name, repo_var, hint) = match provider {
        PlatformArg::Gitlab => (
            "gitlab",
            "CI_PROJECT_ID",
            "pass --repo-id (the project's id)",
        ),
        _ => (
            "github",
            "GITHUB_REPOSITORY_ID",
            "pass --repo-id (the repository's numeric id)",
        ),
    };
    let repo_id = match &args.repo_id {
        Some(id) => number("--repo-id", Some(id.clone()), "")?,
        None => number(repo_var, env(repo_var), hint)?,
    };
    let change = match (&args.sha, &args.number) {
        (Some(sha), _) => {
            let sha = sha.trim();
            if sha.len() < 7 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(TraceparentError::Invalid {
                    name: "--sha",
                    value: sha.to_owned(),
                    expected: "a commit id (hex)",
                });
            }
            ChangeNumber::Push(sha.to_ascii_lowercase())
        }
        (None, Some(n)) => ChangeNumber::Number(parse(number("--number", Some(n.clone()), "")?)?),
        (None, None) => ChangeNumber::Number(parse(default_number(provider, &env)?)?),
    };
    let ids = ChangeIds::new(name, &repo_id, &change);
    Ok(Resolved {
        traceparent: traceparent(ids.trace_id(), ids.root_span_id()),
        notes: Vec::new(),
    })
}

fn default_number(
    provider: PlatformArg,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<String, TraceparentError> {
    match provider {
        PlatformArg::Gitlab => number(
            "CI_MERGE_REQUEST_IID",
            env("CI_MERGE_REQUEST_IID"),
            "set in merge request pipelines only; elsewhere pass --number",
        ),
        _ => {
            let reference = env("GITHUB_REF").ok_or(TraceparentError::Missing {
                name: "--number",
                hint: "pass the pull request's number (GITHUB_REF names one only in \
                       pull_request workflows)",
            })?;
            let n = reference
                .strip_prefix("refs/pull/")
                .and_then(|r| r.split('/').next())
                .map(str::to_owned);
            number("GITHUB_REF", n.or(Some(reference)), "")
        }
    }
}

fn parse(digits: String) -> Result<u64, TraceparentError> {
    digits.parse().map_err(|_| TraceparentError::Invalid {
        name: "--number",
        value: digits,
        expected: "a change number",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(f: impl FnOnce(&mut TraceparentArgs)) -> TraceparentArgs {
        let mut a = TraceparentArgs {
            change: true,
            ..TraceparentArgs::default()
        };
        f(&mut a);
        a
    }

    #[test]
    fn from_options_and_from_the_ci_environment() {
        let want = {
            let ids = ChangeIds::new("github", "186853002", &ChangeNumber::Number(2));
            traceparent(ids.trace_id(), ids.root_span_id())
        };
        let given = args(|a| {
            a.provider = Some(PlatformArg::Github);
            a.repo_id = Some("186853002".into());
            a.number = Some("2".into());
        });
        assert_eq!(
            resolve(&given, |_| None).map(|r| r.traceparent),
            Ok(want.clone())
        );
        let env = |name: &str| match name {
            "GITHUB_ACTIONS" => Some("true".to_owned()),
            "GITHUB_REPOSITORY_ID" => Some("186853002".to_owned()),
            "GITHUB_REF" => Some("refs/pull/2/merge".to_owned()),
            _ => None,
        };
        assert_eq!(resolve(&args(|_| {}), env).map(|r| r.traceparent), Ok(want));
        let gitlab = |name: &str| match name {
            "GITLAB_CI" => Some("true".to_owned()),
            "CI_PROJECT_ID" => Some("30".to_owned()),
            "CI_MERGE_REQUEST_IID" => Some("7".to_owned()),
            _ => None,
        };
        let ids = ChangeIds::new("gitlab", "30", &ChangeNumber::Number(7));
        assert_eq!(
            resolve(&args(|_| {}), gitlab).map(|r| r.traceparent),
            Ok(traceparent(ids.trace_id(), ids.root_span_id()))
        );
    }

    #[test]
    fn what_is_missing_is_named() {
        let e = resolve(&args(|_| {}), |_| None).unwrap_err();
        assert!(e.to_string().contains("--provider"), "{e}");
        let e = resolve(
            &args(|a| {
                a.provider = Some(PlatformArg::Github);
                a.repo_id = Some("1".into());
            }),
            |_| None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("--number"), "{e}");
        let e = resolve(
            &args(|a| {
                a.provider = Some(PlatformArg::Gitlab);
                a.repo_id = Some("x".into());
                a.number = Some("1".into());
            }),
            |_| None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("--repo-id"), "{e}");
    }
}
