//! Logging set-up shared by every command. Logs carry ids, types, codes and timings, never
//! document content: no field value or text is ever passed to a log macro.

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the log subscriber: human-readable on a terminal, JSON lines otherwise
/// (`TAMIS_LOG_FORMAT=json|text` forces one). Level from `RUST_LOG`, default `info`.
pub fn init(default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let json = match std::env::var("TAMIS_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => !std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.compact().try_init() };
}
