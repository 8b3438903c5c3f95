use super::htpasswd::BOB_APR1;
use super::{Scratch, headers};
use crate::ComponentId;
use crate::auth::basic::{BasicAuthConfig, ClientAuthConfig, HtpasswdConfig};
use crate::auth::bearer_token::BearerTokenAuthConfig;
use crate::auth::{AuthResolver, AuthenticatorConfig, Authenticators, NoAuthenticators};
use crate::webhook::Secret;
use http::HeaderMap;

fn id(text: &str) -> ComponentId {
    ComponentId::parse(text).unwrap()
}

fn err<T>(r: Result<T, String>) -> String {
    r.err().expect("an error")
}

#[test]
fn resolves_enabled_authenticators_and_names_every_wrong_reference() {
    let dir = Scratch::new("resolver");
    let users = dir.write("users", &format!("bob:{BOB_APR1}\n"));
    let bearer = BearerTokenAuthConfig {
        token: Some(Secret::new("tok")),
        ..BearerTokenAuthConfig::default()
    };
    let server = BasicAuthConfig {
        htpasswd: Some(HtpasswdConfig {
            file: Some(users),
            inline: None,
        }),
        client_auth: None,
    };
    let client = BasicAuthConfig {
        htpasswd: None,
        client_auth: Some(ClientAuthConfig {
            username: "u".into(),
            password: Some(Secret::new("p")),
            ..ClientAuthConfig::default()
        }),
    };
    let ids = [
        id("bearertokenauth"),
        id("basicauth/server"),
        id("basicauth/client"),
        id("health_check"),
        id("bearertokenauth/off"),
    ];
    let extensions = vec![
        (&ids[0], Some(AuthenticatorConfig::BearerToken(&bearer))),
        (&ids[1], Some(AuthenticatorConfig::Basic(&server))),
        (&ids[2], Some(AuthenticatorConfig::Basic(&client))),
        (&ids[3], None),
        (&ids[4], Some(AuthenticatorConfig::BearerToken(&bearer))),
    ];
    let enabled = ids[..4].to_vec();
    let auth = Authenticators::build(extensions, &enabled).unwrap();

    let mut h = HeaderMap::new();
    auth.client(&ids[0]).unwrap().apply(&mut h).unwrap();
    assert_eq!(h["authorization"], "Bearer tok");
    assert_eq!(auth.server(&ids[0]).unwrap().authenticate(&h), Ok(()));
    auth.client(&ids[2]).unwrap().apply(&mut h).unwrap();
    assert_eq!(h["authorization"], "Basic dTpw");
    let basic_bob = headers("authorization", "Basic Ym9iOnMzY3JldA==");
    assert_eq!(
        auth.server(&ids[1]).unwrap().authenticate(&basic_bob),
        Ok(())
    );

    assert_eq!(
        err(auth.client(&id("bearertokenauth/missing")).map(|_| ())),
        "authenticator `bearertokenauth/missing` is not defined under `extensions`"
    );
    assert_eq!(
        err(auth.server(&ids[3]).map(|_| ())),
        "extension `health_check` is not an authenticator (use a bearertokenauth or basicauth extension)"
    );
    assert_eq!(
        err(auth.client(&ids[4]).map(|_| ())),
        "authenticator `bearertokenauth/off` is not enabled: list it in `service.extensions`"
    );
    assert_eq!(
        err(auth.server(&ids[2]).map(|_| ())),
        "authenticator `basicauth/client` has no server side and cannot check incoming requests (a basicauth needs `htpasswd` for that)"
    );
    assert_eq!(
        err(auth.client(&ids[1]).map(|_| ())),
        "authenticator `basicauth/server` has no client side and cannot send credentials (a basicauth needs `client_auth` for that)"
    );
    assert!(err(NoAuthenticators.client(&ids[0]).map(|_| ())).contains("is not defined"));
}

#[test]
fn an_authenticator_that_cannot_start_is_a_build_error_naming_it() {
    let dir = Scratch::new("resolver-fail");
    let bearer = BearerTokenAuthConfig {
        filename: Some(dir.path().join("absent")),
        ..BearerTokenAuthConfig::default()
    };
    let ids = [id("bearertokenauth/file")];
    let e = Authenticators::build(
        vec![(&ids[0], Some(AuthenticatorConfig::BearerToken(&bearer)))],
        &ids,
    )
    .err()
    .unwrap();
    assert_eq!(e.id, "bearertokenauth/file");
    assert!(
        e.to_string()
            .starts_with("extension bearertokenauth/file: `filename` `"),
        "{e}"
    );
    // Not enabled: not built, so its missing file does not matter.
    assert!(
        Authenticators::build(
            vec![(&ids[0], Some(AuthenticatorConfig::BearerToken(&bearer)))],
            &[]
        )
        .is_ok()
    );
}
