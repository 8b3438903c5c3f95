//! The `cicd_hierarchy` processor: puts the spans of tools that ran inside a CI job (pytest,
//! otel-cli, Ansible, …) into their pipeline's trace, under the job (or step) span, when they
//! did not use `TRACEPARENT` but say which run and job they belong to in their attributes; and
//! copies the Jenkins plugin's `ci.pipeline.*` attributes to `cicd.*`.
//!
//! For each span, the configured [identities](config::Identity) are tried in order on the
//! span's attributes, then its resource's (so `OTEL_RESOURCE_ATTRIBUTES` is enough). The
//! first that matches gives the pipeline's trace id and the parent span id, computed with the
//! receivers' own recipes ([`crate::ids`]). Then:
//!
//! - the span's trace id becomes the pipeline's; a span without a parent (the tool's root),
//!   or whose parent is remote, gets the job (step, or without a job id the run's root) span
//!   as parent; links into the tool's old trace follow it; the old trace id is kept in
//!   `ciotel.hierarchy.original_trace_id`;
//! - spans without identity that share an original trace id with an identified span in the
//!   same batch move with it;
//! - spans already in their pipeline's trace (a tool that used `TRACEPARENT`), spans ciotel
//!   derived from CI events (scope `ciotel-cicd`), spans of a Jenkins build (`ci.pipeline.*`)
//!   and spans without CI identity pass unchanged.
//!
//! Log records with identity get the pipeline's trace id too (span ids are kept). Nothing is
//! remembered between batches: the same batch always gives the same result, on any instance.

pub mod config;
pub mod identity;
pub mod jenkins;
pub mod rehome;

pub use config::{HierarchyConfig, Identity, Platform, PlatformChoice};
pub use rehome::ORIGINAL_TRACE_ID;

use ciotel_core::Batch;
use ciotel_core::processors::Transform;
use identity::Recipes;

/// The `cicd_hierarchy` processor, a stateless [`Transform`].
#[derive(Debug, Clone)]
pub struct HierarchyProcessor {
    identities: Vec<Identity>,
    recipes: Recipes,
    normalize_jenkins: bool,
}

impl HierarchyProcessor {
    /// Builds the processor; the config was checked when it was parsed.
    pub fn new(config: HierarchyConfig) -> Self {
        HierarchyProcessor {
            identities: config.identities,
            recipes: Recipes {
                github: config.trace_id_recipe,
                default_platform: config.default_platform,
            },
            normalize_jenkins: config.normalize_jenkins,
        }
    }
}

impl Transform for HierarchyProcessor {
    fn apply(&self, batch: &mut Batch) {
        match batch {
            Batch::Traces(groups) => {
                // Identity is read before normalising, so Jenkins spans stay recognisable
                // (their originals are kept anyway).
                rehome::rehome_spans(groups, &self.identities, self.recipes);
                if self.normalize_jenkins {
                    for group in groups.iter_mut() {
                        if let Some(resource) = group.resource.as_mut() {
                            jenkins::normalize(&mut resource.attributes);
                        }
                        for scope in &mut group.scope_spans {
                            for span in &mut scope.spans {
                                jenkins::normalize(&mut span.attributes);
                            }
                        }
                    }
                }
            }
            Batch::Logs(groups) => rehome::rehome_logs(groups, &self.identities, self.recipes),
            Batch::Metrics(_) => {}
        }
    }
}

#[cfg(test)]
mod tests;
