//! A short memory of credentials that passed a slow (bcrypt) check, so that a client sending
//! the same Basic credentials with every export pays bcrypt's cost once a minute, not on every
//! request.
//!
//! What is kept is a SHA-256 digest of (stored hash, user, password), never the password: the
//! stored hash carries bcrypt's random salt, so a digest is useless elsewhere, and a changed
//! password line (a new hash) never matches an old entry. Only successes are kept, so every
//! wrong guess still costs a full bcrypt. Entries live [`TTL`]; at most [`CAPACITY`] are kept
//! (when full, expired ones are dropped, and if none expired, all).

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a success is remembered.
pub const TTL: Duration = Duration::from_secs(60);

/// How many successes are remembered at most.
pub const CAPACITY: usize = 1024;

/// Remembered successes, by digest, with when each expires.
#[derive(Default)]
pub struct VerifiedCache {
    entries: Mutex<HashMap<[u8; 32], Instant>>,
}

/// The key of one (stored hash, user, password); fields are length-prefixed so that no two
/// different triples give the same input.
pub fn key(stored: &str, user: &str, password: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [stored.as_bytes(), user.as_bytes(), password] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

impl VerifiedCache {
    /// True when `key` passed within the last [`TTL`].
    pub fn contains(&self, key: &[u8; 32]) -> bool {
        let entries = match self.entries.lock() {
            Ok(e) => e,
            Err(poisoned) => poisoned.into_inner(),
        };
        entries
            .get(key)
            .is_some_and(|until| Instant::now() < *until)
    }

    /// Remembers that `key` passed.
    pub fn insert(&self, key: [u8; 32]) {
        let mut entries = match self.entries.lock() {
            Ok(e) => e,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        if entries.len() >= CAPACITY {
            entries.retain(|_, until| now < *until);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, now + TTL);
    }

    /// How many successes are remembered (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
