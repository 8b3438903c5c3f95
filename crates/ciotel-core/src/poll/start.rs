//! What every poller does before its first poll: create `state_dir`, read its cursor file and
//! build its HTTP client, each failure reported once with the file or setting to fix.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::state::{load_json, state_file};

/// Why a poller cannot start, whatever its platform.
///
/// Exists so the daemon refuses to start with a message naming the file or setting at fault,
/// instead of a poller that logs the same failure every interval. The platform's own error
/// adds the receiver id.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `state_dir` cannot be created.
    #[error("cannot create state_dir {}: {source}", path.display())]
    StateDir {
        /// `state_dir`.
        path: PathBuf,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// The cursor file exists but cannot be read.
    #[error(
        "cursor file {} is unreadable: {reason}; fix or delete it (deleting backfills \
         `lookback` again, which may re-send spans that backends de-duplicate)",
        path.display()
    )]
    Cursor {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The HTTP client cannot be built (TLS setup).
    #[error("cannot set up the HTTP client: {source}")]
    Http {
        /// The failure.
        #[source]
        source: reqwest::Error,
    },
}

/// What a poller starts with.
#[derive(Debug)]
pub struct Start<S> {
    /// The cursor file of the receiver ([`state_file`]).
    pub state_path: PathBuf,
    /// What the cursor file held, or `load`'s empty state on first start.
    pub state: S,
    /// The HTTP client.
    pub http: reqwest::Client,
}

/// Creates `state_dir`, reads receiver `id`'s cursor file there with `load`, and builds the
/// HTTP client with `http`.
pub fn start<S>(
    state_dir: &Path,
    id: &str,
    load: impl FnOnce(&Path) -> Result<S, String>,
    http: impl FnOnce() -> Result<reqwest::Client, reqwest::Error>,
) -> Result<Start<S>, StartError> {
    std::fs::create_dir_all(state_dir).map_err(|source| StartError::StateDir {
        path: state_dir.to_path_buf(),
        source,
    })?;
    let state_path = state_file(state_dir, id);
    let state = load(&state_path).map_err(|reason| StartError::Cursor {
        path: state_path.clone(),
        reason,
    })?;
    let http = http().map_err(|source| StartError::Http { source })?;
    Ok(Start {
        state_path,
        state,
        http,
    })
}

/// Reads a cursor file whose JSON says which `version` of its format it is: a missing file is
/// `S::default()` (first start), another version an error naming it.
pub fn load_versioned<S: DeserializeOwned + Default>(
    path: &Path,
    version: u32,
    version_of: impl FnOnce(&S) -> u32,
) -> Result<S, String> {
    let Some(state) = load_json::<S>(path)? else {
        return Ok(S::default());
    };
    let found = version_of(&state);
    if found != version {
        return Err(format!(
            "format version {found} (this ciotel writes {version})"
        ));
    }
    Ok(state)
}
