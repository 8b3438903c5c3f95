//! Which projects to poll: those of `projects:` (looked up once by path or id, for the id and
//! path every later request and the spans use) and every project of each of `groups:`
//! (`GET /groups/:id/projects?include_subgroups=true`, listed again at every poll so new
//! projects are picked up; the last list is used when it cannot be fetched). A project named
//! both ways is polled once.

use std::collections::HashSet;

use super::client::Client;
use super::error::PollError;
use super::urls::Urls;
use crate::payload::Project;

/// The projects of one poller, in the order of the config.
pub(super) struct Projects {
    /// `projects:` entries, each with the project once looked up.
    fixed: Vec<(String, Option<Project>)>,
    /// `groups:`, each with its last listing.
    groups: Vec<(String, Vec<Project>)>,
}

impl Projects {
    /// `projects` and the projects of `groups`.
    pub(super) fn new(projects: &[String], groups: &[String]) -> Self {
        Projects {
            fixed: projects.iter().map(|p| (p.clone(), None)).collect(),
            groups: groups.iter().map(|g| (g.clone(), Vec::new())).collect(),
        }
    }

    /// The projects to poll now, each with its id; failures are logged and the rest polled.
    pub(super) async fn current(
        &mut self,
        client: &mut Client,
        urls: &Urls,
        receiver: &str,
    ) -> Result<Vec<(u64, Project)>, PollError> {
        for (entry, known) in self.fixed.iter_mut().filter(|(_, p)| p.is_none()) {
            let found = match urls.project(entry) {
                Ok(url) => client.get_json::<Project>(&url).await,
                Err(e) => Err(e.into()),
            };
            match found {
                Ok(project) => *known = Some(project),
                Err(PollError::Shutdown) => return Err(PollError::Shutdown),
                Err(e) => tracing::warn!(
                    receiver = %receiver, project = %entry, error = %e,
                    "cannot look up a project; trying again next poll"
                ),
            }
        }
        for (group, last) in &mut self.groups {
            let listed = match urls.group_projects(group) {
                Ok(url) => client.get_all::<Project>(&url).await,
                Err(e) => Err(e.into()),
            };
            match listed {
                Ok(projects) => *last = projects,
                Err(PollError::Shutdown) => return Err(PollError::Shutdown),
                Err(e) => tracing::warn!(
                    receiver = %receiver, group = %group, error = %e,
                    "cannot list a group's projects; polling its last list"
                ),
            }
        }
        let mut seen = HashSet::new();
        let all = self
            .fixed
            .iter()
            .filter_map(|(_, p)| p.as_ref())
            .chain(self.groups.iter().flat_map(|(_, projects)| projects));
        let mut out = Vec::new();
        for project in all {
            match project.id {
                Some(id) if seen.insert(id) => out.push((id, project.clone())),
                Some(_) => {}
                None => tracing::warn!(
                    receiver = %receiver, project = ?project.path_with_namespace,
                    "GitLab described a project without an id; skipped"
                ),
            }
        }
        Ok(out)
    }
}
