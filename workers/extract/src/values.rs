//! Turns the text after a label into a normalised value of the field's kind, checking it.

use crate::norm;
use once_cell::sync::Lazy;
use regex::Regex;
use tamis_shared::ids::{compact, Bic, Iban, Nir, Siret};
use tamis_shared::taxonomy::FieldKind;

/// A parsed value: normalised text, check outcome, and whether OCR confusions were repaired.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub value: String,
    pub valid: Option<bool>,
    pub corrected: bool,
}

fn ok(v: String) -> Option<Parsed> {
    Some(Parsed { value: v, valid: None, corrected: false })
}

/// Windows of `n` characters over the compacted text, starting at char positions that satisfy `start`.
fn windows(text: &str, n: usize) -> Vec<String> {
    // "clé" between the NIR body and its key is printed on some forms.
    let t = text.replace("clé", " ").replace("Clé", " ").replace("cle ", " ").replace("CLÉ", " ");
    let c: Vec<char> = compact(&t).chars().collect();
    (0..c.len().saturating_sub(n - 1)).map(|i| c[i..i + n].iter().collect()).collect()
}

/// Finds an identifier of length `n` in the text: first a valid one (maybe repaired), else the
/// first digit-shaped window, marked invalid.
fn ident<T>(
    text: &str,
    n: usize,
    parse: impl Fn(&str) -> Result<tamis_shared::ids::Repaired<T>, tamis_shared::ids::IdError>,
    show: impl Fn(&T) -> String,
    shape: impl Fn(&str) -> bool,
) -> Option<Parsed> {
    let ws = windows(text, n);
    for w in &ws {
        if let Ok(r) = parse(w) {
            return Some(Parsed { value: show(&r.value), valid: Some(true), corrected: r.corrected });
        }
    }
    ws.into_iter().find(|w| w.is_ascii() && shape(w)).map(|w| Parsed { value: w, valid: Some(false), corrected: false })
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

static YEAR: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b(19|20)\d{2}\b").unwrap());
static SCHOOL_YEAR: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b((?:19|20)\d{2})\s*[-/]\s*((?:19|20)\d{2})\b").unwrap());
static NOTICE: Lazy<Regex> = Lazy::new(|| Regex::new(r"\d{4}[A-Z0-9]{7}\d{2}").unwrap());
static BIC: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b").unwrap());

/// Parses `text` as a value of `kind`.
pub fn parse(kind: FieldKind, text: &str) -> Option<Parsed> {
    let text = text.trim_start_matches(|c: char| c == ':' || c == '.' || c == '-' || c.is_whitespace());
    if text.is_empty() {
        return None;
    }
    match kind {
        FieldKind::Amount => ok(norm::amount(text)?),
        FieldKind::Date => ok(norm::date(text)?).map(|mut p| {
            p.valid = Some(true);
            p
        }),
        FieldKind::Period => ok(norm::period(text)?),
        FieldKind::Year => ok(YEAR.find(text)?.as_str().to_string()),
        FieldKind::SchoolYear => {
            let c = SCHOOL_YEAR.captures(text)?;
            ok(format!("{}-{}", &c[1], &c[2]))
        }
        FieldKind::Decimal => ok(norm::decimal(text)?),
        FieldKind::Nir => {
            let shape =
                |w: &str| w.chars().take(13).all(|c| c.is_ascii_digit()) && (w.starts_with('1') || w.starts_with('2'));
            let found = ident(text, 15, Nir::parse_repairing, |n| n.as_str().to_string(), shape);
            if found.as_ref().is_some_and(|p| p.valid == Some(true)) {
                return found;
            }
            // The word printed between the body and the key ("clé") misread ("cé", "dé", "ck"):
            // thirteen characters of groups before it and two after, exactly, or nothing.
            let toks: Vec<String> = text
                .split_whitespace()
                .map(|t| t.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
                .collect();
            let groupish = |t: &str| !t.is_empty() && (t.chars().any(|c| c.is_ascii_digit()) || t.chars().count() == 1);
            for j in 0..toks.len() {
                if groupish(&toks[j]) {
                    continue;
                }
                let mut body = String::new();
                for t in toks[..j].iter().rev().take_while(|t| groupish(t)) {
                    if body.len() >= 13 {
                        break;
                    }
                    body.insert_str(0, t);
                }
                let mut key = String::new();
                for t in toks[j + 1..].iter().take_while(|t| groupish(t)) {
                    if key.len() >= 2 {
                        break;
                    }
                    key.push_str(t);
                }
                if body.chars().count() == 13 && key.chars().count() == 2 {
                    if let Ok(r) = Nir::parse_repairing(&format!("{body}{key}")) {
                        return Some(Parsed {
                            value: r.value.as_str().to_string(),
                            valid: Some(true),
                            corrected: r.corrected,
                        });
                    }
                }
            }
            // The whole value a comb of fifteen characters, with stray marks around the groups.
            let joined: String = toks.iter().filter(|t| groupish(t)).map(String::as_str).collect();
            if joined.chars().count() == 15 {
                if let Ok(r) = Nir::parse_repairing(&joined) {
                    return Some(Parsed {
                        value: r.value.as_str().to_string(),
                        valid: Some(true),
                        corrected: r.corrected,
                    });
                }
            }
            found
        }
        FieldKind::Siret => ident(text, 14, Siret::parse_repairing, |s| s.as_str().to_string(), digits),
        FieldKind::Iban => {
            for n in (15..=34).rev() {
                for w in windows(text, n) {
                    if w.as_bytes()[0].is_ascii_alphabetic() {
                        if let Ok(r) = Iban::parse_repairing(&w) {
                            return Some(Parsed {
                                value: r.value.as_str().to_string(),
                                valid: Some(true),
                                corrected: r.corrected,
                            });
                        }
                    }
                }
            }
            let c = compact(text);
            (c.starts_with("FR")
                && c.is_ascii()
                && c.len() >= 27
                && c[2..27].bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Parsed { value: c[..27].to_string(), valid: Some(false), corrected: false })
        }
        FieldKind::Bic => {
            for m in BIC.find_iter(text) {
                if let Ok(b) = Bic::parse(m.as_str()) {
                    return Some(Parsed { value: b.as_str().to_string(), valid: Some(true), corrected: false });
                }
            }
            None
        }
        FieldKind::TaxNumber => {
            // Take digit groups up to 13 digits: an address number may follow on a merged line.
            let mut d = String::new();
            for t in text.split_whitespace() {
                if !t.chars().all(|c| c.is_ascii_digit()) || d.len() + t.len() > 13 {
                    break;
                }
                d.push_str(t);
            }
            if d.len() == 13 {
                let valid = tamis_shared::ids::TaxNumber::parse(&d).is_ok();
                return Some(Parsed { value: d, valid: Some(valid), corrected: false });
            }
            (d.len() >= 10).then_some(Parsed { value: d, valid: Some(false), corrected: false })
        }
        FieldKind::NoticeReference => {
            let c = compact(text);
            ok(NOTICE.find(&c)?.as_str().to_string())
        }
        FieldKind::Reference => {
            let t = text.split_whitespace().find(|t| {
                t.chars().any(|c| c.is_ascii_digit()) && t.chars().filter(|c| c.is_alphanumeric()).count() >= 4
            })?;
            ok(t.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_uppercase())
        }
        FieldKind::Sex => ok(norm::sex(text)?),
        FieldKind::Nationality => ok(norm::nationality(text)?),
        FieldKind::ContractType => ok(norm::contract_type(text)?),
        FieldKind::Person => ok(norm::person(text)?),
        FieldKind::Organisation | FieldKind::Address | FieldKind::Text => {
            let t = norm::tidy(text);
            (t.chars().filter(|c| c.is_alphanumeric()).count() >= 2).then_some(Parsed {
                value: t,
                valid: None,
                corrected: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nir_read_across_a_misread_key_label() {
        let nir = |t: &str| parse(FieldKind::Nir, t).filter(|p| p.valid == Some(true)).map(|p| p.value);
        assert_eq!(nir("298 0467 143 420 cé 8 9").as_deref(), Some("298046714342089"));
        assert_eq!(nir("1 85 05 80 166 138 cd 33").as_deref(), Some("185058016613833"));
        assert_eq!(nir("2 0205 34 120702 cé 94").as_deref(), Some("202053412070294"));
        assert_eq!(nir("298 0467 143 420 «« 89").as_deref(), Some("298046714342089"));
        assert_eq!(nir("2 02 05 34 120 702 «94").as_deref(), Some("202053412070294"));
        // A wrong key stays invalid; so do groups that do not make 13 + 2 characters.
        assert_eq!(nir("298 0467 143 420 cé 8 8"), None);
        assert_eq!(nir("98 0467 143 420 cé 8 9"), None);
    }
}
