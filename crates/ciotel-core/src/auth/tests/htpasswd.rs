//! Hash vectors made on this machine with Apache's `htpasswd` (apache2-utils), `openssl passwd`
//! and, for `{SSHA}`, Python's hashlib: `base64(sha1(password + salt) + salt)`.

use crate::auth::htpasswd::{Htpasswd, PasswordHash};

/// `htpasswd -nbB -C 4 alice 'wonder land'`
pub const ALICE_BCRYPT_2Y: &str = "$2y$04$55lXYcfVd1f60HJ.dlO3YejlkzhUHV9qBUBU9ByDVm3nv4TS4Q2gy";
/// `htpasswd -nbm bob s3cret`
pub const BOB_APR1: &str = "$apr1$rlQybigu$/ptLRNLSmTX4BIQ.XNHrq0";
/// `htpasswd -nbs carol hunter2`
pub const CAROL_SHA: &str = "{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=";
/// salt 01 02 03 04, password `ssha pass`
pub const DAVE_SSHA: &str = "{SSHA}si+mF0c5DTpT69+jHOAPCZykZ1wBAgME";
/// `openssl passwd -1 -salt saltsalt 'md5 pass'`
pub const ERIN_MD5: &str = "$1$saltsalt$W/uBYzxn7HLWgPHq7qHfe0";

fn hash(text: &str) -> PasswordHash {
    PasswordHash::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_supported_format_accepts_its_password_and_nothing_else() {
    let cases = [
        (ALICE_BCRYPT_2Y, "wonder land"),
        // $2b$ and $2a$ are the same computation for an ASCII password; only the prefix differs.
        (&ALICE_BCRYPT_2Y.replacen("$2y$", "$2b$", 1), "wonder land"),
        (&ALICE_BCRYPT_2Y.replacen("$2y$", "$2a$", 1), "wonder land"),
        (BOB_APR1, "s3cret"),
        (CAROL_SHA, "hunter2"),
        (DAVE_SSHA, "ssha pass"),
        (ERIN_MD5, "md5 pass"),
    ];
    for (stored, password) in cases {
        let h = hash(stored);
        assert!(
            h.verify(password.as_bytes()),
            "{stored} should accept its password"
        );
        assert!(!h.verify(b""), "{stored} accepted the empty password");
        let mut wrong = password.to_string();
        wrong.push('x');
        assert!(
            !h.verify(wrong.as_bytes()),
            "{stored} accepted a wrong password"
        );
        assert_eq!(h.stored(), stored, "the stored text round-trips");
    }
    assert!(hash(ALICE_BCRYPT_2Y).is_slow());
    assert!(!hash(BOB_APR1).is_slow());
}

#[test]
fn parses_a_file_with_comments_and_blank_lines() {
    let text =
        format!("# users\n\nalice:{ALICE_BCRYPT_2Y}\nbob:{BOB_APR1}\r\n  carol:{CAROL_SHA}  \n");
    let users = Htpasswd::parse(&text).unwrap();
    assert_eq!(users.len(), 3);
    assert!(users.get("bob").unwrap().verify(b"s3cret"));
    assert!(users.get("dave").is_none());
    assert_eq!(
        format!("{users:?}"),
        r#"Htpasswd { users: ["alice", "bob", "carol"] }"#
    );
}

#[test]
fn refuses_what_it_cannot_check_naming_line_and_user_but_not_the_value() {
    let cases = [
        (
            "frank:plain-password-1",
            "line 1: user `frank`: not a password hash: plain-text passwords are refused",
        ),
        (
            "frank:abDEFghij0123",
            "line 1: user `frank`: DES crypt (or a plain-text password) is not supported",
        ),
        (
            "frank:$6$salt$c29tZWhhc2g",
            "line 1: user `frank`: SHA-crypt hashes are not supported",
        ),
        (
            "frank:$argon2id$v=19$x",
            "line 1: user `frank`: unknown hash scheme",
        ),
        (
            "frank:$2y$04$tooshort",
            "line 1: user `frank`: invalid bcrypt hash",
        ),
        // 60 bytes, not ASCII: refused, not sliced mid-character.
        (
            "frank:$2y$04$ééééééééééééééééééééééééééa",
            "line 1: user `frank`: invalid bcrypt hash",
        ),
        (
            "frank:$apr1$nodollar",
            "line 1: user `frank`: invalid $apr1$ hash: expected $apr1$salt$hash",
        ),
        (
            "frank:{SHA}bm90IDIwIGJ5dGVz",
            "line 1: user `frank`: invalid {SHA} hash: not 20 bytes",
        ),
        (
            "# only a comment\nno-colon-line",
            "line 2: expected `user:hash`",
        ),
        (
            ":{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=",
            "line 1: the user name is empty",
        ),
        ("", "no `user:hash` line"),
    ];
    for (text, expected) in cases {
        let e = Htpasswd::parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text} parsed"));
        assert!(e.starts_with(expected), "{text}: {e}");
        if let Some((_, secret)) = text.split_once(':')
            && !secret.is_empty()
        {
            assert!(!e.contains(secret), "the error quotes the value: {e}");
        }
    }
    let twice = format!("carol:{CAROL_SHA}\ncarol:{CAROL_SHA}");
    assert_eq!(
        Htpasswd::parse(&twice).err().unwrap(),
        "line 2: user `carol` is listed twice"
    );
}
