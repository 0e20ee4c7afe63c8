//! From 2D-Doc identifiers to Tamis fields, and the pipeline step that lets signed values win.

use crate::parse::{parse, TwoDDoc};
use crate::verify::{verify, Outcome, TrustList};
use tamis_shared::{DocumentResult, DocumentType, Field, FieldSource, Finding, Work};
use unicode_normalization::UnicodeNormalization;

/// How two values of a field are compared: printed text carries accents and case the barcode
/// cannot (2D-Doc is upper-case ASCII), so names and addresses compare folded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// Exact after removing spaces, upper case (identifiers, amounts, dates).
    Exact,
    /// Accents, case and punctuation ignored (names, addresses).
    Folded,
}

/// One Tamis field read from a 2D-Doc, normalised as FORMAT.md says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    pub name: &'static str,
    pub value: String,
    pub compare: Compare,
}

/// The Tamis document type a 2D-Doc type stands for (only the types Tamis maps).
pub fn tamis_type(doc_type: &str) -> Option<DocumentType> {
    match doc_type {
        // 04: avis d'impôt sur le revenu; 28: its newer layout (avis IR with address and tax lines).
        "04" | "28" => Some(DocumentType::TaxNotice),
        // 01: justificatif de domicile, facture (energy, telecom...).
        "01" => Some(DocumentType::EnergyBill),
        _ => None,
    }
}

/// Upper-case ASCII letters and digits, every other run turned into one space.
pub fn fold(s: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in s.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_uppercase());
        } else {
            space = true;
        }
    }
    out
}

/// `JEAN-PIERRE` -> `Jean-Pierre`.
fn title(word: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// Address line in the case a person writes it; particles stay lower case.
fn title_line(line: &str) -> String {
    const SMALL: [&str; 10] = ["DE", "DES", "DU", "LA", "LE", "LES", "L", "D", "ET", "AU"];
    line.split_whitespace()
        .enumerate()
        .map(|(i, w)| if i > 0 && SMALL.contains(&w) { w.to_lowercase() } else { title(w) })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1234,5` -> `1234.50`; None when not a number.
fn amount(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().replace(',', ".");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (neg, int) = int.strip_prefix('-').map_or((false, int), |i| (true, i));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    Some(format!("{}{int}.{frac:0<2}", if neg { "-" } else { "" }))
}

/// `2,50` -> `2.5`, `1,00` -> `1`.
fn shares(raw: &str) -> Option<String> {
    let s = raw.trim().replace(',', ".");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    Some(if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") })
}

fn digits(raw: &str, n: usize) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// `SURNAME FIRST` (46/48): the last word is the first name (compound ones are hyphenated).
fn declarant(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    match words.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        [surname @ .., first] => Some(format!("{} {}", surname.join(" "), title(first))),
    }
}

/// Invoice beneficiary as `First SURNAME`, from field 10 (`TITLE/SURNAME/FIRST`) or 12/13.
fn holder(doc: &TwoDDoc) -> Option<String> {
    if let Some(line) = doc.field("10") {
        let parts: Vec<&str> = line.split('/').map(str::trim).collect();
        return match parts.as_slice() {
            [_, surname, first, ..] if !surname.is_empty() && !first.is_empty() => {
                Some(format!("{} {surname}", first.split_whitespace().map(title).collect::<Vec<_>>().join(" ")))
            }
            _ => None,
        };
    }
    match (doc.field("12"), doc.field("13")) {
        (Some(first), Some(surname)) if !first.trim().is_empty() && !surname.trim().is_empty() => {
            Some(format!("{} {}", first.split_whitespace().map(title).collect::<Vec<_>>().join(" "), surname.trim()))
        }
        _ => None,
    }
}

/// Service address: street line (22) first, then complements (20, 21, 23), then `postcode city`.
fn address(doc: &TwoDDoc) -> Option<String> {
    let mut parts: Vec<String> = ["22", "20", "21", "23"]
        .iter()
        .filter_map(|id| doc.field(id))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(title_line)
        .collect();
    if parts.is_empty() {
        return None;
    }
    let town = [doc.field("24").map(str::trim).map(str::to_string), doc.field("25").map(str::trim).map(title_line)]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !town.is_empty() {
        parts.push(town);
    }
    Some(parts.join(", "))
}

/// The Tamis fields a 2D-Doc carries, for the types Tamis maps (empty otherwise).
pub fn map_fields(doc: &TwoDDoc) -> Vec<Mapped> {
    let mut out = Vec::new();
    let mut put = |name, value: Option<String>, compare| {
        if let Some(value) = value {
            out.push(Mapped { name, value, compare });
        }
    };
    match tamis_type(&doc.header.doc_type) {
        Some(DocumentType::TaxNotice) => {
            put("taxpayer_name", doc.field("46").and_then(declarant), Compare::Folded);
            put("tax_number", doc.field("47").and_then(|v| digits(v, 13)), Compare::Exact);
            let reference =
                doc.field("44").map(|v| v.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase());
            put("notice_reference", reference.filter(|r| r.len() == 13), Compare::Exact);
            put("income_year", doc.field("45").and_then(|v| digits(v, 4)), Compare::Exact);
            put("reference_tax_income", doc.field("41").and_then(amount), Compare::Exact);
            put("household_shares", doc.field("43").and_then(shares), Compare::Exact);
        }
        Some(DocumentType::EnergyBill) => {
            put("holder_name", holder(doc), Compare::Folded);
            put("address", address(doc), Compare::Folded);
            put("issue_date", doc.header.issue_date.map(|d| d.to_string()), Compare::Exact);
            put(
                "customer_number",
                doc.field("19").map(|v| v.trim().to_string()).filter(|v| !v.is_empty()),
                Compare::Exact,
            );
            put("amount_due", doc.field("1D").and_then(amount), Compare::Exact);
        }
        _ => {}
    }
    out
}

fn same(a: &str, b: &str, how: Compare) -> bool {
    match how {
        Compare::Exact => {
            let n = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
            n(a) == n(b)
        }
        Compare::Folded => fold(a) == fold(b),
    }
}

fn finding(code: impl Into<String>, message: &str) -> Finding {
    Finding { code: code.into(), message: message.into() }
}

fn add_finding(doc: &mut DocumentResult, f: Finding) {
    if !doc.findings.iter().any(|x| x.code == f.code) {
        doc.findings.push(f);
    }
}

/// Applies the 2D-Docs found on a work's pages to its documents, verifying against `trust`.
pub fn apply(work: &mut Work, trust: &TrustList) {
    apply_with(work, Some(trust));
}

/// Like `apply`; without a trust list 2D-Docs are only noted (`twoddoc_unverified`), never trusted.
pub fn apply_with(work: &mut Work, trust: Option<&TrustList>) {
    if work.failure.is_some() {
        return;
    }
    // Parse each page's 2D-Docs once; pages without one are skipped cheaply.
    let mut on_pages: Vec<(u32, TwoDDoc)> = Vec::new();
    for page in &work.pages {
        for sym in page.symbols.iter().filter(|s| s.text.starts_with("DC")) {
            match parse(&sym.text) {
                Ok(d) => on_pages.push((page.number, d)),
                // The error names the structural problem only, never the content.
                Err(e) => tracing::info!(page = page.number, error = %e, "2D-Doc symbol not parsed"),
            }
        }
    }
    if on_pages.is_empty() {
        return;
    }
    for doc in &mut work.documents {
        let Some((page, dd)) = on_pages
            .iter()
            .find(|(p, d)| doc.pages.contains(p) && tamis_type(&d.header.doc_type).as_ref() == Some(&doc.doc_type))
        else {
            if on_pages.iter().any(|(p, d)| doc.pages.contains(p) && tamis_type(&d.header.doc_type).is_some()) {
                add_finding(doc, finding("twoddoc_type_mismatch", "the 2D-Doc is for another document type"));
            }
            continue;
        };
        let outcome = verify(dd, trust);
        tracing::info!(page, doc_type = %dd.header.doc_type, outcome = ?outcome, "2D-Doc checked");
        match outcome {
            Outcome::Verified => {}
            Outcome::SignatureInvalid => {
                add_finding(doc, finding("twoddoc_invalid", "2D-Doc signature invalid"));
                continue;
            }
            Outcome::UnknownCertificate => {
                add_finding(
                    doc,
                    finding("twoddoc_untrusted", "2D-Doc signed by a certificate that is not in the trust list"),
                );
                continue;
            }
            Outcome::CertificateNotValidAtDate => {
                add_finding(
                    doc,
                    finding("twoddoc_untrusted", "2D-Doc signed by a certificate not valid at the signature date"),
                );
                continue;
            }
            Outcome::NoTrustList => {
                add_finding(
                    doc,
                    finding("twoddoc_unverified", "2D-Doc present but no trust list is configured to verify it"),
                );
                continue;
            }
        }
        // A verified barcode of this very type is the strongest type evidence there is.
        doc.confidence = doc.confidence.max(0.99);
        for m in map_fields(dd) {
            // What extract could not settle about this field, the signature now settles.
            let settled = |code: &str| {
                code.strip_suffix(m.name).is_some_and(|head| {
                    matches!(head, "missing:" | "invalid:" | "ambiguous:" | "low_confidence:" | "uncorroborated:")
                })
            };
            doc.findings.retain(|f| !settled(&f.code));
            let printed = doc.fields.get(m.name);
            let agrees = printed.is_some_and(|f| same(&f.value, &m.value, m.compare));
            let field = match printed {
                // The page agrees: keep its spelling (accents, case) and position, now proven.
                Some(f) if agrees => {
                    Field { confidence: 1.0, source: FieldSource::TwoDDoc, valid: Some(true), ..f.clone() }
                }
                _ => {
                    if printed.is_some() {
                        add_finding(
                            doc,
                            finding(format!("twoddoc_mismatch:{}", m.name), "printed value differs from signed value"),
                        );
                    }
                    Field {
                        value: m.value,
                        confidence: 1.0,
                        page: Some(*page),
                        bbox: None,
                        source: FieldSource::TwoDDoc,
                        valid: Some(true),
                    }
                }
            };
            doc.fields.insert(m.name.to_string(), field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_format_md() {
        assert_eq!(amount("90,97").as_deref(), Some("90.97"));
        assert_eq!(amount("100798").as_deref(), Some("100798.00"));
        assert_eq!(amount("-234,7").as_deref(), Some("-234.70"));
        assert_eq!(amount("12,345"), None);
        assert_eq!(amount("abc"), None);
        assert_eq!(shares("2,5").as_deref(), Some("2.5"));
        assert_eq!(shares("2,50").as_deref(), Some("2.5"));
        assert_eq!(shares("1,00").as_deref(), Some("1"));
        assert_eq!(shares("2,25").as_deref(), Some("2.25"));
        assert_eq!(declarant("GAUDIN STEPHANE-TRISTAN").as_deref(), Some("GAUDIN Stephane-Tristan"));
        assert_eq!(declarant("DA COSTA MARCEL").as_deref(), Some("DA COSTA Marcel"));
    }

    #[test]
    fn folding_ignores_accents_case_and_punctuation() {
        assert_eq!(fold("96 rue de l'Abbé Grégoire"), fold("96 RUE DE L ABBE GREGOIRE"));
        assert_eq!(fold("Bât. C"), "BAT C");
        assert_eq!(fold("Saint-Étienne"), fold("SAINT-ETIENNE"));
        assert_ne!(fold("33000 Bordeaux"), fold("33080 BORDEAUX"));
    }
}
