//! Error types shared by the workers: why an input is unusable (a permanent failure that becomes
//! the document's outcome), and why a stage could not finish this time (retried).

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
