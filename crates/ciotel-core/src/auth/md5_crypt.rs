//! MD5-crypt, the hash of htpasswd's default `-m` lines (`$apr1$`, Apache's name for it) and of
//! old glibc `$1$` passwords: the two differ only in their magic prefix.
//!
//! The algorithm (Poul-Henning Kamp's md5crypt), step by step as the code below follows it:
//! 1. `alt = md5(password + salt + password)`;
//! 2. `ctx = md5(password + magic + salt + alt repeated to password's length + one byte per bit
//!    of the password's length: NUL for a 1 bit, the password's first byte for a 0 bit)`;
//! 3. 1000 rounds, round `i` hashing: (odd `i`: password, even: previous digest), salt unless
//!    `i % 3 == 0`, password unless `i % 7 == 0`, then (odd: previous digest, even: password);
//! 4. the 16 digest bytes, in a fixed shuffled order, as 22 characters of crypt's base 64.

use md5::{Digest, Md5};

/// crypt(3)'s base-64 alphabet (not RFC 4648's).
const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 22 encoded characters after `magic salt $` for `password`. `salt` is at most 8 bytes
/// (longer salts are cut, as every implementation does).
pub fn md5_crypt(password: &[u8], magic: &str, salt: &[u8]) -> String {
    let salt = &salt[..salt.len().min(8)];

    let mut alt = Md5::new();
    alt.update(password);
    alt.update(salt);
    alt.update(password);
    let alt = alt.finalize();

    let mut ctx = Md5::new();
    ctx.update(password);
    ctx.update(magic.as_bytes());
    ctx.update(salt);
    let mut left = password.len();
    while left > 0 {
        let n = left.min(16);
        ctx.update(&alt[..n]);
        left -= n;
    }
    let mut bits = password.len();
    while bits != 0 {
        if bits & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&password[..1]);
        }
        bits >>= 1;
    }
    let mut digest = ctx.finalize();

    for round in 0..1000 {
        let mut ctx = Md5::new();
        if round & 1 == 1 {
            ctx.update(password);
        } else {
            ctx.update(digest);
        }
        if round % 3 != 0 {
            ctx.update(salt);
        }
        if round % 7 != 0 {
            ctx.update(password);
        }
        if round & 1 == 1 {
            ctx.update(digest);
        } else {
            ctx.update(password);
        }
        digest = ctx.finalize();
    }

    let d = digest;
    let mut out = String::with_capacity(22);
    let mut put = |value: u32, chars: usize| {
        let mut v = value;
        for _ in 0..chars {
            out.push(ITOA64[(v & 0x3f) as usize] as char);
            v >>= 6;
        }
    };
    let group = |a: u8, b: u8, c: u8| (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
    put(group(d[0], d[6], d[12]), 4);
    put(group(d[1], d[7], d[13]), 4);
    put(group(d[2], d[8], d[14]), 4);
    put(group(d[3], d[9], d[15]), 4);
    put(group(d[4], d[10], d[5]), 4);
    put(u32::from(d[11]), 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made with `openssl passwd -apr1 -salt … PASSWORD` and `openssl passwd -1 -salt …`.
    #[test]
    fn matches_openssl() {
        assert_eq!(
            md5_crypt(b"", "$apr1$", b"abcdefgh"),
            "L.PT565ESX4Tp2bqNs7Ie."
        );
        assert_eq!(
            md5_crypt(
                b"a very long password that is longer than sixteen bytes",
                "$apr1$",
                b"x"
            ),
            "qddZ/ma92FpSKo5A/QYWg/"
        );
        assert_eq!(
            md5_crypt(b"md5 pass", "$1$", b"saltsalt"),
            "W/uBYzxn7HLWgPHq7qHfe0"
        );
        // `htpasswd -nbm bob s3cret`
        assert_eq!(
            md5_crypt(b"s3cret", "$apr1$", b"rlQybigu"),
            "/ptLRNLSmTX4BIQ.XNHrq0"
        );
    }
}
