//! Finds the line of a key path (and optionally a value under it) in YAML text, so that checks
//! made after parsing (a pipeline naming an undefined exporter …) can still point at a line.

/// The 1-based line of `path` (e.g. `["service", "pipelines", "traces", "exporters"]`) and, when
/// `value` is given, of that value in the list or mapping under it. Best effort: block and flow
/// style both work; `None` when not found.
pub fn locate(text: &str, path: &[&str], value: Option<&str>) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut parent_indent: isize = -1;
    let mut start = 0;
    let mut found_line = None;
    for key in path {
        let (line_no, indent) = find_key(&lines, start, parent_indent, key)?;
        found_line = Some(line_no);
        parent_indent = indent as isize;
        start = line_no + 1;
    }
    let key_line = found_line?;
    let Some(value) = value else {
        return Some(key_line + 1);
    };
    if contains_token(lines[key_line], value) {
        return Some(key_line + 1);
    }
    for (offset, line) in lines.iter().enumerate().skip(key_line + 1) {
        if is_blank(line) {
            continue;
        }
        if (indent_of(line) as isize) <= parent_indent && !line.trim_start().starts_with('-') {
            break;
        }
        if contains_token(line, value) {
            return Some(offset + 1);
        }
    }
    Some(key_line + 1)
}

fn find_key(
    lines: &[&str],
    start: usize,
    parent_indent: isize,
    key: &str,
) -> Option<(usize, usize)> {
    for (i, line) in lines.iter().enumerate().skip(start) {
        if is_blank(line) {
            continue;
        }
        let indent = indent_of(line);
        if (indent as isize) <= parent_indent {
            return None;
        }
        let body = line.trim_start().trim_start_matches("- ");
        let unquoted = body.trim_start_matches(['"', '\'']);
        if let Some(rest) = unquoted.strip_prefix(key) {
            let rest = rest.trim_start_matches(['"', '\'']);
            if rest.starts_with(':') {
                return Some((i, indent));
            }
        }
    }
    None
}

fn contains_token(line: &str, token: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line);
    code.match_indices(token).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + token.len()..].chars().next();
        let boundary = |c: Option<char>| {
            c.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '/' || c == '-'))
        };
        boundary(before) && boundary(after)
    })
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
receivers:
  otlp:
exporters:
  debug:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters:
        - debug
        - otlp/missing
    logs:
      receivers: [otlp/x]
";

    #[test]
    fn finds_keys_and_values_in_block_and_flow_lists() {
        assert_eq!(locate(TEXT, &["exporters", "debug"], None), Some(4));
        assert_eq!(
            locate(
                TEXT,
                &["service", "pipelines", "traces", "exporters"],
                Some("otlp/missing")
            ),
            Some(11)
        );
        assert_eq!(
            locate(
                TEXT,
                &["service", "pipelines", "logs", "receivers"],
                Some("otlp/x")
            ),
            Some(13)
        );
        // `otlp` must not match inside `otlp/missing`.
        assert_eq!(
            locate(
                TEXT,
                &["service", "pipelines", "traces", "receivers"],
                Some("otlp")
            ),
            Some(8)
        );
        assert_eq!(locate(TEXT, &["service", "nothing"], None), None);
    }
}
