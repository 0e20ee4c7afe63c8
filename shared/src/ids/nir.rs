//! The French social-security number (NIR): 13 characters and a 2-digit key.

use super::{all_digits, mod97, IdError};
use std::fmt;
use std::str::FromStr;

/// A NIR whose key matches (Corsican departments 2A/2B included).
/// Personal data: its `Debug` prints no character of it (`Display` does, for the outputs that
/// must carry it), so a `{:?}` in a log line cannot leak it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nir(String);

impl fmt::Debug for Nir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Nir(<redacted>)")
    }
}

impl Nir {
    /// The 15 characters, no spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key a 13-character body must carry.
    pub fn key_of(body: &str) -> Option<u32> {
        if body.len() != 13 {
            return None;
        }
        // Corsica: 2A and 2B count as 19 and 18 in the key computation.
        let dep = &body[5..7];
        let numeric = match dep {
            "2A" => format!("{}19{}", &body[..5], &body[7..]),
            "2B" => format!("{}18{}", &body[..5], &body[7..]),
            _ => body.to_string(),
        };
        if !all_digits(&numeric) {
            return None;
        }
        Some(97 - mod97(&numeric))
    }

    /// Parses a NIR written with or without spaces; the key must match.
    pub fn parse(raw: &str) -> Result<Nir, IdError> {
        let s = super::compact(raw);
        if s.len() != 15 || !s.is_ascii() {
            return Err(IdError::Format("nir"));
        }
        if !matches!(s.as_bytes()[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
            return Err(IdError::Format("nir"));
        }
        let key: u32 = s[13..].parse().map_err(|_| IdError::Format("nir"))?;
        let expected = Nir::key_of(&s[..13]).ok_or(IdError::Format("nir"))?;
        if key != expected {
            return Err(IdError::Checksum("nir"));
        }
        Ok(Nir(s))
    }

    /// Parses, repairing letters read in digit positions (the department may hold 2A/2B).
    pub fn parse_repairing(raw: &str) -> Result<super::Repaired<Nir>, IdError> {
        let c = super::compact(raw);
        // Position 6 legitimately holds A or B after a 2 (Corsica); everything else is a digit.
        let corsica = c.len() == 15 && &c[5..6] == "2" && matches!(&c[6..7], "A" | "B");
        super::parse_with_repair(&c, Nir::parse, |i, _| !(corsica && i == 6))
    }
}

impl FromStr for Nir {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nir::parse(s)
    }
}

impl fmt::Display for Nir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn make(body: &str) -> String {
        format!("{}{:02}", body, Nir::key_of(body).unwrap())
    }

    #[test]
    fn known_vectors() {
        assert!(Nir::parse("2 95 10 99 126 111 93").is_ok());
        assert!(Nir::parse("253072B07300470").is_ok());
        assert!(Nir::parse("253072A07300443").is_ok());
        assert!(Nir::parse("253072C07300443").is_err());
        assert!(Nir::parse("295109912611199").is_err());
        assert!(Nir::parse("1 92 12 81 303 094 74").is_ok());
    }

    #[test]
    fn repairs_letter_confusions() {
        let r = Nir::parse_repairing("1 92 12 8l 3O3 094 74").unwrap();
        assert!(r.corrected);
        assert_eq!(r.value.as_str(), "192128130309474");
    }

    proptest! {
        #[test]
        fn generated_nirs_validate(body in "[12][0-9]{12}") {
            let n = make(&body);
            prop_assert!(Nir::parse(&n).is_ok());
        }

        #[test]
        fn any_single_digit_change_fails(body in "[12][0-9]{12}", pos in 0usize..15, delta in 1u8..10) {
            let n = make(&body);
            let mut b = n.clone().into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let m = String::from_utf8(b).unwrap();
            prop_assert!(Nir::parse(&m).is_err());
        }

        #[test]
        fn parsing_is_idempotent(body in "[12][0-9]{12}") {
            let n = Nir::parse(&make(&body)).unwrap();
            prop_assert_eq!(Nir::parse(n.as_str()).unwrap(), n);
        }
    }
}

#[cfg(test)]
mod debug_tests {
    #[test]
    fn debug_is_redacted() {
        let v = super::Nir::parse("185057800608491").unwrap();
        let shown = format!("{v:?} {:?} {:#?}", Some(&v), [&v]);
        assert!(!shown.contains(&v.as_str()[..6]) && !shown.contains(&v.as_str()[6..]), "{shown}");
        assert!(shown.contains("Nir(<redacted>)"), "{shown}");
    }
}
