//! The French tax number (numéro fiscal, SPI): 13 digits, the first 0 to 3, whose last three are
//! the first ten modulo 511.

use super::{all_digits, IdError};
use std::fmt;

/// A valid French tax number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaxNumber(String);

impl TaxNumber {
    /// Parses 13 digits with separators allowed (`32 84 976 988 202`).
    pub fn parse(raw: &str) -> Result<TaxNumber, IdError> {
        let s = super::compact(raw);
        if s.len() != 13 || !all_digits(&s) || !matches!(s.as_bytes()[0], b'0'..=b'3') {
            return Err(IdError::Format("tax number"));
        }
        let body: u64 = s[..10].parse().map_err(|_| IdError::Format("tax number"))?;
        let key: u64 = s[10..].parse().map_err(|_| IdError::Format("tax number"))?;
        if body % 511 != key {
            return Err(IdError::Checksum("tax number"));
        }
        Ok(TaxNumber(s))
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaxNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn complete(body: &str) -> String {
        format!("{body}{:03}", body.parse::<u64>().unwrap() % 511)
    }

    #[test]
    fn known_vectors() {
        assert_eq!(TaxNumber::parse("32 84 976 988 202").unwrap().as_str(), "3284976988202");
        assert!(TaxNumber::parse("2239303193015").is_ok());
        assert_eq!(TaxNumber::parse("2239303193016"), Err(IdError::Checksum("tax number")));
        // Too short, a letter, or a first digit above 3: not a tax number at all.
        assert_eq!(TaxNumber::parse("223930319301"), Err(IdError::Format("tax number")));
        assert_eq!(TaxNumber::parse("22393O3193015"), Err(IdError::Format("tax number")));
        assert_eq!(TaxNumber::parse("5239303193015").map(|_| ()), Err(IdError::Format("tax number")));
    }

    proptest! {
        #[test]
        fn generated_numbers_validate(body in "[0-3][0-9]{9}") {
            prop_assert!(TaxNumber::parse(&complete(&body)).is_ok());
        }

        #[test]
        fn any_single_digit_change_fails(body in "[0-3][0-9]{9}", pos in 1usize..13, delta in 1u8..10) {
            // 511 = 7 x 73 shares no factor with a power of ten: no one-digit change keeps the key.
            let mut v = complete(&body).into_bytes();
            v[pos] = b'0' + (v[pos] - b'0' + delta) % 10;
            prop_assert!(TaxNumber::parse(std::str::from_utf8(&v).unwrap()).is_err());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = TaxNumber::parse(&s);
        }
    }
}
