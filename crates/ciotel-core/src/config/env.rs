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
/// every unset variable that has no default. `$${` escapes a literal `${`.
pub fn substitute(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, Vec<UnsetVariable>> {
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
                    (None, None) => {
                        let line = text.len() - rest.len() + pos;
                        unset.push(UnsetVariable {
                            name: name.to_string(),
                            line: text[..line].matches('\n').count() + 1,
                        });
                    }
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
