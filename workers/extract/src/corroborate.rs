//! Which required fields something independent of where they were read confirms.
//!
//! The failure (issue #20): on issuers never seen, the reading anchors on the wrong words — the
//! next cell's label taken as the employer ("SIRET"), a section heading as the taxpayer, the
//! company as the patient, an address cut where a sentence wraps, the bill's total before the
//! instalments as the amount due — and such a value, read cleanly, got the same confidence as a
//! right one. Measured on four new families and a blind one, 13 % to 42 % of the documents
//! accepted without a person carried such a value. Confidence from where and how cleanly a value
//! was read cannot tell these apart: the words were read right, only their role was wrong.
//!
//! The fix: a required field counts as confirmed only by evidence that does not depend on where
//! it was found:
//! - its own check key (NIR, SIRET, IBAN, numéro fiscal), or the document's arithmetic (amounts
//!   the per-type rules found adding up mark themselves valid);
//! - a BIC whose country is the checked IBAN's;
//! - two fields that must agree and do: the pay date falls in or just after the pay period; the
//!   notice reference's year is the year after the income year;
//! - the document stating the value twice, on two lines (the holder's name in the address window
//!   and in the text; the company in the header and in the footer), for values that are not
//!   amounts (amounts repeat by coincidence, and payment slips repeat whichever total they
//!   show), and only when the value has the shape of its kind: a name is not made of label
//!   words, titles or digits, an address ends in a postcode and town.
//!
//! Identity documents are not judged here: their machine-readable zone's check digits and its
//! agreement with the printed zone already decide (`types/id.rs`), as a signed 2D-Doc does for
//! the fields it carries (the 2D-Doc stage settles `uncorroborated:` as it settles `missing:`).
//! Every other required field without evidence gets the finding `uncorroborated:<field>`, which
//! the routing policy blocks on; a name the case's persons confirm is waived by the router.

use crate::doc::Doc;
use crate::generic::POSTCODE_TOWN;
use crate::norm;
use crate::Out;
use std::collections::BTreeSet;
use tamis_shared::taxonomy::{fold, FieldKind, Taxonomy, TypeDef};

/// The words of every label and title of the taxonomy: a value made only of them is a label or a
/// heading read in place of a name.
pub(crate) fn label_words(tax: &Taxonomy) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for t in &tax.types {
        let phrases = t.titles.iter().chain(t.fields.iter().flat_map(|f| f.labels.iter()));
        for p in phrases {
            words.extend(fold(p).split(' ').filter(|w| w.len() >= 2).map(String::from));
        }
    }
    words
}

/// Adds `uncorroborated:<field>` for each required field of `def` that nothing independent confirms.
pub(crate) fn check(def: &TypeDef, doc: &Doc, labels: &BTreeSet<String>, out: &mut Out) {
    let mut confirmed: BTreeSet<&str> = BTreeSet::new();
    for f in &def.fields {
        let Some(v) = out.fields.get(&f.name) else { continue };
        let checked = v.valid == Some(true)
            && matches!(
                f.kind,
                FieldKind::Nir | FieldKind::Siret | FieldKind::Iban | FieldKind::TaxNumber | FieldKind::Amount
            );
        let shaped = f.kind != FieldKind::Amount && shaped(f.kind, &v.value, labels);
        if checked
            || (shaped && (stated_twice(doc, f.kind, &v.value, labels) || named_as_its_kind(doc, f.kind, &v.value)))
        {
            confirmed.insert(f.name.as_str());
        }
    }
    for (a, b) in agreeing_pairs(def, out) {
        confirmed.insert(a);
        confirmed.insert(b);
    }
    for f in def.fields.iter().filter(|f| f.required) {
        if out.fields.contains_key(&f.name) && !confirmed.contains(f.name.as_str()) {
            out.finding(
                format!("uncorroborated:{}", f.name),
                "Nothing independent of where this value was read confirms it (no check key, arithmetic, second mention or signed code).",
            );
        }
    }
}

/// Fields of `def` that confirm each other by what they mean, found by their kinds so that a
/// configured type with the same kinds gets the same checks.
fn agreeing_pairs<'a>(def: &'a TypeDef, out: &Out) -> Vec<(&'a str, &'a str)> {
    let of = |k: FieldKind| def.fields.iter().filter(move |f| f.kind == k);
    let value = |name: &str| out.fields.get(name).map(|f| f.value.as_str());
    let mut pairs = vec![];
    // The payment of a month's pay falls in that month or in the first days of the next.
    for p in of(FieldKind::Period) {
        for d in of(FieldKind::Date) {
            if let (Some(period), Some(date)) = (value(&p.name), value(&d.name)) {
                if pays_period(period, date) {
                    pairs.push((p.name.as_str(), d.name.as_str()));
                }
            }
        }
    }
    // A notice reference opens with the two digits of the year of the notice, the year after the
    // income it taxes.
    for r in of(FieldKind::NoticeReference) {
        for y in of(FieldKind::Year) {
            if let (Some(reference), Some(year)) = (value(&r.name), value(&y.name).and_then(|y| y.parse::<u32>().ok()))
            {
                if reference.get(..2).and_then(|d| d.parse::<u32>().ok()) == Some((year + 1) % 100) {
                    pairs.push((r.name.as_str(), y.name.as_str()));
                }
            }
        }
    }
    // A BIC names its bank's country in letters 5-6: the checked IBAN's country.
    for b in of(FieldKind::Bic) {
        for i in of(FieldKind::Iban) {
            let (Some(bic), Some(iban)) = (out.fields.get(&b.name), out.fields.get(&i.name)) else { continue };
            if bic.valid == Some(true) && iban.valid == Some(true) && bic.value.get(4..6) == iban.value.get(..2) {
                pairs.push((b.name.as_str(), i.name.as_str()));
            }
        }
    }
    pairs
}

/// Whether `date` (ISO) pays the month `period` (`YYYY-MM`): within it, or up to the 15th of the
/// next month.
fn pays_period(period: &str, date: &str) -> bool {
    let parse = |s: &str| -> Option<(i32, u32)> { Some((s.get(..4)?.parse().ok()?, s.get(5..7)?.parse().ok()?)) };
    let (Some((py, pm)), Some((dy, dm)), Some(day)) = (parse(period), parse(date), date.get(8..10)) else {
        return false;
    };
    let Ok(day) = day.parse::<u32>() else { return false };
    let next = if pm == 12 { (py + 1, 1) } else { (py, pm + 1) };
    (dy, dm) == (py, pm) || ((dy, dm) == next && day <= 15)
}

/// Whether the value has the shape of its kind, so that seeing it twice means something.
fn shaped(kind: FieldKind, value: &str, labels: &BTreeSet<String>) -> bool {
    match kind {
        FieldKind::Person | FieldKind::Organisation => {
            let toks: Vec<String> = fold(value).split(' ').filter(|t| !t.is_empty()).map(String::from).collect();
            // A company or a school is no person.
            let a_body = crate::types::has_legal_form(value)
                || toks.first().is_some_and(|t| norm::ORGANISATION_WORDS.contains(&t.as_str()));
            !toks.is_empty()
                && !value.chars().any(|c| c.is_ascii_digit())
                && toks.iter().any(|t| t.len() >= 2 && !labels.contains(t))
                && (kind == FieldKind::Organisation || !a_body)
        }
        FieldKind::Address => POSTCODE_TOWN.is_match(value) && value.chars().filter(|c| c.is_alphabetic()).count() >= 6,
        _ => true,
    }
}

/// Whether the words say what they are, whatever their place: a civility title printed before a
/// person's name ("Mme Jeanne MARTIN"), a legal form ending a company's ("Leroux Transports SAS"),
/// a body's word opening an institution's ("Lycée Victor Hugo"). A label, a heading, a company
/// taken for a person or a sentence's fragment carries none of them.
fn named_as_its_kind(doc: &Doc, kind: FieldKind, value: &str) -> bool {
    let words: Vec<String> = fold(value).split(' ').filter(|t| !t.is_empty()).map(String::from).collect();
    match kind {
        FieldKind::Person => {
            let name = words.join(" ");
            words.len() >= 2
                && doc.lines.iter().any(|l| {
                    norm::CIVILITY.iter().any(|c| format!(" {} ", l.folded).contains(&format!(" {c} {name} ")))
                })
        }
        FieldKind::Organisation => {
            words.len() >= 2
                && (crate::types::has_legal_form(value) || norm::ORGANISATION_WORDS.contains(&words[0].as_str()))
        }
        _ => false,
    }
}

/// Whether two lines of the document state the value. Names and addresses compare by their words
/// (an address by its first line, which holds the street); dates, periods and references by
/// their normalised value.
fn stated_twice(doc: &Doc, kind: FieldKind, value: &str, labels: &BTreeSet<String>) -> bool {
    let count = |hit: &dyn Fn(&crate::doc::L) -> bool| doc.lines.iter().filter(|l| hit(l)).take(2).count();
    let words_of = |s: &str| -> Vec<String> {
        fold(s).split(' ').filter(|t| t.chars().count() >= 2).map(String::from).collect::<Vec<_>>()
    };
    let holds = |l: &crate::doc::L, words: &[String]| {
        !words.is_empty() && words.iter().all(|w| l.tokens.iter().any(|(t, _)| t == w))
    };
    match kind {
        FieldKind::Person | FieldKind::Organisation => {
            let words = words_of(value);
            count(&|l| whole_name_in(l, &words, labels)) >= 2
        }
        FieldKind::Text | FieldKind::ContractType => {
            let words = words_of(value);
            count(&|l| holds(l, &words)) >= 2
        }
        FieldKind::Address => {
            let street = words_of(value.split(',').next().unwrap_or(value));
            street.len() >= 2 && count(&|l| holds(l, &street)) >= 2
        }
        FieldKind::Date => count(&|l| norm::dates(&l.text).iter().any(|(_, d)| d == value)) >= 2,
        FieldKind::Period => {
            count(&|l| {
                norm::period(&l.text).as_deref() == Some(value)
                    || norm::dates(&l.text).iter().any(|(_, d)| d.starts_with(value))
            }) >= 2
        }
        FieldKind::Amount => false,
        _ => {
            let compact: String = value.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_uppercase();
            compact.len() >= 4
                && count(&|l| {
                    l.text.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_uppercase().contains(&compact)
                }) >= 2
        }
    }
}

/// Whether the line names `words` (any order) as a whole name: a run of exactly those words that
/// no capitalised word or connector ("de", "du") continues on either side. A name cut short
/// ("Caisse" of "Caisse Vosgienne de Crédit") is part of a longer one wherever it is printed.
fn whole_name_in(l: &crate::doc::L, words: &[String], labels: &BTreeSet<String>) -> bool {
    let n = words.len();
    if n == 0 || l.tokens.len() < n {
        return false;
    }
    let mut want: Vec<&str> = words.iter().map(String::as_str).collect();
    want.sort_unstable();
    let continues = |k: usize, after: bool| {
        let Some((t, w)) = l.tokens.get(k) else { return false };
        let capital = l.words[*w].text.chars().next().is_some_and(|c| c.is_uppercase());
        let connector = after && ["de", "du", "des", "d", "et"].contains(&t.as_str());
        connector || (capital && !labels.contains(t) && !norm::CIVILITY.contains(&t.as_str()))
    };
    (0..=l.tokens.len() - n).any(|s| {
        let mut run: Vec<&str> = l.tokens[s..s + n].iter().map(|(t, _)| t.as_str()).collect();
        run.sort_unstable();
        run == want && !continues(s + n, true) && (s == 0 || !continues(s - 1, false))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Out;
    use std::collections::BTreeMap;
    use tamis_shared::{Field, FieldSource};

    fn field(v: &str, valid: Option<bool>) -> Field {
        Field { value: v.into(), confidence: 0.95, page: Some(1), bbox: None, source: FieldSource::TextLayer, valid }
    }

    fn findings(t: &str, lines: &[&str], fields: &[(&str, &str, Option<bool>)]) -> Vec<String> {
        let tax = Taxonomy::builtin();
        let def = tax.get(t).unwrap();
        let mut out = Out {
            fields: fields.iter().map(|(k, v, ok)| (k.to_string(), field(v, *ok))).collect::<BTreeMap<_, _>>(),
            findings: vec![],
        };
        check(def, &Doc::from_lines(lines), &label_words(&tax), &mut out);
        out.findings.into_iter().map(|f| f.code).collect()
    }

    const RENT_LINES: [&str; 6] = [
        "Quittance de loyer",
        "Bailleur : SCI Les Tilleuls",
        "Locataire : Mme Jeanne MARTIN",
        "12 rue des Lilas, 69003 Lyon",
        "Reçu de Mme Jeanne MARTIN pour le logement du 12 rue des Lilas",
        "SCI Les Tilleuls, société civile immobilière",
    ];

    #[test]
    fn values_stated_twice_or_adding_up_are_confirmed_and_the_rest_is_said() {
        let f = findings(
            "rent_receipt",
            &RENT_LINES,
            &[
                ("landlord_name", "SCI Les Tilleuls", None),
                ("tenant_name", "Jeanne MARTIN", None),
                ("property_address", "12 rue des Lilas, 69003 Lyon", None),
                ("period", "2025-03", None),
                ("rent_amount", "600.00", Some(true)),
                ("charges_amount", "52.50", Some(true)),
                ("total_amount", "652.50", Some(true)),
            ],
        );
        // The period is printed nowhere on these lines.
        assert_eq!(f, vec!["uncorroborated:period"]);
    }

    #[test]
    fn a_label_or_a_code_stated_twice_is_no_name() {
        let lines = ["EMPLOYEUR | SIRET | SALARIÉ", "SIRET", "SIRET 123 456 789 00012", "UAI 0751234A", "UAI 0751234A"];
        let f =
            findings("payslip", &lines, &[("employer_name", "SIRET", None), ("employee_name", "UAI 0751234A", None)]);
        assert!(f.contains(&"uncorroborated:employer_name".to_string()), "{f:?}");
        assert!(f.contains(&"uncorroborated:employee_name".to_string()), "{f:?}");
    }

    #[test]
    fn amounts_need_arithmetic_not_repetition() {
        let lines = ["Total TTC 164,75 €", "Montant à payer 164,75 €", "TIP 164,75 €"];
        let f = findings("energy_bill", &lines, &[("amount_due", "164.75", None)]);
        assert_eq!(f, vec!["uncorroborated:amount_due"]);
        let f = findings("energy_bill", &lines, &[("amount_due", "164.75", Some(true))]);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn an_address_cut_before_its_postcode_is_not_confirmed() {
        let lines = ["Logement : 12 rue des Lilas", "situé 12 rue des Lilas à", "69003 Lyon"];
        let f = findings("rent_receipt", &lines, &[("property_address", "12 rue des Lilas", None)]);
        assert_eq!(f, vec!["uncorroborated:property_address"]);
    }

    #[test]
    fn fields_that_must_agree_confirm_each_other() {
        assert!(pays_period("2024-11", "2024-11-29"));
        assert!(pays_period("2024-12", "2025-01-05"));
        assert!(!pays_period("2024-11", "2024-12-20"));
        assert!(!pays_period("2024-11", "2024-10-31"));
        let f = findings(
            "payslip",
            &[],
            &[("period", "2024-11", None), ("pay_date", "2024-11-29", None), ("nir", "185037511502342", Some(true))],
        );
        assert!(f.is_empty(), "{f:?}");
        let f =
            findings("tax_notice", &[], &[("notice_reference", "2575A12345612", None), ("income_year", "2024", None)]);
        assert!(f.is_empty(), "{f:?}");
        let f =
            findings("tax_notice", &[], &[("notice_reference", "2475A12345612", None), ("income_year", "2024", None)]);
        assert_eq!(f, vec!["uncorroborated:notice_reference", "uncorroborated:income_year"]);
        let f = findings(
            "bank_details",
            &[],
            &[("bic", "BNPAFRPP", Some(true)), ("iban", "FR7630006000011234567890189", Some(true))],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_name_cut_short_is_not_confirmed_by_the_longer_name_around_it() {
        let lines = ["Caisse Vosgienne de Crédit", "Agence : Caisse Vosgienne de Crédit, 12 rue du Port"];
        let f = findings("bank_details", &lines, &[("bank_name", "Caisse", None)]);
        assert_eq!(f, vec!["uncorroborated:bank_name"]);
        let f = findings("bank_details", &lines, &[("bank_name", "Caisse Vosgienne de Crédit", None)]);
        assert!(f.is_empty(), "{f:?}");
    }
}
