//! Which repositories to poll: `repositories:` as configured, or every repository of `owner:`
//! the credentials can see — `GET /orgs/{owner}/repos`, or `/users/{owner}/repos` once the
//! organisation endpoint answered 404 — without archived or disabled ones. The owner's list is
//! fetched again at every poll, conditionally (a 304 when nothing changed); when it cannot be
//! fetched, the last list is used.

use ciotel_core::poll::{RequestError, under_base};
use serde::Deserialize;

use super::client::{Client, ClientError, Fetched};
use super::error::PollError;
use super::pages::PageCache;

/// A repository in an owner's list.
#[derive(Deserialize)]
struct Listed {
    full_name: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    disabled: bool,
}

/// The repositories of one poller.
pub(super) struct Repositories {
    source: Source,
    pages: PageCache<Vec<String>>,
    last: Vec<String>,
}

enum Source {
    Fixed,
    Owner { name: String, is_user: bool },
}

impl Repositories {
    /// `repositories` when non-empty, else every repository of `owner`.
    pub(super) fn new(repositories: &[String], owner: Option<&str>) -> Self {
        let source = match owner {
            Some(name) if repositories.is_empty() => Source::Owner {
                name: name.to_string(),
                is_user: false,
            },
            _ => Source::Fixed,
        };
        Repositories {
            source,
            pages: PageCache::default(),
            last: repositories.to_vec(),
        }
    }

    /// The repositories to poll now.
    pub(super) async fn current(
        &mut self,
        client: &mut Client,
        base_url: &str,
    ) -> Result<Vec<String>, PollError> {
        let Source::Owner { name, is_user } = &self.source else {
            return Ok(self.last.clone());
        };
        let (name, is_user) = (name.clone(), *is_user);
        let kind = if is_user { "users" } else { "orgs" };
        let url = format!("{base_url}/{kind}/{name}/repos?per_page=100");
        let listed = match self.list(client, base_url, &url).await {
            Err(PollError::Client(ClientError::Request(RequestError::Status {
                status: 404,
                ..
            }))) if !is_user => {
                self.source = Source::Owner {
                    name: name.clone(),
                    is_user: true,
                };
                let url = format!("{base_url}/users/{name}/repos?per_page=100");
                self.list(client, base_url, &url).await
            }
            other => other,
        };
        match listed {
            Ok(repos) => {
                self.last.clone_from(&repos);
                Ok(repos)
            }
            Err(e @ PollError::Shutdown) => Err(e),
            Err(e) if self.last.is_empty() => Err(e),
            Err(e) => {
                tracing::warn!(
                    owner = %name, error = %e,
                    "cannot list the owner's repositories; polling the last list"
                );
                Ok(self.last.clone())
            }
        }
    }

    /// Every page of one listing.
    async fn list(
        &mut self,
        client: &mut Client,
        base_url: &str,
        first: &str,
    ) -> Result<Vec<String>, PollError> {
        let mut repos = Vec::new();
        let mut next = Some(first.to_string());
        while let Some(url) = next.take() {
            under_base(&url, base_url)?;
            let cached = self.pages.get(&url).cloned();
            let etag = cached.as_ref().map(|c| c.etag.as_str());
            match (client.get(&url, etag).await?, cached) {
                (Fetched::NotModified, Some(cached)) => {
                    repos.extend(cached.summary);
                    next = cached.next;
                }
                (Fetched::NotModified, None) => return Err(PollError::NotModified { url }),
                (
                    Fetched::Body {
                        body,
                        next: n,
                        etag,
                    },
                    _,
                ) => {
                    let listed: Vec<Listed> =
                        serde_json::from_slice(&body).map_err(|source| PollError::Malformed {
                            url: url.clone(),
                            source,
                        })?;
                    let names: Vec<String> = listed
                        .into_iter()
                        .filter(|r| !r.archived && !r.disabled)
                        .map(|r| r.full_name)
                        .collect();
                    repos.extend(names.iter().cloned());
                    self.pages.put(&url, etag, n.clone(), names);
                    next = n;
                }
            }
        }
        self.pages.sweep();
        Ok(repos)
    }
}
