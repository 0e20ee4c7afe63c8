//! IBAN (ISO 13616, mod 97) with per-country structure, and the French RIB key.

use super::{all_digits, mod97, IdError};
use std::fmt;
use std::str::FromStr;

/// A valid IBAN, upper case, no spaces.
/// Personal data: its `Debug` prints no character of it (`Display` does, for the outputs that
/// must carry it), so a `{:?}` in a log line cannot leak it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Iban(<redacted>)")
    }
}

/// Country, total length and BBAN structure (SWIFT registry notation: n digits, a upper letters,
/// c alphanumerics). Countries absent here are checked by length range and checksum only.
const REGISTRY: &[(&str, usize, &str)] = &[
    ("AD", 24, "4n4n12c"),
    ("AE", 23, "3n16n"),
    ("AL", 28, "8n16c"),
    ("AT", 20, "5n11n"),
    ("AZ", 28, "4a20c"),
    ("BA", 20, "3n3n8n2n"),
    ("BE", 16, "3n7n2n"),
    ("BG", 22, "4a4n2n8c"),
    ("BH", 22, "4a14c"),
    ("BR", 29, "8n5n10n1a1c"),
    ("CH", 21, "5n12c"),
    ("CR", 22, "4n14n"),
    ("CY", 28, "3n5n16c"),
    ("CZ", 24, "4n6n10n"),
    ("DE", 22, "8n10n"),
    ("DK", 18, "4n9n1n"),
    ("DO", 28, "4c20n"),
    ("EE", 20, "2n2n11n1n"),
    ("EG", 29, "4n4n17n"),
    ("ES", 24, "4n4n1n1n10n"),
    ("FI", 18, "3n11n"),
    ("FO", 18, "4n9n1n"),
    ("FR", 27, "5n5n11c2n"),
    ("GB", 22, "4a6n8n"),
    ("GE", 22, "2a16n"),
    ("GI", 23, "4a15c"),
    ("GL", 18, "4n9n1n"),
    ("GR", 27, "3n4n16c"),
    ("GT", 28, "4c20c"),
    ("HR", 21, "7n10n"),
    ("HU", 28, "3n4n1n15n1n"),
    ("IE", 22, "4a6n8n"),
    ("IL", 23, "3n3n13n"),
    ("IQ", 23, "4a3n12n"),
    ("IS", 26, "4n2n6n10n"),
    ("IT", 27, "1a5n5n12c"),
    ("JO", 30, "4a4n18c"),
    ("KW", 30, "4a22c"),
    ("KZ", 20, "3n13c"),
    ("LB", 28, "4n20c"),
    ("LC", 32, "4a24c"),
    ("LI", 21, "5n12c"),
    ("LT", 20, "5n11n"),
    ("LU", 20, "3n13c"),
    ("LV", 21, "4a13c"),
    ("MC", 27, "5n5n11c2n"),
    ("MD", 24, "2c18c"),
    ("ME", 22, "3n13n2n"),
    ("MK", 19, "3n10c2n"),
    ("MR", 27, "5n5n11n2n"),
    ("MT", 31, "4a5n18c"),
    ("MU", 30, "4a2n2n12n3n3a"),
    ("NL", 18, "4a10n"),
    ("NO", 15, "4n6n1n"),
    ("PK", 24, "4a16c"),
    ("PL", 28, "8n16n"),
    ("PS", 29, "4a21c"),
    ("PT", 25, "4n4n11n2n"),
    ("QA", 29, "4a21c"),
    ("RO", 24, "4a16c"),
    ("RS", 22, "3n13n2n"),
    ("SA", 24, "2n18c"),
    ("SC", 31, "4a2n2n16n3a"),
    ("SE", 24, "3n16n1n"),
    ("SI", 19, "5n8n2n"),
    ("SK", 24, "4n6n10n"),
    ("SM", 27, "1a5n5n12c"),
    ("ST", 25, "8n11n2n"),
    ("SV", 28, "4a20n"),
    ("TL", 23, "3n14n2n"),
    ("TN", 24, "2n3n13n2n"),
    ("TR", 26, "5n1n16c"),
    ("UA", 29, "6n19c"),
    ("VA", 22, "3n15n"),
    ("VG", 24, "4a16n"),
    ("XK", 20, "4n10n2n"),
    ("BY", 28, "4c4n16c"),
    ("LY", 25, "3n3n15n"),
    ("SD", 18, "2n12n"),
    ("BI", 27, "5n5n11n2n"),
];

fn bban_matches(bban: &str, spec: &str) -> bool {
    let b = bban.as_bytes();
    let mut pos = 0usize;
    let mut num = 0usize;
    for c in spec.bytes() {
        if c.is_ascii_digit() {
            num = num * 10 + (c - b'0') as usize;
            continue;
        }
        if pos + num > b.len() {
            return false;
        }
        let ok = b[pos..pos + num].iter().all(|x| match c {
            b'n' => x.is_ascii_digit(),
            b'a' => x.is_ascii_uppercase(),
            _ => x.is_ascii_uppercase() || x.is_ascii_digit(),
        });
        if !ok {
            return false;
        }
        pos += num;
        num = 0;
    }
    pos == b.len()
}

/// Expands letters to numbers (A=10..Z=35) for the mod-97 check.
fn expand(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else {
            out.push_str(&((c as u32 - 'A' as u32) + 10).to_string());
        }
    }
    out
}

/// Letters in French account numbers count as digits by this table (the RIB convention).
fn rib_digit(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        return Some(c);
    }
    let v = match c {
        'A' | 'J' => 1,
        'B' | 'K' | 'S' => 2,
        'C' | 'L' | 'T' => 3,
        'D' | 'M' | 'U' => 4,
        'E' | 'N' | 'V' => 5,
        'F' | 'O' | 'W' => 6,
        'G' | 'P' | 'X' => 7,
        'H' | 'Q' | 'Y' => 8,
        'I' | 'R' | 'Z' => 9,
        _ => return None,
    };
    char::from_digit(v, 10)
}

/// The French RIB key of a bank code (5), branch code (5) and account number (11).
pub fn rib_key(bank: &str, branch: &str, account: &str) -> Option<u32> {
    if bank.len() != 5 || branch.len() != 5 || account.len() != 11 || !all_digits(bank) || !all_digits(branch) {
        return None;
    }
    let acc: String = account.chars().map(rib_digit).collect::<Option<String>>()?;
    let r = (89 * mod97(bank) + 15 * mod97(branch) + 3 * mod97(&acc)) % 97;
    Some(97 - r)
}

/// The Spanish BBAN carries two mod-11 control digits.
fn es_ok(bban: &str) -> bool {
    fn dc(s: &str) -> u32 {
        const W: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
        let sum: u32 = s.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
        match 11 - sum % 11 {
            11 => 0,
            10 => 1,
            d => d,
        }
    }
    let d1 = dc(&format!("00{}", &bban[..8]));
    let d2 = dc(&bban[10..20]);
    bban[8..10] == format!("{}{}", d1, d2)
}

impl Iban {
    /// Parses an IBAN written with or without separators; checksum and national structure must hold.
    pub fn parse(raw: &str) -> Result<Iban, IdError> {
        let mut s = super::compact(raw);
        if let Some(rest) = s.strip_prefix("IBAN") {
            s = rest.trim_start_matches(':').to_string();
        }
        if s.len() < 15 || s.len() > 34 || !s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            return Err(IdError::Format("iban"));
        }
        let (cc, rest) = s.split_at(2);
        if !cc.bytes().all(|b| b.is_ascii_uppercase()) || !all_digits(&rest[..2]) {
            return Err(IdError::Format("iban"));
        }
        let Some(&(_, len, spec)) = REGISTRY.iter().find(|(c, _, _)| *c == cc) else {
            return Err(IdError::Format("iban"));
        };
        if s.len() != len || !bban_matches(&s[4..], spec) {
            return Err(IdError::Format("iban"));
        }
        let rearranged = format!("{}{}", &s[4..], &s[..4]);
        if mod97(&expand(&rearranged)) != 1 {
            return Err(IdError::Checksum("iban"));
        }
        let bban = &s[4..];
        let national_ok = match cc {
            "FR" | "MC" => rib_key(&bban[..5], &bban[5..10], &bban[10..21])
                .is_some_and(|k| bban[21..23].parse::<u32>().ok() == Some(k)),
            "ES" => es_ok(bban),
            _ => true,
        };
        if !national_ok {
            return Err(IdError::Checksum("iban"));
        }
        Ok(Iban(s))
    }

    /// Parses, repairing confusable letters in the positions the country requires digits.
    pub fn parse_repairing(raw: &str) -> Result<super::Repaired<Iban>, IdError> {
        let c = super::compact(raw);
        let cc: String = c.chars().take(2).collect();
        let spec = REGISTRY.iter().find(|(k, _, _)| *k == cc).map(|x| x.2).unwrap_or("");
        let mut digit_at = vec![false, false, true, true];
        let mut num = 0usize;
        for ch in spec.bytes() {
            if ch.is_ascii_digit() {
                num = num * 10 + (ch - b'0') as usize;
            } else {
                digit_at.extend(std::iter::repeat_n(ch == b'n', num));
                num = 0;
            }
        }
        let strict = super::parse_with_repair(raw, Iban::parse, |i, _| digit_at.get(i).copied().unwrap_or(false));
        if strict.is_ok() {
            return strict;
        }
        // Most accounts are all digits even where letters are allowed: try that too.
        super::parse_with_repair(raw, Iban::parse, |i, _| i >= 2).or(strict)
    }

    /// Upper case, no spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code.
    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

impl FromStr for Iban {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Iban::parse(s)
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a valid French IBAN from bank, branch and account digits.
    fn fr(bank: &str, branch: &str, account: &str) -> String {
        let key = rib_key(bank, branch, account).unwrap();
        let bban = format!("{bank}{branch}{account}{key:02}");
        let check = 98 - mod97(&expand(&format!("{bban}FR00")));
        format!("FR{check:02}{bban}")
    }

    #[test]
    fn known_vectors() {
        assert!(Iban::parse("FR76 1437 8937 9067 5477 7525 017").is_ok());
        assert!(Iban::parse("FR7630002005500000157845Z02").is_err());
        assert_eq!(rib_key("14378", "93790", "67547775250"), Some(17));
    }

    #[test]
    fn repairs_o_for_zero() {
        let r = Iban::parse_repairing("FR76 1437 8937 9O67 5477 7525 Ol7").unwrap();
        assert!(r.corrected);
        assert_eq!(r.value.as_str(), "FR7614378937906754777525017");
    }

    proptest! {
        #[test]
        fn generated_french_ibans_validate(bank in "[0-9]{5}", branch in "[0-9]{5}", acc in "[0-9]{11}") {
            prop_assert!(Iban::parse(&fr(&bank, &branch, &acc)).is_ok());
        }

        #[test]
        fn any_single_digit_change_fails(bank in "[0-9]{5}", branch in "[0-9]{5}", acc in "[0-9]{11}",
                                         pos in 2usize..27, delta in 1u8..10) {
            let s = fr(&bank, &branch, &acc);
            let mut b = s.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            prop_assert!(Iban::parse(&String::from_utf8(b).unwrap()).is_err());
        }

        #[test]
        fn spacing_does_not_matter(bank in "[0-9]{5}", branch in "[0-9]{5}", acc in "[0-9]{11}") {
            let s = fr(&bank, &branch, &acc);
            let spaced: String = s.chars().collect::<Vec<_>>().chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ");
            let a = Iban::parse(&spaced).unwrap();
            prop_assert_eq!(a.as_str(), s.as_str());
            prop_assert_eq!(Iban::parse(a.as_str()).unwrap(), a);
        }
    }
}

#[cfg(test)]
mod debug_tests {
    #[test]
    fn debug_is_redacted() {
        let v = super::Iban::parse("FR7630006000011234567890189").unwrap();
        let shown = format!("{v:?} {:?} {:#?}", Some(&v), [&v]);
        assert!(!shown.contains(&v.as_str()[..6]) && !shown.contains(&v.as_str()[6..]), "{shown}");
        assert!(shown.contains("Iban(<redacted>)"), "{shown}");
    }
}
