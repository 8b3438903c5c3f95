//! `${env:VAR}` and `${env:VAR:-default}` substitution, done on the raw text before parsing so
//! that line numbers in later errors still match the file.

/// A reference to an unset variable that has no default.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error(
    "line {line}: environment variable `{name}` is not set and has no default (write ${{env:{name}:-default}} to give one)"
)]
pub struct UnsetVariable {
    /// The variable's name.
    pub name: String,
    /// 1-based line of the reference.
    pub line: usize,
}

/// Replaces every `${env:NAME}` / `${env:NAME:-default}` in `text` using `lookup`, collecting
/// every unset variable that has no default. `$${` escapes a literal `${`. Comments are left
/// alone, as in the Collector (which expands after parsing).
pub fn substitute(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, Vec<UnsetVariable>> {
    let mut out = String::with_capacity(text.len());
    let mut unset = Vec::new();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let (code, comment) = line.split_at(comment_start(line));
        match substitute_line(code, &lookup) {
            Ok(done) => out.push_str(&done),
            Err(names) => unset.extend(names.into_iter().map(|name| UnsetVariable {
                name,
                line: index + 1,
            })),
        }
        out.push_str(comment);
    }
    if unset.is_empty() {
        Ok(out)
    } else {
        Err(unset)
    }
}

/// Where a YAML comment starts on `line` (a `#` at the start or after white space, outside
/// quotes), or the line's length.
fn comment_start(line: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') if previous.is_whitespace() => return at,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        previous = c;
    }
    line.len()
}

/// Substitutes within one line of code; returns the names of unset variables otherwise.
fn substitute_line(
    text: &str,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(text.len());
    let mut unset = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("${") {
        if rest[..pos].ends_with('$') {
            out.push_str(&rest[..pos - 1]);
            out.push_str("${");
            rest = &rest[pos + 2..];
            continue;
        }
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[pos..]);
            rest = "";
            break;
        };
        let reference = &after[..end];
        match reference.strip_prefix("env:") {
            Some(spec) => {
                let (name, default) = match spec.split_once(":-") {
                    Some((n, d)) => (n, Some(d)),
                    None => (spec, None),
                };
                match (lookup(name), default) {
                    (Some(value), _) => out.push_str(&value),
                    (None, Some(default)) => out.push_str(default),
                    (None, None) => unset.push(name.to_string()),
                }
            }
            // Not ours (e.g. a literal in a value): keep it as written.
            None => out.push_str(&rest[pos..pos + 3 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if unset.is_empty() {
        Ok(out)
    } else {
        Err(unset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        (name == "HOST").then(|| "collector.example".to_string())
    }

    #[test]
    fn substitutes_set_variables_and_defaults() {
        let text = "a: ${env:HOST}:4317\nb: ${env:PORT:-4318}\n";
        assert_eq!(
            substitute(text, lookup).unwrap(),
            "a: collector.example:4317\nb: 4318\n"
        );
    }

    #[test]
    fn names_every_unset_variable_with_its_line() {
        let err = substitute("a: 1\nb: ${env:TOKEN}\nc: ${env:OTHER}\n", lookup).unwrap_err();
        assert_eq!(
            err,
            vec![
                UnsetVariable {
                    name: "TOKEN".into(),
                    line: 2
                },
                UnsetVariable {
                    name: "OTHER".into(),
                    line: 3
                },
            ]
        );
        assert!(err[0].to_string().contains("`TOKEN` is not set"));
    }

    #[test]
    fn comments_are_not_substituted() {
        let text = "# set ${env:TOKEN} here\na: \"#${env:HOST}\" # or ${env:OTHER}\n";
        assert_eq!(
            substitute(text, lookup).unwrap(),
            "# set ${env:TOKEN} here\na: \"#collector.example\" # or ${env:OTHER}\n"
        );
    }

    #[test]
    fn escapes_and_foreign_references_stay_literal() {
        assert_eq!(
            substitute("a: $${env:HOST}", lookup).unwrap(),
            "a: ${env:HOST}"
        );
        assert_eq!(substitute("a: ${other}", lookup).unwrap(), "a: ${other}");
        assert_eq!(
            substitute("a: ${unterminated", lookup).unwrap(),
            "a: ${unterminated"
        );
    }
}
