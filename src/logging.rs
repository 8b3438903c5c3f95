//! The daemon's own logs: `tracing` to stderr (stdout belongs to the `debug` exporter), level
//! from the config unless `RUST_LOG` says otherwise, readable or JSON.

use ciotel_core::config::service::{LogEncoding, LogsConfig};
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber.
pub fn init(config: &LogsConfig) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(config.level.as_str()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match config.encoding {
        LogEncoding::Json => builder.json().try_init(),
        LogEncoding::Console => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
    };
    if let Err(e) = installed {
        eprintln!("ciotel: could not set up logging: {e}");
    }
}
