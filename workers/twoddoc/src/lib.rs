//! Reads the signed 2D-Doc DataMatrix printed on French documents, verifies its ECDSA signature
//! against a trust list, and lets its signed values override what OCR read.
//!
//! Pipeline use: the OCR stage calls [`find_symbols`] on each page image and stores the decoded
//! text in `Page.symbols`; after extraction, [`apply`] verifies each document's 2D-Doc and, when
//! genuine, replaces or confirms the extracted fields, adding `twoddoc_*` findings for reviewers.

pub mod map;
pub mod parse;
pub mod symbols;
pub mod verify;

pub use map::{apply, apply_with, map_fields, Mapped};
pub use parse::{parse, Header, ParseError, TwoDDoc};
pub use symbols::find_symbols;
pub use verify::{verify, Outcome, TrustError, TrustList, TRUST_LIST_ENV};
