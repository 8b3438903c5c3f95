//! The upstream of child and multi-project pipelines, learnt from the bridges of pipelines
//! polled earlier. A REST pipeline does not say which pipeline triggered it (a Pipeline Hook
//! does, in `source_pipeline`), but a bridge names the pipeline it started
//! (`downstream_pipeline.id`).
//!
//! When the parent was polled first — a trigger without `strategy: depend` succeeds as soon as
//! the child is created, so the parent often finishes first — the child is mapped with the same
//! upstream as its Pipeline Hook, and its span links to the trigger job. Otherwise (the parent
//! waits for its child, which then finishes and is polled first; or the parent's project is not
//! polled) the child's pipeline span has no link; the bridge's span still names the child
//! (`gitlab.downstream_pipeline.id`). An optimisation with a fallback, so bounded: the oldest
//! entries go first.

use std::collections::{HashMap, VecDeque};

use crate::payload::{Project, RestJob, SourcePipeline, SourceProject};

/// Children remembered at most.
pub(super) const CAPACITY: usize = 10_000;

/// Upstreams by child pipeline id.
pub(super) struct Upstreams {
    by_child: HashMap<u64, SourcePipeline>,
    order: VecDeque<u64>,
    capacity: usize,
}

impl Upstreams {
    /// Remembers up to `capacity` children.
    pub(super) fn new(capacity: usize) -> Self {
        Upstreams {
            by_child: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Notes the children `bridges` of pipeline `pipeline_id` in `project` started.
    pub(super) fn note(&mut self, project: &Project, pipeline_id: u64, bridges: &[RestJob]) {
        for bridge in bridges {
            let Some(child) = bridge.downstream_pipeline.as_ref().and_then(|d| d.id) else {
                continue;
            };
            let upstream = SourcePipeline {
                project: Some(SourceProject {
                    id: project.id,
                    web_url: project.web_url.clone(),
                    path_with_namespace: project.path_with_namespace.clone(),
                }),
                pipeline_id: Some(pipeline_id),
                job_id: Some(bridge.id),
            };
            if self.by_child.insert(child, upstream).is_none() {
                self.order.push_back(child);
            }
            while self.order.len() > self.capacity {
                if let Some(oldest) = self.order.pop_front() {
                    self.by_child.remove(&oldest);
                }
            }
        }
    }

    /// The upstream of pipeline `child`, if a polled bridge started it.
    pub(super) fn of(&self, child: u64) -> Option<&SourcePipeline> {
        self.by_child.get(&child)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::DownstreamPipeline;

    fn bridge(id: u64, child: Option<u64>) -> RestJob {
        RestJob {
            id,
            downstream_pipeline: child.map(|c| DownstreamPipeline {
                id: Some(c),
                ..DownstreamPipeline::default()
            }),
            ..RestJob::default()
        }
    }

    #[test]
    fn bridges_name_their_childrens_upstream_and_the_oldest_go_first() {
        let parent = Project {
            id: Some(123),
            path_with_namespace: Some("test/parent-project".into()),
            web_url: Some("https://gitlab.example.com/test/parent-project".into()),
            ..Project::default()
        };
        let mut u = Upstreams::new(2);
        u.note(&parent, 1, &[bridge(99, Some(2)), bridge(98, None)]);
        let up = u.of(2).expect("child 2");
        assert_eq!((up.pipeline_id, up.job_id), (Some(1), Some(99)));
        assert_eq!(
            up.project
                .as_ref()
                .and_then(|p| p.path_with_namespace.as_deref()),
            Some("test/parent-project")
        );
        u.note(&parent, 3, &[bridge(97, Some(4)), bridge(96, Some(5))]);
        assert!(u.of(2).is_none(), "evicted");
        assert!(u.of(4).is_some() && u.of(5).is_some());
    }
}
