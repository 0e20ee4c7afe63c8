//! Reads the signed 2D-Doc DataMatrix printed on French documents, verifies its ECDSA signature
//! against a trust list, and lets its signed values override what OCR read.

pub mod parse;
pub mod symbols;
pub mod verify;

pub use parse::{parse, Header, ParseError, TwoDDoc};
pub use symbols::find_symbols;
pub use verify::{verify, Outcome, TrustError, TrustList, TRUST_LIST_ENV};
