//! BIC (ISO 9362): bank, country, location and optional branch code.

use super::IdError;
use std::fmt;
use std::str::FromStr;

/// A well-formed BIC, upper case, 8 or 11 characters, as printed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bic(String);

impl Bic {
    /// Parses a BIC; only its format can be checked (there is no key).
    pub fn parse(raw: &str) -> Result<Bic, IdError> {
        let s = super::compact(raw);
        let b = s.as_bytes();
        if !(s.len() == 8 || s.len() == 11) {
            return Err(IdError::Format("bic"));
        }
        let alnum = |x: &u8| x.is_ascii_uppercase() || x.is_ascii_digit();
        if !b[..6].iter().all(|x| x.is_ascii_uppercase()) || !b[6..].iter().all(alnum) {
            return Err(IdError::Format("bic"));
        }
        Ok(Bic(s))
    }

    /// The code as printed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ISO country code inside the BIC.
    pub fn country(&self) -> &str {
        &self.0[4..6]
    }
}

impl FromStr for Bic {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bic::parse(s)
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn well_formed_bics_parse(s in "[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?") {
            let b = Bic::parse(&s).unwrap();
            prop_assert_eq!(b.as_str(), s.as_str());
        }

        #[test]
        fn wrong_lengths_fail(s in "[A-Z]{6}[A-Z0-9]{3,4}") {
            prop_assert!(Bic::parse(&s).is_err());
        }
    }

    #[test]
    fn digits_in_bank_code_fail() {
        assert!(Bic::parse("BVDLFRP1").is_ok());
        assert!(Bic::parse("B4DLFRP1").is_err());
    }
}
