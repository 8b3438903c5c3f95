//! The syntax tree of a condition, and its printer. Printing a tree and parsing the text gives
//! the same tree back (property-tested), so configs can be shown in messages as ciotel read them.

use std::fmt;

/// Where a token started (1-based column). Positions never make two trees unequal: a tree
/// printed and parsed again has the same meaning at other columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pos(pub usize);

impl PartialEq for Pos {
    fn eq(&self, _: &Pos) -> bool {
        true
    }
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `true` or `false` alone.
    Bool(bool),
    /// `left op right`.
    Compare(Operand, CmpOp, Operand),
    /// `IsMatch(target, "pattern")`; the position is the pattern's, for regex errors.
    IsMatch(Operand, String, Pos),
}

/// A value in a comparison: read from the telemetry, or written in the condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `resource.attributes["k"]`, `name` …
    Path(Path),
    /// `"text"`, `1`, `nil` …
    Literal(Literal),
}

/// A path as written: dotted names and an optional `["key"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// `resource`, `attributes`.
    pub segments: Vec<String>,
    /// The map key in `attributes["key"]`.
    pub key: Option<String>,
    /// Where the path starts.
    pub pos: Pos,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    /// A named constant such as `SPAN_KIND_SERVER`, known to be one (checked when parsed).
    Enum(String, Pos),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Writes `s` as a quoted condition string.
pub fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A binary child is always parenthesized: unambiguous whatever the nesting.
        let child = |f: &mut fmt::Formatter<'_>, e: &Expr| match e {
            Expr::Or(..) | Expr::And(..) => write!(f, "({e})"),
            _ => write!(f, "{e}"),
        };
        match self {
            Expr::Or(a, b) => {
                child(f, a)?;
                f.write_str(" or ")?;
                child(f, b)
            }
            Expr::And(a, b) => {
                child(f, a)?;
                f.write_str(" and ")?;
                child(f, b)
            }
            Expr::Not(a) => {
                f.write_str("not ")?;
                child(f, a)
            }
            Expr::Bool(b) => write!(f, "{b}"),
            Expr::Compare(l, op, r) => write!(f, "{l} {} {r}", op.as_str()),
            Expr::IsMatch(target, pattern, _) => {
                write!(f, "IsMatch({target}, ")?;
                write_quoted(f, pattern)?;
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Path(p) => write!(f, "{p}"),
            Operand::Literal(l) => write!(f, "{l}"),
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.segments.join("."))?;
        if let Some(key) = &self.key {
            f.write_str("[")?;
            write_quoted(f, key)?;
            f.write_str("]")?;
        }
        Ok(())
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(s) => write_quoted(f, s),
            Literal::Int(i) => write!(f, "{i}"),
            // Debug keeps a `.0` (or an exponent), so the number reads back as a float.
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Nil => f.write_str("nil"),
            Literal::Enum(name, _) => f.write_str(name),
        }
    }
}
