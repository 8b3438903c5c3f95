//! Checks of the pipeline graph after the typed parse: every pipeline names defined
//! components that carry its signal, and components no pipeline uses are warned about.

use super::component_map::{TypedConfig, singular};
use super::{ComponentInfo, Config, Problem, locate, service};
use crate::component_id::ComponentId;

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
            &|id| config.receivers.get(id).map(|c| c.supports(signal)),
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
            &|id| config.exporters.get(id).map(|c| c.supports(signal)),
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
