//! Colour for a terminal: ANSI SGR sequences, or nothing at all when colour is off.

/// A text style: an SGR parameter list, e.g. `1;31` (bold red).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style(&'static str);

impl Style {
    /// Headers.
    pub const BOLD: Style = Style("1");
    /// Secondary text (the time scale, spans without an owner).
    pub const DIM: Style = Style("2");
    /// Failed spans and the FAILED verdict.
    pub const RED: Style = Style("31");
    /// Bold red: FAILED.
    pub const BOLD_RED: Style = Style("1;31");
    /// Bold green: PASSED.
    pub const BOLD_GREEN: Style = Style("1;32");
    /// Bold yellow: CANCELLED, SKIPPED, no result.
    pub const BOLD_YELLOW: Style = Style("1;33");
    /// Platform-owned spans.
    pub const PLATFORM: Style = Style("36");
    /// Application-owned spans.
    pub const APPLICATION: Style = Style("35");
}

/// Applies styles when colour is on.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    /// Whether to write escape sequences.
    pub color: bool,
}

impl Painter {
    /// `text` in `style`, or `text` alone when colour is off (or the text is empty).
    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", style.0)
        } else {
            text.to_owned()
        }
    }
}
