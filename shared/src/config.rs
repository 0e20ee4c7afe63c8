//! Typed configuration, read once at start-up from an optional TOML file and the environment,
//! validated before any work starts. Every setting and its default is documented here and in
//! docs/configuration.md.
