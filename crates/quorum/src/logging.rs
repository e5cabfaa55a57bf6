//! Logs: human-readable lines by default, JSON lines by flag or configuration.

use quorum_gateway::config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

/// Starts logging; `RUST_LOG`, if set, overrides the configured filter.
pub(crate) fn init(config: &LogConfig, json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json || config.format == LogFormat::Json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
