//! A syntax tree checked against the context it will run in, and turned into an evaluator:
//! every path becomes a field accessor, every regex is compiled, `and`/`or` chains are flat.

use super::ConditionError;
use super::ast::{CmpOp, Expr, Literal, Operand, Path};
use super::context::{Item, Subject, attribute};
use super::parse::parse;
use super::value::{ValueRef, enum_value};
use regex::Regex;
use std::fmt;

/// The kind of item a condition is evaluated on, as OTTL names its contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextKind {
    Resource,
    Scope,
    Span,
    SpanEvent,
    Log,
    Metric,
    DataPoint,
}

impl ContextKind {
    /// Every context, with the names configs use for it.
    pub const NAMES: &'static [(&'static str, ContextKind)] = &[
        ("resource", ContextKind::Resource),
        ("scope", ContextKind::Scope),
        ("span", ContextKind::Span),
        ("spanevent", ContextKind::SpanEvent),
        ("log", ContextKind::Log),
        ("metric", ContextKind::Metric),
        ("datapoint", ContextKind::DataPoint),
    ];

    /// The context called `name` in config.
    pub fn parse(name: &str) -> Option<ContextKind> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
    }

    /// Its name in config.
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("?", |(n, _)| n)
    }
}

impl fmt::Display for ContextKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compiled condition with the text it was read from (for messages and `Debug`).
#[derive(Clone)]
pub struct Condition {
    text: String,
    context: ContextKind,
    root: Node,
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Condition({}: {})", self.context, self.text)
    }
}

impl Condition {
    /// Parses and compiles `text` for `context`.
    pub fn new(text: &str, context: ContextKind) -> Result<Condition, ConditionError> {
        Condition::compile(text, &parse(text)?, context)
    }

    /// Compiles an already parsed `expr` (read from `text`) for `context`.
    pub fn compile(
        text: &str,
        expr: &Expr,
        context: ContextKind,
    ) -> Result<Condition, ConditionError> {
        Ok(Condition {
            text: text.to_string(),
            context,
            root: node(expr, context)?,
        })
    }

    /// The text as written in the config.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The context it was compiled for.
    pub fn context(&self) -> ContextKind {
        self.context
    }

    /// Whether the condition holds for `subject` (which must be of this condition's context).
    pub fn matches(&self, subject: &Subject<'_>) -> bool {
        self.root.eval(subject)
    }
}

#[derive(Debug, Clone)]
enum Node {
    Any(Vec<Node>),
    All(Vec<Node>),
    Not(Box<Node>),
    Const(bool),
    Compare(Source, CmpOp, Source),
    IsMatch(Source, Regex),
}

impl Node {
    fn eval(&self, s: &Subject<'_>) -> bool {
        match self {
            Node::Any(nodes) => nodes.iter().any(|n| n.eval(s)),
            Node::All(nodes) => nodes.iter().all(|n| n.eval(s)),
            Node::Not(n) => !n.eval(s),
            Node::Const(b) => *b,
            Node::Compare(l, op, r) => l.get(s).compare(*op, r.get(s)),
            Node::IsMatch(target, regex) => target.get(s).is_match(regex),
        }
    }
}

fn node(expr: &Expr, context: ContextKind) -> Result<Node, ConditionError> {
    Ok(match expr {
        Expr::Or(..) => {
            let mut parts = Vec::new();
            flatten(expr, true, &mut parts);
            Node::Any(
                parts
                    .into_iter()
                    .map(|e| node(e, context))
                    .collect::<Result<_, _>>()?,
            )
        }
        Expr::And(..) => {
            let mut parts = Vec::new();
            flatten(expr, false, &mut parts);
            Node::All(
                parts
                    .into_iter()
                    .map(|e| node(e, context))
                    .collect::<Result<_, _>>()?,
            )
        }
        Expr::Not(inner) => Node::Not(Box::new(node(inner, context)?)),
        Expr::Bool(b) => Node::Const(*b),
        Expr::Compare(l, op, r) => Node::Compare(source(l, context)?, *op, source(r, context)?),
        Expr::IsMatch(target, pattern, pos) => {
            let regex = Regex::new(pattern).map_err(|e| {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("").trim().to_string();
                ConditionError::at(pos.0, format!("invalid regex \"{pattern}\": {last}"))
            })?;
            Node::IsMatch(source(target, context)?, regex)
        }
    })
}

/// Collects the operands of a chain of `or`s (or of `and`s).
fn flatten<'e>(expr: &'e Expr, or: bool, out: &mut Vec<&'e Expr>) {
    match (expr, or) {
        (Expr::Or(a, b), true) | (Expr::And(a, b), false) => {
            flatten(a, or, out);
            flatten(b, or, out);
        }
        _ => out.push(expr),
    }
}

/// Where a compared value comes from.
#[derive(Debug, Clone)]
enum Source {
    Literal(Constant),
    Field(Field),
}

#[derive(Debug, Clone)]
enum Constant {
    Nil,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A path resolved for its context.
#[derive(Debug, Clone)]
enum Field {
    ItemAttribute(String),
    ResourceAttribute(String),
    ScopeAttribute(String),
    ScopeName,
    ScopeVersion,
    SpanName,
    SpanKind,
    StatusCode,
    StatusMessage,
    EventName,
    EventSpanName,
    Body,
    SeverityNumber,
    SeverityText,
    MetricName,
}

impl Source {
    fn get<'a>(&'a self, s: &Subject<'a>) -> ValueRef<'a> {
        match self {
            Source::Literal(c) => match c {
                Constant::Nil => ValueRef::Nil,
                Constant::Str(v) => ValueRef::Str(v),
                Constant::Int(i) => ValueRef::Int(*i),
                Constant::Float(x) => ValueRef::Float(*x),
                Constant::Bool(b) => ValueRef::Bool(*b),
            },
            Source::Field(f) => f.get(s),
        }
    }
}

impl Field {
    fn get<'a>(&self, s: &Subject<'a>) -> ValueRef<'a> {
        let attr = |attributes: &'a [_], key: &str| {
            ValueRef::of(attribute(attributes, key).and_then(|kv| kv.value.as_ref()))
        };
        let scope_str = |pick: fn(
            &'a opentelemetry_proto::tonic::common::v1::InstrumentationScope,
        ) -> &'a str| {
            s.scope.map_or(ValueRef::Nil, |sc| ValueRef::Str(pick(sc)))
        };
        match (self, s.item) {
            (Field::ItemAttribute(k), _) => attr(s.item_attributes(), k),
            (Field::ResourceAttribute(k), _) => attr(s.resource_attributes(), k),
            (Field::ScopeAttribute(k), _) => attr(s.scope_attributes(), k),
            (Field::ScopeName, _) => scope_str(|sc| &sc.name),
            (Field::ScopeVersion, _) => scope_str(|sc| &sc.version),
            (Field::SpanName, Item::Span(span))
            | (Field::EventSpanName, Item::SpanEvent(_, span)) => ValueRef::Str(&span.name),
            (Field::SpanKind, Item::Span(span)) => ValueRef::Int(i64::from(span.kind)),
            (Field::StatusCode, Item::Span(span)) => {
                ValueRef::Int(span.status.as_ref().map_or(0, |st| i64::from(st.code)))
            }
            (Field::StatusMessage, Item::Span(span)) => {
                ValueRef::Str(span.status.as_ref().map_or("", |st| st.message.as_str()))
            }
            (Field::EventName, Item::SpanEvent(event, _)) => ValueRef::Str(&event.name),
            (Field::Body, Item::Log(log)) => ValueRef::of(log.body.as_ref()),
            (Field::SeverityNumber, Item::Log(log)) => {
                ValueRef::Int(i64::from(log.severity_number))
            }
            (Field::SeverityText, Item::Log(log)) => ValueRef::Str(&log.severity_text),
            (Field::MetricName, Item::Metric(m) | Item::DataPoint(m, _)) => ValueRef::Str(&m.name),
            // The compiler only builds fields that the context has.
            _ => ValueRef::Nil,
        }
    }
}

fn source(operand: &Operand, context: ContextKind) -> Result<Source, ConditionError> {
    Ok(match operand {
        Operand::Literal(l) => {
            Source::Literal(match l {
                Literal::String(s) => Constant::Str(s.clone()),
                Literal::Int(i) => Constant::Int(*i),
                Literal::Float(x) => Constant::Float(*x),
                Literal::Bool(b) => Constant::Bool(*b),
                Literal::Nil => Constant::Nil,
                Literal::Enum(name, pos) => Constant::Int(enum_value(name).ok_or_else(|| {
                    ConditionError::at(pos.0, format!("unknown constant `{name}`"))
                })?),
            })
        }
        Operand::Path(path) => Source::Field(field(path, context)?),
    })
}

/// Resolves `path` in `context`, or says which paths the context has.
fn field(path: &Path, context: ContextKind) -> Result<Field, ConditionError> {
    use ContextKind as C;
    let segments: Vec<&str> = path.segments.iter().map(String::as_str).collect();
    let key = path.key.clone();
    let keyed = |make: fn(String) -> Field| -> Result<Field, ConditionError> {
        key.clone().map(make).ok_or_else(|| {
            ConditionError::at(
                path.pos.0,
                format!("`{path}` needs a key: write `{path}[\"name\"]`"),
            )
        })
    };
    let has_scope = context != C::Resource;
    let field = match (segments.as_slice(), context) {
        (["attributes"], C::Resource) => Some(keyed(Field::ResourceAttribute)?),
        (["attributes"], C::Scope) => Some(keyed(Field::ScopeAttribute)?),
        (["attributes"], C::Span | C::SpanEvent | C::Log | C::DataPoint) => {
            Some(keyed(Field::ItemAttribute)?)
        }
        (["resource", "attributes"], _) => Some(keyed(Field::ResourceAttribute)?),
        (["instrumentation_scope", "attributes"], _) if has_scope => {
            Some(keyed(Field::ScopeAttribute)?)
        }
        _ if key.is_some() => None,
        (["instrumentation_scope", "name"], _) if has_scope => Some(Field::ScopeName),
        (["instrumentation_scope", "version"], _) if has_scope => Some(Field::ScopeVersion),
        (["name"], C::Scope) => Some(Field::ScopeName),
        (["version"], C::Scope) => Some(Field::ScopeVersion),
        (["name"], C::Span) => Some(Field::SpanName),
        (["kind"], C::Span) => Some(Field::SpanKind),
        (["status", "code"], C::Span) => Some(Field::StatusCode),
        (["status", "message"], C::Span) => Some(Field::StatusMessage),
        (["name"], C::SpanEvent) => Some(Field::EventName),
        (["span", "name"], C::SpanEvent) => Some(Field::EventSpanName),
        (["body"], C::Log) => Some(Field::Body),
        (["severity_number"], C::Log) => Some(Field::SeverityNumber),
        (["severity_text"], C::Log) => Some(Field::SeverityText),
        (["name"] | ["metric", "name"], C::Metric) => Some(Field::MetricName),
        (["metric", "name"], C::DataPoint) => Some(Field::MetricName),
        _ => None,
    };
    field.ok_or_else(|| {
        ConditionError::at(
            path.pos.0,
            format!(
                "unknown path `{path}` in {context} context (known: {})",
                known_paths(context)
            ),
        )
    })
}

/// The paths a context has, for messages.
pub fn known_paths(context: ContextKind) -> &'static str {
    match context {
        ContextKind::Resource => "attributes[\"k\"], resource.attributes[\"k\"]",
        ContextKind::Scope => "name, version, attributes[\"k\"], resource.attributes[\"k\"]",
        ContextKind::Span => {
            "name, kind, status.code, status.message, attributes[\"k\"], resource.attributes[\"k\"], instrumentation_scope.name/version/attributes[\"k\"]"
        }
        ContextKind::SpanEvent => {
            "name, span.name, attributes[\"k\"], resource.attributes[\"k\"], instrumentation_scope.name/version/attributes[\"k\"]"
        }
        ContextKind::Log => {
            "body, severity_number, severity_text, attributes[\"k\"], resource.attributes[\"k\"], instrumentation_scope.name/version/attributes[\"k\"]"
        }
        ContextKind::Metric => {
            "name, metric.name, resource.attributes[\"k\"], instrumentation_scope.name/version/attributes[\"k\"]"
        }
        ContextKind::DataPoint => {
            "metric.name, attributes[\"k\"], resource.attributes[\"k\"], instrumentation_scope.name/version/attributes[\"k\"]"
        }
    }
}
