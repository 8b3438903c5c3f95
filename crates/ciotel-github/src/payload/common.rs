//! Objects embedded in runs and jobs: repository, user, workflow.

use serde::Deserialize;

/// A repository as embedded in webhook payloads and run objects (full or "minimal").
///
/// Exists to fill `vcs.repository.*` and `service.name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Repository {
    /// Numeric id; used to tell the run's own pull requests from other repositories'.
    pub id: Option<u64>,
    /// Name without owner.
    pub name: Option<String>,
    /// `owner/name`.
    pub full_name: Option<String>,
    /// Browser URL.
    pub html_url: Option<String>,
    /// API URL.
    pub url: Option<String>,
    /// The owning user or organisation.
    pub owner: Option<User>,
}

/// A user, bot or organisation reference.
///
/// Exists for actor and owner logins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct User {
    /// The login (`octocat`, `renovate[bot]`).
    pub login: Option<String>,
}

/// The workflow object a `workflow_run` webhook carries next to the run.
///
/// Exists because some deliveries leave the run's `name` empty; the workflow's name fills in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Workflow {
    /// Workflow id.
    pub id: Option<u64>,
    /// Workflow name.
    pub name: Option<String>,
    /// Workflow file path.
    pub path: Option<String>,
}
