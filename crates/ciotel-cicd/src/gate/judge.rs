//! Who made a failed run fail, from the events a platform's API gave for it (the run and its
//! jobs with their steps): the same path the daemon takes — [`translate_all`], the
//! `cicd_ownership` processor, the run's verdict as `ciotel explain` words it — so the gate
//! never judges differently from the traces.

use crate::ownership::{FailureOwner, OwnershipProcessor};
use crate::render::RunView;
use crate::render::run::Outcome;
use crate::render::verdict_line::{owner_phrase, verdict_text};
use crate::{CiEvent, IdRecipe, translate_all};

use super::path::RunJudgement;
use crate::ownership::tree::Forest;

/// The verdict on the failed run among `events` (one run attempt and its jobs), judged by
/// `ownership`. `None` when the events hold no failed run.
pub fn judge_run(
    events: &[CiEvent],
    recipe: IdRecipe,
    ownership: &OwnershipProcessor,
) -> Option<RunJudgement> {
    let mut groups = translate_all(events, recipe);
    ownership.process(&mut groups);
    let forest = Forest::build(&groups);
    let run = RunView::all(&forest)
        .into_iter()
        .find(|r| matches!(r.outcome, Outcome::Failed | Outcome::Failing))?;
    let verdict = run.verdict.as_ref()?;
    let text = verdict_text(&run);
    let prefix = format!(" — {}: ", owner_phrase(verdict.owner));
    let what = text
        .rest
        .strip_prefix(&prefix)
        .map(str::to_owned)
        .unwrap_or_else(|| text.rest.trim_start_matches(" — ").to_owned());
    Some(RunJudgement {
        owner: verdict.owner,
        what,
    })
}

/// A failed run whose jobs could not be read: nobody can tell whose side failed.
pub fn unjudged(reason: &str) -> RunJudgement {
    RunJudgement {
        owner: FailureOwner::Unknown,
        what: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ownership::OwnershipConfig;
    use crate::{CiResult, Job, Phase, PipelineRun, RunRef, Step, Timestamp, Vcs};

    fn at(secs: u64) -> Option<Timestamp> {
        Some(Timestamp::from_unix_nanos(
            1_700_000_000_000_000_000 + secs * 1_000_000_000,
        ))
    }

    fn run_ref() -> RunRef {
        RunRef {
            run_id: "42".into(),
            attempt: 1,
            pipeline_name: Some("Deploy".into()),
            vcs: Vcs {
                provider: Some("github".into()),
                repository_full_name: Some("acme/shop".into()),
                ..Vcs::default()
            },
        }
    }

    fn run() -> CiEvent {
        CiEvent::Run(PipelineRun {
            run: run_ref(),
            url: None,
            phase: Phase::Completed,
            result: Some(CiResult::Failure),
            result_detail: None,
            created_at: at(0),
            started_at: at(1),
            completed_at: at(100),
            trigger_event: None,
            actor: None,
            previous_attempt: None,
            attributes: Vec::new(),
        })
    }

    fn step(name: &str, n: u32, result: CiResult) -> Step {
        Step {
            name: name.into(),
            number: Some(n),
            phase: Phase::Completed,
            result: Some(result),
            result_detail: None,
            started_at: at(10 + u64::from(n)),
            completed_at: at(11 + u64::from(n)),
            attributes: Vec::new(),
        }
    }

    fn job(steps: Vec<Step>) -> CiEvent {
        CiEvent::Job(Job {
            run: run_ref(),
            id: "7".into(),
            name: "deploy".into(),
            stage: None,
            url: None,
            phase: Phase::Completed,
            result: Some(CiResult::Failure),
            result_detail: None,
            created_at: at(2),
            started_at: at(5),
            completed_at: at(90),
            runner: None,
            steps,
            attributes: Vec::new(),
        })
    }

    #[test]
    fn a_failed_setup_step_is_the_platforms() {
        let ownership = OwnershipProcessor::new(OwnershipConfig::default());
        let events = [run(), job(vec![step("Set up job", 1, CiResult::Failure)])];
        let j = judge_run(&events, IdRecipe::CheckRun, &ownership);
        assert_eq!(
            j,
            Some(RunJudgement {
                owner: FailureOwner::Platform,
                what: "job \"deploy\" failed in \"Set up job\"".into(),
            })
        );
    }

    #[test]
    fn a_failed_script_is_the_changes() {
        let ownership = OwnershipProcessor::new(OwnershipConfig::default());
        let events = [
            run(),
            job(vec![
                step("Set up job", 1, CiResult::Success),
                step("Run make deploy", 2, CiResult::Failure),
            ]),
        ];
        let j = judge_run(&events, IdRecipe::CheckRun, &ownership);
        assert_eq!(j.map(|j| j.owner), Some(FailureOwner::Application));
    }

    #[test]
    fn no_failed_run_no_verdict() {
        let ownership = OwnershipProcessor::new(OwnershipConfig::default());
        assert_eq!(judge_run(&[], IdRecipe::CheckRun, &ownership), None);
    }
}
