//! A log line as signatures see it: GitLab's section markers, ANSI colours, GitHub's
//! timestamp prefix and `##[error]`-style commands taken off, and of a line rewritten with
//! `\r`, what was left showing.

use regex::Regex;
use std::sync::LazyLock;

/// `section_start:<ts>:<name>[<opts>]` / `section_end:<ts>:<name>` (GitLab job logs).
static SECTION_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"section_(?:start|end):\d+:[A-Za-z0-9_.\-]+(?:\[[^\]]*\])?").expect("regex")
});
/// ANSI escape sequences (colours, `\x1b[0K`).
static ANSI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").expect("regex"));
/// GitHub's `2024-05-01T10:00:00.1234567Z ` prefix of each line of a downloaded job log.
static TIMESTAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ").expect("regex"));
/// GitHub's workflow commands at a line's start (`##[error]`, `##[group]`, …).
static COMMAND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^##\[[a-z]+\]").expect("regex"));

/// `raw` cleaned: what a person reads of the line.
pub fn clean(raw: &str) -> String {
    let no_markers = SECTION_MARKER.replace_all(raw, "");
    let plain = ANSI.replace_all(&no_markers, "");
    let shown = plain
        .split('\r')
        .rev()
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    let shown = TIMESTAMP.replace(shown, "");
    COMMAND.replace(&shown, "").trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn markers_colours_timestamps_and_commands_come_off() {
        assert_eq!(
            clean(
                "\x1b[0Ksection_start:1700000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage\x1b[0;m"
            ),
            "Executing \"step_script\" stage"
        );
        assert_eq!(
            clean("2024-05-01T10:00:00.1234567Z ##[error]No space left on device"),
            "No space left on device"
        );
        assert_eq!(clean("progress 10%\rprogress 100%\r"), "progress 100%");
        assert_eq!(clean("plain"), "plain");
    }
}
