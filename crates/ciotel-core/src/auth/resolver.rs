//! From `extensions:` to running authenticators, and the words for every wrong `auth:`
//! reference, shared by the config check (`ciotel validate`, with the line) and by the build.

use super::basic::{BasicAuthClient, BasicAuthConfig, BasicAuthServer};
use super::bearer_token::{BearerTokenAuth, BearerTokenAuthConfig};
use super::{AuthResolver, ClientAuthenticator, ServerAuthenticator};
use crate::component_id::ComponentId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// An authenticator extension's config, as the binary's extension types lend it.
#[derive(Debug, Clone, Copy)]
pub enum AuthenticatorConfig<'a> {
    /// `bearertokenauth`.
    BearerToken(&'a BearerTokenAuthConfig),
    /// `basicauth`.
    Basic(&'a BasicAuthConfig),
}

/// Which sides an authenticator has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    /// Can check incoming requests (usable on a receiver).
    pub server: bool,
    /// Can add credentials to outgoing requests (usable on an exporter).
    pub client: bool,
}

/// The side a reference needs: receivers check, exporters send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A listener checking incoming requests.
    Server,
    /// An exporter sending requests.
    Client,
}

impl AuthenticatorConfig<'_> {
    /// The sides this config gives: bearertokenauth both, basicauth the one it configures.
    pub fn sides(&self) -> Sides {
        match self {
            AuthenticatorConfig::BearerToken(_) => Sides {
                server: true,
                client: true,
            },
            AuthenticatorConfig::Basic(c) => Sides {
                server: c.htpasswd.is_some(),
                client: c.client_auth.is_some(),
            },
        }
    }
}

/// What the config says of a referenced id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defined {
    /// No such id under `extensions`.
    No,
    /// An extension that is not an authenticator (e.g. `health_check`).
    NotAuthenticator,
    /// An authenticator with these sides.
    Authenticator(Sides),
}

/// What is wrong with a reference to `id` needing `side`, or `None` when it is usable.
pub fn reference_problem(
    id: &ComponentId,
    defined: Defined,
    enabled: bool,
    side: Side,
) -> Option<String> {
    let sides = match defined {
        Defined::No => {
            return Some(format!(
                "authenticator `{id}` is not defined under `extensions`"
            ));
        }
        Defined::NotAuthenticator => {
            return Some(format!(
                "extension `{id}` is not an authenticator (use a bearertokenauth or basicauth extension)"
            ));
        }
        Defined::Authenticator(sides) => sides,
    };
    if !enabled {
        return Some(format!(
            "authenticator `{id}` is not enabled: list it in `service.extensions`"
        ));
    }
    match side {
        Side::Server if !sides.server => Some(format!(
            "authenticator `{id}` has no server side and cannot check incoming requests \
             (a basicauth needs `htpasswd` for that)"
        )),
        Side::Client if !sides.client => Some(format!(
            "authenticator `{id}` has no client side and cannot send credentials \
             (a basicauth needs `client_auth` for that)"
        )),
        _ => None,
    }
}

/// One enabled authenticator, built.
struct Built {
    server: Option<Arc<dyn ServerAuthenticator>>,
    client: Option<Arc<dyn ClientAuthenticator>>,
}

/// Every authenticator of a config, built once at start and lent to listeners and exporters.
#[derive(Default)]
pub struct Authenticators {
    defined: BTreeMap<ComponentId, Defined>,
    enabled: Vec<ComponentId>,
    built: BTreeMap<ComponentId, Built>,
}

/// An authenticator that could not be built (e.g. its token file cannot be read).
#[derive(Debug, Clone, thiserror::Error)]
#[error("extension {id}: {message}")]
pub struct AuthBuildError {
    /// The extension's id.
    pub id: String,
    /// What is wrong; never contains a credential.
    pub message: String,
}

impl Authenticators {
    /// Builds every authenticator listed in `enabled` (`service.extensions`) from `extensions`
    /// (each id with its config when it is an authenticator). Files are read now.
    pub fn build<'a>(
        extensions: impl IntoIterator<Item = (&'a ComponentId, Option<AuthenticatorConfig<'a>>)>,
        enabled: &[ComponentId],
    ) -> Result<Authenticators, AuthBuildError> {
        let mut out = Authenticators {
            enabled: enabled.to_vec(),
            ..Authenticators::default()
        };
        for (id, config) in extensions {
            let Some(config) = config else {
                out.defined.insert(id.clone(), Defined::NotAuthenticator);
                continue;
            };
            out.defined
                .insert(id.clone(), Defined::Authenticator(config.sides()));
            if !enabled.contains(id) {
                continue;
            }
            let fail = |message| AuthBuildError {
                id: id.to_string(),
                message,
            };
            let built = match config {
                AuthenticatorConfig::BearerToken(c) => {
                    let both = Arc::new(BearerTokenAuth::new(&id.to_string(), c).map_err(fail)?);
                    Built {
                        server: Some(both.clone()),
                        client: Some(both),
                    }
                }
                AuthenticatorConfig::Basic(c) => Built {
                    server: match &c.htpasswd {
                        Some(h) => Some(Arc::new(BasicAuthServer::new(h).map_err(fail)?)),
                        None => None,
                    },
                    client: match &c.client_auth {
                        Some(a) => Some(Arc::new(BasicAuthClient::new(a).map_err(fail)?)),
                        None => None,
                    },
                },
            };
            out.built.insert(id.clone(), built);
        }
        Ok(out)
    }

    fn problem(&self, id: &ComponentId, side: Side) -> Option<String> {
        let defined = self.defined.get(id).copied().unwrap_or(Defined::No);
        reference_problem(id, defined, self.enabled.contains(id), side)
    }
}

impl AuthResolver for Authenticators {
    fn server(&self, id: &ComponentId) -> Result<Arc<dyn ServerAuthenticator>, String> {
        if let Some(problem) = self.problem(id, Side::Server) {
            return Err(problem);
        }
        self.built
            .get(id)
            .and_then(|b| b.server.clone())
            .ok_or_else(|| format!("authenticator `{id}` was not built"))
    }

    fn client(&self, id: &ComponentId) -> Result<Arc<dyn ClientAuthenticator>, String> {
        if let Some(problem) = self.problem(id, Side::Client) {
            return Err(problem);
        }
        self.built
            .get(id)
            .and_then(|b| b.client.clone())
            .ok_or_else(|| format!("authenticator `{id}` was not built"))
    }
}

/// A resolver with no authenticator, for components built without a config's extensions
/// (tests, tools): every reference is "not defined".
pub struct NoAuthenticators;

impl AuthResolver for NoAuthenticators {
    fn server(&self, id: &ComponentId) -> Result<Arc<dyn ServerAuthenticator>, String> {
        Err(reference_problem(id, Defined::No, false, Side::Server).unwrap_or_default())
    }

    fn client(&self, id: &ComponentId) -> Result<Arc<dyn ClientAuthenticator>, String> {
        Err(reference_problem(id, Defined::No, false, Side::Client).unwrap_or_default())
    }
}
