//! Condition text to tokens, each with the 1-based column it starts at.

use super::ConditionError;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// A name: `attributes`, `and`, `SPAN_KIND_SERVER`, `IsMatch` …
    Ident(String),
    /// A quoted string, unescaped.
    Str(String),
    Int(i64),
    Float(f64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Dot,
    Comma,
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
    Op(&'static str),
}

impl Token {
    /// How the token reads in a message.
    pub(super) fn describe(&self) -> String {
        match self {
            Token::Ident(s) => format!("`{s}`"),
            Token::Str(s) => format!("string \"{s}\""),
            Token::Int(i) => format!("`{i}`"),
            Token::Float(x) => format!("`{x}`"),
            Token::LParen => "`(`".into(),
            Token::RParen => "`)`".into(),
            Token::LBracket => "`[`".into(),
            Token::RBracket => "`]`".into(),
            Token::Dot => "`.`".into(),
            Token::Comma => "`,`".into(),
            Token::Op(op) => format!("`{op}`"),
        }
    }
}

/// Splits `text` into tokens with their columns.
pub(super) fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, ConditionError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        let single = match c {
            '(' => Some(Token::LParen),
            ')' => Some(Token::RParen),
            '[' => Some(Token::LBracket),
            ']' => Some(Token::RBracket),
            '.' => Some(Token::Dot),
            ',' => Some(Token::Comma),
            _ => None,
        };
        if let Some(token) = single {
            out.push((token, column));
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            '=' | '!' | '<' | '>' => {
                let (op, len) = match (c, next) {
                    ('=', Some('=')) => ("==", 2),
                    ('!', Some('=')) => ("!=", 2),
                    ('<', Some('=')) => ("<=", 2),
                    ('>', Some('=')) => (">=", 2),
                    ('<', _) => ("<", 1),
                    ('>', _) => (">", 1),
                    ('=', _) => {
                        return Err(ConditionError::at(
                            column,
                            "`=` is not an operator: write `==`",
                        ));
                    }
                    _ => {
                        return Err(ConditionError::at(
                            column,
                            "`!` is not an operator: write `!=` or `not`",
                        ));
                    }
                };
                out.push((Token::Op(op), column));
                i += len;
            }
            '"' => {
                let (s, end) = string(&chars, i)?;
                out.push((Token::Str(s), column));
                i = end;
            }
            c if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let (token, end) = number(&chars, i)?;
                out.push((token, column));
                i = end;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push((Token::Ident(chars[start..i].iter().collect()), column));
            }
            other => {
                return Err(ConditionError::at(
                    column,
                    format!("unexpected character `{other}`"),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads the string opening at `start`; returns it unescaped and the index after its quote.
fn string(chars: &[char], start: usize) -> Result<(String, usize), ConditionError> {
    let mut s = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '"' => return Ok((s, i + 1)),
            '\\' => {
                let escaped = match chars.get(i + 1) {
                    Some('"') => '"',
                    Some('\\') => '\\',
                    Some('n') => '\n',
                    Some('t') => '\t',
                    other => {
                        let what = other.map_or("the end".to_string(), |c| format!("`\\{c}`"));
                        return Err(ConditionError::at(
                            i + 1,
                            format!("unknown escape {what} in a string (known: \\\" \\\\ \\n \\t)"),
                        ));
                    }
                };
                s.push(escaped);
                i += 2;
            }
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    Err(ConditionError::at(
        start + 1,
        "string is not closed: missing `\"`",
    ))
}

/// Reads the number starting at `start`: an int, or a float when it has `.` or an exponent.
fn number(chars: &[char], start: usize) -> Result<(Token, usize), ConditionError> {
    let mut i = start;
    if chars[i] == '-' {
        i += 1;
    }
    let digits = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_ascii_digit() {
            *i += 1;
        }
    };
    digits(&mut i);
    let mut float = false;
    if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
        float = true;
        i += 1;
        digits(&mut i);
    }
    if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
        let mut j = i + 1;
        if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
            j += 1;
        }
        if j < chars.len() && chars[j].is_ascii_digit() {
            float = true;
            i = j;
            digits(&mut i);
        }
    }
    let text: String = chars[start..i].iter().collect();
    let bad = || ConditionError::at(start + 1, format!("`{text}` is not a valid number"));
    let token = if float {
        Token::Float(text.parse().map_err(|_| bad())?)
    } else {
        Token::Int(text.parse().map_err(|_| bad())?)
    };
    Ok((token, i))
}
