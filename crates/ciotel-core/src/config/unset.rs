//! Every unset variable of a file at once: the typed parse stops at the first, so when a load
//! fails this walks the whole document and reports each value naming an unset variable with
//! no default, at its line.

use super::Problem;
use super::env::{ReferenceError, references};
use super::locate::locate;
use yaml_serde::Value;

/// The unset variables (no default) referenced by values of `text`, each at its line.
pub fn unset_variables(text: &str, is_set: &dyn Fn(&str) -> bool) -> Vec<Problem> {
    let Ok(root) = yaml_serde::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut walk = Walk {
        text,
        is_set,
        keys: Vec::new(),
        shown: String::new(),
        found: Vec::new(),
    };
    walk.value(&root);
    walk.found
}

struct Walk<'a> {
    text: &'a str,
    is_set: &'a dyn Fn(&str) -> bool,
    /// Mapping keys down to here, for [`locate`].
    keys: Vec<String>,
    /// The path as yaml_serde shows it (`a.b[2].c`).
    shown: String,
    found: Vec<Problem>,
}

impl Walk<'_> {
    fn value(&mut self, value: &Value) {
        match value {
            Value::String(s) => self.scalar(s),
            Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = self.shown.len();
                    self.shown.push_str(&format!("[{i}]"));
                    self.value(item);
                    self.shown.truncate(len);
                }
            }
            Value::Mapping(map) => {
                for (key, item) in map {
                    let Some(key) = key.as_str() else { continue };
                    let len = self.shown.len();
                    if !self.shown.is_empty() {
                        self.shown.push('.');
                    }
                    self.shown.push_str(key);
                    self.keys.push(key.to_string());
                    self.value(item);
                    self.keys.pop();
                    self.shown.truncate(len);
                }
            }
            Value::Tagged(tagged) => self.value(&tagged.value),
            _ => {}
        }
    }

    fn scalar(&mut self, text: &str) {
        for reference in references(text) {
            if reference.default.is_some() || (self.is_set)(reference.name) {
                continue;
            }
            let keys: Vec<&str> = self.keys.iter().map(String::as_str).collect();
            let error = ReferenceError::Unset {
                name: reference.name.to_string(),
            };
            self.found.push(Problem {
                line: locate(self.text, &keys, Some(reference.text)),
                column: None,
                message: format!("{}: {error}", self.shown),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_unset_variable_at_its_line() {
        let text =
            "a:\n  b: ${env:ONE}\n  c: [x, \"${TWO}\"]\n  d: ${env:SET} ${env:D:-d}\n# ${env:NO}\n";
        let found = unset_variables(text, &|name| name == "SET");
        let shown: Vec<(Option<usize>, &str)> =
            found.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert_eq!(shown[0].0, Some(2));
        assert!(
            shown[0].1.starts_with("a.b: environment variable `ONE`"),
            "{shown:?}"
        );
        assert_eq!(shown[1].0, Some(3));
        assert!(
            shown[1].1.starts_with("a.c[1]: environment variable `TWO`"),
            "{shown:?}"
        );
    }
}
