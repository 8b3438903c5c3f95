//! The workflow file a run ran: `GET /repos/{o}/{r}/contents/{path}?ref={head_sha}` through the
//! poller's own client (its authentication, retries, backoff and rate-limit waits), decoded
//! from the contents API's base64 and parsed once per blob.
//!
//! Bounded in every direction:
//! - one request at a time: the poller asks for a run's file before its jobs, in its one loop;
//! - at most one request per (repository, path, revision) while remembered: [`REVISIONS`]
//!   revisions remember their blob sha (or that the file is missing, forbidden, too large or
//!   not a workflow), [`BLOBS`] blobs their parsed jobs, so many commits of one unchanged
//!   workflow are parsed once; the oldest entry is forgotten first;
//! - files over 1 MiB are not read (`file::MAX_FILE_BYTES`; GitHub inlines no larger content).
//!
//! A failure that may pass (5xx or no answer after the client's retries, still rate limited
//! after its waits) is not remembered: the next run of that revision asks again.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Arc;

use base64::Engine;
use ciotel_core::poll::{RequestError, under_base};
use reqwest::Url;
use serde::Deserialize;

use super::file::{self, Workflow, WorkflowError};
use crate::poller::client::{Client, ClientError, Fetched};

/// Revisions whose workflow blob (or absence) is remembered.
pub const REVISIONS: usize = 1024;
/// Parsed workflow files remembered, by blob sha.
pub const BLOBS: usize = 256;

/// Why a run's workflow file is not known; written nowhere but the log, since every step
/// span of the run then says `ciotel.step.source = unavailable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// 404: no such file at that revision (a deleted repository or file), a path that is not
    /// a file in the repository, or a dynamic workflow (`dynamic/…`, CodeQL's default setup),
    /// which is not asked for.
    NotFound,
    /// 401/403 without a rate limit: the credentials cannot read the repository's contents.
    Forbidden,
    /// Over 1 MiB.
    TooLarge,
    /// Not a file, not base64, or not a workflow.
    Malformed,
    /// No usable answer after the client's retries and waits (5xx, network, rate limit).
    Failed,
}

impl Unavailable {
    /// How the log says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unavailable::NotFound => "not found at the run's revision",
            Unavailable::Forbidden => "not readable with these credentials",
            Unavailable::TooLarge => "larger than 1 MiB",
            Unavailable::Malformed => "not a workflow file",
            Unavailable::Failed => "GitHub gave no answer (after retries and rate-limit waits)",
        }
    }

    /// Whether the same request would get the same answer (so it is remembered).
    fn lasts(self) -> bool {
        self != Unavailable::Failed
    }
}

/// What is known of a run's workflow file.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// Its jobs and steps.
    Known(Arc<Workflow>),
    /// Why it is not known.
    Unavailable(Unavailable),
}

/// Shutdown came while fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shutdown;

/// The poller's bounded memory of workflow files.
#[derive(Debug, Default)]
pub struct WorkflowFiles {
    revisions: Bounded<(String, String, String), Result<String, Unavailable>>,
    blobs: Bounded<String, Arc<Workflow>>,
}

/// The contents API's answer for a file (`repos/get-content`).
#[derive(Deserialize)]
struct Contents {
    #[serde(rename = "type")]
    kind: Option<String>,
    encoding: Option<String>,
    content: Option<String>,
    sha: Option<String>,
    size: Option<u64>,
}

impl WorkflowFiles {
    /// The workflow file `path` of `repo` at revision `sha`.
    pub(crate) async fn lookup(
        &mut self,
        client: &mut Client,
        base_url: &str,
        repo: &str,
        path: &str,
        sha: &str,
    ) -> Result<Lookup, Shutdown> {
        // A run's `path` may carry the ref it was read at (`….yml@refs/heads/main`).
        let path = path.split('@').next().unwrap_or(path);
        let key = (repo.to_owned(), path.to_owned(), sha.to_owned());
        let known = match self.revisions.get(&key) {
            Some(Ok(blob)) => self.blobs.get(blob).cloned().map(Lookup::Known),
            Some(Err(why)) => Some(Lookup::Unavailable(*why)),
            None => None,
        };
        if let Some(known) = known {
            return Ok(known);
        }
        let fetched = fetch(client, base_url, repo, path, sha).await?;
        let lookup = match fetched {
            Ok((blob, workflow)) => {
                let workflow = Arc::new(workflow);
                self.revisions.put(key, Ok(blob.clone()));
                self.blobs.put(blob, workflow.clone());
                Lookup::Known(workflow)
            }
            Err(why) => {
                if why.lasts() {
                    self.revisions.put(key, Err(why));
                }
                Lookup::Unavailable(why)
            }
        };
        Ok(lookup)
    }
}

/// One request for the file; its blob sha and jobs, or why not.
async fn fetch(
    client: &mut Client,
    base_url: &str,
    repo: &str,
    path: &str,
    sha: &str,
) -> Result<Result<(String, Workflow), Unavailable>, Shutdown> {
    let Some(url) = contents_url(base_url, repo, path, sha) else {
        return Ok(Err(Unavailable::NotFound));
    };
    if under_base(&url, base_url).is_err() {
        return Ok(Err(Unavailable::NotFound));
    }
    let body = match client.get(&url, None).await {
        Ok(Fetched::Body { body, .. }) => body,
        Ok(Fetched::NotModified) => return Ok(Err(Unavailable::Failed)),
        Err(ClientError::Shutdown) => return Err(Shutdown),
        Err(ClientError::Request(RequestError::Status { status, .. })) => {
            return Ok(Err(match status {
                404 | 410 => Unavailable::NotFound,
                401 | 403 => Unavailable::Forbidden,
                413 => Unavailable::TooLarge,
                _ => Unavailable::Failed,
            }));
        }
        Err(_) => return Ok(Err(Unavailable::Failed)),
    };
    Ok(decode(&body))
}

/// `{base}/repos/{repo}/contents/{path}?ref={sha}`, each path segment escaped.
fn contents_url(base_url: &str, repo: &str, path: &str, sha: &str) -> Option<String> {
    let mut url = Url::parse(&format!("{base_url}/repos/{repo}/contents")).ok()?;
    url.path_segments_mut().ok()?.extend(
        path.split('/')
            .filter(|s| !s.is_empty() && *s != "." && *s != ".."),
    );
    url.query_pairs_mut().append_pair("ref", sha);
    Some(url.into())
}

/// The contents API's JSON → blob sha and parsed workflow.
fn decode(body: &[u8]) -> Result<(String, Workflow), Unavailable> {
    let contents: Contents = serde_json::from_slice(body).map_err(|_| Unavailable::Malformed)?;
    if contents.kind.as_deref() != Some("file") {
        return Err(Unavailable::Malformed);
    }
    if contents.size.unwrap_or(0) > file::MAX_FILE_BYTES as u64
        || contents.encoding.as_deref() == Some("none")
    {
        return Err(Unavailable::TooLarge);
    }
    if contents.encoding.as_deref() != Some("base64") {
        return Err(Unavailable::Malformed);
    }
    let blob = contents.sha.ok_or(Unavailable::Malformed)?;
    // GitHub wraps the base64 in lines; some recorded examples carry the breaks as `\n` text.
    let packed: String = contents
        .content
        .unwrap_or_default()
        .replace("\\n", "")
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let text = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .map_err(|_| Unavailable::Malformed)?;
    let workflow = file::parse(&text).map_err(|e| match e {
        WorkflowError::TooLarge(_) => Unavailable::TooLarge,
        WorkflowError::Malformed(_) => Unavailable::Malformed,
    })?;
    Ok((blob, workflow))
}

/// A map that forgets its oldest entry past its capacity.
#[derive(Debug)]
struct Bounded<K, V> {
    capacity: usize,
    map: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    fn with_capacity(capacity: usize) -> Self {
        Bounded {
            capacity: capacity.max(1),
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    fn put(&mut self, key: K, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

impl Default for Bounded<(String, String, String), Result<String, Unavailable>> {
    fn default() -> Self {
        Bounded::with_capacity(REVISIONS)
    }
}

impl Default for Bounded<String, Arc<Workflow>> {
    fn default() -> Self {
        Bounded::with_capacity(BLOBS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(yaml: &str) -> Vec<u8> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(yaml);
        // Wrapped at 60 characters, as GitHub sends it.
        let wrapped: Vec<String> = encoded
            .as_bytes()
            .chunks(60)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        serde_json::json!({
            "type": "file", "encoding": "base64", "size": yaml.len(),
            "name": "ci.yml", "path": ".github/workflows/ci.yml",
            "content": wrapped.join("\n") + "\n", "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn decodes_githubs_wrapped_base64() {
        let yaml = "jobs:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n";
        let (blob, wf) = decode(&contents(yaml)).expect("decodes");
        assert_eq!(blob, "3d21ec53a331a6f037a91c368710b99387d012c1");
        assert_eq!(wf.jobs[0].steps[1].run.as_deref(), Some("make test"));
    }

    #[test]
    fn refuses_what_is_not_a_workflow_file() {
        let dir = br#"[{"type":"file","name":"a.yml"}]"#;
        assert_eq!(decode(dir).err(), Some(Unavailable::Malformed));
        let big = br#"{"type":"file","encoding":"none","content":"","sha":"x","size":2000000}"#;
        assert_eq!(decode(big).err(), Some(Unavailable::TooLarge));
        // The shared fixture's README is base64 of Markdown, not of a workflow.
        let readme = contents("# Yoga\nnot a workflow\n");
        assert_eq!(decode(&readme).err(), Some(Unavailable::Malformed));
    }

    #[test]
    fn urls_escape_the_path_and_carry_the_revision() {
        assert_eq!(
            contents_url("http://h/api", "o/r", ".github/workflows/c i.yml", "abc").as_deref(),
            Some("http://h/api/repos/o/r/contents/.github/workflows/c%20i.yml?ref=abc")
        );
    }

    #[test]
    fn the_bounded_map_forgets_the_oldest() {
        let mut m: Bounded<u32, u32> = Bounded::with_capacity(2);
        m.put(1, 1);
        m.put(2, 2);
        m.put(1, 10);
        m.put(3, 3);
        assert_eq!(m.get(&1), None);
        assert_eq!(m.get(&2), Some(&2));
        assert_eq!(m.get(&3), Some(&3));
    }
}
