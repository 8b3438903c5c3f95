//! Renderer tests on translated events judged by the processor: rows, owners and bars, the
//! verdict lines, colour only when asked, and JSON.

use crate::event::{CiEvent, CiResult};
use crate::ownership::tests::support::*;
use crate::render::{RenderOptions, render};

const STEPS: &[&str] = &[
    "Set up job",
    "Run actions/checkout@v4",
    "Run make test",
    "Complete job",
];

fn text(events: &[CiEvent], color: bool) -> String {
    let mut g = spans(events);
    processor("").process(&mut g);
    render(
        &g,
        &RenderOptions {
            color,
            bar_width: 20,
        },
    )
}

fn failed(id: &str, name: &str, failing: &str) -> CiEvent {
    CiEvent::Job(job(
        "github",
        id,
        name,
        CiResult::Failure,
        steps(STEPS, &[(failing, Some(CiResult::Failure))]),
        true,
    ))
}

#[test]
fn a_change_that_failed() {
    let out = text(
        &[
            CiEvent::Run(run("github", CiResult::Failure)),
            failed("1", "test", "Run make test"),
        ],
        false,
    );
    let expected = "\
RUN CI — run 1, attempt 1 — acme/app — 1970-01-01T00:01:30Z
                                                   0s             5m10s
RUN CI                       application   5m10s ✗ ████████████████████
  test                       application   1m10s ✗ ██████
    queue                    platform        10s   ██
    Set up job               platform        10s    ██
    Run actions/checkout@v4  platform        10s     ██
    Run make test            application     10s ✗    █
    Complete job             platform        10s      ██
FAILED — your change: job \"test\" failed in \"Run make test\"
";
    assert_eq!(out, expected, "\n{out}");
}

#[test]
fn mixed_failures_list_every_job() {
    let out = text(
        &[
            CiEvent::Run(run("github", CiResult::Failure)),
            failed("1", "build", "Set up job"),
            failed("2", "test", "Run make test"),
        ],
        false,
    );
    let tail: Vec<&str> = out.lines().rev().take(3).collect();
    assert_eq!(
        tail,
        [
            "  your change  job \"test\" failed in \"Run make test\"",
            "  platform     job \"build\" failed in \"Set up job\"",
            "FAILED — mixed: 1 job failed on the platform, 1 job by your change",
        ],
        "\n{out}"
    );
}

#[test]
fn colour_only_when_asked() {
    let events = [failed("1", "test", "Run make test")];
    assert!(!text(&events, false).contains('\x1b'));
    let coloured = text(&events, true);
    assert!(coloured.contains("\x1b[1;31mFAILING\x1b[0m"), "{coloured}");
    assert!(coloured.contains("\x1b[36mplatform"), "{coloured}");
}

#[test]
fn a_lone_job_batch_is_failing_and_a_passed_run_passes() {
    let out = text(&[failed("1", "test", "Run make test")], false);
    assert!(out.starts_with("trace "), "{out}");
    assert!(
        out.ends_with("FAILING — your change: job \"test\" failed in \"Run make test\"\n"),
        "{out}"
    );
    let out = text(&[CiEvent::Run(run("github", CiResult::Success))], false);
    assert!(out.ends_with("\nPASSED\n"), "{out}");
}

#[test]
fn json_verdicts() {
    let mut g = spans(&[
        CiEvent::Run(run("github", CiResult::Failure)),
        failed("1", "build", "Set up job"),
    ]);
    processor("").process(&mut g);
    let forest = crate::ownership::tree::Forest::build(&g);
    let runs = crate::render::RunView::all(&forest);
    let refs: Vec<_> = runs.iter().collect();
    let json: serde_json::Value =
        serde_json::from_str(&crate::render::json::verdicts_json(&forest, &refs))
            .unwrap_or_default();
    assert_eq!(json[0]["outcome"], "failed");
    assert_eq!(json[0]["verdict"]["owner"], "platform");
    assert_eq!(json[0]["verdict"]["span"], "Set up job");
    assert_eq!(json[0]["failed_jobs"][0]["rule"], "failing_step");
    assert_eq!(
        json[0]["line"],
        "FAILED — platform: job \"build\" failed in \"Set up job\""
    );
}
