//! A poller's memory across restarts: one JSON file per receiver in its `state_dir`, replaced
//! atomically (written to a temporary file, synced, renamed over the old one, the directory
//! synced), so a crash leaves either the old state or the new one, never half of each. What the
//! JSON holds is each poller's business.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The state file of receiver `receiver_id` in `state_dir`: `{id}.cursor.json`, with every
/// character other than letters, digits, `-` and `_` of the id replaced by `_`
/// (`github/ci` → `github_ci.cursor.json`).
pub fn state_file(state_dir: &Path, receiver_id: &str) -> PathBuf {
    let name: String = receiver_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    state_dir.join(format!("{name}.cursor.json"))
}

/// Reads the state at `path`: `None` when the file does not exist (first start), an error
/// message when it cannot be read or is not the JSON expected.
pub fn load_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Replaces the state at `path` atomically with `state` as pretty JSON, off the async
/// runtime's threads.
pub async fn save_json<T: Serialize>(path: &Path, state: &T) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
        .await
        .map_err(std::io::Error::other)?
}

/// Replaces `path` with `bytes`: `{path}.tmp` written and synced, renamed over `path`, the
/// directory synced so the rename survives a crash.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        // Best effort: not every platform can open a directory to sync it.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[tokio::test]
    async fn state_files_round_trip_and_are_named_for_the_receiver() {
        let dir = std::env::temp_dir().join(format!("ciotel-poll-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = state_file(&dir, "gitlab/ci.main");
        assert!(path.ends_with("gitlab_ci_main.cursor.json"));
        assert_eq!(load_json::<BTreeMap<String, u64>>(&path), Ok(None));
        let state = BTreeMap::from([("a".to_string(), 1u64)]);
        save_json(&path, &state).await.expect("save");
        assert_eq!(load_json(&path), Ok(Some(state)));
        assert!(!dir.join("gitlab_ci_main.cursor.json.tmp").exists());
        std::fs::write(&path, b"{").expect("write");
        assert!(load_json::<BTreeMap<String, u64>>(&path).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
