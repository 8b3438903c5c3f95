use super::htpasswd::{ALICE_BCRYPT_2Y, BOB_APR1, CAROL_SHA};
use super::{Scratch, headers};
use crate::auth::basic::{
    BasicAuthClient, BasicAuthConfig, BasicAuthServer, ClientAuthConfig, HtpasswdConfig,
    InlineHtpasswd,
};
use crate::auth::htpasswd::Htpasswd;
use crate::auth::{AuthError, ClientAuthenticator, ServerAuthenticator};
use crate::webhook::Secret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use std::time::Duration;

fn basic(user: &str, password: &str) -> HeaderMap {
    let encoded = STANDARD.encode(format!("{user}:{password}"));
    headers("authorization", &format!("Basic {encoded}"))
}

fn inline(text: &str) -> HtpasswdConfig {
    HtpasswdConfig {
        file: None,
        inline: Some(InlineHtpasswd {
            users: Htpasswd::parse(text).unwrap(),
        }),
    }
}

#[test]
fn server_checks_each_hash_format_and_tells_missing_from_wrong() {
    let text = format!("alice:{ALICE_BCRYPT_2Y}\nbob:{BOB_APR1}\ncarol:{CAROL_SHA}\n");
    let server = BasicAuthServer::new(&inline(&text)).unwrap();
    assert_eq!(server.authenticate(&basic("alice", "wonder land")), Ok(()));
    assert_eq!(server.authenticate(&basic("bob", "s3cret")), Ok(()));
    assert_eq!(server.authenticate(&basic("carol", "hunter2")), Ok(()));
    for (user, password) in [
        ("alice", "wonderland"),
        ("bob", "hunter2"),
        ("carol", ""),
        ("mallory", "s3cret"),
    ] {
        assert_eq!(
            server.authenticate(&basic(user, password)),
            Err(AuthError::Invalid),
            "{user}"
        );
    }
    assert_eq!(
        server.authenticate(&HeaderMap::new()),
        Err(AuthError::Missing)
    );
    let bad = |value: &str| server.authenticate(&headers("authorization", value));
    assert_eq!(bad("Bearer czNjcmV0"), Err(AuthError::Invalid));
    assert_eq!(bad("Basic not-base64!"), Err(AuthError::Invalid));
    // base64 of "bob" alone: no colon.
    assert_eq!(bad("Basic Ym9i"), Err(AuthError::Invalid));
    // The scheme is case-insensitive.
    let lower = format!("basic {}", STANDARD.encode("bob:s3cret"));
    assert_eq!(bad(&lower), Ok(()));
}

#[test]
fn a_bcrypt_success_is_remembered_by_digest_and_a_failure_is_not() {
    let server = BasicAuthServer::new(&inline(&format!("alice:{ALICE_BCRYPT_2Y}"))).unwrap();
    assert_eq!(
        server.authenticate(&basic("alice", "nope")),
        Err(AuthError::Invalid)
    );
    assert_eq!(server.remembered(), 0);
    assert_eq!(server.authenticate(&basic("alice", "wonder land")), Ok(()));
    assert_eq!(server.remembered(), 1);
    assert_eq!(server.authenticate(&basic("alice", "wonder land")), Ok(()));
    assert_eq!(server.remembered(), 1);
    // A remembered success does not let a wrong password through.
    assert_eq!(
        server.authenticate(&basic("alice", "wonder lan")),
        Err(AuthError::Invalid)
    );
    // Fast formats are not remembered.
    let fast = BasicAuthServer::new(&inline(&format!("bob:{BOB_APR1}"))).unwrap();
    assert_eq!(fast.authenticate(&basic("bob", "s3cret")), Ok(()));
    assert_eq!(fast.remembered(), 0);
}

#[test]
fn htpasswd_file_is_re_read_after_it_changes_and_inline_lines_win() {
    let dir = Scratch::new("basic-file");
    let path = dir.write("users", &format!("bob:{BOB_APR1}\n"));
    let config = HtpasswdConfig {
        file: Some(path.clone()),
        ..HtpasswdConfig::default()
    };
    let server = BasicAuthServer::build(&config, Duration::ZERO).unwrap();
    assert_eq!(server.authenticate(&basic("bob", "s3cret")), Ok(()));
    assert_eq!(
        server.authenticate(&basic("carol", "hunter2")),
        Err(AuthError::Invalid)
    );

    dir.overwrite("users", &format!("carol:{CAROL_SHA}\n"));
    assert_eq!(server.authenticate(&basic("carol", "hunter2")), Ok(()));
    assert_eq!(
        server.authenticate(&basic("bob", "s3cret")),
        Err(AuthError::Invalid)
    );

    // A broken file keeps the last good users (and says so in the log).
    dir.write("users", "carol:plain-text\n");
    assert_eq!(server.authenticate(&basic("carol", "hunter2")), Ok(()));

    // Inline lines take precedence over the file for the same user.
    let both = HtpasswdConfig {
        file: Some(dir.write("users", &format!("carol:{CAROL_SHA}\nbob:{BOB_APR1}\n"))),
        inline: inline("carol:{SHA}NWoZK3kTsExUV00Ywo1G5jlUKKs=").inline,
    };
    let server = BasicAuthServer::build(&both, Duration::ZERO).unwrap();
    // {SHA} of "1" (sha1 356a192b…, base64 NWoZK3kTsExUV00Ywo1G5jlUKKs=).
    assert_eq!(server.authenticate(&basic("carol", "1")), Ok(()));
    assert_eq!(
        server.authenticate(&basic("carol", "hunter2")),
        Err(AuthError::Invalid)
    );
    assert_eq!(server.authenticate(&basic("bob", "s3cret")), Ok(()));
}

#[test]
fn an_unreadable_htpasswd_file_at_start_is_an_error_naming_it() {
    let dir = Scratch::new("basic-missing");
    let path = dir.path().join("none");
    let config = HtpasswdConfig {
        file: Some(path.clone()),
        ..HtpasswdConfig::default()
    };
    let e = BasicAuthServer::new(&config).err().unwrap();
    assert!(
        e.starts_with(&format!("htpasswd.file `{}`: ", path.display())),
        "{e}"
    );
    let plain = dir.write("plain", "frank:letmein\n");
    let e = BasicAuthServer::new(&HtpasswdConfig {
        file: Some(plain),
        ..HtpasswdConfig::default()
    })
    .err()
    .unwrap();
    assert!(
        e.contains("line 1: user `frank`: not a password hash"),
        "{e}"
    );
    assert!(!e.contains("letmein"), "{e}");
}

#[test]
fn client_sends_the_rfc_7617_header() {
    let client = BasicAuthClient::new(&ClientAuthConfig {
        username: "Aladdin".into(),
        password: Some(Secret::new("open sesame")),
        ..ClientAuthConfig::default()
    })
    .unwrap();
    let mut h = HeaderMap::new();
    client.apply(&mut h).unwrap();
    let value = h.get("authorization").unwrap();
    assert_eq!(
        value.to_str().unwrap(),
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    assert!(value.is_sensitive());
}

#[test]
fn config_is_a_server_or_a_client_not_both_nor_neither() {
    let client = ClientAuthConfig {
        username: "u".into(),
        password: Some(Secret::new("p")),
        ..ClientAuthConfig::default()
    };
    let both = BasicAuthConfig {
        htpasswd: Some(inline(&format!("bob:{BOB_APR1}"))),
        client_auth: Some(client.clone()),
    };
    assert!(both.validate().unwrap_err().contains("not both"));
    assert!(
        BasicAuthConfig::default()
            .validate()
            .unwrap_err()
            .starts_with("set `htpasswd`")
    );
    let empty = BasicAuthConfig {
        htpasswd: Some(HtpasswdConfig::default()),
        client_auth: None,
    };
    assert_eq!(
        empty.validate().unwrap_err(),
        "`htpasswd` needs `file` or `inline`"
    );
    let colon = BasicAuthConfig {
        htpasswd: None,
        client_auth: Some(ClientAuthConfig {
            username: "a:b".into(),
            ..client
        }),
    };
    assert_eq!(
        colon.validate().unwrap_err(),
        "`client_auth.username` cannot contain `:`"
    );
    // The inline text is parsed with the config; its error has no hash in it.
    let e = yaml_serde::from_str::<BasicAuthConfig>("htpasswd:\n  inline: |\n    frank:letmein\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("htpasswd.inline: line 1: user `frank`: not a password hash"),
        "{e}"
    );
    assert!(!e.contains("letmein"), "{e}");
    let shown = format!(
        "{:?}",
        ClientAuthConfig {
            username: "u".into(),
            password: Some(Secret::new("pw-42")),
            ..ClientAuthConfig::default()
        }
    );
    assert!(!shown.contains("pw-42"), "{shown}");
}

#[test]
fn client_credentials_from_files_win_and_are_re_read_after_they_change() {
    let dir = Scratch::new("basic-client-files");
    let config = ClientAuthConfig {
        username: "ignored".into(),
        username_file: Some(dir.write("user", "agent\n")),
        password: Some(Secret::new("ignored")),
        password_file: Some(dir.write("pass", "first pass\n")),
    };
    let client = BasicAuthClient::build(&config, Duration::ZERO).unwrap();
    let sent = || {
        let mut h = HeaderMap::new();
        client.apply(&mut h).unwrap();
        h["authorization"].to_str().unwrap().to_string()
    };
    let expected = |pair: &str| format!("Basic {}", STANDARD.encode(pair));
    assert_eq!(sent(), expected("agent:first pass"));
    dir.overwrite("pass", "second pass\n");
    assert_eq!(sent(), expected("agent:second pass"));
    // Gone: the last good password stays in use.
    std::fs::remove_file(dir.path().join("pass")).unwrap();
    assert_eq!(sent(), expected("agent:second pass"));

    let missing = ClientAuthConfig {
        password_file: Some(dir.path().join("pass")),
        ..config
    };
    let e = BasicAuthClient::new(&missing).err().unwrap();
    assert!(e.starts_with("client_auth.password_file `"), "{e}");
    let none = ClientAuthConfig {
        username: "u".into(),
        ..ClientAuthConfig::default()
    };
    assert_eq!(
        none.validate().unwrap_err(),
        "set `client_auth.password` or `client_auth.password_file`"
    );
}
