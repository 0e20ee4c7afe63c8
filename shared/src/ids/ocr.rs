//! OCR confusion repair shared by the identifiers.

/// A parsed value, and whether OCR confusions had to be repaired to get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repaired<T> {
    /// The valid value.
    pub value: T,
    /// True when letters were read as digits (or the reverse) and fixed.
    pub corrected: bool,
}

/// Drops the separators people and printers put in identifiers (spaces, dots, hyphens, slashes)
/// and upper-cases.
pub fn compact(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/' | '\u{a0}' | '\u{202f}'))
        .flat_map(|c| c.to_uppercase())
        .collect()
}

/// Letters tesseract commonly returns for a digit.
fn as_digit(c: char) -> Option<char> {
    Some(match c {
        'O' | 'Q' | 'D' | 'o' => '0',
        'I' | 'L' | 'l' | '|' | 'i' | '!' => '1',
        'Z' | 'z' => '2',
        'S' | 's' => '5',
        'G' | 'b' => '6',
        'T' => '7',
        'B' => '8',
        'g' => '9',
        _ => return None,
    })
}

/// Replaces confusable letters by digits in the positions where `must_be_digit(pos, len)` holds.
pub fn repair_digits(s: &str, must_be_digit: &impl Fn(usize, usize) -> bool) -> String {
    let n = s.chars().count();
    s.chars().enumerate().map(|(i, c)| if must_be_digit(i, n) { as_digit(c).unwrap_or(c) } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn compact_is_idempotent(s in "[A-Za-z0-9 .-]{0,40}") {
            let once = compact(&s);
            prop_assert_eq!(compact(&once), once);
        }

        #[test]
        fn repair_leaves_digits_alone(s in "[0-9]{0,30}") {
            prop_assert_eq!(repair_digits(&s, &|_, _| true), s);
        }
    }
}
