//! Why the OCR stage rejects an input, each mapped to a reason code of FORMAT.md.

use tamis_shared::ErrorCode;

/// An input the OCR stage cannot turn into pages. Messages never contain document content.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    Truncated(String),
    #[error("the bytes are not a PDF or an image")]
    NotADocument,
    #[error("{0} files are not read: send a PDF, JPEG, PNG, TIFF or WebP")]
    Unsupported(&'static str),
    #[error("the PDF needs a password to open")]
    Encrypted,
    #[error("no text was found on the page")]
    Blank,
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    TooSmall(String),
    #[error("the file has {pages} pages, more than the limit of {limit}")]
    TooManyPages { pages: u32, limit: u32 },
    #[error("{0}")]
    Corrupt(String),
    #[error("{0}")]
    Timeout(String),
    /// A helper program or the OCR engine could not run: a deployment problem, reported as
    /// corrupt only when nothing else is known.
    #[error("{0}")]
    Helper(String),
}

impl OcrError {
    /// The reason code written in the failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            OcrError::Empty => ErrorCode::Empty,
            OcrError::Truncated(_) => ErrorCode::Truncated,
            OcrError::NotADocument => ErrorCode::NotADocument,
            OcrError::Unsupported(_) => ErrorCode::UnsupportedFormat,
            OcrError::Encrypted => ErrorCode::Encrypted,
            OcrError::Blank => ErrorCode::Blank,
            OcrError::TooLarge(_) => ErrorCode::TooLarge,
            OcrError::TooSmall(_) => ErrorCode::TooSmall,
            OcrError::TooManyPages { .. } => ErrorCode::TooManyPages,
            OcrError::Corrupt(_) | OcrError::Helper(_) => ErrorCode::Corrupt,
            OcrError::Timeout(_) => ErrorCode::Timeout,
        }
    }
}
