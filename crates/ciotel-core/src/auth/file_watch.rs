//! A credential file that is re-read when it changes: a token file or an htpasswd file that an
//! operator (or Kubernetes, by swapping a symlink) replaces while the daemon runs.
//!
//! There is no watcher task: on use, at most once per [`CHECK_INTERVAL`], the file's metadata
//! (modification time, size, inode) is compared with what was read last, and the file is read
//! and parsed again only when that changed, or when it was modified in the last two seconds
//! (two writes within one tick of the file system's clock can leave the same stamp). A use between checks costs a mutex and an `Arc`
//! clone.
//!
//! A file that cannot be read, or no longer parses, after it once loaded keeps the last good
//! contents in use (as the Collector does): a secret being swapped is briefly missing, and
//! refusing every client for that moment would be an outage. The failure is logged once when
//! it starts (with the path and the reason, never the contents) and once when the file is good
//! again. A file that cannot be read when the daemon starts is a start-up error.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How often, at most, a file's metadata is checked on use.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Turns a file's text into the value in use, or says what is wrong (never quoting secrets).
pub type Parse<T> = fn(&str) -> Result<T, String>;

/// A file's contents, parsed, kept current with the file.
pub struct WatchedFile<T> {
    path: PathBuf,
    parse: Parse<T>,
    interval: Duration,
    state: Mutex<State<T>>,
}

struct State<T> {
    value: Arc<T>,
    stamp: Option<Stamp>,
    checked_at: Instant,
    failing: bool,
}

/// What tells that a file changed without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

/// A file modified this recently may be written again within the same timestamp tick (file
/// times are coarse), so its stamp alone cannot tell; such a file is read again at each check
/// until it has been still for this long.
const SETTLE: Duration = Duration::from_secs(2);

impl Stamp {
    fn is_recent(&self) -> bool {
        match self.modified {
            Some(m) => SystemTime::now()
                .duration_since(m)
                .map_or(true, |age| age < SETTLE),
            None => true,
        }
    }
}

fn stamp(path: &Path) -> std::io::Result<Stamp> {
    // `metadata` follows symlinks, so a swapped `..data` link shows as a new inode.
    let meta = std::fs::metadata(path)?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Ok(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode,
    })
}

impl<T: Send + Sync + 'static> WatchedFile<T> {
    /// Reads and parses `path` now; an error names the file and says what is wrong.
    pub fn open(path: &Path, parse: Parse<T>) -> Result<Self, String> {
        Self::with_interval(path, parse, CHECK_INTERVAL)
    }

    /// As [`open`](Self::open), checking for changes at most every `interval` (tests use zero).
    pub fn with_interval(path: &Path, parse: Parse<T>, interval: Duration) -> Result<Self, String> {
        let (value, stamp) = read_value(path, parse)?;
        Ok(WatchedFile {
            path: path.to_path_buf(),
            parse,
            interval,
            state: Mutex::new(State {
                value: Arc::new(value),
                stamp: Some(stamp),
                checked_at: Instant::now(),
                failing: false,
            }),
        })
    }

    /// The file's parsed contents, re-read first if the file changed since the last check.
    pub fn current(&self) -> Arc<T> {
        let mut state = match self.state.lock() {
            Ok(s) => s,
            // A panic while holding the lock left a consistent value behind: keep using it.
            Err(poisoned) => poisoned.into_inner(),
        };
        if state.checked_at.elapsed() >= self.interval {
            state.checked_at = Instant::now();
            self.refresh(&mut state);
        }
        state.value.clone()
    }

    fn refresh(&self, state: &mut State<T>) {
        let (moved, recent) = match (stamp(&self.path), &state.stamp) {
            (Ok(now), Some(then)) => (now != *then, then.is_recent()),
            _ => (true, false),
        };
        if !moved && !recent {
            return;
        }
        match read_value(&self.path, self.parse) {
            Ok((value, stamp)) => {
                state.value = Arc::new(value);
                state.stamp = Some(stamp);
                if state.failing {
                    tracing::info!(file = %self.path.display(), "credential file is readable again; using its new contents");
                } else if moved {
                    tracing::info!(file = %self.path.display(), "credential file changed; using its new contents");
                }
                state.failing = false;
            }
            Err(reason) => {
                // Forget the stamp so the next check tries again even if nothing moved.
                state.stamp = None;
                if !state.failing {
                    tracing::warn!(file = %self.path.display(), %reason, "credential file cannot be used; keeping its last good contents");
                }
                state.failing = true;
            }
        }
    }
}

/// Reads and parses the file. The stamp is taken before reading, so a write racing the read is
/// seen as a change at the next check.
fn read_value<T>(path: &Path, parse: Parse<T>) -> Result<(T, Stamp), String> {
    let before = stamp(path).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Ok((parse(&text)?, before))
}
