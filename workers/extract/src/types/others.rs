//! Rules for the non-identity types: where labels are absent (address blocks, sentences) or
//! structure is a stronger signal than position (an IBAN that validates, amounts that add up).

use super::{field, Labels};
use crate::doc::Doc;
use crate::values::parse;
use crate::{norm, Out};
use tamis_shared::taxonomy::{fold, FieldKind};
use tamis_shared::FieldSource;

/// Lines that start with a civility title, as (line index, name without title).
fn titled_names(doc: &Doc) -> Vec<(usize, String)> {
    doc.lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            // The title may follow other text on the line when columns were merged.
            let k = l.words.iter().position(|w| {
                ["m", "mme", "madame", "monsieur", "mlle", "mr"].contains(&fold(&w.text).as_str())
                    && (w.text.chars().next().is_some_and(|c| c.is_uppercase()))
            })?;
            if l.words.len() >= k + 2 {
                let end = l.run_end(k);
                let n = norm::person(&l.span_text(k, end))?;
                (n.split(' ').count() >= 2).then_some((i, n))
            } else {
                None
            }
        })
        .collect()
}

/// The person named right after a phrase inside a sentence ("atteste que Mme X, née").
fn after_phrase(doc: &Doc, phrase: &str) -> Option<(usize, String)> {
    let toks: Vec<String> = fold(phrase).split(' ').map(String::from).collect();
    for (i, l) in doc.lines.iter().enumerate() {
        if let Some((_, after)) = l.find(&toks) {
            let mut text = l.span_text(after, l.words.len());
            if let Some(next) = doc.lines.get(i + 1) {
                text.push(' ');
                text.push_str(&next.text);
            }
            if let Some(n) = norm::person(&text) {
                if n.split(' ').count() >= 2 {
                    return Some((i, n));
                }
            }
        }
    }
    None
}

fn line_conf(doc: &Doc, i: usize) -> f32 {
    doc.lines[i].words.iter().map(|w| w.conf).fold(1.0, f32::min)
}

/// How sure OCR was of the words that make up `value`, read on line `i` (or wrapped onto the
/// next line of the same page). Debris elsewhere on the line (a logo read as `cn`, a register
/// number at 0.40 before a name) says nothing of the value; when some token of the value cannot
/// be found as a word, the whole line's confidence stands instead.
fn value_conf(doc: &Doc, i: usize, value: &str) -> f32 {
    let line = &doc.lines[i];
    let mut words: Vec<&crate::doc::W> = line.words.iter().collect();
    if let Some(next) = doc.lines.get(i + 1).filter(|n| n.page == line.page) {
        words.extend(next.words.iter());
    }
    let mut conf: f32 = 1.0;
    for tok in fold(value).split(' ').filter(|t| !t.is_empty()) {
        let Some(w) = words
            .iter()
            .filter(|w| fold(&w.text).split(' ').any(|t| t == tok))
            .max_by(|a, b| a.conf.total_cmp(&b.conf))
        else {
            return line_conf(doc, i);
        };
        conf = conf.min(w.conf);
    }
    conf
}

fn set(out: &mut Out, doc: &Doc, name: &str, line: usize, value: String, base: f32, source: FieldSource) {
    if value.trim().is_empty() {
        return;
    }
    let c = base * (0.4 + 0.6 * value_conf(doc, line, &value));
    out.fields.insert(name.into(), field(value, c, doc.lines[line].page, doc.lines[line].bbox, source, None));
}

/// The first run of words near the top of the document that reads like a heading name (company,
/// bank, school): letters, no digits, not a document title. Logo initials before it are skipped.
/// Returns (line, first word, end word).
fn header_org(doc: &Doc, skip: &[&str], labels: &Labels) -> Option<(usize, usize, usize)> {
    for (i, l) in doc.lines.iter().enumerate().take(8) {
        let mut start = 0;
        // OCR debris and logo letters before the name: a symbol, or one or two letters followed
        // by a longer name.
        while start + 2 < l.words.len() {
            let t = &l.words[start].text;
            let next = &l.words[start + 1].text;
            // A bar or bullet after a short word sets a logo apart from the name ("or | Orion").
            let short_before_mark = t.chars().count() <= 3 && !next.chars().any(|c| c.is_alphanumeric());
            let debris = !t.chars().any(|c| c.is_alphanumeric())
                || (t.chars().count() <= 2 && next.chars().count() > 2)
                || short_before_mark;
            if !debris {
                break;
            }
            start += 1;
        }
        while start < l.words.len() {
            let mut end = l.run_end(start);
            // A bar or bullet closing the run is a separator, not part of the name.
            while end > start + 1 && !l.words[end - 1].text.chars().any(|c| c.is_alphanumeric()) {
                end -= 1;
            }
            let text = l.span_text(start, end);
            let f = fold(&text);
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            let initials = end - start == 1 && text.chars().count() <= 3;
            // A block's heading ("Établissement", "Employeur") is made of label words alone.
            let heading = f.split(' ').filter(|t| t.chars().count() >= 2).all(|t| labels.contains(t));
            if letters >= 4
                && !initials
                && !heading
                && !text.chars().any(|c| c.is_ascii_digit())
                && !skip.iter().any(|s| f.contains(s))
            {
                return Some((i, start, end));
            }
            start = end;
        }
    }
    None
}

/// Whether a legal form ends the name: it corroborates a header read as a company.
pub(crate) fn has_legal_form(name: &str) -> bool {
    fold(name).split(' ').next_back().is_some_and(|t| norm::LEGAL_FORMS.contains(&t))
}

pub(crate) fn bank(doc: &Doc, source: FieldSource, labels: &Labels, out: &mut Out) {
    // An IBAN that validates anywhere in a RIB is the IBAN, whatever its label or position.
    for (i, l) in doc.lines.iter().enumerate() {
        if let Some(p) = parse(FieldKind::Iban, &l.text) {
            if p.valid == Some(true) {
                let c = if p.corrected { 0.85 } else { 0.985 };
                out.fields.insert(
                    "iban".into(),
                    field(p.value, c * (0.7 + 0.3 * line_conf(doc, i)), l.page, l.bbox, source, Some(true)),
                );
                if p.corrected {
                    out.finding(
                        "corrected:iban".into(),
                        "An OCR letter/digit confusion in the IBAN was repaired so that its key passes.",
                    );
                }
                break;
            }
        }
    }
    if !out.fields.contains_key("bic") {
        for (i, l) in doc.lines.iter().enumerate() {
            if l.folded.contains("bic") || l.folded.contains("swift") {
                for j in i..(i + 2).min(doc.lines.len()) {
                    if let Some(p) = parse(FieldKind::Bic, &doc.lines[j].text) {
                        set(out, doc, "bic", j, p.value, 0.9, source);
                        break;
                    }
                }
            }
        }
    }
    // The BIC's label lost on a photo: a word of the RIB that is a BIC of the IBAN's country is
    // the BIC (a word of eight or eleven capitals rarely passes both by chance).
    if !out.fields.contains_key("bic") {
        let country = out.fields.get("iban").map(|f| f.value[..2].to_string());
        let found = doc.lines.iter().enumerate().find_map(|(i, l)| {
            let country = country.as_deref()?;
            l.words.iter().find_map(|w| {
                let t = w.text.trim_matches(|c: char| !c.is_alphanumeric());
                let shape =
                    (t.len() == 8 || t.len() == 11) && t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
                let p = parse(FieldKind::Bic, t).filter(|p| shape && p.value == t && &p.value[4..6] == country)?;
                Some((i, p.value, w.conf))
            })
        });
        if let Some((i, value, conf)) = found {
            let c = (0.9 * (0.4 + 0.6 * conf)).min(0.85);
            out.fields.insert("bic".into(), field(value, c, doc.lines[i].page, doc.lines[i].bbox, source, Some(true)));
        }
    }
    if let Some((i, start, end)) =
        header_org(doc, &["releve", "identite", "rib", "coordonnees", "edite", "date"], labels)
    {
        let name = norm::tidy(&doc.lines[i].span_text(start, end));
        let f = fold(&name);
        let bankish = [
            "banque",
            "credit",
            "caisse",
            "bank",
            "societe generale",
            "lcl",
            "bnp",
            "postale",
            "cic",
            "boursorama",
            "mutuel",
            "epargne",
        ];
        let base = if bankish.iter().any(|b| f.contains(b)) { 0.92 } else { 0.6 };
        set(out, doc, "bank_name", i, name, base, source);
    }
    // The holder's label lost on a photo: the RIB's holder block is a name over a postal
    // address. The first line that opens with a person's name (two words or more, no heading
    // word) and is followed by a street line and then a postcode is taken, for a person to check.
    if !out.fields.contains_key("account_holder") {
        let street = |l: &crate::doc::L| {
            l.words.first().is_some_and(|w| w.text.chars().all(|c| c.is_ascii_digit())) && l.words.len() >= 3
        };
        let holder = doc.lines.iter().enumerate().find_map(|(i, l)| {
            let end = l.run_end(0);
            let name = norm::person(&l.span_text(0, end))
                .filter(|n| n.split(' ').count() >= 2 && n.split(' ').count() <= 4)?;
            let next = doc.lines.get(i + 1).filter(|n| n.page == l.page && street(n))?;
            let postcode =
                doc.lines.iter().skip(i + 2).take(2).any(|p| p.page == next.page && POSTCODE_TOWN.is_match(&p.text));
            postcode.then_some((i, name))
        });
        if let Some((i, name)) = holder {
            set(out, doc, "account_holder", i, name, 0.6, source);
        }
    }
    // Joint accounts name two holders joined by "OU"/"ET"; a gap between the words can cut the
    // read after the first one, which would then be accepted as the whole holder.
    if let Some(h) = out.fields.get_mut("account_holder") {
        let v = h.value.clone();
        let joint = doc.lines.iter().find_map(|l| {
            let rest = l.text.trim().strip_prefix(v.as_str())?;
            let r = rest.trim_start();
            (rest.starts_with(' ')
                && (r.starts_with("OU ") || r.starts_with("ET ") || r.starts_with("ou ") || r.starts_with("et ")))
            .then(|| norm::person(&r[3..]).map(|second| format!("{v} {} {second}", &r[..2])))
            .flatten()
        });
        if let Some(j) = joint {
            h.value = j;
        }
    }
    // The holder read twice (a RIB printed in two copies, the holder block repeated), each time
    // as a whole run of text that starts and ends with the name, is two reads agreeing.
    if let Some(h) = out.fields.get_mut("account_holder") {
        let want: Vec<String> = fold(&h.value).split(' ').filter(|t| !t.is_empty()).map(String::from).collect();
        let whole_runs = doc
            .lines
            .iter()
            .filter(|l| {
                let Some((first, after)) = l.find(&want) else { return false };
                let starts = first == 0 || l.words[first - 1].seg != l.words[first].seg;
                let ends = after >= l.words.len() || l.run_end(first) == after;
                starts && ends && l.words[first..after].iter().all(|w| w.conf >= 0.5)
            })
            .count();
        if !want.is_empty() && whole_runs >= 2 && h.confidence < 0.9 {
            h.confidence = 0.9;
        }
    }
}

/// A NIR whose label was lost (a photo's "N° de sécurité sociale" read as debris): digit groups
/// of exactly fifteen digits, from a word's start to a word's end, whose key passes (one chance
/// in 97 by accident). Found without its label, it goes to a person to confirm; two different
/// ones leave the choice to them.
fn nir_by_shape(doc: &Doc, source: FieldSource, out: &mut Out) {
    if out.fields.contains_key("nir") {
        return;
    }
    let mut found: Vec<(usize, String, f32)> = vec![];
    for (i, l) in doc.lines.iter().enumerate() {
        for start in 0..l.words.len() {
            let mut digits = String::new();
            let mut conf = 1.0f32;
            // A group closing a clause keeps its comma or full stop ("… 536 04, demeurant").
            for w in l.words[start..].iter() {
                let group = w.text.trim_end_matches([',', '.', ';', ')']);
                if group.is_empty() || !group.bytes().all(|b| b.is_ascii_digit()) {
                    break;
                }
                digits.push_str(group);
                conf = conf.min(w.conf);
                if digits.len() >= 15 || group.len() < w.text.len() {
                    break;
                }
            }
            if let Ok(n) = tamis_shared::ids::Nir::parse(&digits) {
                if !found.iter().any(|f| f.1 == n.as_str()) {
                    found.push((i, n.as_str().to_string(), conf));
                }
            }
        }
    }
    set_found_by_key(out, doc, source, "nir", &found, 0.75, 0.5);
}

/// Sets a field found without its label by its shape and key, from the distinct values `found`
/// (line, value, weakest word's confidence): one value weighs `base` by its OCR confidence,
/// several leave the first at `several`, for a person to choose.
fn set_found_by_key(
    out: &mut Out,
    doc: &Doc,
    source: FieldSource,
    name: &str,
    found: &[(usize, String, f32)],
    base: f32,
    several: f32,
) {
    if let Some((i, value, conf)) = found.first().cloned() {
        let c = if found.len() == 1 { base * (0.4 + 0.6 * conf) } else { several };
        out.fields.insert(name.into(), field(value, c, doc.lines[i].page, doc.lines[i].bbox, source, Some(true)));
    }
}

pub(crate) fn payslip(doc: &Doc, source: FieldSource, labels: &Labels, out: &mut Out) {
    nir_by_shape(doc, source, out);
    if !out.fields.contains_key("employer_name") {
        if let Some((i, start, end)) = header_org(doc, &["bulletin", "paie", "salaire", "paye"], labels) {
            let name = norm::tidy(&doc.lines[i].span_text(start, end));
            let base = if has_legal_form(&name) { 0.92 } else { 0.7 };
            set(out, doc, "employer_name", i, name, base, source);
        }
    }
    if let Some((i, n)) = titled_names(doc).into_iter().next() {
        set(out, doc, "employee_name", i, n, 0.9, source);
    }
    // No label: a month and year standing alone in a cell of the slip ("Octobre 2024" under
    // "Bulletin de paie") is its period, when it is the only one.
    if !out.fields.contains_key("period") {
        let mut found: Vec<(usize, String)> = vec![];
        for (i, l) in doc.lines.iter().enumerate() {
            let mut w = 0;
            while w < l.words.len() {
                let end = l.run_end(w);
                let cell = fold(&l.span_text(w, end));
                let toks: Vec<&str> = cell.split(' ').collect();
                w = end;
                let alone = matches!(toks.as_slice(), [m, y] if norm::month(m).is_some() && y.len() == 4);
                if let (true, Some(p)) = (alone, norm::period(&cell)) {
                    if !found.iter().any(|f| f.1 == p) {
                        found.push((i, p));
                    }
                }
            }
        }
        if let [(i, p)] = found.as_slice() {
            set(out, doc, "period", *i, p.clone(), 0.8, source);
        }
    }
    // No title and no label ("Vous" heads the block on clarified slips): the one person's name
    // printed over a postal address that is not the employer's.
    if !out.fields.contains_key("employee_name") {
        let employer = out.fields.get("employer_name").map(|f| fold(&f.value));
        let names: Vec<(usize, String)> =
            names_over_addresses(doc, labels).into_iter().filter(|(_, n)| Some(fold(n)) != employer).collect();
        if let [(i, n)] = names.as_slice() {
            set(out, doc, "employee_name", *i, n.clone(), 0.75, source);
        }
    }
    // The net the withholding chain proves, when printed, is the net à payer: a label's read that
    // differs from it is another figure of the slip (a tile's neighbour, a misread row).
    if let Some((i, net)) = net_by_withholding(doc) {
        if out.fields.get("net_pay").is_none_or(|f| f.value != net) {
            let c = 0.93 * (0.4 + 0.6 * line_conf(doc, i));
            out.fields.insert("net_pay".into(), field(net, c, doc.lines[i].page, doc.lines[i].bbox, source, None));
        }
    }
    payslip_amounts(doc, out);
}

/// Whether a cell reads as a person's name without a title: two to four capitalised words of
/// letters, one of them the upper-case surname and one not ("Laurence WEBER", "GILBERT Thibaut"),
/// no label word, legal form or body's word.
fn person_shaped(text: &str, labels: &Labels) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let upper = |w: &&str| w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(char::is_lowercase);
    (2..=4).contains(&words.len())
        && norm::person(text).as_deref() == Some(text)
        && words.iter().any(upper)
        && !words.iter().all(upper)
        && !has_legal_form(text)
        && !words.iter().any(|w| {
            let f = fold(w);
            labels.contains(&f)
                || norm::ORGANISATION_WORDS.contains(&f.as_str())
                || norm::CIVILITY.contains(&f.as_str())
        })
}

/// Names printed at the head of a postal address: a person-shaped cell whose column continues,
/// within the next two lines, with a line opening on a street number and a postcode and town on
/// it or on the line after. (line, name).
fn names_over_addresses(doc: &Doc, labels: &Labels) -> Vec<(usize, String)> {
    use crate::generic::POSTCODE_TOWN;
    let mut out: Vec<(usize, String)> = vec![];
    for (i, l) in doc.lines.iter().enumerate() {
        let mut w = 0;
        while w < l.words.len() {
            let end = l.run_end(w);
            let text = norm::tidy(&l.span_text(w, end));
            let x = l.words[w].bbox.map(|b| (b.x as i64, b.h as i64));
            w = end;
            if !person_shaped(&text, labels) {
                continue;
            }
            // The cell's column on the next lines: words starting near the name's left edge.
            let column = |n: &crate::doc::L| -> Option<String> {
                let k = match x {
                    Some((x0, h)) => {
                        n.words.iter().position(|v| v.bbox.is_some_and(|b| (b.x as i64 - x0).abs() <= h * 2))?
                    }
                    None => 0,
                };
                Some(n.span_text(k, n.run_end(k)))
            };
            let next: Vec<String> =
                doc.lines.iter().skip(i + 1).take(2).filter(|n| n.page == l.page).filter_map(column).collect();
            let street = next.first().is_some_and(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()));
            let town = next.iter().take(2).any(|t| POSTCODE_TOWN.is_match(t));
            if street && town && !out.iter().any(|(_, n)| *n == text) {
                out.push((i, text));
            }
        }
    }
    out
}

/// The net à payer found by what it must be: the net before tax less the tax withheld at source,
/// printed somewhere on the slip (a "NET À PAYER" tile whose figure sits apart from its caption).
/// An amount equal to that difference to the cent is no coincidence; `payslip_amounts` then
/// checks the chain like any net read by its label.
fn net_by_withholding(doc: &Doc) -> Option<(usize, String)> {
    let before = row_amount(doc, &["net", "avant"], &["cumul", "imposable", "social"])?;
    let tax = withheld_at_source(doc)?;
    let net = format!("{:.2}", before - tax);
    if tax <= 0.0 || before - tax <= 0.0 {
        return None;
    }
    let i = doc
        .lines
        .iter()
        .position(|l| !l.folded.contains("cumul") && norm::amounts(&l.text).iter().any(|a| a.1 && a.0 == net))?;
    Some((i, net))
}

/// The last amount written with cents on a line after its label (the amount column of a table
/// row comes after its base and rate).
fn row_amount(doc: &Doc, all: &[&str], none: &[&str]) -> Option<f64> {
    doc.lines.iter().find_map(|l| {
        let f = &l.folded;
        if !all.iter().all(|a| f.contains(a)) || none.iter().any(|n| f.contains(n)) {
            return None;
        }
        norm::amounts(&l.text).into_iter().rfind(|a| a.1).and_then(|a| a.0.parse::<f64>().ok())
    })
}

/// The income tax withheld at source ("Impôt sur le revenu prélevé à la source", "Prélèvement à
/// la source"): the row says "source", which the CSG rows ("CSG déductible de l'impôt sur le
/// revenu") do not.
fn withheld_at_source(doc: &Doc) -> Option<f64> {
    row_amount(doc, &["impot", "revenu", "source"], &["avant", "cumul", "net a payer"])
        .or_else(|| row_amount(doc, &["prelevement", "source"], &["avant", "cumul"]))
        .or_else(|| {
            row_amount(doc, &["impot", "revenu"], &["avant", "cumul", "net a payer", "csg", "crds", "deductible"])
        })
        .map(f64::abs)
}

/// Pay amounts must agree: gross above net, net à payer = net before tax minus the withholding,
/// and the gross is the base of the contribution rows. Agreement lifts them, disagreement is a
/// finding.
fn payslip_amounts(doc: &Doc, out: &mut Out) {
    let get = |out: &Out, k: &str| out.fields.get(k).and_then(|f| f.value.parse::<f64>().ok());
    let (Some(g), Some(n)) = (get(out, "gross_pay"), get(out, "net_pay")) else { return };
    if g <= n || n <= 0.0 {
        out.finding("inconsistent:pay".into(), "The gross pay is not above the net pay.");
        for k in ["gross_pay", "net_pay"] {
            if let Some(f) = out.fields.get_mut(k) {
                f.confidence = f.confidence.min(0.5);
            }
        }
        return;
    }
    // Net before tax and the tax withheld at source.
    let before = row_amount(doc, &["net", "avant"], &["cumul", "imposable", "social"]);
    let tax = withheld_at_source(doc);
    let net_chain = match (before, tax) {
        (Some(b), Some(t)) => Some((b - t - n).abs() < 0.015 && b < g),
        (Some(b), None) => Some((b - n).abs() < 0.015 && b < g),
        _ => None,
    };
    // The gross is repeated as the base of the contribution rows.
    let gross_text = format!("{g:.2}");
    let as_base = doc.lines.iter().filter(|l| norm::amounts(&l.text).iter().any(|a| a.0 == gross_text)).count();
    let ratio_ok = (0.45..0.95).contains(&(n / g));
    if net_chain == Some(false) {
        out.finding(
            "inconsistent:net_pay".into(),
            "Net à payer does not equal the net before tax minus the tax withheld.",
        );
        if let Some(f) = out.fields.get_mut("net_pay") {
            f.confidence = f.confidence.min(0.5);
        }
    }
    if let Some(f) = out.fields.get_mut("net_pay") {
        if net_chain == Some(true) && ratio_ok {
            f.confidence = f.confidence.max(0.95);
            f.valid = Some(true);
        }
    }
    if let Some(f) = out.fields.get_mut("gross_pay") {
        if ratio_ok && as_base >= 3 && net_chain != Some(false) {
            f.confidence = f.confidence.max(0.93);
            f.valid = Some(true);
        } else if !ratio_ok {
            f.confidence = f.confidence.min(0.6);
        }
    }
}

pub(crate) fn tax(doc: &Doc, source: FieldSource, out: &mut Out) {
    if let Some((i, n)) = titled_names(doc).into_iter().next() {
        set(out, doc, "taxpayer_name", i, n, 0.9, source);
    }
    // The label misread on a photo ("Numero fric al 32 84 976 988 202"): digit groups making 13
    // digits whose key passes are a tax number (one chance in 511 by accident). A second
    // declarant's number may be printed too, so two different ones leave it to a person.
    if !out.fields.contains_key("tax_number") {
        let mut found: Vec<(usize, String, f32)> = vec![];
        for (i, l) in doc.lines.iter().enumerate() {
            for start in 0..l.words.len() {
                // The labelled read's parser, from each word: it takes the digit groups.
                let Some(p) =
                    parse(FieldKind::TaxNumber, &l.span_text(start, l.words.len())).filter(|p| p.valid == Some(true))
                else {
                    continue;
                };
                if !found.iter().any(|f| f.1 == p.value) {
                    // The groups it took: words from `start` until their digits make the number.
                    let mut len = 0;
                    let used = l.words[start..].iter().take_while(|w| {
                        let before = len;
                        len += w.text.len();
                        before < p.value.len()
                    });
                    found.push((i, p.value.clone(), used.map(|w| w.conf).fold(1.0, f32::min)));
                }
            }
        }
        set_found_by_key(out, doc, source, "tax_number", &found, 0.9, 0.6);
    }
    // The notice reference's label misread ("Rétérence de favs 24 33 Z596416 25"): its printed
    // shape (year, department, a letter and six digits, two digits) is distinctive, but it has
    // no key to check, so a person confirms it.
    if !out.fields.contains_key("notice_reference") {
        if let Some((l, m)) = doc.lines.iter().find_map(|l| NOTICE_SHAPE.captures(&l.text).map(|c| (l, c))) {
            let value: String = (1..=4).map(|k| &m[k]).collect();
            out.fields.insert("notice_reference".into(), field(value, 0.7, l.page, l.bbox, source, None));
        }
    }
}

/// A notice reference as printed in its groups: `24 33 Z596416 25`.
static NOTICE_SHAPE: once_cell::sync::Lazy<regex::Regex> =
    once_cell::sync::Lazy::new(|| regex::Regex::new(r"(?:^|\s)(\d{2}) (\d{2}) ([A-Z]\d{6}) (\d{2})(?:\s|$)").unwrap());

pub(crate) fn rent(doc: &Doc, source: FieldSource, out: &mut Out) {
    if let Some((i, n)) = after_phrase(doc, "je soussigne e").or_else(|| after_phrase(doc, "je soussigne")) {
        set(out, doc, "landlord_name", i, n, 0.9, source);
    }
    // Tesseract's French models often read the ç of "reçu" as g.
    if let Some((i, n)) = after_phrase(doc, "recu de").or_else(|| after_phrase(doc, "regu de")) {
        set(out, doc, "tenant_name", i, n, 0.9, source);
    }
    let names = titled_names(doc);
    if !out.fields.contains_key("landlord_name") {
        if let Some((i, n)) = names.first() {
            set(out, doc, "landlord_name", *i, n.clone(), 0.6, source);
        }
    }
    if !out.fields.contains_key("tenant_name") {
        if let Some((i, n)) = names.get(1) {
            set(out, doc, "tenant_name", *i, n.clone(), 0.6, source);
        }
    }
    // The receipt's sentence says what each sum pays for, after the sum: "1 831,50 € au titre du
    // loyer hors charges et 0,00 € au titre des charges". Said so, it outweighs a label's read.
    for (name, value, i) in sums_said_in_sentences(doc) {
        let conf = 0.88 * (0.4 + 0.6 * line_conf(doc, i));
        out.fields.insert(name.into(), field(value, conf, doc.lines[i].page, doc.lines[i].bbox, source, None));
    }
    // The receipt's formula names the sum received ("déclare avoir reçu ... la somme de 652,50 €
    // au titre du loyer et des charges"): the total, when the table's total was not read.
    if !out.fields.contains_key("total_amount") {
        let sum = doc.lines.iter().find_map(|l| {
            let (_, after) = l.find(&["la".into(), "somme".into(), "de".into()])?;
            let first = l.words.get(after)?;
            let (value, cents) = norm::amounts(&l.span_text(after, l.words.len())).into_iter().next()?;
            (cents && first.text.starts_with(|c: char| c.is_ascii_digit())).then_some((l, value, first.conf))
        });
        if let Some((l, value, conf)) = sum {
            out.fields
                .insert("total_amount".into(), field(value, 0.85 * (0.4 + 0.6 * conf), l.page, l.bbox, source, None));
        }
    }
    // Rent + charges must equal the total: a check on all three amounts.
    let get = |k: &str| out.fields.get(k).and_then(|f| f.value.parse::<f64>().ok());
    if let (Some(r), Some(c), Some(t)) = (get("rent_amount"), get("charges_amount"), get("total_amount")) {
        let okay = ((r + c) - t).abs() < 0.005;
        for k in ["rent_amount", "charges_amount", "total_amount"] {
            if let Some(f) = out.fields.get_mut(k) {
                f.valid = Some(okay);
                if okay {
                    f.confidence = f.confidence.max(0.95);
                } else {
                    f.confidence = f.confidence.min(0.5);
                }
            }
        }
        if !okay {
            out.finding("inconsistent:amounts".into(), "Rent plus charges does not equal the total.");
        }
    } else if let (Some(r), None, Some(t)) = (get("rent_amount"), get("charges_amount"), get("total_amount")) {
        if t >= r {
            let page = out.fields.get("total_amount").and_then(|f| f.page).unwrap_or(1);
            out.fields.insert("charges_amount".into(), field(format!("{:.2}", t - r), 0.7, page, None, source, None));
        }
    }
}

/// A sum written with its cents and currency, then what it pays for: `(field, value, line)` for
/// the rent ("… € au titre du loyer", "… € de loyer") and the charges ("… € au titre des
/// charges", "… € de provisions sur charges"). A rent "charges comprises" is the total, not the
/// rent, and is left to the total's rules. Sentences wrap, so a line is read with the next one.
fn sums_said_in_sentences(doc: &Doc) -> Vec<(&'static str, String, usize)> {
    static SAID: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
        regex::Regex::new(
            r"(?i)(\d{1,3}(?:[ \u{a0}\u{202f}.]\d{3})*,\d{2})\s*(?:€|eur\b|euros?\b)\s*(?:au titre (?:du|de la|des)|de|d')\s*(loyer|provisions? (?:sur|pour) charges|charges)(\s+charges\s+(?:comprises|incluses))?",
        )
        .unwrap()
    });
    let mut out: Vec<(&'static str, String, usize)> = vec![];
    for (i, l) in doc.lines.iter().enumerate() {
        let next = doc.lines.get(i + 1).filter(|n| n.page == l.page).map_or("", |n| n.text.as_str());
        let joined = format!("{} {}", l.text, next);
        for c in SAID.captures_iter(&joined) {
            // A match that starts on the next line is that line's own.
            if c.get(0).is_some_and(|m| m.start() > l.text.len()) || c.get(3).is_some() {
                continue;
            }
            let name = if c[2].to_lowercase().starts_with("loyer") { "rent_amount" } else { "charges_amount" };
            let Some(value) = norm::amount(&c[1]) else { continue };
            if !out.iter().any(|(n, _, _)| *n == name) {
                out.push((name, value, i));
            }
        }
    }
    out
}

pub(crate) fn energy(doc: &Doc, source: FieldSource, out: &mut Out) {
    let holder = titled_names(doc).into_iter().next();
    if let Some((i, n)) = holder.clone() {
        set(out, doc, "holder_name", i, n, 0.88, source);
    }
    // No labelled supply address: the holder's postal block (the lines under the titled name, in
    // its column, down to the postcode line) is the address the bill is sent to, which is the
    // supply address for a household. Less sure than a label.
    if !out.fields.contains_key("address") {
        if let Some((i, text)) = holder.and_then(|(i, _)| address_block(doc, i).map(|a| (i, a))) {
            set(out, doc, "address", i + 1, text, 0.75, source);
        } else if let Some(n) = out.fields.get("holder_name").map(|f| f.value.clone()) {
            // The block may print the name without a title.
            if let Some((i, text)) = bare_name(doc, &n).and_then(|(i, w)| block_under(doc, i, w).map(|a| (i, a))) {
                set(out, doc, "address", i + 1, text, 0.7, source);
            }
        }
    }
    energy_totals(doc, out);
    if !out.fields.contains_key("issue_date") {
        for (i, l) in doc.lines.iter().enumerate().take(8) {
            if let Some(d) = norm::date(&l.text) {
                set(out, doc, "issue_date", i, d, 0.7, source);
                break;
            }
        }
    }
}

/// The last amount with cents on the first line whose tokens pass `pick`.
fn token_row(doc: &Doc, pick: impl Fn(&[&str]) -> bool) -> Vec<f64> {
    doc.lines
        .iter()
        .filter(|l| pick(&l.tokens.iter().map(|t| t.0.as_str()).collect::<Vec<_>>()))
        .filter_map(|l| norm::amounts(&l.text).into_iter().rfind(|a| a.1).and_then(|a| a.0.parse::<f64>().ok()))
        .collect()
}

/// A bill's totals must add up: total before tax plus VAT equals the total including tax. When
/// they do and the amount due is that total, the amount is checked; when they do not, the page
/// was misread or edited and the amount due cannot be accepted as is.
fn energy_totals(doc: &Doc, out: &mut Out) {
    let has = |t: &[&str], w: &str| t.contains(&w);
    let ht =
        token_row(doc, |t| has(t, "total") && (has(t, "ht") || (has(t, "hors") && has(t, "tva"))) && !has(t, "ttc"));
    let ttc = token_row(doc, |t| has(t, "total") && has(t, "ttc") && !has(t, "ht") && !has(t, "hors"));
    let total_vat =
        token_row(doc, |t| has(t, "total") && has(t, "tva") && !has(t, "ht") && !has(t, "ttc") && !has(t, "hors"));
    let vat_lines = token_row(doc, |t| t.first() == Some(&"tva") && !has(t, "ht") && !has(t, "ttc") && !has(t, "hors"));
    let vat = total_vat.first().copied().or_else(|| (!vat_lines.is_empty()).then(|| vat_lines.iter().sum()));
    let (Some(&ht), Some(vat), Some(&ttc)) = (ht.first(), vat, ttc.first()) else { return };
    let Some(due) = out.fields.get("amount_due").and_then(|f| f.value.parse::<f64>().ok()) else { return };
    let adds_up = (ht + vat - ttc).abs() < 0.015;
    // What was already paid (instalments, deposits, a credit note) comes off the total: then the
    // amount due is the rest, and a due read equal to the total is the wrong figure.
    let paid: f64 = token_row(doc, |t| {
        (has(t, "deja") && (has(t, "regle") || has(t, "paye") || has(t, "payes") || has(t, "verse")))
            || has(t, "acompte")
            || has(t, "acomptes")
            || has(t, "mensualites")
    })
    .iter()
    .sum();
    let owed = ttc - paid;
    if let Some(f) = out.fields.get_mut("amount_due") {
        if !adds_up {
            f.confidence = f.confidence.min(0.5);
        } else if (due - owed).abs() < 0.005 {
            f.confidence = f.confidence.max(0.95);
            f.valid = Some(true);
        }
    }
    if !adds_up {
        out.finding("inconsistent:amounts".into(), "Total before tax plus VAT does not equal the total including tax.");
    }
}

/// The address lines printed under the titled name on line `i`: in the name's column, at most four
/// lines, ending with a postcode and town. None when no postcode line closes the block.
fn address_block(doc: &Doc, i: usize) -> Option<String> {
    let name = &doc.lines[i];
    let title = name
        .words
        .iter()
        .position(|w| ["m", "mme", "madame", "monsieur", "mlle", "mr"].contains(&fold(&w.text).as_str()))?;
    block_under(doc, i, title)
}

/// The holder's name printed on its own, without a title, at the head of a block (not after a
/// label on the same run): (line, first word).
fn bare_name(doc: &Doc, name: &str) -> Option<(usize, usize)> {
    let toks: Vec<String> = fold(name).split(' ').map(String::from).collect();
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let (first, _) = l.find(&toks)?;
        let heads = first == 0 || l.words[first - 1].seg != l.words[first].seg || l.run_end(first - 1) <= first;
        heads.then_some((i, first))
    })
}

/// The address lines under word `w` of line `i`, in its column, down to the postcode line.
fn block_under(doc: &Doc, i: usize, w: usize) -> Option<String> {
    let name = &doc.lines[i];
    let tb = name.words[w].bbox;
    let mut parts: Vec<String> = vec![];
    for l in doc.lines.iter().skip(i + 1).take(6) {
        if l.page != name.page || parts.len() >= 4 {
            break;
        }
        let start = match tb {
            Some(t) => {
                let tol = t.h as i64 * 2;
                let Some(k) =
                    l.words.iter().position(|w| w.bbox.is_some_and(|b| (b.x as i64 - t.x as i64).abs() <= tol))
                else {
                    continue;
                };
                k
            }
            None => 0,
        };
        let text = norm::tidy(&l.span_text(start, l.run_end(start)));
        if text.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            continue;
        }
        let postcode = POSTCODE_TOWN.is_match(&text);
        // A line with a long digit run is a reference or a phone number, not an address line.
        if !postcode && text.split_whitespace().any(|t| t.chars().filter(|c| c.is_ascii_digit()).count() >= 6) {
            return None;
        }
        parts.push(text);
        if postcode {
            return (parts.len() >= 2).then(|| parts.join(", "));
        }
    }
    None
}

static POSTCODE_TOWN: once_cell::sync::Lazy<regex::Regex> =
    once_cell::sync::Lazy::new(|| regex::Regex::new(r"^(?:F-)?\d{5}\s+\p{L}").unwrap());

pub(crate) fn employer(doc: &Doc, source: FieldSource, labels: &Labels, out: &mut Out) {
    if let Some((i, n)) = after_phrase(doc, "atteste que") {
        set(out, doc, "employee_name", i, n, 0.92, source);
    }
    if !out.fields.contains_key("employee_name") {
        if let Some((i, n, _)) = born_person(doc, labels) {
            set(out, doc, "employee_name", i, n, 0.9, source);
        }
    }
    if let Some((i, start, end)) = header_org(doc, &["attestation", "certificat"], labels) {
        let name = norm::tidy(&doc.lines[i].span_text(start, end));
        let base = if has_legal_form(&name) { 0.92 } else { 0.7 };
        set(out, doc, "employer_name", i, name, base, source);
    }
    let all = doc.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
    if let Some(c) = norm::contract_type(&all) {
        let i = doc.lines.iter().position(|l| l.folded.contains("duree") || l.folded.contains("contrat")).unwrap_or(0);
        set(out, doc, "contract_type", i, c, 0.9, source);
    }
    // The hire date may be split over two lines ("depuis le 1er / décembre 2017").
    for (i, l) in doc.lines.iter().enumerate() {
        if let Some((_, after)) = l.find(&["depuis".into(), "le".into()]) {
            let mut t = l.span_text(after, l.words.len());
            if let Some(n) = doc.lines.get(i + 1) {
                t.push(' ');
                t.push_str(&n.text);
            }
            if let Some(d) = norm::date(&t) {
                set(out, doc, "hire_date", i, d, 0.92, source);
                break;
            }
        }
    }
}

pub(crate) fn school(doc: &Doc, source: FieldSource, labels: &Labels, out: &mut Out) {
    school_by_sentence(doc, source, labels, out);
    let label = |l: &str| -> Option<(usize, String)> {
        let toks: Vec<String> = fold(l).split(' ').map(String::from).collect();
        doc.lines.iter().enumerate().find_map(|(i, line)| {
            let (first, after) = line.find(&toks)?;
            // Whatever mark separates label and value (":", or ">" as OCR reads a colon) is no part of it.
            (first == 0).then(|| {
                (
                    i,
                    norm::tidy(
                        line.span_text(after, line.words.len()).trim_start_matches(|c: char| !c.is_alphanumeric()),
                    ),
                )
            })
        })
    };
    let surname = label("nom");
    let given = label("prenom s").or_else(|| label("prenoms")).or_else(|| label("prenom"));
    if let (Some((i, s)), Some((_, g))) = (surname, given) {
        let clean = |x: &str| {
            x.split_whitespace()
                .filter(|t| t.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\''))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (gc, sc) = (clean(&g), clean(&s));
        // OCR debris dropped from the name: a person should check it.
        let base = if gc == norm::tidy(&g) && sc == norm::tidy(&s) { 0.9 } else { 0.6 };
        if !gc.is_empty() && !sc.is_empty() {
            set(out, doc, "student_name", i, format!("{gc} {sc}"), base, source);
        }
    }
    if let Some((i, n)) = doc.lines.iter().enumerate().find_map(|(i, l)| {
        let (_, after) = l.find(&["l".into(), "etablissement".into()])?;
        let t = l.span_text(after, l.words.len());
        let name = t.split(',').next()?.trim().to_string();
        (name.chars().filter(|c| c.is_alphabetic()).count() > 3).then_some((i, name))
    }) {
        // The sentence may wrap inside the name; the header line carries it whole.
        let f = fold(&n);
        let whole = doc
            .lines
            .iter()
            .take(8)
            .find(|l| l.folded.starts_with(&f) && l.folded.len() > f.len())
            .map(|l| norm::tidy(l.span_text(0, l.run_end(0)).trim_start_matches(|c: char| !c.is_alphanumeric())));
        set(out, doc, "school_name", i, whole.unwrap_or(n), 0.88, source);
    }
    school_header(doc, source, out);
}

/// What a school certificate written as prose says: the pupil the sentence gives a birth date
/// to, that birth date, the one school year it names, and the school's name as its header prints
/// it (FORMAT: "as printed in the header"), when labels gave none of them.
fn school_by_sentence(doc: &Doc, source: FieldSource, labels: &Labels, out: &mut Out) {
    if let Some((i, name, birth)) = born_person(doc, labels) {
        if !out.fields.contains_key("student_name") {
            set(out, doc, "student_name", i, name, 0.9, source);
        }
        if let (false, Some(b)) = (out.fields.contains_key("birth_date"), birth) {
            set(out, doc, "birth_date", i, b, 0.9, source);
        }
    }
    if !out.fields.contains_key("school_year") {
        if let Some((i, y)) = school_year(doc) {
            set(out, doc, "school_year", i, y, 0.9, source);
        }
    }
}

/// The school's name as the header prints it: a line among the first ones that opens with a
/// school's word ("École", "Collège", "Université", after logo initials at most) and holds the
/// name read elsewhere whole (a sentence's "de l'école primaire du Vieux Port" loses the
/// "École"), or that replaces a reading that names no school ("pour l'année scolaire…" after
/// "l'établissement") when it is the only such heading.
fn school_header(doc: &Doc, source: FieldSource, out: &mut Out) {
    const SCHOOLS: [&str; 5] = ["ecole", "college", "lycee", "universite", "institut"];
    let heads: Vec<(usize, String)> = doc
        .lines
        .iter()
        .enumerate()
        .take(8)
        .filter_map(|(i, l)| {
            let w = l.words.iter().take(2).position(|w| SCHOOLS.contains(&fold(&w.text).as_str()))?;
            let end = l.run_end(w);
            let text = norm::tidy(&l.span_text(w, end));
            (end > w + 1 && !text.chars().any(|c| c.is_ascii_digit())).then_some((i, text))
        })
        .collect();
    let read = out.fields.get("school_name").map(|f| fold(&f.value));
    let names_a_school = read.as_ref().is_some_and(|r| r.split(' ').next().is_some_and(|t| SCHOOLS.contains(&t)));
    if let Some(r) = &read {
        if let Some((i, whole)) = heads.iter().find(|(_, h)| {
            let f = fold(h);
            f.len() > r.len() && f.ends_with(r.as_str())
        }) {
            set(out, doc, "school_name", *i, whole.clone(), 0.9, source);
            return;
        }
    }
    if !names_a_school {
        if let [(i, whole)] = heads.as_slice() {
            set(out, doc, "school_name", *i, whole.clone(), 0.85, source);
        }
    }
}

pub(crate) fn sick(doc: &Doc, source: FieldSource, labels: &Labels, out: &mut Out) {
    nir_by_shape(doc, source, out);
    if !out.fields.contains_key("patient_name") {
        if let Some((i, name, _)) = born_person(doc, labels) {
            set(out, doc, "patient_name", i, name, 0.9, source);
        }
    }
    // "arrêt de travail initial du 28 avril 2025 au 18 mai 2025": the sentence's range is the
    // leave's, when no label gave its start.
    if !out.fields.contains_key("start_date") {
        if let Some((i, start, end)) = date_range(doc) {
            set(out, doc, "start_date", i, start, 0.88, source);
            if !out.fields.contains_key("end_date") {
                set(out, doc, "end_date", i, end, 0.88, source);
            }
        }
    }
}

/// Whether a word is the birth marker of a sentence ("né", "née", "né(e)").
fn is_born(word: &str) -> bool {
    let f: String = fold(word).chars().filter(|c| c.is_alphanumeric()).collect();
    f == "ne" || f == "nee"
}

/// The person a certificate is about: the name the sentence gives a birth date to ("certifie que
/// l'élève Rémy MASSE, né le 18 août 2013", "examiné Monsieur Robert BRUN, né le 29 août 1977"),
/// whatever the wording around it; the signatory ("Je soussigné, Docteur André NGUYEN") is given
/// no birth. The name is the run of capitalised words just before the marker, possibly wrapped
/// from the previous line, without its title; it stops at a lower-case word ("l'élève", "que")
/// or a label word. Returns (line, name, birth date if it parses).
fn born_person(doc: &Doc, labels: &Labels) -> Option<(usize, String, Option<String>)> {
    for (i, l) in doc.lines.iter().enumerate() {
        for k in 0..l.words.len() {
            if !is_born(&l.words[k].text) {
                continue;
            }
            let next_line = doc.lines.get(i + 1).filter(|n| n.page == l.page);
            let after: Vec<&str> = l.words[k + 1..]
                .iter()
                .chain(next_line.into_iter().flat_map(|n| n.words.iter()))
                .map(|w| w.text.as_str())
                .collect();
            if after.first().is_none_or(|w| fold(w) != "le") {
                continue;
            }
            let prev_line = i.checked_sub(1).map(|p| &doc.lines[p]).filter(|p| p.page == l.page);
            let before = l.words[..k].iter().rev().chain(prev_line.into_iter().flat_map(|p| p.words.iter().rev()));
            let mut name: Vec<&str> = vec![];
            for w in before.take(6) {
                let t = w.text.trim_end_matches([',', ';']);
                let f = fold(t);
                let namey = !t.is_empty()
                    && t.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'')
                    && t.chars().next().is_some_and(char::is_uppercase);
                if !namey || labels.contains(&f) || norm::CIVILITY.contains(&f.as_str()) {
                    break;
                }
                name.push(t);
            }
            if name.len() >= 2 {
                name.reverse();
                let birth = norm::date(&after[1..].iter().take(5).copied().collect::<Vec<_>>().join(" "));
                return Some((i, name.join(" "), birth));
            }
        }
    }
    None
}

/// A range stated in a sentence, "du D1 au D2" (the first such range whose start is not after
/// its end), possibly wrapped onto the next line: (line, start, end).
fn date_range(doc: &Doc) -> Option<(usize, String, String)> {
    static RANGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bdu\s+(\S+(?:\s+\S+){0,3}?)\s+au\s+(\S+(?:\s+\S+){0,3})").unwrap()
    });
    for (i, l) in doc.lines.iter().enumerate() {
        let mut text = l.text.clone();
        if let Some(n) = doc.lines.get(i + 1).filter(|n| n.page == l.page) {
            text.push(' ');
            text.push_str(&n.text);
        }
        for c in RANGE.captures_iter(&text) {
            if c.get(0).is_some_and(|m| m.start() >= l.text.len()) {
                break;
            }
            if let (Some(a), Some(b)) = (norm::date(&c[1]), norm::date(&c[2])) {
                if a <= b {
                    return Some((i, a, b));
                }
            }
        }
    }
    None
}

/// The school year a certificate names, "2024-2025" (two consecutive years), when it names one
/// only: (line, year).
fn school_year(doc: &Doc) -> Option<(usize, String)> {
    static YEARS: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\b(20\d\d)\s?[-/–]\s?(20\d\d)\b").unwrap());
    let mut found: Vec<(usize, String)> = vec![];
    for (i, l) in doc.lines.iter().enumerate() {
        for c in YEARS.captures_iter(&l.text) {
            let (a, b): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
            let y = format!("{a}-{b}");
            if b == a + 1 && !found.iter().any(|f| f.1 == y) {
                found.push((i, y));
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_sentence_says_which_sum_is_the_rent_and_which_the_charges() {
        let d = doc(&[
            "Reçu de Théophile DEVAUX la somme de 1 831,50 €, soit 1 831,50 € au titre du loyer hors charges et 0,00 € au titre",
            "des charges, pour le loyer et les charges du mois de novembre 2024.",
        ]);
        let got: Vec<(&str, String)> = sums_said_in_sentences(&d).into_iter().map(|(n, v, _)| (n, v)).collect();
        assert_eq!(got, vec![("rent_amount", "1831.50".to_string()), ("charges_amount", "0.00".to_string())]);
        // A rent "charges comprises" is the total, not the rent.
        assert!(sums_said_in_sentences(&doc(&["la somme de 652,50 € de loyer charges comprises"])).is_empty());
    }

    #[test]
    fn a_certificate_is_about_the_person_it_gives_a_birth_date_not_its_signatory() {
        let d = doc(&[
            "Je soussigné, Docteur André NGUYEN, certifie avoir examiné ce jour Monsieur Robert BRUN, né le",
            "29 août 1977, immatriculé(e) à l'assurance maladie sous le numéro 1 77 08 30 236 536 04, demeurant",
            "Son état de santé justifie un arrêt de travail initial du 28 avril 2025 au 18 mai 2025 inclus.",
        ]);
        let (_, name, birth) = born_person(&d, &labels()).unwrap();
        assert_eq!((name.as_str(), birth.as_deref()), ("Robert BRUN", Some("1977-08-29")));
        let (_, start, end) = date_range(&d).unwrap();
        assert_eq!((start.as_str(), end.as_str()), ("2025-04-28", "2025-05-18"));
        let mut out = empty();
        sick(&d, FieldSource::TextLayer, &labels(), &mut out);
        assert_eq!(out.fields["nir"].value, "177083023653604");
        assert_eq!(out.fields["patient_name"].value, "Robert BRUN");
        // Wrapped over two lines after a role word; a maiden name ("née DUPONT") is no birth date.
        let d = doc(&["certifie que l'étudiante Victoire", "JACQUES, née le 9 juillet 2002 à Orléans"]);
        assert_eq!(born_person(&d, &labels()).unwrap().1, "Victoire JACQUES");
        let d = doc(&["Je soussignée, Madame Anne ROY née DUPONT, certifie"]);
        assert!(born_person(&d, &labels()).is_none());
    }

    #[test]
    fn a_school_certificate_in_prose_names_its_year_and_its_school_as_headed() {
        let d = doc(&[
            "École primaire du Vieux Port",
            "148 avenue de Bretagne, 30000 Nîmes",
            "La directrice de l'école primaire du Vieux Port, Antoinette POIRIER, certifie que l'élève Timothée",
            "PASQUIER, né le 5 mai 2019 à Dijon, est régulièrement inscrit au titre de l'année",
            "scolaire 2024-2025.",
        ]);
        let mut out = empty();
        out.fields.insert(
            "school_name".into(),
            field("primaire du Vieux Port".into(), 0.8, 1, None, FieldSource::TextLayer, None),
        );
        school(&d, FieldSource::TextLayer, &labels(), &mut out);
        assert_eq!(out.fields["school_name"].value, "École primaire du Vieux Port");
        assert_eq!(out.fields["student_name"].value, "Timothée PASQUIER");
        assert_eq!(out.fields["birth_date"].value, "2019-05-05");
        assert_eq!(out.fields["school_year"].value, "2024-2025");
        // Two different years named: none is taken.
        assert!(school_year(&doc(&["année 2023-2024", "année 2024-2025"])).is_none());
    }

    #[test]
    fn the_employee_without_title_or_label_is_the_name_over_an_address_not_the_employers() {
        let d = doc(&[
            "Bulletin de paie",
            "Agence Digitale du Centre SCOP",
            "89 allée des Tilleuls, 76000 Rouen",
            "Vous",
            "Laurence WEBER",
            "86 ter rue des Rosiers, 34000 Montpellier",
        ]);
        let mut out = empty();
        payslip(&d, FieldSource::TextLayer, &labels(), &mut out);
        assert_eq!(out.fields["employee_name"].value, "Laurence WEBER");
        let d = doc(&["Bulletin de paie", "Octobre 2024", "Cumul janvier 2024 à octobre 2024"]);
        let mut out = empty();
        payslip(&d, FieldSource::TextLayer, &labels(), &mut out);
        assert_eq!(out.fields["period"].value, "2024-10");
        // Two such names: which is the employee is for a person to say.
        let d = doc(&[
            "Transports Leroux SAS",
            "Laurence WEBER",
            "86 rue des Rosiers, 34000 Montpellier",
            "Paul MARTIN",
            "3 rue Neuve",
            "69001 Lyon",
        ]);
        let mut out = empty();
        payslip(&d, FieldSource::TextLayer, &labels(), &mut out);
        assert!(!out.fields.contains_key("employee_name"));
    }

    #[test]
    fn a_bare_year_is_no_amount() {
        assert_eq!(norm::amount("du mois de novembre 2024"), None);
        assert_eq!(norm::amount("Charges 2024,00"), Some("2024.00".into()));
        assert_eq!(norm::amount("Loyer 650"), Some("650.00".into()));
    }

    fn labels() -> Labels {
        crate::corroborate::label_words(&tamis_shared::taxonomy::Taxonomy::builtin())
    }
    use std::collections::BTreeMap;

    fn doc(lines: &[&str]) -> Doc {
        Doc::from_lines(lines)
    }

    fn energy_out(d: &Doc, holder: Option<&str>) -> Out {
        let mut out = Out { fields: BTreeMap::new(), findings: vec![] };
        if let Some(h) = holder {
            out.fields.insert("holder_name".into(), field(h.into(), 0.9, 1, None, FieldSource::TextLayer, None));
        }
        energy(d, FieldSource::TextLayer, &mut out);
        out
    }

    #[test]
    fn the_postal_block_under_the_holder_is_the_address_when_no_label_gives_one() {
        let d = doc(&["Facture", "Mme Anne ROY", "5 rue Neuve", "Bât. A", "69001 Lyon", "Montant à payer 12,00 €"]);
        let out = energy_out(&d, None);
        assert_eq!(out.fields["address"].value, "5 rue Neuve, Bât. A, 69001 Lyon");
        // Without a title, the holder's name read after its label heads the block.
        let d = doc(&["Titulaire du contrat : Anne ROY", "Anne ROY", "5 rue Neuve", "69001 Lyon"]);
        assert_eq!(energy_out(&d, Some("Anne ROY")).fields["address"].value, "5 rue Neuve, 69001 Lyon");
        // A block that never reaches a postcode is not an address.
        let d = doc(&["Mme Anne ROY", "N° client : 1234567890", "69001 Lyon"]);
        assert!(!energy_out(&d, None).fields.contains_key("address"));
    }

    fn empty() -> Out {
        Out { fields: BTreeMap::new(), findings: vec![] }
    }

    #[test]
    fn a_name_is_as_sure_as_its_own_words_not_the_debris_beside_it() {
        let employee = |unsure: &[&str]| {
            let mut d = doc(&["BULLETIN DE PAIE", "Matricule : 00511 M. Robert MARTEL"]);
            for w in d.lines[1].words.iter_mut().filter(|w| unsure.contains(&w.text.as_str())) {
                w.conf = 0.4;
            }
            let mut out = empty();
            payslip(&d, FieldSource::Ocr, &labels(), &mut out);
            out.fields["employee_name"].clone()
        };
        let beside = employee(&["Matricule", ":", "00511"]);
        assert_eq!(beside.value, "Robert MARTEL");
        assert!(beside.confidence > 0.85, "{}", beside.confidence);
        assert!(employee(&["MARTEL"]).confidence < 0.7, "an unsure word of the name itself must lower it");
    }

    #[test]
    fn a_logo_set_apart_by_a_bar_is_not_part_of_the_bank_name() {
        let mut out = empty();
        bank(
            &doc(&["or | Orion Banque", "RELEVÉ D'IDENTITÉ BANCAIRE", "Titulaire du compte"]),
            FieldSource::Ocr,
            &labels(),
            &mut out,
        );
        assert_eq!(out.fields["bank_name"].value, "Orion Banque");
        // A short name before the bar stays when nothing follows the bar.
        let mut out = empty();
        bank(&doc(&["Banque Nova |", "RELEVÉ D'IDENTITÉ BANCAIRE"]), FieldSource::Ocr, &labels(), &mut out);
        assert_eq!(out.fields["bank_name"].value, "Banque Nova");
    }

    #[test]
    fn the_tenant_follows_received_from_even_when_the_cedilla_is_read_as_g() {
        for said in ["reçu", "recu", "regu"] {
            let d = doc(&[
                "QUITTANCE DE LOYER",
                &format!("Je soussigné(e) Charlotte DOS SANTOS, propriétaire, déclare avoir {said} de Mme Marthe"),
                "DIALLO la somme de 663,00 € au titre du loyer",
            ]);
            let mut out = empty();
            rent(&d, FieldSource::Ocr, &mut out);
            assert_eq!(out.fields["tenant_name"].value, "Marthe DIALLO", "{said}");
            assert_eq!(out.fields["landlord_name"].value, "Charlotte DOS SANTOS", "{said}");
        }
    }

    #[test]
    fn a_bic_whose_label_was_lost_is_found_by_its_shape_and_the_ibans_country() {
        let rib = |line: &str| {
            let d = doc(&["RELEVÉ D'IDENTITÉ BANCAIRE", "BAN : LE ae ne", line, "BANCAIRE FRANCAIS"]);
            let mut out = empty();
            out.fields.insert(
                "iban".into(),
                field("FR7616843208002938279086150".into(), 0.96, 1, None, FieldSource::Ocr, Some(true)),
            );
            bank(&d, FieldSource::Ocr, &labels(), &mut out);
            out.fields.get("bic").map(|f| (f.value.clone(), f.confidence))
        };
        let (bic, conf) = rib("FR76 1684 3208 0029 3827 9086 150 BARMFR2B").unwrap();
        assert_eq!(bic, "BARMFR2B");
        assert!(conf > 0.8 && conf <= 0.85, "{conf}");
        // A BIC of another country than the IBAN's is no proof: not taken.
        assert_eq!(rib("FR76 1684 3208 0029 3827 9086 150 BARMDEFF"), None);
    }

    #[test]
    fn a_receipts_sum_received_is_its_total_when_the_table_lost_it() {
        let d = doc(&[
            "QUITTANCE DE LOYER",
            "déclare avoir reçu de M. Raymond GÉRARD la somme de 652,50 € au titre du paiement du loyer",
            "Loyer hors charges 652,50 €",
            "Total",
        ]);
        let mut out = empty();
        out.fields.insert("rent_amount".into(), field("652.50".into(), 0.9, 1, None, FieldSource::Ocr, None));
        rent(&d, FieldSource::Ocr, &mut out);
        assert_eq!(out.fields["total_amount"].value, "652.50");
        // Charges follow from the two, but nobody read them: not sure enough alone.
        assert_eq!(out.fields["charges_amount"].value, "0.00");
        assert!(out.fields["charges_amount"].confidence < 0.8);
    }

    #[test]
    fn a_tax_number_and_notice_reference_whose_labels_were_misread_are_found_by_shape() {
        let notice = |lines: &[&str]| {
            let mut out = empty();
            tax(&doc(lines), FieldSource::Ocr, &mut out);
            out
        };
        let out = notice(&[
            "AVIS D'IMPÔT 2025",
            "Numero fric al 32 84 976 988 202 171 RUE DES PEUPLIERS",
            "Reterence de av 25 21 G526283 86 21000 DIJON",
        ]);
        let n = &out.fields["tax_number"];
        assert_eq!((n.value.as_str(), n.valid), ("3284976988202", Some(true)));
        assert!(n.confidence > 0.85);
        let r = &out.fields["notice_reference"];
        assert_eq!(r.value, "2521G52628386");
        assert!(r.confidence < 0.8, "no label and no key: a person confirms it");
        // A key that fails is no tax number; two declarants' numbers leave the choice to a person.
        assert!(!notice(&["Numero fric al 32 84 976 988 203"]).fields.contains_key("tax_number"));
        let two = notice(&["Déclarant 1 32 84 976 988 202", "Déclarant 2 22 39 303 193 015"]);
        assert!(two.fields["tax_number"].confidence < 0.8);
    }

    #[test]
    fn a_nir_whose_label_was_lost_is_found_by_its_groups_and_key_for_a_person_to_confirm() {
        let d = doc(&["104 34 M. Henri DANIEL", "1 84 11 86 217 666 92 42 ter rue du Moulin", "42000 Saint-Etienne"]);
        let mut out = empty();
        payslip(&d, FieldSource::Ocr, &labels(), &mut out);
        let nir = &out.fields["nir"];
        assert_eq!(nir.value, "184118621766692");
        assert!(nir.confidence < 0.8, "{}", nir.confidence);
        // Digits that do not end at a group's end, or fail the key, are not a NIR.
        let mut out = empty();
        payslip(
            &doc(&["1 84 11 86 217 666 9242 ter rue du Moulin", "1 84 11 86 217 666 93"]),
            FieldSource::Ocr,
            &labels(),
            &mut out,
        );
        assert!(!out.fields.contains_key("nir"));
    }

    #[test]
    fn a_holder_whose_label_was_lost_is_the_name_over_the_postal_address() {
        let holder = |lines: &[&str]| {
            let mut out = empty();
            bank(&doc(lines), FieldSource::Ocr, &labels(), &mut out);
            out.fields.get("account_holder").map(|f| (f.value.clone(), f.confidence))
        };
        let (name, conf) = holder(&[
            "Banque Armoricaine",
            "'@ dae % \"Ce ata",
            "ANAIS COUTURIER",
            "60 ter rue des Ecotes",
            "91000 Evry",
        ])
        .unwrap();
        assert_eq!(name, "ANAIS COUTURIER");
        assert!(conf < 0.8, "found by layout alone: a person checks it");
        // A name with no address under it, or a heading, is not the holder.
        assert_eq!(holder(&["Banque Armoricaine", "ANAIS COUTURIER", "IBAN FR76 1684"]), None);
        assert_eq!(holder(&["Agence Rennes", "12 rue de la Gare", "35000 Rennes"]), None);
    }

    #[test]
    fn a_joint_accounts_second_holder_stays_part_of_the_holder() {
        // The label-anchored read stopped at a gap after the first holder.
        let holder_after_bank = |lines: &[&str]| {
            let mut out = Out { fields: BTreeMap::new(), findings: vec![] };
            out.fields.insert(
                "account_holder".into(),
                field("ALEXANDRE PHILIPPE".into(), 0.9, 1, None, FieldSource::Ocr, None),
            );
            bank(&doc(lines), FieldSource::Ocr, &labels(), &mut out);
            out.fields["account_holder"].value.clone()
        };
        let joint =
            holder_after_bank(&["Titulaire du compte", "ALEXANDRE PHILIPPE OU PAULETTE BOULAY", "IBAN FR76 ..."]);
        assert_eq!(joint, "ALEXANDRE PHILIPPE OU PAULETTE BOULAY");
        // A holder line that goes on with something else is left alone.
        assert_eq!(holder_after_bank(&["ALEXANDRE PHILIPPE 12 rue Neuve"]), "ALEXANDRE PHILIPPE");
    }

    #[test]
    fn totals_that_do_not_add_up_block_the_amount_due() {
        let d = doc(&["Total HT 148,10 €", "TVA 20 % 29,62 €", "Total TTC 106,63 €"]);
        let mut out = Out { fields: BTreeMap::new(), findings: vec![] };
        out.fields.insert("amount_due".into(), field("106.63".into(), 0.9, 1, None, FieldSource::TextLayer, None));
        energy(&d, FieldSource::TextLayer, &mut out);
        assert!(out.fields["amount_due"].confidence <= 0.5);
        assert!(out.findings.iter().any(|f| f.code == "inconsistent:amounts"));
    }
}
