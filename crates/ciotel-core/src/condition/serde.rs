//! Reading conditions from YAML while the parser is on them, so a bad condition is reported at
//! its own line (see `config/checked.rs`).

use super::ast::Expr;
use super::compile::{Condition, ContextKind};
use super::parse::parse;
use crate::config::checked::checked_str;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use std::fmt;

/// The Collector's `error_mode` (what to do when a condition fails on data), accepted for
/// configs moved across. ciotel's conditions are checked at load and cannot fail on data, so
/// every mode behaves alike.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorMode {
    #[default]
    Propagate,
    Ignore,
    Silent,
}

/// A condition that parsed, not yet compiled: for config where the context is a sibling key
/// (a routing table entry's `context`), read after the condition.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCondition {
    /// The text as written.
    pub text: String,
    /// Its syntax tree.
    pub expr: Expr,
}

impl ParsedCondition {
    /// Compiles it for `context`; the message names the condition.
    pub fn compile(&self, context: ContextKind) -> Result<Condition, String> {
        Condition::compile(&self.text, &self.expr, context)
            .map_err(|e| format!("invalid condition `{}`: {e}", self.text))
    }

    /// Parses `text`; the message names the condition.
    pub fn parse(text: &str) -> Result<ParsedCondition, String> {
        parse(text)
            .map(|expr| ParsedCondition {
                text: text.to_string(),
                expr,
            })
            .map_err(|e| format!("invalid condition `{text}`: {e}"))
    }
}

impl<'de> serde::Deserialize<'de> for ParsedCondition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "a condition (OTTL)", ParsedCondition::parse)
    }
}

/// Reads one condition string compiled for `context`.
pub fn condition<'de, D: Deserializer<'de>>(
    d: D,
    context: ContextKind,
) -> Result<Condition, D::Error> {
    checked_str(d, "a condition (OTTL)", |text| {
        Condition::new(text, context).map_err(|e| format!("invalid condition `{text}`: {e}"))
    })
}

/// Reads a list of condition strings (or nothing), each compiled for `context` and, when one
/// fails, reported at its own line.
pub fn conditions<'de, D: Deserializer<'de>>(
    d: D,
    context: ContextKind,
) -> Result<Vec<Condition>, D::Error> {
    struct ListVisitor(ContextKind);
    struct One(ContextKind);
    impl<'de> DeserializeSeed<'de> for One {
        type Value = Condition;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Condition, D::Error> {
            condition(d, self.0)
        }
    }
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<Condition>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of conditions ({} context)", self.0)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(c) = seq.next_element_seed(One(self.0))? {
                out.push(c);
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(ListVisitor(context))
}
