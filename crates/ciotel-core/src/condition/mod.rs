//! Conditions: the small subset of OTTL (the Collector's transformation language) that ciotel
//! understands, shared by the `filter` processor and the `routing` connector.
//!
//! A condition is parsed and compiled when the config is read, so a mistake is a config error
//! with its file, line and column; evaluating a compiled condition allocates nothing (paths are
//! resolved to field accessors, regexes compiled once).
//!
//! | Syntax | Meaning |
//! |---|---|
//! | `attributes["k"]` | the item's attribute `k` (the resource's in `resource` context, the scope's in `scope` context) |
//! | `resource.attributes["k"]` | the resource attribute `k` (every context) |
//! | `instrumentation_scope.name`, `.version`, `.attributes["k"]` | the scope (every context but `resource`) |
//! | `name` | span, span event, metric or scope name |
//! | `kind` | span kind: `SPAN_KIND_UNSPECIFIED`, `_INTERNAL`, `_SERVER`, `_CLIENT`, `_PRODUCER`, `_CONSUMER` or 0–5 |
//! | `status.code`, `status.message` | span status: `STATUS_CODE_UNSET`, `STATUS_CODE_OK`, `STATUS_CODE_ERROR` or 0–2 |
//! | `span.name` | the span a span event belongs to |
//! | `body`, `severity_text`, `severity_number` | log record fields; `SEVERITY_NUMBER_TRACE` … `SEVERITY_NUMBER_FATAL4` or 1–24 |
//! | `metric.name` | the metric a data point belongs to (`datapoint`, also `metric` context) |
//! | `"text"`, `42`, `-1.5`, `true`, `false`, `nil` | literals (strings with `\"`, `\\`, `\n`, `\t` escapes) |
//! | `==`, `!=` | equality; values of different types are never equal, ints and floats compare as numbers |
//! | `<`, `<=`, `>`, `>=` | order of two numbers or two strings; false for any other pair |
//! | `x == nil`, `x != nil` | whether a path has a value (an absent attribute is `nil`) |
//! | `IsMatch(x, "regex")` | the regex matches somewhere in `x` (ints, floats and booleans as text; false for `nil`) |
//! | `not`, `and`, `or`, `( … )` | in this order of precedence, `and`/`or` from left to right |
//!
//! Contexts ([`ContextKind`]): `resource`, `scope`, `span`, `spanevent`, `log`, `metric`,
//! `datapoint`. A path that a context does not have (`kind` on a log record) is an error at
//! load, not `nil` at run time.
//!
//! Files, one concern each:
//! - `ast.rs`: the syntax tree and its printer (the printer's output parses back to the same tree);
//! - `lexer.rs`: text to tokens with their columns;
//! - `parse.rs`: tokens to a syntax tree;
//! - `value.rs`: a value read from telemetry without copying, and comparisons;
//! - `compile.rs`: a syntax tree checked against a context and turned into an evaluator;
//! - `context.rs`: what a condition looks at (a resource, scope, span, log record, data point);
//! - `serde.rs`: reading conditions from YAML while the parser is on them;
//! - `tests/`: parsing, printing (property test), evaluation per operator and context, errors.

pub mod ast;
pub mod compile;
pub mod context;
mod lexer;
mod parse;
pub mod serde;
pub mod value;

#[cfg(test)]
mod tests;

pub use ast::Expr;
pub use compile::{Condition, ContextKind};
pub use context::Subject;
pub use parse::parse;

/// A condition that cannot be read or compiled, with the column it was found at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ConditionError {
    /// 1-based column (in characters) in the condition text.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl ConditionError {
    fn at(column: usize, message: impl Into<String>) -> Self {
        ConditionError {
            column,
            message: message.into(),
        }
    }
}
