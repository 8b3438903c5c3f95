//! Checks every `auth: {authenticator: <id>}` in receivers (which check credentials) and
//! exporters (which send them) against `extensions:` and `service.extensions`, so that
//! `ciotel validate` reports a wrong reference with its line, in the same words the build uses
//! ([`crate::auth::resolver::reference_problem`]).

use super::component_map::TypedConfig;
use super::{ComponentInfo, Config, Problem, locate};
use crate::auth::AuthReference;
use crate::auth::resolver::{Defined, Side, reference_problem};
use crate::component_id::ComponentId;

/// One `auth:` in a component's config.
#[derive(Debug, Clone, Copy)]
pub struct AuthUse<'a> {
    /// The keys from the component down to the `auth` mapping, e.g. `["auth"]` on an exporter
    /// or `["protocols", "grpc", "auth"]` on a receiver; used to find the line.
    pub path: &'static [&'static str],
    /// What it names.
    pub reference: &'a AuthReference,
}

/// The problems of every `auth:` reference in `config`, located in `text`.
pub(super) fn check<R, P, E, X>(config: &Config<R, P, E, X>, text: &str) -> Vec<Problem>
where
    R: TypedConfig + ComponentInfo,
    P: TypedConfig + ComponentInfo,
    E: TypedConfig + ComponentInfo,
    X: TypedConfig + ComponentInfo,
{
    let defined = |id: &ComponentId| match config.extensions.get(id) {
        None => Defined::No,
        Some(x) => match x.authenticator() {
            None => Defined::NotAuthenticator,
            Some(a) => Defined::Authenticator(a.sides()),
        },
    };
    let mut problems = Vec::new();
    let mut check_one = |section: &str, name: String, side: Side, used: AuthUse<'_>| {
        let target = &used.reference.authenticator;
        let enabled = config.service.extensions.contains(target);
        let Some(problem) = reference_problem(target, defined(target), enabled, side) else {
            return;
        };
        let target = target.to_string();
        let mut path = vec![section, name.as_str()];
        path.extend_from_slice(used.path);
        let mut full = path.clone();
        full.push("authenticator");
        // Block style has `authenticator:` on its own line; flow style has it on `auth:`'s.
        let line = locate::locate(text, &full, Some(&target))
            .or_else(|| locate::locate(text, &path, Some(&target)));
        problems.push(Problem {
            line,
            column: None,
            message: format!("{}: {problem}", path.join(".")),
        });
    };
    for (id, receiver) in config.receivers.iter() {
        for used in receiver.auth_references() {
            check_one(R::SECTION, id.to_string(), Side::Server, used);
        }
    }
    for (id, exporter) in config.exporters.iter() {
        for used in exporter.auth_references() {
            check_one(E::SECTION, id.to_string(), Side::Client, used);
        }
    }
    problems
}
