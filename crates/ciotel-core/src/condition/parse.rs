//! Tokens to a syntax tree, by recursive descent:
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | primary
//! primary := "(" expr ")" | "IsMatch" "(" operand "," string ")" | operand (op operand)?
//! operand := path | string | int | float | "true" | "false" | "nil" | CONSTANT
//! path    := name ("." name)* ("[" string "]")?
//! ```
//! An operand without an operator is only allowed for `true` and `false`.

use super::ConditionError;
use super::ast::{CmpOp, Expr, Literal, Operand, Path, Pos};
use super::lexer::{Token, tokenize};
use super::value::enum_value;

/// Parses condition `text` into a syntax tree (not yet checked against a context).
pub fn parse(text: &str) -> Result<Expr, ConditionError> {
    let tokens = tokenize(text)?;
    let end = text.chars().count() + 1;
    let mut parser = Parser { tokens, at: 0, end };
    if parser.tokens.is_empty() {
        return Err(ConditionError::at(1, "the condition is empty"));
    }
    let expr = parser.or()?;
    if let Some((token, column)) = parser.peek() {
        let message = if *token == Token::RParen {
            "unbalanced `)`: no `(` opens it".to_string()
        } else {
            format!(
                "unexpected {} after a complete condition (missing `and`/`or`?)",
                token.describe()
            )
        };
        return Err(ConditionError::at(*column, message));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
    /// The column just past the text, for "ended too early" messages.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&(Token, usize)> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<(Token, usize)> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some((Token::Ident(w), _)) if w == word) {
            self.at += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, want: Token, what: &str) -> Result<usize, ConditionError> {
        match self.next() {
            Some((token, column)) if token == want => Ok(column),
            Some((token, column)) => Err(ConditionError::at(
                column,
                format!("expected {what}, found {}", token.describe()),
            )),
            None => Err(ConditionError::at(
                self.end,
                format!("expected {what}, the condition ended"),
            )),
        }
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ConditionError> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ConditionError> {
        match self.peek() {
            Some((Token::LParen, column)) => {
                let open = *column;
                self.at += 1;
                let inner = self.or()?;
                match self.next() {
                    Some((Token::RParen, _)) => Ok(inner),
                    Some((token, column)) => Err(ConditionError::at(
                        column,
                        format!(
                            "expected `)` to close the `(` at column {open}, found {}",
                            token.describe()
                        ),
                    )),
                    None => Err(ConditionError::at(open, "unbalanced `(`: no `)` closes it")),
                }
            }
            Some((Token::Ident(name), _)) if name == "IsMatch" => self.is_match(),
            Some((Token::Ident(name), column)) if is_function_name(name) => {
                Err(ConditionError::at(
                    *column,
                    format!("unknown function `{name}` (ciotel knows only IsMatch)"),
                ))
            }
            _ => {
                let (left, column) = self.operand()?;
                match self.peek() {
                    Some((Token::Op(op), _)) => {
                        let op = cmp_op(op);
                        self.at += 1;
                        let (right, _) = self.operand()?;
                        Ok(Expr::Compare(left, op, right))
                    }
                    _ => match left {
                        Operand::Literal(Literal::Bool(b)) => Ok(Expr::Bool(b)),
                        other => Err(ConditionError::at(
                            column,
                            format!(
                                "`{other}` is not a condition: compare it (`== …`, `!= nil`) or use IsMatch"
                            ),
                        )),
                    },
                }
            }
        }
    }

    fn is_match(&mut self) -> Result<Expr, ConditionError> {
        self.at += 1;
        self.expect(Token::LParen, "`(` after IsMatch")?;
        let (target, _) = self.operand()?;
        self.expect(Token::Comma, "`,` between IsMatch's target and pattern")?;
        let pattern = match self.next() {
            Some((Token::Str(s), column)) => (s, column),
            Some((token, column)) => {
                return Err(ConditionError::at(
                    column,
                    format!(
                        "IsMatch's pattern must be a string, found {}",
                        token.describe()
                    ),
                ));
            }
            None => return Err(ConditionError::at(self.end, "IsMatch's pattern is missing")),
        };
        self.expect(Token::RParen, "`)` to close IsMatch")?;
        Ok(Expr::IsMatch(target, pattern.0, Pos(pattern.1)))
    }

    fn operand(&mut self) -> Result<(Operand, usize), ConditionError> {
        let Some((token, column)) = self.next() else {
            return Err(ConditionError::at(
                self.end,
                "expected a value or path, the condition ended",
            ));
        };
        let literal = |l| Ok((Operand::Literal(l), column));
        match token {
            Token::Str(s) => literal(Literal::String(s)),
            Token::Int(i) => literal(Literal::Int(i)),
            Token::Float(x) => literal(Literal::Float(x)),
            Token::Ident(name) => match name.as_str() {
                "true" => literal(Literal::Bool(true)),
                "false" => literal(Literal::Bool(false)),
                "nil" => literal(Literal::Nil),
                "and" | "or" | "not" => Err(ConditionError::at(
                    column,
                    format!("expected a value or path, found `{name}`"),
                )),
                _ if is_constant_name(&name) => {
                    if enum_value(&name).is_none() {
                        return Err(ConditionError::at(
                            column,
                            format!("unknown constant `{name}`"),
                        ));
                    }
                    literal(Literal::Enum(name, Pos(column)))
                }
                _ => self.path(name, column).map(|p| (Operand::Path(p), column)),
            },
            other => Err(ConditionError::at(
                column,
                format!("expected a value or path, found {}", other.describe()),
            )),
        }
    }

    fn path(&mut self, first: String, column: usize) -> Result<Path, ConditionError> {
        let mut segments = vec![first];
        while matches!(self.peek(), Some((Token::Dot, _))) {
            self.at += 1;
            match self.next() {
                Some((Token::Ident(name), _)) => segments.push(name),
                Some((token, column)) => {
                    return Err(ConditionError::at(
                        column,
                        format!("expected a name after `.`, found {}", token.describe()),
                    ));
                }
                None => return Err(ConditionError::at(self.end, "expected a name after `.`")),
            }
        }
        let mut key = None;
        if let Some((Token::LBracket, open)) = self.peek() {
            let open = *open;
            self.at += 1;
            match self.next() {
                Some((Token::Str(s), _)) => key = Some(s),
                Some((token, column)) => {
                    return Err(ConditionError::at(
                        column,
                        format!("expected a quoted key in `[…]`, found {}", token.describe()),
                    ));
                }
                None => return Err(ConditionError::at(open, "unbalanced `[`: no `]` closes it")),
            }
            match self.next() {
                Some((Token::RBracket, _)) => {}
                Some((token, column)) => {
                    return Err(ConditionError::at(
                        column,
                        format!("expected `]`, found {}", token.describe()),
                    ));
                }
                None => return Err(ConditionError::at(open, "unbalanced `[`: no `]` closes it")),
            }
        }
        Ok(Path {
            segments,
            key,
            pos: Pos(column),
        })
    }
}

fn cmp_op(op: &str) -> CmpOp {
    match op {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        _ => CmpOp::Ge,
    }
}

/// OTTL names constants in upper snake case (`SPAN_KIND_SERVER`).
fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// OTTL names functions in upper camel case (`IsMatch`, `Concat`).
fn is_function_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase())
}
