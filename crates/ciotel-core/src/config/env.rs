//! Environment references inside one scalar value, written as the Collector writes them:
//! `${env:NAME}`, `${env:NAME:-default}`, bare `${NAME}` (and `${NAME:-default}`), with `$$` for
//! a literal `$` (so `$${env:X}` is the text `${env:X}`).
//!
//! This file only knows the syntax: it turns one scalar's text into its expanded text. Where
//! that happens (values only, while the YAML is parsed, never on the raw file) is
//! [`super::expand`]'s business.

use std::borrow::Cow;
use std::cell::RefCell;

/// Why a scalar's references could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// `${env:NAME}` with NAME unset and no `:-default`.
    #[error(
        "environment variable `{name}` is not set and has no default (write ${{env:{name}:-default}} to give one)"
    )]
    Unset {
        /// The variable's name.
        name: String,
    },
    /// `${file:…}`, `${http:…}` …: providers ciotel does not have.
    #[error(
        "`${{{scheme}:…}}` is not supported: only environment variables (`${{env:NAME}}` or `${{NAME}}`) are; write `$${{` for a literal `${{`"
    )]
    UnsupportedScheme {
        /// The scheme as written.
        scheme: String,
    },
    /// `${env:}` or `${env:1X}`: not a variable name.
    #[error(
        "`{reference}` does not name an environment variable (letters, digits, `_`, not starting with a digit)"
    )]
    BadName {
        /// The reference as written.
        reference: String,
    },
}

/// One `${…}` reference found in a scalar, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'t> {
    /// The whole reference, `${env:NAME:-default}`.
    pub text: &'t str,
    /// The variable's name.
    pub name: &'t str,
    /// The default after `:-`, if any.
    pub default: Option<&'t str>,
}

/// Looks variables up and remembers the values it handed out, so error messages can be
/// scrubbed of them afterwards (an environment value is often a secret).
pub struct Environment<'l> {
    lookup: &'l dyn Fn(&str) -> Option<String>,
    handed_out: RefCell<Vec<String>>,
}

impl<'l> Environment<'l> {
    /// An environment reading variables through `lookup`.
    pub fn new(lookup: &'l dyn Fn(&str) -> Option<String>) -> Self {
        Environment {
            lookup,
            handed_out: RefCell::new(Vec::new()),
        }
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = (self.lookup)(name)?;
        self.handed_out.borrow_mut().push(value.clone());
        Some(value)
    }

    /// Every variable's value handed out so far (defaults are in the file already).
    pub fn handed_out(&self) -> Vec<String> {
        self.handed_out.borrow().clone()
    }

    /// `text` with its references replaced and `$$` turned into `$`; borrowed when there was
    /// nothing to do.
    pub fn expand<'t>(&self, text: &'t str) -> Result<Cow<'t, str>, ReferenceError> {
        if !text.contains('$') {
            return Ok(Cow::Borrowed(text));
        }
        let mut out = String::with_capacity(text.len());
        for piece in pieces(text) {
            match piece? {
                Piece::Text(t) => out.push_str(t),
                Piece::Reference(r) => match (self.get(r.name), r.default) {
                    (Some(value), _) => out.push_str(&value),
                    (None, Some(default)) => out.push_str(default),
                    (None, None) => {
                        return Err(ReferenceError::Unset {
                            name: r.name.to_string(),
                        });
                    }
                },
            }
        }
        Ok(Cow::Owned(out))
    }
}

/// The references in `text` (for reporting every unset variable of a file at once); syntax
/// errors are skipped.
pub fn references(text: &str) -> Vec<Reference<'_>> {
    pieces(text)
        .filter_map(|p| match p {
            Ok(Piece::Reference(r)) => Some(r),
            _ => None,
        })
        .collect()
}

/// True when `text` holds something that would be expanded as a value (a reference, or an
/// unsupported one): used to refuse references in keys, which are never expanded.
pub fn has_reference(text: &str) -> bool {
    pieces(text).any(|p| matches!(p, Ok(Piece::Reference(_)) | Err(_)))
}

enum Piece<'t> {
    Text(&'t str),
    Reference(Reference<'t>),
}

/// Splits `text` into literal runs and references, left to right: `$$` is one literal `$`.
fn pieces(text: &str) -> impl Iterator<Item = Result<Piece<'_>, ReferenceError>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(at) = rest.find('$') else {
            let all = rest;
            rest = "";
            return Some(Ok(Piece::Text(all)));
        };
        if at > 0 {
            let (before, after) = rest.split_at(at);
            rest = after;
            return Some(Ok(Piece::Text(before)));
        }
        // `rest` starts with `$`.
        if rest.starts_with("$$") {
            let dollar = &rest[..1];
            rest = &rest[2..];
            return Some(Ok(Piece::Text(dollar)));
        }
        if let Some(body_and_more) = rest.strip_prefix("${")
            && let Some(end) = body_and_more.find('}')
        {
            let whole = &rest[..end + 3];
            let body = &body_and_more[..end];
            if let Some(found) = reference(whole, body) {
                rest = &rest[end + 3..];
                return Some(found.map(Piece::Reference));
            }
        }
        // A `$` that starts nothing: literal.
        let dollar = &rest[..1];
        rest = &rest[1..];
        Some(Ok(Piece::Text(dollar)))
    })
}

/// Reads `body` (what is between `${` and `}`) as a reference; `None` when it does not look
/// like one at all (e.g. `${1}` in a regular expression), which stays literal.
fn reference<'t>(whole: &'t str, body: &'t str) -> Option<Result<Reference<'t>, ReferenceError>> {
    let spec = match body.strip_prefix("env:") {
        Some(spec) => spec,
        None => {
            let (head, _) = body.split_once(":-").unwrap_or((body, ""));
            if is_name(head) {
                body
            } else if let Some((scheme, _)) = body.split_once(':')
                && is_scheme(scheme)
            {
                return Some(Err(ReferenceError::UnsupportedScheme {
                    scheme: scheme.to_string(),
                }));
            } else {
                return None;
            }
        }
    };
    let (name, default) = match spec.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (spec, None),
    };
    if !is_name(name) {
        return Some(Err(ReferenceError::BadName {
            reference: whole.to_string(),
        }));
    }
    Some(Ok(Reference {
        text: whole,
        name,
        default,
    }))
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("collector.example".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn expand(text: &str) -> Result<String, ReferenceError> {
        Environment::new(&lookup).expand(text).map(Cow::into_owned)
    }

    #[test]
    fn env_bare_and_default_forms() {
        assert_eq!(
            expand("${env:HOST}:4317").unwrap(),
            "collector.example:4317"
        );
        assert_eq!(expand("${HOST}").unwrap(), "collector.example");
        assert_eq!(expand("${env:PORT:-4318}").unwrap(), "4318");
        assert_eq!(expand("${PORT:-4318}").unwrap(), "4318");
        assert_eq!(
            expand("${env:EMPTY:-x}").unwrap(),
            "",
            "set but empty is set"
        );
        assert_eq!(expand("${env:NOPE:-}").unwrap(), "");
        assert_eq!(
            expand("a${HOST}b${env:HOST}c").unwrap(),
            "acollector.examplebcollector.examplec"
        );
    }

    #[test]
    fn dollars_escape() {
        assert_eq!(expand("$${env:HOST}").unwrap(), "${env:HOST}");
        assert_eq!(expand("$$${env:HOST}").unwrap(), "$collector.example");
        assert_eq!(expand("pa$$word").unwrap(), "pa$word");
        assert_eq!(expand("pa$word $ 5$").unwrap(), "pa$word $ 5$");
        assert_eq!(expand("$$$$").unwrap(), "$$");
    }

    #[test]
    fn what_is_not_a_reference_stays_literal() {
        for text in ["${1}", "${ }", "${unterminated", "^a${2,3}$", "${}"] {
            assert_eq!(expand(text).unwrap(), text);
        }
    }

    #[test]
    fn errors_name_the_variable_or_scheme() {
        let e = expand("x ${env:TOKEN}").unwrap_err();
        assert_eq!(
            e,
            ReferenceError::Unset {
                name: "TOKEN".into()
            }
        );
        assert!(e.to_string().contains("`TOKEN` is not set"), "{e}");
        assert!(matches!(
            expand("${TOKEN}"),
            Err(ReferenceError::Unset { .. })
        ));
        let e = expand("${file:/run/secret}").unwrap_err();
        assert!(
            e.to_string().contains("`${file:…}` is not supported"),
            "{e}"
        );
        assert!(matches!(
            expand("${env:1X}"),
            Err(ReferenceError::BadName { .. })
        ));
        assert!(matches!(
            expand("${env:}"),
            Err(ReferenceError::BadName { .. })
        ));
    }

    #[test]
    fn lists_references_and_spots_them() {
        let found = references("${env:A}-$${env:B}-${C:-c}");
        let names: Vec<_> = found.iter().map(|r| (r.name, r.default, r.text)).collect();
        assert_eq!(
            names,
            vec![("A", None, "${env:A}"), ("C", Some("c"), "${C:-c}")]
        );
        assert!(has_reference("a${env:B}"));
        assert!(has_reference("${file:x}"));
        assert!(!has_reference("$${env:B} ${1}"));
    }

    #[test]
    fn remembers_what_it_handed_out() {
        let env = Environment::new(&lookup);
        env.expand("${HOST} ${NOPE:-d}").unwrap();
        assert_eq!(env.handed_out(), vec!["collector.example".to_string()]);
    }
}
