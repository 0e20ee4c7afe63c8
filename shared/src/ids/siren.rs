//! SIREN (9 digits) and SIRET (14 digits), Luhn-checked, with La Poste's exception, and the
//! French VAT number built on the SIREN.

use super::{all_digits, luhn_ok, IdError};
use std::fmt;

/// A valid SIREN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Siren(String);

/// A valid SIRET.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Siret(String);

/// A valid French VAT number (FR + 2-digit key + SIREN).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TvaFr(String);

/// La Poste's establishments share one SIREN and do not follow Luhn.
const LA_POSTE: &str = "356000000";

impl Siren {
    /// Parses 9 digits with separators allowed.
    pub fn parse(raw: &str) -> Result<Siren, IdError> {
        let s = super::compact(raw);
        if s.len() != 9 || !all_digits(&s) {
            return Err(IdError::Format("siren"));
        }
        if !luhn_ok(&s) {
            return Err(IdError::Checksum("siren"));
        }
        Ok(Siren(s))
    }

    /// The 9 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Siret {
    /// Parses 14 digits with separators allowed.
    pub fn parse(raw: &str) -> Result<Siret, IdError> {
        let s = super::compact(raw);
        if s.len() != 14 || !all_digits(&s) {
            return Err(IdError::Format("siret"));
        }
        // La Poste's establishments skip Luhn (digit sum multiple of 5), except its head office.
        let ok = if s.starts_with(LA_POSTE) && s != "35600000000048" {
            s.bytes().map(|b| (b - b'0') as u32).sum::<u32>() % 5 == 0
        } else {
            luhn_ok(&s[..9]) && luhn_ok(&s)
        };
        if !ok {
            return Err(IdError::Checksum("siret"));
        }
        Ok(Siret(s))
    }

    /// Parses, repairing letters read in place of digits.
    pub fn parse_repairing(raw: &str) -> Result<super::Repaired<Siret>, IdError> {
        super::parse_with_repair(raw, Siret::parse, |_, _| true)
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The company's SIREN.
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

impl TvaFr {
    /// Parses `FR` + key + SIREN (the `FR` may be missing).
    pub fn parse(raw: &str) -> Result<TvaFr, IdError> {
        let s = super::compact(raw);
        let body = s.strip_prefix("FR").unwrap_or(&s);
        if body.len() != 11 || !all_digits(body) {
            return Err(IdError::Format("fr_tva"));
        }
        let siren = &body[2..];
        // Entities without a SIREN get numbers starting with 000, which skip the Luhn check.
        if siren != LA_POSTE && !siren.starts_with("000") && !luhn_ok(siren) {
            return Err(IdError::Checksum("fr_tva"));
        }
        let n: u64 = siren.parse().map_err(|_| IdError::Format("fr_tva"))?;
        let key: u64 = body[..2].parse().map_err(|_| IdError::Format("fr_tva"))?;
        if (12 + 3 * (n % 97)) % 97 != key {
            return Err(IdError::Checksum("fr_tva"));
        }
        Ok(TvaFr(format!("FR{body}")))
    }

    /// `FR` and 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends the Luhn digit to a digit string.
    fn luhn_complete(body: &str) -> String {
        (0..10).map(|d| format!("{body}{d}")).find(|s| luhn_ok(s)).unwrap()
    }

    fn siret(siren_body: &str, nic_body: &str) -> String {
        let siren = luhn_complete(siren_body);
        luhn_complete(&format!("{siren}{nic_body}"))
    }

    #[test]
    fn known_vectors() {
        assert!(Siret::parse("633 004 486 00013").is_ok());
        assert!(Siret::parse("35600000049837").is_ok());
        assert!(Siret::parse("35600000049838").is_err());
        assert!(Siren::parse("404833047").is_err());
    }

    proptest! {
        #[test]
        fn generated_sirets_validate(a in "[1-9][0-9]{7}", b in "[0-9]{4}") {
            let s = siret(&a, &b);
            prop_assume!(!s.starts_with(LA_POSTE));
            prop_assert!(Siret::parse(&s).is_ok());
            prop_assert!(Siren::parse(&s[..9]).is_ok());
        }

        #[test]
        fn any_single_digit_change_fails(a in "[1-9][0-9]{7}", b in "[0-9]{4}", pos in 0usize..14, delta in 1u8..10) {
            let s = siret(&a, &b);
            let mut v = s.into_bytes();
            v[pos] = b'0' + (v[pos] - b'0' + delta) % 10;
            let m = String::from_utf8(v).unwrap();
            prop_assume!(!m.starts_with(LA_POSTE));
            prop_assert!(Siret::parse(&m).is_err());
        }
    }
}
