//! Error types shared by the workers: why an input is unusable (a permanent failure that becomes
//! the document's outcome), and why a stage could not finish this time (retried).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an input cannot be processed. These are the reason codes of FORMAT.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Zero bytes.
    Empty,
    /// The file stops before its end.
    Truncated,
    /// Not any document format.
    NotADocument,
    /// A known format Tamis does not read (HTML, ZIP...).
    UnsupportedFormat,
    /// Needs a password to open.
    Encrypted,
    /// Nothing printed on it.
    Blank,
    /// Over a size, pixel or page-area limit.
    TooLarge,
    /// Too small to hold a document.
    TooSmall,
    /// More pages than the configured limit.
    TooManyPages,
    /// Structurally broken.
    Corrupt,
    /// Took longer than the configured budget.
    Timeout,
    /// A stage panicked on this input: a bug in Tamis, not a fault of the file. A worker parks
    /// the message with this reason code (replayable once the bug is fixed); `tamis process`
    /// gives the file an `error` line with it.
    InternalError,
}

impl ErrorCode {
    /// The code as written in outcomes and predictions.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::Empty => "empty",
            ErrorCode::Truncated => "truncated",
            ErrorCode::NotADocument => "not_a_document",
            ErrorCode::UnsupportedFormat => "unsupported_format",
            ErrorCode::Encrypted => "encrypted",
            ErrorCode::Blank => "blank",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::TooSmall => "too_small",
            ErrorCode::TooManyPages => "too_many_pages",
            ErrorCode::Corrupt => "corrupt",
            ErrorCode::Timeout => "timeout",
            ErrorCode::InternalError => "internal_error",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A permanent failure of one input: retrying cannot help, it becomes a `document.rejected` outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{stage}: {code}: {message}")]
pub struct Failure {
    pub code: ErrorCode,
    /// Which stage found it.
    pub stage: String,
    /// What failed and what the sender can do; never contains document content.
    pub message: String,
}

impl Failure {
    /// A failure found by `stage`.
    pub fn new(stage: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        Failure { code, stage: stage.to_string(), message: message.into() }
    }
}

/// Why a stage could not process a message this time. The runner retries `Transient` errors
/// through the delay queues and parks the message, with its reason code, after the last attempt;
/// there is no other kind: input problems are `Failure`s carried in the message, not errors.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// Infrastructure trouble (blob store, broker, engine start-up): worth retrying.
    #[error("transient failure in {stage} for document {document_id} ({reason}): {message}")]
    Transient {
        stage: &'static str,
        /// Short snake_case code written on a parked message (`blob_unavailable`...); never data.
        reason: &'static str,
        document_id: String,
        message: String,
    },
}

impl StageError {
    /// The reason code, safe to put in headers, logs and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            StageError::Transient { reason, .. } => reason,
        }
    }
}

/// Reason code of a message whose stage (or decision handler) panicked: written on the parked
/// message and in logs, metrics and the `error` line of `tamis process`.
pub const INTERNAL_ERROR: &str = "internal_error";

thread_local! {
    /// Where the last panic on this thread happened (`file:line:column`), for the catch site.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Replaces the default panic hook, which prints the payload to stderr: a payload built with
/// `format!` (an `expect` message, an index, a slice) may quote a value of the document. This one
/// logs the location and thread, and the payload only when it is a `&'static str`, i.e. a
/// literal written in the source (`panic!("...")`, `unreachable!()`, `Option::unwrap`), which
/// cannot hold a runtime value. Idempotent.
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let location = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            let literal = info.payload().downcast_ref::<&'static str>().copied().unwrap_or("<not logged>");
            let thread = std::thread::current().name().unwrap_or("unnamed").to_string();
            tracing::error!(
                location = location.as_deref().unwrap_or("unknown"),
                thread,
                panic_message = literal,
                "panic (a bug in Tamis)"
            );
            LAST_PANIC.with(|p| *p.borrow_mut() = location);
        }));
    });
}

/// The location of the last panic on this thread, taken (see `install_panic_hook`).
pub fn take_panic_location() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow_mut().take())
}

/// Why a message body could not be read, told without any of its values: serde's own message
/// quotes the offending value (`invalid type: integer 185057800608436`, `unknown variant "Jeanne
/// MARTIN"`), and a message carries NIRs, IBANs and names. So only serde_json's category, the
/// JSON path (keys Tamis's schemas name, every other key as `<key>`) and the line and column are
/// kept: enough for an operator to find the fault in the parked message, nothing from it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{category} error at {path} (line {line}, column {column})")]
pub struct MessageParseError {
    /// `syntax` (not JSON), `data` (JSON of the wrong shape), `eof` (cut short) or `io`.
    pub category: &'static str,
    /// Where it failed, e.g. `envelope.blob.size` or `documents[0].fields.<key>`; `.` for the
    /// document root.
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// Parses a message body (stage queues, decisions, review items, journal entries, parked
/// messages): the one place every consumer reads JSON from the broker, so that none logs a value.
pub fn parse_message<T: DeserializeOwned>(body: &[u8]) -> Result<T, MessageParseError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = safe_path(e.path());
        classified(e.into_inner(), path)
    })?;
    // Trailing bytes after the value are a syntax error, as with serde_json::from_slice.
    de.end().map_err(|e| classified(e, ".".to_string()))?;
    Ok(parsed)
}

fn classified(e: serde_json::Error, path: String) -> MessageParseError {
    let category = match e.classify() {
        serde_json::error::Category::Io => "io",
        serde_json::error::Category::Syntax => "syntax",
        serde_json::error::Category::Data => "data",
        serde_json::error::Category::Eof => "eof",
    };
    MessageParseError { category, path, line: e.line(), column: e.column() }
}

/// Keys the message schemas (`schemas/*.json`) define: a path segment is printed only if it is
/// one of these or a field name of the built-in taxonomy; any other key came from the message
/// and may be a value.
const SCHEMA_KEYS: &[&str] = &[
    "action",
    "after",
    "at",
    "bbox",
    "before",
    "blob",
    "case_id",
    "case_persons",
    "caseid",
    "changes",
    "code",
    "confidence",
    "corrections",
    "data",
    "datacontenttype",
    "dataschema",
    "decided_at",
    "decision",
    "decision_id",
    "doc_type",
    "document_id",
    "documents",
    "envelope",
    "failure",
    "field",
    "fields",
    "file_name",
    "findings",
    "h",
    "height",
    "id",
    "item",
    "key",
    "kind",
    "lines",
    "media_type",
    "message",
    "new_type",
    "number",
    "outcome",
    "page",
    "pages",
    "previous_type",
    "queue",
    "reasons",
    "reject_reason",
    "review_reasons",
    "reviewer",
    "rotation",
    "sha256",
    "size",
    "skew",
    "source",
    "specversion",
    "stage",
    "subject",
    "submitted_at",
    "symbols",
    "text",
    "text_quality",
    "time",
    "trace",
    "traceparent",
    "tracestate",
    "type",
    "valid",
    "value",
    "w",
    "width",
    "words",
    "x",
    "y",
];

fn known_key(key: &str) -> bool {
    static TAXONOMY_FIELDS: std::sync::OnceLock<std::collections::BTreeSet<String>> = std::sync::OnceLock::new();
    SCHEMA_KEYS.contains(&key)
        || TAXONOMY_FIELDS
            .get_or_init(|| {
                crate::taxonomy::Taxonomy::builtin()
                    .types
                    .iter()
                    .flat_map(|t| t.fields.iter().map(|f| f.name.clone()))
                    .collect()
            })
            .contains(key)
}

fn safe_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(if known_key(key) { key } else { "<key>" });
            }
            Segment::Unknown => out.push_str(if out.is_empty() { "?" } else { ".?" }),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Msg {
        document_id: u32,
        fields: std::collections::BTreeMap<String, Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        value: u64,
    }

    fn leaks(e: &MessageParseError, values: &[&str]) -> bool {
        let text = format!("{e} {e:?}");
        values.iter().any(|v| text.contains(v))
    }

    #[test]
    fn a_parse_error_names_category_and_path_never_the_value() {
        let e = parse_message::<Msg>(br#"{"document_id": "Jeanne MARTIN epouse DUPONT", "fields": {}}"#).unwrap_err();
        assert_eq!((e.category, e.path.as_str()), ("data", "document_id"));
        assert!(!leaks(&e, &["Jeanne", "MARTIN", "DUPONT"]), "{e}");

        let e =
            parse_message::<Msg>(br#"{"document_id": 1, "fields": {"nir": {"value": "FR7630006000011234567890189"}}}"#)
                .unwrap_err();
        assert_eq!(e.path, "fields.nir.value");
        assert!(!leaks(&e, &["FR76", "30006000011234567890189"]), "{e}");

        // A key the schemas do not know may itself be a value.
        let e =
            parse_message::<Msg>(br#"{"document_id": 1, "fields": {"Jeanne MARTIN 185057800608436": {"value": -1}}}"#)
                .unwrap_err();
        assert_eq!(e.path, "fields.<key>.value");
        assert!(!leaks(&e, &["Jeanne", "MARTIN", "185057800608436", "-1"]), "{e}");

        let e = parse_message::<Msg>(br#"{"document_id": 185057800608436, "fields": {}}"#).unwrap_err();
        assert!(!leaks(&e, &["185057800608436"]), "{e}");

        let e = parse_message::<Msg>(b"not json Jeanne").unwrap_err();
        assert_eq!(e.category, "syntax");
        assert!(!leaks(&e, &["Jeanne"]), "{e}");
        let e = parse_message::<Msg>(br#"{"document_id": 1, "fields": {"#).unwrap_err();
        assert_eq!(e.category, "eof");
        let e = parse_message::<Msg>(br#"{"document_id": 1, "fields": {}} DUPONT"#).unwrap_err();
        assert_eq!(e.category, "syntax");
        assert!(!leaks(&e, &["DUPONT"]), "{e}");
        assert!(parse_message::<Msg>(br#"{"document_id": 1, "fields": {"iban": {"value": 3}}}"#).is_ok());
    }
}
