//! Builders for the tests: CI events as the GitHub and GitLab mappings produce them, the
//! processor from YAML, and readers of the attributes it wrote.

use ciotel_core::config::checked::checked_map;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use serde::{Deserialize, Deserializer};

use crate::event::{
    Attribute, CiEvent, CiResult, Job, Phase, PipelineRun, RunRef, Runner, Step, Vcs,
};
use crate::ids::IdRecipe;
use crate::ownership::names;
use crate::ownership::span_view::span_attr;
use crate::ownership::{OwnershipConfig, OwnershipProcessor};
use crate::time::Timestamp;
use crate::translate::translate_all;

/// Seconds → a timestamp.
pub fn t(secs: u64) -> Option<Timestamp> {
    Some(Timestamp::from_unix_nanos(secs * 1_000_000_000))
}

/// Reads a processor config the way the binary does: one pass, then `validate`.
pub fn parse(yaml: &str) -> Result<OwnershipConfig, String> {
    struct W(OwnershipConfig);
    impl<'de> Deserialize<'de> for W {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            checked_map(d, OwnershipConfig::validate).map(W)
        }
    }
    yaml_serde::from_str::<W>(yaml)
        .map(|w| w.0)
        .map_err(|e| e.to_string())
}

/// A processor from YAML (all defaults when empty).
pub fn processor(yaml: &str) -> OwnershipProcessor {
    match parse(yaml) {
        Ok(c) => OwnershipProcessor::new(c),
        Err(e) => panic!("config: {e}"),
    }
}

/// The run every test event belongs to, on `provider`.
pub fn run_ref(provider: &str, run_id: &str) -> RunRef {
    RunRef {
        run_id: run_id.into(),
        attempt: 1,
        pipeline_name: Some("CI".into()),
        vcs: Vcs {
            provider: Some(provider.into()),
            repository_full_name: Some("acme/app".into()),
            ..Vcs::default()
        },
    }
}

/// A step: `Some(result)` completed, `None` started and never finished.
pub fn step(name: &str, n: u32, start: u64, result: Option<CiResult>) -> Step {
    Step {
        name: name.into(),
        number: Some(n),
        phase: if result.is_some() {
            Phase::Completed
        } else {
            Phase::Running
        },
        result,
        result_detail: result.map(|r| r.as_str().to_owned()),
        started_at: t(start),
        completed_at: result.and(t(start + 10)),
        ..Step::default()
    }
}

/// Steps named `names`, 10 s each from t=120, all successful except those listed in
/// `results`, which get the given result (`None`: never finished); steps after an unfinished
/// one never started.
pub fn steps(names: &[&str], results: &[(&str, Option<CiResult>)]) -> Vec<Step> {
    let mut out = Vec::new();
    let mut stopped = false;
    for (i, name) in names.iter().enumerate() {
        let start = 120 + 10 * i as u64;
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if stopped {
            out.push(Step {
                name: (*name).into(),
                number: Some(n),
                ..Step::default()
            });
            continue;
        }
        let result = results
            .iter()
            .find(|(r, _)| r == name)
            .map(|(_, res)| *res)
            .unwrap_or(Some(CiResult::Success));
        stopped = result.is_none();
        out.push(step(name, n, start, result));
    }
    out
}

/// A completed job on `provider` with `steps`, on a runner unless `runner` is false.
pub fn job(
    provider: &str,
    id: &str,
    name: &str,
    result: CiResult,
    steps: Vec<Step>,
    runner: bool,
) -> Job {
    let end = 130 + 10 * steps.len() as u64;
    Job {
        run: run_ref(provider, "1"),
        id: id.into(),
        name: name.into(),
        phase: Phase::Completed,
        result: Some(result),
        result_detail: Some(result.as_str().to_owned()),
        created_at: t(100),
        started_at: if runner { t(110) } else { None },
        completed_at: t(end),
        runner: runner.then(|| Runner {
            id: Some("5".into()),
            name: Some("runner-5".into()),
            labels: vec!["ubuntu-latest".into()],
            ..Runner::default()
        }),
        steps,
        ..Job::default()
    }
}

/// A GitLab job with `failure_reason` (as `gitlab.job.failure_reason`), in stage `test`.
pub fn gitlab_job(
    id: &str,
    name: &str,
    result: CiResult,
    reason: Option<&str>,
    steps: Vec<Step>,
) -> Job {
    let mut j = job("gitlab", id, name, result, steps, true);
    j.stage = Some("test".into());
    if let Some(r) = reason {
        j.attributes.push(Attribute::new(
            crate::ownership::packs::GITLAB_FAILURE_REASON,
            r,
        ));
    }
    j
}

/// A completed run on `provider`.
pub fn run(provider: &str, result: CiResult) -> PipelineRun {
    PipelineRun {
        run: run_ref(provider, "1"),
        phase: Phase::Completed,
        result: Some(result),
        result_detail: Some(result.as_str().to_owned()),
        started_at: t(90),
        completed_at: t(400),
        ..PipelineRun::default()
    }
}

/// The spans of `events`, as one batch.
pub fn spans(events: &[CiEvent]) -> Vec<ResourceSpans> {
    translate_all(events, IdRecipe::CheckRun)
}

/// Every span of `groups`, flattened.
pub fn all(groups: &[ResourceSpans]) -> Vec<&Span> {
    groups
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
        .collect()
}

/// The span named `name` (the first one).
pub fn named<'a>(groups: &'a [ResourceSpans], name: &str) -> &'a Span {
    match all(groups).into_iter().find(|s| s.name == name) {
        Some(s) => s,
        None => panic!("no span {name:?}"),
    }
}

/// `(ciotel.owner, ciotel.owner.rule)` of span `name`.
pub fn owner(groups: &[ResourceSpans], name: &str) -> (String, String) {
    let s = named(groups, name);
    (
        span_attr(s, names::OWNER).unwrap_or_default(),
        span_attr(s, names::OWNER_RULE).unwrap_or_default(),
    )
}

/// The `verdict` spans under span `name` (a run's root).
pub fn verdict_spans<'a>(groups: &'a [ResourceSpans], name: &str) -> Vec<&'a Span> {
    let parent = &named(groups, name).span_id;
    all(groups)
        .into_iter()
        .filter(|s| {
            &s.parent_span_id == parent
                && span_attr(s, crate::semconv::CIOTEL_SPAN_TYPE).as_deref()
                    == Some(crate::semconv::span_type::VERDICT)
        })
        .collect()
}

/// `(ciotel.failure.owner, ciotel.failure.span, ciotel.failure.reason, ciotel.failure.rule)`
/// of span `name` (of a run: of its only `verdict` span); empty strings for what is absent.
pub fn failure(groups: &[ResourceSpans], name: &str) -> [String; 4] {
    let own = named(groups, name);
    let verdicts = verdict_spans(groups, name);
    assert!(
        verdicts.len() <= 1,
        "{name}: {} verdict spans",
        verdicts.len()
    );
    let s = verdicts.first().copied().unwrap_or(own);
    [
        names::FAILURE_OWNER,
        names::FAILURE_SPAN,
        names::FAILURE_REASON,
        names::FAILURE_RULE,
    ]
    .map(|k| span_attr(s, k).unwrap_or_default())
}

/// Shorthand for an expected [`failure`].
pub fn verdict(owner: &str, span: &str, reason: &str, rule: &str) -> [String; 4] {
    [owner, span, reason, rule].map(str::to_owned)
}
