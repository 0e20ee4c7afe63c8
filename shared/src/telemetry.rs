//! Logging and tracing set-up shared by every command. Logs carry ids, types, codes and timings,
//! never document content.
