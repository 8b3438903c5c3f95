use super::{Scratch, headers};
use crate::auth::bearer_token::{BearerTokenAuth, BearerTokenAuthConfig};
use crate::auth::{AuthError, ClientAuthenticator, ServerAuthenticator};
use crate::webhook::Secret;
use http::HeaderMap;
use std::time::Duration;

fn inline(token: &str) -> BearerTokenAuthConfig {
    BearerTokenAuthConfig {
        token: Some(Secret::new(token)),
        ..BearerTokenAuthConfig::default()
    }
}

fn sent(auth: &BearerTokenAuth, header: &str) -> String {
    let mut h = HeaderMap::new();
    auth.apply(&mut h).unwrap();
    assert!(h.get(header).unwrap().is_sensitive());
    h.get(header).unwrap().to_str().unwrap().to_string()
}

#[test]
fn server_accepts_the_token_and_tells_missing_from_wrong() {
    let auth = BearerTokenAuth::new("bearertokenauth", &inline("s3cr3t-token")).unwrap();
    let check = |name: &str, value: &str| auth.authenticate(&headers(name, value));
    assert_eq!(check("authorization", "Bearer s3cr3t-token"), Ok(()));
    // The scheme is case-insensitive (RFC 9110); the token is not.
    assert_eq!(check("authorization", "bearer s3cr3t-token"), Ok(()));
    assert_eq!(
        check("authorization", "Bearer S3CR3T-TOKEN"),
        Err(AuthError::Invalid)
    );
    assert_eq!(
        check("authorization", "Bearer s3cr3t-toke"),
        Err(AuthError::Invalid)
    );
    assert_eq!(
        check("authorization", "Bearer s3cr3t-token-and-more"),
        Err(AuthError::Invalid)
    );
    assert_eq!(
        check("authorization", "Basic s3cr3t-token"),
        Err(AuthError::Invalid)
    );
    assert_eq!(
        check("authorization", "s3cr3t-token"),
        Err(AuthError::Invalid)
    );
    assert_eq!(check("authorization", "Bearer"), Err(AuthError::Invalid));
    assert_eq!(check("authorization", " "), Err(AuthError::Missing));
    assert_eq!(
        check("x-other", "Bearer s3cr3t-token"),
        Err(AuthError::Missing)
    );
    assert_eq!(
        auth.authenticate(&HeaderMap::new()),
        Err(AuthError::Missing)
    );
}

#[test]
fn client_sends_scheme_space_token() {
    let auth = BearerTokenAuth::new("bearertokenauth", &inline("abc.def")).unwrap();
    assert_eq!(sent(&auth, "authorization"), "Bearer abc.def");
}

#[test]
fn header_and_scheme_are_configurable_and_an_empty_scheme_sends_the_bare_token() {
    let config = BearerTokenAuthConfig {
        header: "X-Api-Key".into(),
        scheme: String::new(),
        ..inline("k-123")
    };
    let auth = BearerTokenAuth::new("bearertokenauth/key", &config).unwrap();
    assert_eq!(sent(&auth, "x-api-key"), "k-123");
    assert_eq!(auth.authenticate(&headers("x-api-key", "k-123")), Ok(()));
    assert_eq!(
        auth.authenticate(&headers("authorization", "k-123")),
        Err(AuthError::Missing)
    );
    let custom = BearerTokenAuthConfig {
        scheme: "Token".into(),
        ..inline("t")
    };
    let auth = BearerTokenAuth::new("bearertokenauth/t", &custom).unwrap();
    assert_eq!(sent(&auth, "authorization"), "Token t");
    assert_eq!(
        auth.authenticate(&headers("authorization", "Bearer t")),
        Err(AuthError::Invalid)
    );
}

#[test]
fn with_several_tokens_a_server_accepts_any_and_a_client_sends_the_first() {
    let config = BearerTokenAuthConfig {
        tokens: vec![Secret::new("new-token"), Secret::new("old-token")],
        ..BearerTokenAuthConfig::default()
    };
    let auth = BearerTokenAuth::new("bearertokenauth", &config).unwrap();
    assert_eq!(
        auth.authenticate(&headers("authorization", "Bearer old-token")),
        Ok(())
    );
    assert_eq!(
        auth.authenticate(&headers("authorization", "Bearer new-token")),
        Ok(())
    );
    assert_eq!(
        auth.authenticate(&headers("authorization", "Bearer other")),
        Err(AuthError::Invalid)
    );
    assert_eq!(sent(&auth, "authorization"), "Bearer new-token");
}

#[test]
fn config_checks_name_the_key_and_never_the_token() {
    let none = BearerTokenAuthConfig::default();
    assert_eq!(
        none.validate().unwrap_err(),
        "set `token`, `tokens` or `filename`"
    );
    let both = BearerTokenAuthConfig {
        tokens: vec![Secret::new("b")],
        ..inline("a")
    };
    assert_eq!(
        both.validate().unwrap_err(),
        "set `token` or `tokens`, not both"
    );
    let empty = inline("");
    assert_eq!(empty.validate().unwrap_err(), "`token`: the token is empty");
    let newline = inline("leaky\ntoken");
    let e = newline.validate().unwrap_err();
    assert!(e.starts_with("`token`: "), "{e}");
    assert!(!e.contains("leaky"), "{e}");
    let header = BearerTokenAuthConfig {
        header: "bad header".into(),
        ..inline("a")
    };
    assert_eq!(
        header.validate().unwrap_err(),
        "`header`: `bad header` is not a valid header name"
    );
    // An unquoted all-digit token is a YAML integer: refused, and not echoed.
    let e = yaml_serde::from_str::<BearerTokenAuthConfig>("token: 918273645")
        .unwrap_err()
        .to_string();
    assert!(e.contains("must be a string (quote it)"), "{e}");
    assert!(!e.contains("918273645"), "{e}");
    // Debug never shows it.
    let shown = format!("{:?}", inline("very-secret"));
    assert!(!shown.contains("very-secret"), "{shown}");
}

#[test]
fn token_file_is_read_at_start_and_again_after_it_changes() {
    let dir = Scratch::new("bearer-file");
    let path = dir.write("token", "first-token\n");
    let config = BearerTokenAuthConfig {
        filename: Some(path.clone()),
        // Ignored, as in the Collector: the file wins.
        token: Some(Secret::new("inline-token")),
        ..BearerTokenAuthConfig::default()
    };
    let auth = BearerTokenAuth::build("bearertokenauth", &config, Duration::ZERO).unwrap();
    let check = |t: &str| auth.authenticate(&headers("authorization", &format!("Bearer {t}")));
    assert_eq!(check("first-token"), Ok(()));
    assert_eq!(check("inline-token"), Err(AuthError::Invalid));
    assert_eq!(sent(&auth, "authorization"), "Bearer first-token");

    // Rewritten in place with a token of the same length: only the stamp tells.
    dir.overwrite("token", "secnd-token\n");
    assert_eq!(check("secnd-token"), Ok(()));
    assert_eq!(check("first-token"), Err(AuthError::Invalid));
    assert_eq!(sent(&auth, "authorization"), "Bearer secnd-token");

    // Swapped atomically (a new inode), with two tokens during a rotation.
    dir.write("token", "third-token\nsecnd-token\n");
    assert_eq!(check("third-token"), Ok(()));
    assert_eq!(check("secnd-token"), Ok(()));
    assert_eq!(sent(&auth, "authorization"), "Bearer third-token");
}

#[test]
fn a_token_file_that_goes_away_keeps_the_last_good_token_until_it_is_back() {
    let dir = Scratch::new("bearer-gone");
    let path = dir.write("token", "kept-token");
    let config = BearerTokenAuthConfig {
        filename: Some(path.clone()),
        ..BearerTokenAuthConfig::default()
    };
    let auth = BearerTokenAuth::build("bearertokenauth", &config, Duration::ZERO).unwrap();
    let check = |t: &str| auth.authenticate(&headers("authorization", &format!("Bearer {t}")));
    std::fs::remove_file(&path).unwrap();
    assert_eq!(check("kept-token"), Ok(()));
    assert_eq!(sent(&auth, "authorization"), "Bearer kept-token");
    // A file with no token is not used either.
    dir.write("token", "\n\n");
    assert_eq!(check("kept-token"), Ok(()));
    dir.write("token", "back-token");
    assert_eq!(check("back-token"), Ok(()));
    assert_eq!(check("kept-token"), Err(AuthError::Invalid));
}

#[test]
fn a_token_file_that_cannot_be_read_at_start_is_an_error_naming_it() {
    let dir = Scratch::new("bearer-missing");
    let path = dir.path().join("nope");
    let config = BearerTokenAuthConfig {
        filename: Some(path.clone()),
        ..BearerTokenAuthConfig::default()
    };
    let e = BearerTokenAuth::new("bearertokenauth", &config)
        .err()
        .unwrap();
    assert!(
        e.starts_with(&format!("`filename` `{}`: ", path.display())),
        "{e}"
    );
    let empty = dir.write("empty", "  \n");
    let config = BearerTokenAuthConfig {
        filename: Some(empty),
        ..BearerTokenAuthConfig::default()
    };
    let e = BearerTokenAuth::new("bearertokenauth", &config)
        .err()
        .unwrap();
    assert!(e.ends_with("the file holds no token"), "{e}");
}

#[test]
fn file_changes_are_noticed_at_most_once_per_interval() {
    let dir = Scratch::new("bearer-interval");
    let path = dir.write("token", "before");
    let config = BearerTokenAuthConfig {
        filename: Some(path),
        ..BearerTokenAuthConfig::default()
    };
    let auth =
        BearerTokenAuth::build("bearertokenauth", &config, Duration::from_secs(3600)).unwrap();
    dir.write("token", "after");
    // Within the interval the file is not looked at again.
    assert_eq!(sent(&auth, "authorization"), "Bearer before");
}
