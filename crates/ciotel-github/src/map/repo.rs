//! Repository facts → `Vcs`, from the repository object or, when a REST job comes without one,
//! from the job's browser URL (`https://HOST/OWNER/REPO/…`), which gives the same values.

use ciotel_cicd::{Vcs, semconv};

use crate::payload::Repository;

pub(super) fn from_repository(repo: &Repository) -> Vcs {
    let full = repo.full_name.clone().or_else(|| {
        let owner = repo.owner.as_ref()?.login.as_deref()?;
        Some(format!("{owner}/{}", repo.name.as_deref()?))
    });
    let split = full.as_deref().and_then(|f| f.split_once('/'));
    Vcs {
        provider: Some(semconv::provider::GITHUB.to_owned()),
        repository_url: repo.html_url.clone(),
        repository_name: repo
            .name
            .clone()
            .or_else(|| split.map(|(_, n)| n.to_owned())),
        owner: repo
            .owner
            .as_ref()
            .and_then(|o| o.login.clone())
            .or_else(|| split.map(|(o, _)| o.to_owned())),
        repository_full_name: full,
        ..Vcs::default()
    }
}

/// `https://github.com/octo-org/octo-repo/actions/runs/1/job/2` → octo-org/octo-repo.
pub(super) fn from_html_url(url: &str) -> Vcs {
    let Some((scheme, rest)) = url.split_once("://") else {
        return github_only();
    };
    let mut parts = rest.split('/');
    let (Some(host), Some(owner), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return github_only();
    };
    if host.is_empty() || owner.is_empty() || name.is_empty() {
        return github_only();
    }
    Vcs {
        provider: Some(semconv::provider::GITHUB.to_owned()),
        repository_url: Some(format!("{scheme}://{host}/{owner}/{name}")),
        repository_name: Some(name.to_owned()),
        repository_full_name: Some(format!("{owner}/{name}")),
        owner: Some(owner.to_owned()),
        ..Vcs::default()
    }
}

/// Repository facts from whichever source is there.
pub(super) fn vcs(repo: Option<&Repository>, html_url: Option<&str>) -> Vcs {
    match (repo, html_url) {
        (Some(r), _) => from_repository(r),
        (None, Some(u)) => from_html_url(u),
        (None, None) => github_only(),
    }
}

fn github_only() -> Vcs {
    Vcs {
        provider: Some(semconv::provider::GITHUB.to_owned()),
        ..Vcs::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::User;

    #[test]
    fn url_and_object_agree() {
        let repo = Repository {
            id: Some(1),
            name: Some("octo-repo".into()),
            full_name: Some("octo-org/octo-repo".into()),
            html_url: Some("https://github.com/octo-org/octo-repo".into()),
            url: None,
            owner: Some(User {
                login: Some("octo-org".into()),
            }),
        };
        let from_url =
            from_html_url("https://github.com/octo-org/octo-repo/runs/29679449/jobs/399444496");
        assert_eq!(from_repository(&repo), from_url);
    }

    #[test]
    fn odd_urls_give_provider_only() {
        for u in ["", "github.com/a/b", "https://github.com/a", "https:///a/b"] {
            assert_eq!(from_html_url(u), github_only(), "{u}");
        }
    }
}
