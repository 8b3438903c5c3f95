//! htpasswd files: `user:hash` lines as Apache's `htpasswd` (and nginx, Traefik, the Collector's
//! basicauth) write them, parsed once and checked against a password in constant time.
//!
//! Hash formats, by their prefix:
//!
//! | prefix                    | made by                        | checked by                |
//! |---------------------------|--------------------------------|---------------------------|
//! | `$2y$` `$2b$` `$2a$` `$2x$` | `htpasswd -B` (bcrypt)       | the `bcrypt` crate        |
//! | `$apr1$`                  | `htpasswd -m` (the default)    | `md5_crypt.rs`            |
//! | `$1$`                     | glibc / `openssl passwd -1`    | `md5_crypt.rs`            |
//! | `{SHA}`                   | `htpasswd -s` (base64 SHA-1)   | SHA-1, constant-time      |
//! | `{SSHA}`                  | LDAP-style salted SHA-1        | SHA-1, constant-time      |
//!
//! Anything else is refused when the file is read, naming the line and the user but never the
//! text after the colon: plain-text passwords (a value with no known prefix), DES crypt (13
//! characters, `htpasswd -d`, which keeps only 8 password bytes) and SHA-crypt (`$5$`, `$6$`).
//! Blank lines and lines starting with `#` are skipped.

use super::md5_crypt::md5_crypt;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::str::FromStr;
use subtle::ConstantTimeEq;

/// The users of one htpasswd file, each with their password hash.
#[derive(Clone, Default)]
pub struct Htpasswd {
    users: BTreeMap<String, PasswordHash>,
}

/// One user's stored hash, decoded when the file was read.
#[derive(Clone)]
pub enum PasswordHash {
    /// bcrypt, kept as its 60-character text (the crate verifies from it).
    Bcrypt(String),
    /// MD5-crypt: magic (`$apr1$` or `$1$`), salt, and the 22 encoded characters.
    Md5Crypt {
        /// `$apr1$` or `$1$`.
        magic: &'static str,
        /// Up to 8 salt characters.
        salt: String,
        /// The encoded digest.
        encoded: String,
    },
    /// `{SHA}`: SHA-1 of the password.
    Sha1([u8; 20]),
    /// `{SSHA}`: SHA-1 of password + salt, and the salt.
    SaltedSha1 {
        /// SHA-1(password + salt).
        digest: [u8; 20],
        /// The salt that followed the digest.
        salt: Vec<u8>,
    },
}

impl std::fmt::Debug for Htpasswd {
    /// Names the users only: hashes of weak passwords can be cracked, so they stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Htpasswd")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Htpasswd {
    /// Parses htpasswd text. An error names the 1-based line and the user, never the hash.
    pub fn parse(text: &str) -> Result<Htpasswd, String> {
        let mut users = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let n = index + 1;
            let Some((user, hash)) = line.split_once(':') else {
                return Err(format!("line {n}: expected `user:hash`"));
            };
            if user.is_empty() {
                return Err(format!("line {n}: the user name is empty"));
            }
            let hash = PasswordHash::parse(hash.trim())
                .map_err(|reason| format!("line {n}: user `{user}`: {reason}"))?;
            if users.insert(user.to_string(), hash).is_some() {
                return Err(format!("line {n}: user `{user}` is listed twice"));
            }
        }
        if users.is_empty() {
            return Err("no `user:hash` line".into());
        }
        Ok(Htpasswd { users })
    }

    /// Adds `other`'s users, replacing those of the same name (`inline` over `file`).
    pub fn merge(&mut self, other: &Htpasswd) {
        for (user, hash) in &other.users {
            self.users.insert(user.clone(), hash.clone());
        }
    }

    /// The stored hash of `user`.
    pub fn get(&self, user: &str) -> Option<&PasswordHash> {
        self.users.get(user)
    }

    /// How many users there are.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// True when there is no user.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

impl PasswordHash {
    /// Recognises a hash by its prefix and decodes it; refuses what it cannot check.
    pub fn parse(text: &str) -> Result<PasswordHash, String> {
        const HOW: &str = "make the line with `htpasswd -nB USER` (bcrypt)";
        if text.starts_with("$2") {
            // The crate's error quotes the hash, so it is not passed on; and it slices the text
            // by byte offsets, so only 60 ASCII bytes are handed to it.
            let well_formed = text.len() == 60 && text.is_ascii();
            let parts = well_formed.then(|| bcrypt::HashParts::from_str(text).ok());
            let parts = parts.flatten().ok_or_else(|| {
                "invalid bcrypt hash: expected `$2y$` (or `$2b$`, `$2a$`), a two-digit cost, `$` \
                 and 53 characters"
                    .to_string()
            })?;
            if !(4..=31).contains(&parts.get_cost()) {
                return Err(format!("bcrypt cost {} is out of 4..=31", parts.get_cost()));
            }
            return Ok(PasswordHash::Bcrypt(text.to_string()));
        }
        for magic in ["$apr1$", "$1$"] {
            if let Some(rest) = text.strip_prefix(magic) {
                let (salt, encoded) = rest
                    .split_once('$')
                    .ok_or_else(|| format!("invalid {magic} hash: expected {magic}salt$hash"))?;
                let alphabet_ok = |s: &str| {
                    s.bytes()
                        .all(|b| b == b'.' || b == b'/' || b.is_ascii_alphanumeric())
                };
                if salt.is_empty() || salt.len() > 8 || !alphabet_ok(salt) {
                    return Err(format!("invalid {magic} hash: bad salt"));
                }
                if encoded.len() != 22 || !alphabet_ok(encoded) {
                    return Err(format!("invalid {magic} hash: bad digest"));
                }
                return Ok(PasswordHash::Md5Crypt {
                    magic,
                    salt: salt.to_string(),
                    encoded: encoded.to_string(),
                });
            }
        }
        if let Some(b64) = text.strip_prefix("{SHA}") {
            let bytes = STANDARD
                .decode(b64)
                .map_err(|_| "invalid {SHA} hash: not base64".to_string())?;
            let digest: [u8; 20] = bytes
                .try_into()
                .map_err(|_| "invalid {SHA} hash: not 20 bytes".to_string())?;
            return Ok(PasswordHash::Sha1(digest));
        }
        if let Some(b64) = text.strip_prefix("{SSHA}") {
            let bytes = STANDARD
                .decode(b64)
                .map_err(|_| "invalid {SSHA} hash: not base64".to_string())?;
            if bytes.len() <= 20 {
                return Err("invalid {SSHA} hash: no salt after the digest".into());
            }
            let (digest, salt) = bytes.split_at(20);
            let mut d = [0u8; 20];
            d.copy_from_slice(digest);
            return Ok(PasswordHash::SaltedSha1 {
                digest: d,
                salt: salt.to_vec(),
            });
        }
        if text.starts_with("$5$") || text.starts_with("$6$") {
            return Err(format!("SHA-crypt hashes are not supported; {HOW}"));
        }
        if text.starts_with('$') || text.starts_with('{') {
            return Err(format!("unknown hash scheme; {HOW}"));
        }
        if text.len() == 13
            && text
                .bytes()
                .all(|b| b == b'.' || b == b'/' || b.is_ascii_alphanumeric())
        {
            return Err(format!(
                "DES crypt (or a plain-text password) is not supported; {HOW}"
            ));
        }
        Err(format!(
            "not a password hash: plain-text passwords are refused; {HOW}"
        ))
    }

    /// Whether checking is slow by design (bcrypt), so that a success is worth caching.
    pub fn is_slow(&self) -> bool {
        matches!(self, PasswordHash::Bcrypt(_))
    }

    /// The stored hash as text, for keying a verification cache (it carries the salt).
    pub fn stored(&self) -> String {
        match self {
            PasswordHash::Bcrypt(text) => text.clone(),
            PasswordHash::Md5Crypt {
                magic,
                salt,
                encoded,
            } => format!("{magic}{salt}${encoded}"),
            PasswordHash::Sha1(d) => format!("{{SHA}}{}", STANDARD.encode(d)),
            PasswordHash::SaltedSha1 { digest, salt } => {
                let mut all = digest.to_vec();
                all.extend_from_slice(salt);
                format!("{{SSHA}}{}", STANDARD.encode(all))
            }
        }
    }

    /// True when `password` matches. Every comparison of digests is constant-time.
    pub fn verify(&self, password: &[u8]) -> bool {
        match self {
            // bcrypt::verify compares with `subtle` itself.
            PasswordHash::Bcrypt(text) => bcrypt::verify(password, text).unwrap_or(false),
            PasswordHash::Md5Crypt {
                magic,
                salt,
                encoded,
            } => {
                let computed = md5_crypt(password, magic, salt.as_bytes());
                computed.as_bytes().ct_eq(encoded.as_bytes()).into()
            }
            PasswordHash::Sha1(digest) => {
                let computed = Sha1::digest(password);
                computed.as_slice().ct_eq(digest).into()
            }
            PasswordHash::SaltedSha1 { digest, salt } => {
                let mut h = Sha1::new();
                h.update(password);
                h.update(salt);
                h.finalize().as_slice().ct_eq(digest).into()
            }
        }
    }
}
