//! The sections of a GitLab job log → the job's runner phases as steps.
//!
//! GitLab Runner wraps each stage of a job in markers, each on a line of its own, preceded
//! and followed by `\r\x1b[0K`:
//!
//! ```text
//! \x1b[0Ksection_start:1700000000:prepare_executor\r\x1b[0KPreparing the "docker" executor
//! …
//! \x1b[0Ksection_end:1700000004:prepare_executor\r\x1b[0K
//! ```
//!
//! with the time in Unix seconds and, on a start, optional `[collapsed=true]`-style options
//! after the name. The runner's stages are `resolve_secrets`, `prepare_executor`,
//! `prepare_script`, `get_sources`, `clear_worktree`, `restore_cache`, `download_artifacts`,
//! `step_script` (or `step_<name>`, `build_script` on older runners), `after_script`,
//! `archive_cache[_on_failure]`, `upload_artifacts_on_success|failure` and
//! `cleanup_file_variables`; the GitLab pack owns them by name. Jobs' scripts may open their
//! own sections inside `step_script`: only top-level sections become steps, so a phase's
//! time is never counted twice. A section that never ends (the log was cut, the runner
//! died) ends with the job.

use ciotel_cicd::Attribute;
use ciotel_cicd::semconv;
use ciotel_cicd::{Phase, Step, Timestamp};

/// The `ciotel.step.source` of steps read from a job log.
pub const SOURCE: &str = ciotel_cicd::ownership::verdict::JOB_LOG_SOURCE;

/// One top-level section of a job log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The section's name (`get_sources`).
    pub name: String,
    /// When it started, Unix seconds.
    pub start: i64,
    /// When it ended, Unix seconds; `None` when its end is not in the log.
    pub end: Option<i64>,
}

/// A marker found in a log.
#[derive(Debug, PartialEq, Eq)]
enum Marker<'a> {
    Start(i64, &'a str),
    End(i64, &'a str),
}

/// The top-level sections of `log`, in order.
pub fn sections(log: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    // Names of the sections open, outermost first.
    let mut open: Vec<&str> = Vec::new();
    for marker in markers(log) {
        match marker {
            Marker::Start(ts, name) => {
                if open.is_empty() {
                    out.push(Section {
                        name: name.to_owned(),
                        start: ts,
                        end: None,
                    });
                }
                open.push(name);
            }
            Marker::End(ts, name) => {
                // An end closes the innermost open section of that name, and any left open
                // inside it; an end of nothing open is ignored.
                let Some(depth) = open.iter().rposition(|n| *n == name) else {
                    continue;
                };
                open.truncate(depth);
                if depth == 0 {
                    if let Some(last) = out.last_mut().filter(|s| s.name == name) {
                        last.end = Some(ts);
                    }
                }
            }
        }
    }
    out
}

/// Every section marker of `log`, in order.
fn markers(log: &str) -> Vec<Marker<'_>> {
    let mut out = Vec::new();
    let mut rest = log;
    while let Some(at) = rest.find("section_") {
        let after = &rest[at + "section_".len()..];
        let (start, body) = if let Some(b) = after.strip_prefix("start:") {
            (true, b)
        } else if let Some(b) = after.strip_prefix("end:") {
            (false, b)
        } else {
            rest = after;
            continue;
        };
        rest = body;
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        let Some(name_part) = body[digits..].strip_prefix(':').filter(|_| digits > 0) else {
            continue;
        };
        let Ok(ts) = body[..digits].parse::<i64>() else {
            continue;
        };
        let name_len = name_part
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &name_part[..name_len];
        out.push(if start {
            Marker::Start(ts, name)
        } else {
            Marker::End(ts, name)
        });
        rest = &name_part[name_len..];
    }
    out
}

/// The sections as steps of a completed job: numbered in order, each from its start to its
/// end (open ones end with the job, as the translator clamps them), no result of their own
/// (the markers do not say one), `ciotel.step.source = job_log`.
pub fn steps(sections: &[Section]) -> Vec<Step> {
    sections
        .iter()
        .enumerate()
        .map(|(i, s)| Step {
            name: s.name.clone(),
            number: u32::try_from(i + 1).ok(),
            phase: Phase::Completed,
            result: None,
            result_detail: None,
            started_at: seconds(s.start),
            completed_at: s.end.and_then(seconds),
            attributes: vec![Attribute::new(semconv::CIOTEL_STEP_SOURCE, SOURCE)],
        })
        .collect()
}

fn seconds(s: i64) -> Option<Timestamp> {
    let nanos = u64::try_from(s).ok()?.checked_mul(1_000_000_000)?;
    Some(Timestamp::from_unix_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAR: &str = "\x1b[0K";

    fn start(ts: i64, name: &str, opts: &str) -> String {
        format!("{CLEAR}section_start:{ts}:{name}{opts}\r{CLEAR}")
    }

    fn end(ts: i64, name: &str) -> String {
        format!("{CLEAR}section_end:{ts}:{name}\r{CLEAR}")
    }

    #[test]
    fn runner_phases_in_order_with_their_times() {
        let log = [
            "Running with gitlab-runner 17.5.0 (abc123)\n".to_owned(),
            start(100, "prepare_executor", "[collapsed=true]"),
            "\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m\n".to_owned(),
            end(104, "prepare_executor"),
            "\n".to_owned(),
            start(104, "get_sources", ""),
            "Fetching changes with git depth set to 20...\n".to_owned(),
            end(107, "get_sources"),
            "\n".to_owned(),
            start(107, "step_script", ""),
            "$ make test\n".to_owned(),
            // A section of the job's own script, inside step_script.
            start(108, "unit_tests", "[collapsed=false]"),
            "ok\n".to_owned(),
            end(120, "unit_tests"),
            end(130, "step_script"),
            start(130, "upload_artifacts_on_failure", ""),
            "Uploading artifacts for failed job\n".to_owned(),
            "ERROR: Job failed: exit code 1\n".to_owned(),
        ]
        .concat();
        let got = sections(&log);
        let want = [
            ("prepare_executor", 100, Some(104)),
            ("get_sources", 104, Some(107)),
            ("step_script", 107, Some(130)),
            ("upload_artifacts_on_failure", 130, None),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (s, (name, start, end)) in got.iter().zip(want) {
            assert_eq!((s.name.as_str(), s.start, s.end), (name, start, end));
        }
        let steps = steps(&got);
        assert_eq!(steps[2].name, "step_script");
        assert_eq!(steps[2].number, Some(3));
        assert_eq!(steps[2].started_at, seconds(107));
        assert_eq!(steps[2].completed_at, seconds(130));
        assert_eq!(steps[3].completed_at, None);
        assert!(
            steps[0]
                .attributes
                .contains(&Attribute::new(semconv::CIOTEL_STEP_SOURCE, SOURCE))
        );
    }

    #[test]
    fn broken_markers_are_ignored() {
        let log = "section_start::x\rsection_start:12:\rsection_end:5:never_opened\r\
                   section_start:abc:y\rtext section_ more\rsection_start:7:ok\r";
        assert_eq!(
            sections(log),
            vec![Section {
                name: "ok".into(),
                start: 7,
                end: None
            }]
        );
        assert!(sections("").is_empty());
    }

    #[test]
    fn an_end_closes_sections_left_open_inside_it() {
        let log = [
            start(1, "step_script", ""),
            start(2, "inner", ""),
            end(9, "step_script"),
            start(9, "after_script", ""),
            end(10, "after_script"),
        ]
        .concat();
        let got = sections(&log);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].end, Some(9));
        assert_eq!(got[1].name, "after_script");
    }
}
