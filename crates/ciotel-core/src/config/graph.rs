//! Checks of the pipeline graph after the typed parse: every pipeline names defined
//! components that carry its signal; every connector joins pipelines of one signal, is used on
//! both sides and routes only to pipelines it feeds; no pipeline feeds itself through
//! connectors; components no pipeline uses are warned about. Also the order pipelines are built
//! in (a connector's downstream pipelines first).

use super::component_map::{TypedConfig, singular};
use super::service::PipelineConfig;
use super::{ComponentInfo, Config, Problem, locate, service};
use crate::component_id::{ComponentId, PipelineId};
use crate::condition::ContextKind;
use crate::signal::Signal;
use std::collections::BTreeMap;

/// Checks that pipelines name only defined components that can carry their signal, and finds
/// components no pipeline uses. Returns (errors, warnings).
pub(super) fn check_graph<R, P, E, X>(
    config: &Config<R, P, E, X>,
    text: &str,
) -> (Vec<Problem>, Vec<Problem>)
where
    R: TypedConfig + ComponentInfo,
    P: TypedConfig + ComponentInfo,
    E: TypedConfig + ComponentInfo,
    X: TypedConfig,
{
    let mut errors = Vec::new();
    let at = |path: &[&str], value: Option<&str>, message: String| Problem {
        line: locate::locate(text, path, value),
        column: None,
        message,
    };
    if config.service.pipelines.is_empty() {
        errors.push(at(
            &["service", "pipelines"],
            None,
            "service.pipelines: at least one pipeline is required".into(),
        ));
    }
    for (pid, pipeline) in &config.service.pipelines {
        let pname = pid.to_string();
        let mut role = |role: &str,
                        ids: &[ComponentId],
                        lookup: &dyn Fn(&ComponentId) -> Option<bool>,
                        section: &str| {
            let key = format!("service.pipelines.{pname}.{role}");
            if ids.is_empty() && role != "processors" {
                errors.push(at(
                    &["service", "pipelines", &pname],
                    None,
                    format!("{key}: a pipeline needs at least one {}", singular(role)),
                ));
            }
            for (i, id) in ids.iter().enumerate() {
                let name = id.to_string();
                let path = ["service", "pipelines", pname.as_str(), role];
                if ids[..i].contains(id) {
                    errors.push(at(
                        &path,
                        Some(&name),
                        format!("{key}: `{name}` is listed twice"),
                    ));
                    continue;
                }
                match lookup(id) {
                    None => errors.push(at(
                        &path,
                        Some(&name),
                        format!(
                            "{key}: {} `{name}` is not defined under `{section}`",
                            singular(section)
                        ),
                    )),
                    Some(false) => errors.push(at(
                        &path,
                        Some(&name),
                        format!(
                            "{key}: {} `{name}` does not support {} pipelines",
                            singular(section),
                            pid.signal
                        ),
                    )),
                    Some(true) => {}
                }
            }
        };
        let signal = pid.signal;
        role(
            "receivers",
            &pipeline.receivers,
            &|id| {
                let connector = config.connectors.get(id).map(|_| true);
                config
                    .receivers
                    .get(id)
                    .map(|c| c.supports(signal))
                    .or(connector)
            },
            "receivers",
        );
        role(
            "processors",
            &pipeline.processors,
            &|id| config.processors.get(id).map(|c| c.supports(signal)),
            "processors",
        );
        role(
            "exporters",
            &pipeline.exporters,
            &|id| {
                let connector = config.connectors.get(id).map(|_| true);
                config
                    .exporters
                    .get(id)
                    .map(|c| c.supports(signal))
                    .or(connector)
            },
            "exporters",
        );
    }
    for id in &config.service.extensions {
        if config.extensions.get(id).is_none() {
            let name = id.to_string();
            errors.push(at(
                &["service", "extensions"],
                Some(&name),
                format!("service.extensions: extension `{name}` is not defined under `extensions`"),
            ));
        }
    }
    let mut warnings = Vec::new();
    check_connectors(config, &at, &mut errors, &mut warnings);
    let used = |pick: fn(&service::PipelineConfig) -> &Vec<ComponentId>, id: &ComponentId| {
        config
            .service
            .pipelines
            .values()
            .any(|p| pick(p).contains(id))
    };
    for (id, _) in config.receivers.iter() {
        if !used(|p| &p.receivers, id) {
            let name = id.to_string();
            warnings.push(at(
                &["receivers", &name],
                None,
                format!("receivers.{name}: defined but used in no pipeline"),
            ));
        }
    }
    for (id, _) in config.exporters.iter() {
        if !used(|p| &p.exporters, id) {
            let name = id.to_string();
            warnings.push(at(
                &["exporters", &name],
                None,
                format!("exporters.{name}: defined but used in no pipeline"),
            ));
        }
    }
    errors.sort_by_key(|p| p.line);
    (errors, warnings)
}

/// Makes a problem at a key path (and optionally a value under it).
type Locator<'a> = dyn Fn(&[&str], Option<&str>, String) -> Problem + 'a;

/// Checks every connector against the pipelines it joins.
fn check_connectors<R, P, E, X>(
    config: &Config<R, P, E, X>,
    at: &Locator<'_>,
    errors: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) where
    R: TypedConfig,
    P: TypedConfig,
    E: TypedConfig,
    X: TypedConfig,
{
    let pipelines = &config.service.pipelines;
    for (id, connector) in config.connectors.iter() {
        let name = id.to_string();
        let key = format!("connectors.{name}");
        let here = &["connectors", name.as_str()][..];
        let upstream: Vec<&PipelineId> = pipelines
            .iter()
            .filter(|(_, p)| p.exporters.contains(id))
            .map(|(pid, _)| pid)
            .collect();
        let downstream: Vec<&PipelineId> = pipelines
            .iter()
            .filter(|(_, p)| p.receivers.contains(id))
            .map(|(pid, _)| pid)
            .collect();
        match (upstream.is_empty(), downstream.is_empty()) {
            (true, true) => {
                warnings.push(at(
                    here,
                    None,
                    format!("{key}: defined but used in no pipeline"),
                ));
                continue;
            }
            (true, false) | (false, true) => {
                let (missing, other) = if upstream.is_empty() {
                    ("an exporter", "a receiver")
                } else {
                    ("a receiver", "an exporter")
                };
                errors.push(at(
                    here,
                    None,
                    format!(
                        "{key}: a connector joins pipelines: list `{name}` as {missing} of some pipeline too (it is only {other})"
                    ),
                ));
                continue;
            }
            (false, false) => {}
        }
        // One signal: the routing connector hands on what it gets.
        let signal = upstream[0].signal;
        for pid in upstream.iter().chain(&downstream) {
            if pid.signal != signal {
                let role = if pipelines[*pid].exporters.contains(id) {
                    "exporters"
                } else {
                    "receivers"
                };
                let pname = pid.to_string();
                errors.push(at(
                    &["service", "pipelines", &pname, role],
                    Some(&name),
                    format!(
                        "service.pipelines.{pname}.{role}: connector `{name}` carries {signal} (from `{}`), not {}",
                        upstream[0], pid.signal
                    ),
                ));
            }
        }
        for (route, context) in connector.contexts() {
            if let Some(needs) = context_signal(context)
                && needs != signal
            {
                errors.push(at(
                    &[here, &["table"]].concat(),
                    Some(context.as_str()),
                    format!("{key}.{route}: context `{context}` needs a {needs} pipeline, but `{name}` routes {signal}"),
                ));
            }
        }
        for (earlier, later) in connector.repeated_routes() {
            warnings.push(at(
                &[here, &["table"]].concat(),
                None,
                format!("{key}.table[{later}]: the same context and condition as table[{earlier}]; once table[{earlier}] moves an item, this route never sees it (merge their pipelines, or use `action: copy`)"),
            ));
        }
        let mut targets: Vec<&PipelineId> = Vec::new();
        for reference in connector.destinations() {
            let target = reference.pipeline;
            let tname = target.to_string();
            let problem = match pipelines.get(target) {
                None => Some(format!(
                    "pipeline `{tname}` is not defined under service.pipelines"
                )),
                Some(_) if target.signal != signal => Some(format!(
                    "pipeline `{tname}` is a {} pipeline, but `{name}` routes {signal}",
                    target.signal
                )),
                Some(p) if !p.receivers.contains(id) => Some(format!(
                    "pipeline `{tname}` does not receive from `{name}`: add `{name}` to service.pipelines.{tname}.receivers"
                )),
                Some(_) => None,
            };
            if let Some(problem) = problem {
                let section = reference.key.split(['[', '.']).next().unwrap_or("table");
                errors.push(at(
                    &[here, &[section]].concat(),
                    Some(&tname),
                    format!("{key}.{}: {problem}", reference.key),
                ));
            }
            targets.push(target);
        }
        let distinct = {
            let mut d = targets.clone();
            d.sort();
            d.dedup();
            d.len()
        };
        if distinct > crate::connectors::routing::MAX_PIPELINES {
            errors.push(at(
                here,
                None,
                format!(
                    "{key}: routes to {distinct} pipelines, at most {} are supported",
                    crate::connectors::routing::MAX_PIPELINES
                ),
            ));
        }
        for pid in &downstream {
            if !targets.contains(pid) {
                let pname = pid.to_string();
                warnings.push(at(
                    &["service", "pipelines", &pname, "receivers"],
                    Some(&name),
                    format!("service.pipelines.{pname}.receivers: `{name}` routes nothing to this pipeline (no route or default names it)"),
                ));
            }
        }
    }
    if let Err(cycle) = pipeline_order(pipelines, |id| config.connectors.get(id).is_some()) {
        let first = cycle.first().map(ToString::to_string).unwrap_or_default();
        errors.push(at(
            &["service", "pipelines", &first],
            None,
            format!(
                "service.pipelines: pipelines form a cycle through connectors: {}",
                cycle.join(" → ")
            ),
        ));
    }
}

/// The signal a route context needs (`resource` works with any).
fn context_signal(context: ContextKind) -> Option<Signal> {
    match context {
        ContextKind::Resource | ContextKind::Scope => None,
        ContextKind::Span | ContextKind::SpanEvent => Some(Signal::Traces),
        ContextKind::Log => Some(Signal::Logs),
        ContextKind::Metric | ContextKind::DataPoint => Some(Signal::Metrics),
    }
}

/// The order to build pipelines in: every pipeline after the pipelines its connectors feed,
/// so a connector's destinations exist before the pipeline that exports to it. Fails with the
/// cycle (pipelines and connectors, in order) when pipelines feed themselves.
pub fn pipeline_order(
    pipelines: &BTreeMap<PipelineId, PipelineConfig>,
    is_connector: impl Fn(&ComponentId) -> bool,
) -> Result<Vec<PipelineId>, Vec<String>> {
    // Edges: pipeline → (connector, pipeline it feeds).
    fn feeds<'a>(
        p: &'a PipelineConfig,
        pipelines: &'a BTreeMap<PipelineId, PipelineConfig>,
        is_connector: &dyn Fn(&ComponentId) -> bool,
    ) -> Vec<(&'a ComponentId, &'a PipelineId)> {
        p.exporters
            .iter()
            .filter(|id| is_connector(id))
            .flat_map(|c| {
                pipelines
                    .iter()
                    .filter(move |(_, q)| q.receivers.contains(c))
                    .map(move |(qid, _)| (c, qid))
            })
            .collect()
    }
    let downstream = |p| feeds(p, pipelines, &is_connector);
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks: BTreeMap<&PipelineId, Mark> = pipelines.keys().map(|k| (k, Mark::New)).collect();
    let mut order = Vec::new();
    // Iterative depth-first search; `path` holds (pipeline, the connector that led to it).
    for start in pipelines.keys() {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack: Vec<(&PipelineId, Vec<(&ComponentId, &PipelineId)>)> =
            vec![(start, downstream(&pipelines[start]))];
        let mut path: Vec<(&PipelineId, Option<&ComponentId>)> = vec![(start, None)];
        marks.insert(start, Mark::Open);
        while let Some((node, edges)) = stack.last_mut() {
            let node = *node;
            match edges.pop() {
                Some((connector, next)) => match marks[next] {
                    Mark::New => {
                        marks.insert(next, Mark::Open);
                        path.push((next, Some(connector)));
                        stack.push((next, downstream(&pipelines[next])));
                    }
                    Mark::Open => {
                        let from = path.iter().position(|(p, _)| *p == next).unwrap_or(0);
                        let mut cycle: Vec<String> = Vec::new();
                        for (i, (p, via)) in path[from..].iter().enumerate() {
                            if i > 0
                                && let Some(via) = via
                            {
                                cycle.push(via.to_string());
                            }
                            cycle.push(p.to_string());
                        }
                        cycle.push(connector.to_string());
                        cycle.push(next.to_string());
                        return Err(cycle);
                    }
                    Mark::Done => {}
                },
                None => {
                    marks.insert(node, Mark::Done);
                    order.push(node.clone());
                    stack.pop();
                    path.pop();
                }
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipelines(yaml: &str) -> BTreeMap<PipelineId, PipelineConfig> {
        yaml_serde::from_str::<service::ServiceConfig>(yaml)
            .unwrap()
            .pipelines
    }

    fn is_connector(id: &ComponentId) -> bool {
        id.kind() == "routing"
    }

    #[test]
    fn downstream_pipelines_come_first() {
        let p = pipelines(
            "pipelines:
  traces/in: {receivers: [otlp], exporters: [routing/a]}
  traces/mid: {receivers: [routing/a], exporters: [routing/b, debug]}
  traces/out: {receivers: [routing/b], exporters: [debug]}
  traces/other: {receivers: [otlp], exporters: [debug]}
",
        );
        let order = pipeline_order(&p, is_connector).unwrap();
        let at = |name: &str| order.iter().position(|p| p.to_string() == name).unwrap();
        assert_eq!(order.len(), 4);
        assert!(at("traces/out") < at("traces/mid"));
        assert!(at("traces/mid") < at("traces/in"));
    }

    #[test]
    fn a_cycle_is_named_in_order() {
        let p = pipelines(
            "pipelines:
  traces/a: {receivers: [otlp, routing/back], exporters: [routing/a]}
  traces/b: {receivers: [routing/a], exporters: [routing/back]}
",
        );
        let cycle = pipeline_order(&p, is_connector).unwrap_err();
        assert_eq!(
            cycle.join(" → "),
            "traces/a → routing/a → traces/b → routing/back → traces/a"
        );
        let p =
            pipelines("pipelines:\n  traces/self: {receivers: [routing], exporters: [routing]}\n");
        assert_eq!(
            pipeline_order(&p, is_connector).unwrap_err().join(" → "),
            "traces/self → routing → traces/self"
        );
    }
}
