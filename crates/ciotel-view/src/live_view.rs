//! The queued and running jobs, as HTML.

/// The live section's content.
pub fn live_section() -> String {
    "<p class=\"empty\">Nothing queued or running.</p>".to_owned()
}
