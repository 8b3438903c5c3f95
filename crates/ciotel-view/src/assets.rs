//! The page's stylesheet and script, compiled into the binary (no CDN, no build step).

/// `assets/view.css`.
pub const CSS: &str = include_str!("../assets/view.css");
/// `assets/view.js`.
pub const JS: &str = include_str!("../assets/view.js");
