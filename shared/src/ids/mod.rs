//! Typed identifiers that can only hold a valid value (parse, don't validate): NIR, IBAN and RIB
//! key, BIC, SIREN/SIRET, French VAT number, tax number, ICAO 9303 MRZ, plus the OCR-confusion repair they share.

mod bic;
mod iban;
mod mrz;
mod nir;
mod ocr;
mod siren;
mod taxnum;

pub use bic::Bic;
pub use iban::{rib_key, Iban};
pub use mrz::{as_digit, check_digit, clean_line, Mrz, MrzFormat, Reread};
pub use nir::Nir;
pub use ocr::{compact, repair_digits, Repaired};
pub use siren::{Siren, Siret, TvaFr};
pub use taxnum::TaxNumber;

/// Why a text is not a valid identifier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Wrong length, or characters the identifier cannot hold.
    #[error("{0}: wrong length or characters")]
    Format(&'static str),
    /// Well formed, but the check key does not match.
    #[error("{0}: check key does not match")]
    Checksum(&'static str),
}

/// Parses `raw`, and when it fails, retries after repairing the usual OCR letter/digit confusions
/// (O/0, I/1, S/5, B/8...) in the positions `digit_positions` says must be digits.
/// Returns the value and whether a repair was needed.
pub fn parse_with_repair<T>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, IdError>,
    digit_positions: impl Fn(usize, usize) -> bool,
) -> Result<Repaired<T>, IdError> {
    let c = compact(raw);
    match parse(&c) {
        Ok(v) => Ok(Repaired { value: v, corrected: false }),
        Err(e) => {
            let fixed = repair_digits(&c, &digit_positions);
            if fixed != c {
                if let Ok(v) = parse(&fixed) {
                    return Ok(Repaired { value: v, corrected: true });
                }
            }
            Err(e)
        }
    }
}

/// True when every char is an ASCII digit.
pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Luhn checksum over ASCII digits (caller guarantees digits).
pub(crate) fn luhn_ok(s: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in s.bytes().rev().enumerate() {
        let mut d = (b - b'0') as u32;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// Remainder modulo 97 of a long decimal string.
pub(crate) fn mod97(digits: &str) -> u32 {
    let mut r = 0u32;
    for b in digits.bytes() {
        r = (r * 10 + (b - b'0') as u32) % 97;
    }
    r
}

#[cfg(test)]
mod csv_tests;
