//! Label-anchored extraction that works for any configured type: the value on the same line after
//! the label, on the next line, or below it in the same column.

use crate::doc::{Doc, L};
use crate::values::{parse, Parsed};
use tamis_shared::taxonomy::{fold, FieldDef, FieldKind};
use tamis_shared::BBox;

/// One candidate value for a field.
#[derive(Clone, Debug)]
pub struct Cand {
    pub p: Parsed,
    /// How much we trust where it was found, 0..1, before checks.
    pub place: f32,
    /// Lowest OCR confidence of the words it came from.
    pub ocr: f32,
    pub page: u32,
    pub bbox: Option<BBox>,
    /// Ordering key: higher is better.
    pub rank: f32,
}

fn words_below(next: &L, label_box: Option<BBox>) -> Option<(usize, usize)> {
    let lb = label_box?;
    let (x0, x1) = (lb.x as i64 - lb.h as i64 * 2, (lb.x + lb.w) as i64 + lb.h as i64 * 6);
    let idx: Vec<usize> = next
        .words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.bbox.is_some_and(|b| (b.x as i64) < x1 && ((b.x + b.w) as i64) > x0))
        .map(|(i, _)| i)
        .collect();
    Some((*idx.first()?, *idx.last()? + 1))
}

/// Where a name or address read below its label ends: the run of words from `a`, bounded by the
/// next column. A heading further right on the label's row ("Titulaire du compte … Domiciliation")
/// marks where that column starts, so a long value may run past its own short label up to there;
/// without such a heading, the run itself does: it stops at a column's gap.
fn textual_end_below(line: &L, first: usize, after: usize, next: &L, a: usize) -> usize {
    let run = next.run_end(a);
    let label_end = line.words[..after].iter().rev().find_map(|w| w.bbox).map(|lb| (lb.x + lb.w) as i64);
    let heading = line.words.get(after).and_then(|w| w.bbox);
    let column = match (label_end, heading, line.words.get(first).and_then(|w| w.bbox)) {
        (Some(end), Some(h), Some(lb)) if h.x as i64 - end > lb.h as i64 * 2 => Some(h.x as i64 - lb.h as i64),
        _ => None,
    };
    let end = match column {
        Some(limit) => (a + 1..run).find(|&j| next.words[j].bbox.is_some_and(|wb| wb.x as i64 >= limit)).unwrap_or(run),
        // A value may run well past a short label ("Prénoms" over three given names).
        None => run,
    };
    end.max(a + 1)
}

/// Whether a kind reads a whole run (names, addresses) rather than one token.
fn is_textual(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::Person | FieldKind::Organisation | FieldKind::Address | FieldKind::Text)
}

/// All candidates the labels of `f` give, best first, with the built-in taxonomy's label words.
#[cfg(test)]
pub fn by_label(doc: &Doc, f: &FieldDef) -> Vec<Cand> {
    let labels = crate::corroborate::label_words(&tamis_shared::taxonomy::Taxonomy::builtin());
    by_label_in(doc, f, &labels)
}

/// All candidates the labels of `f` give, best first. `labels` holds every label and title word
/// of the taxonomy: a name made of them alone is the next label or a heading, not a value.
pub fn by_label_in(doc: &Doc, f: &FieldDef, labels: &std::collections::BTreeSet<String>) -> Vec<Cand> {
    let excludes: Vec<String> = f.exclude.iter().map(|e| fold(e)).collect();
    let mut out = vec![];
    for (li, label) in f.labels.iter().enumerate() {
        let toks: Vec<String> = fold(label).split(' ').filter(|t| !t.is_empty()).map(String::from).collect();
        for (i, line) in doc.lines.iter().enumerate() {
            let Some((first, after)) = line.find(&toks) else { continue };
            // The excluded words disqualify the label's own cell: the fragment it was printed in,
            // not the neighbouring cells a visual row joins to it ("Loyer hors charges | Charges |
            // Total payé" is three captions, and "total" excludes none of the other two).
            let seg = line.words[first].seg;
            let cell = fold(
                &line.words.iter().filter(|w| w.seg == seg).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
            );
            if excludes.iter().any(|e| !e.is_empty() && format!(" {cell} ").contains(&format!(" {e} "))) {
                continue;
            }
            let label_rank = 10.0 - li as f32 * 0.2 + toks.len() as f32 * 0.4;
            // Same line, after the label (separator words like ":" skipped).
            let mut after = after;
            while after < line.words.len() && line.words[after].text.chars().all(|c| !c.is_alphanumeric()) {
                after += 1;
            }
            if after < line.words.len() {
                let end = if is_textual(f.kind) { line.run_end(after) } else { line.words.len() };
                let mut text = line.span_text(after, end);
                let mut ocr_more = 1.0f32;
                // An address written in a sentence runs on to the next line when the line ends
                // before its postcode ("logement situé 7 avenue de Bretagne, / Appt 21, 34000
                // Montpellier, déclare…"): the value goes on up to the town.
                if f.kind == FieldKind::Address && end == line.words.len() && !POSTCODE_TOWN.is_match(&text) {
                    if let Some((more, conf)) =
                        doc.lines.get(i + 1).filter(|n| n.page == line.page).and_then(run_on_to_town)
                    {
                        text = format!("{}, {}", text.trim_end().trim_end_matches(',').trim_end(), more);
                        ocr_more = conf;
                    }
                }
                if let Some(p) = parse(f.kind, &text).filter(|p| fits(f, &toks, p, &text, labels)) {
                    let (ocr, bbox) = line.span_meta(after, end);
                    let ocr = ocr.min(ocr_more);
                    out.push(Cand { p, place: 0.95, ocr, page: line.page, bbox, rank: label_rank + 1.0 });
                    continue;
                }
            }
            // Nothing after the label on its row: on a skewed photo the value printed to its right
            // may sit on a row of its own, a little above or below. Take the nearest such row.
            if after >= line.words.len() {
                if let Some(next) = beside(doc, i, first, after) {
                    let b = if is_textual(f.kind) { next.run_end(0) } else { next.words.len() };
                    let text = next.span_text(0, b);
                    if let Some(p) = parse(f.kind, &text).filter(|p| fits(f, &toks, p, &text, labels)) {
                        let (ocr, bbox) = next.span_meta(0, b);
                        out.push(Cand { p, place: 0.8, ocr, page: next.page, bbox, rank: label_rank + 0.5 });
                        continue;
                    }
                }
            }
            // A row caption with a figure to its right ("Total versé par l'employeur   2 703,99")
            // has its value there: what is printed below is another row, not this one's name.
            if is_textual(f.kind)
                && after < line.words.len()
                && line.words[after..].iter().all(|w| !w.text.chars().any(char::is_alphabetic))
                && line.words[after..].iter().any(|w| w.text.chars().any(|c| c.is_ascii_digit()))
            {
                continue;
            }
            // A date or amount label that runs on into more words of the same phrase ("titulaire
            // du contrat", "le revenu fiscal de référence et le nombre de parts peuvent…") is a
            // word of a sentence, not a heading over a value below. (Other kinds keep their below
            // reads: "BIC (Bank Identifier Code)" heads its value.)
            let phrase_kind = matches!(f.kind, FieldKind::Date | FieldKind::Amount | FieldKind::Decimal);
            if phrase_kind && after < line.words.len() && line.run_end(first) > after {
                continue;
            }
            // Below: the next line(s) of the same page, in the label's column when boxes exist.
            let label_box = line.span_meta(first, after).1;
            let found_before = out.len();
            // The two nearest lines below that have words in the label's column. Lines of other
            // columns in between do not count ("NET À PAYER" heads a tile whose figure is printed
            // two rows of the left column further down), but the value is no further than a few
            // line heights: beyond, the column holds something else.
            let mut seen = 0;
            for (k, next) in doc.lines.iter().enumerate().skip(i + 1).take(12) {
                if next.page != line.page || seen == 2 {
                    break;
                }
                if let (Some(lb), Some(nb)) = (label_box, next.bbox) {
                    if nb.y as i64 > (lb.y + lb.h) as i64 + lb.h as i64 * 5 {
                        continue;
                    }
                }
                // The excluded words disqualify the line a value is read from, too.
                if excludes.iter().any(|e| !e.is_empty() && format!(" {} ", next.folded).contains(&format!(" {e} "))) {
                    seen += 1;
                    continue;
                }
                // With boxes, only words in the label's column are below it.
                let (a, b) = match words_below(next, label_box) {
                    Some(r) => r,
                    None if label_box.is_some() && next.words.iter().any(|w| w.bbox.is_some()) => continue,
                    None => (0, next.words.len()),
                };
                seen += 1;
                let b = if is_textual(f.kind) { textual_end_below(line, first, after, next, a) } else { b };
                let text = next.span_text(a, b);
                if let Some(mut p) = parse(f.kind, &text).filter(|p| fits(f, &toks, p, &text, labels)) {
                    let (mut ocr, bbox) = next.span_meta(a, b);
                    // An address below its label may continue on further lines: not sure enough alone,
                    // unless the block is read down to its postcode and town.
                    // An address below its label is sure only once read down to its postcode and
                    // town, on this line or the next ones.
                    let complete = POSTCODE_TOWN.is_match(&p.value);
                    let mut place = if f.kind == FieldKind::Address {
                        if complete {
                            0.8
                        } else {
                            0.65
                        }
                    } else if seen == 1 {
                        0.85
                    } else {
                        0.7
                    };
                    if f.kind == FieldKind::Address && !POSTCODE_TOWN.is_match(&p.value) {
                        if let Some((more, conf)) = address_rest(doc, k, label_box) {
                            p.value = format!("{}, {}", p.value, more);
                            ocr = ocr.min(conf);
                            place = 0.8;
                        }
                    }
                    out.push(Cand { p, place, ocr, page: next.page, bbox, rank: label_rank - seen as f32 * 0.5 });
                    break;
                }
            }
            // Nothing beside or below: a caption printed under its figure (a tile's "Loyer hors
            // charges" under "1 699,00 €"). Figures, dates and references read so; a name above a
            // caption is as often the block before, so a person's name only under a caption that
            // stands alone in its cell ("Robert BRUN" over "Patient(e)", "Joseph GUILLOU" over
            // "Élève"), the layout of forms that caption each value underneath.
            let caption_alone = f.kind == FieldKind::Person
                && cell
                    .split(' ')
                    .filter(|t| !t.is_empty() && !toks.contains(&t.to_string()))
                    .all(|t| t == "e" || t == "s");
            if out.len() == found_before && (!is_textual(f.kind) || caption_alone) {
                if let Some(c) = above(doc, i, label_box).and_then(|(k, a, b)| {
                    let prev = &doc.lines[k];
                    let text = prev.span_text(a, b);
                    let p = parse(f.kind, &text).filter(|p| fits(f, &toks, p, &text, labels))?;
                    let (ocr, bbox) = prev.span_meta(a, b);
                    Some(Cand { p, place: 0.7, ocr, page: prev.page, bbox, rank: label_rank - 1.5 })
                }) {
                    out.push(c);
                }
            }
        }
    }
    // A company that names itself as one (a legal form, "Lycée", "Caisse") outranks words that
    // merely sit under a label ("Total versé par l'employeur" over "Cumuls annuels 2025").
    if f.kind == FieldKind::Organisation {
        for c in &mut out {
            if names_an_organisation(&c.p.value) {
                c.rank += 1.5;
            }
        }
    }
    out.sort_by(|a, b| b.rank.total_cmp(&a.rank));
    out
}

/// Whether a name says it is a body: a legal form closing it, or an institution's word opening it.
fn names_an_organisation(value: &str) -> bool {
    crate::types::has_legal_form(value)
        || fold(value).split(' ').next().is_some_and(|w| crate::norm::ORGANISATION_WORDS.contains(&w))
}

/// Confidence of a chosen candidate given the others: checks lift it, disagreement lowers it.
pub fn confidence(best: &Cand, all: &[Cand]) -> f32 {
    let ocr = 0.4 + 0.6 * best.ocr.clamp(0.0, 1.0);
    let mut c = best.place * ocr;
    match best.p.valid {
        Some(true) if !best.p.corrected => c = c.max(0.97 * (0.8 + 0.2 * ocr)),
        Some(true) => c = c.min(0.85),
        Some(false) => c = c.min(0.3),
        None => {}
    }
    // Evidence is counted by where it was read: two labels matching the same words are one read.
    let support = |v: &str| {
        let mut at: Vec<(u32, Option<BBox>)> =
            all.iter().filter(|o| o.p.value == v).map(|o| (o.page, o.bbox)).collect();
        at.dedup();
        at.len()
    };
    // A close rival lowers the confidence, unless the chosen value was read in more places than
    // the rival's ("Période : octobre 2025" and "du 01/10/2025 au 31/10/2025" outvote the "du
    // 6 juillet 1989" of a law's citation).
    let disagree = all.iter().take(4).any(|o| {
        o.p.value != best.p.value && (best.rank - o.rank) < 1.5 && support(&o.p.value) >= support(&best.p.value)
    });
    if disagree {
        c *= 0.7;
    }
    c.clamp(0.0, 0.999)
}

/// The row printed to the right of the label on line `i` (words `first..after`) when it was not
/// merged into the label's row: same page, starting right of the label, vertical centres within
/// most of a line height. The nearest in height wins.
fn beside(doc: &Doc, i: usize, first: usize, after: usize) -> Option<&L> {
    let line = &doc.lines[i];
    let lb = line.span_meta(first, after).1?;
    let centre = lb.y as i64 * 2 + lb.h as i64;
    doc.lines
        .iter()
        .enumerate()
        .filter(|(j, l)| *j != i && l.page == line.page)
        .filter_map(|(_, l)| {
            let b = l.bbox?;
            let d = (b.y as i64 * 2 + b.h as i64 - centre).abs();
            let tol = (lb.h.max(b.h) as i64 * 9) / 5;
            (b.x > lb.x + lb.w && d <= tol).then_some((d, l))
        })
        .min_by_key(|x| x.0)
        .map(|(_, l)| l)
}

/// A postcode and a town, as the last line of a French address.
pub(crate) static POSTCODE_TOWN: once_cell::sync::Lazy<regex::Regex> =
    once_cell::sync::Lazy::new(|| regex::Regex::new(r"(?:^|\s)(?:F-)?\d{5}\s+\p{L}").unwrap());

/// The lines that continue an address block started on line `k`, in the label's column, down to
/// and including the postcode line (at most three more lines). None when no postcode closes it.
fn address_rest(doc: &Doc, k: usize, label_box: Option<BBox>) -> Option<(String, f32)> {
    let first = &doc.lines[k];
    let mut parts = vec![];
    let mut conf: f32 = 1.0;
    for l in doc.lines.iter().skip(k + 1).take(3) {
        if l.page != first.page {
            return None;
        }
        let (a, b) = match words_below(l, label_box) {
            Some(r) => r,
            None if label_box.is_some() && l.words.iter().any(|w| w.bbox.is_some()) => return None,
            None => (0, l.words.len()),
        };
        let b = l.run_end(a).min(b.max(a + 1));
        let text = crate::norm::tidy(&l.span_text(a, b));
        let postcode = POSTCODE_TOWN.is_match(&text);
        // Long digit runs are references and phone numbers, not address lines.
        if text.is_empty()
            || (!postcode && text.split_whitespace().any(|t| t.chars().filter(|c| c.is_ascii_digit()).count() >= 6))
        {
            return None;
        }
        conf = conf.min(l.span_meta(a, b).0);
        parts.push(text);
        if postcode {
            return Some((parts.join(", "), conf));
        }
    }
    None
}

/// The line just above the label on line `i`, with words in the label's column, within two line
/// heights: (line, first word, end word). Needs boxes.
fn above(doc: &Doc, i: usize, label_box: Option<BBox>) -> Option<(usize, usize, usize)> {
    let lb = label_box?;
    let line = &doc.lines[i];
    (i.saturating_sub(3)..i).rev().find_map(|k| {
        let prev = &doc.lines[k];
        let pb = prev.bbox?;
        let gap = lb.y as i64 - (pb.y + pb.h) as i64;
        if prev.page != line.page || gap < -(lb.h as i64) / 2 || gap > lb.h as i64 * 2 {
            return None;
        }
        let (a, b) = words_below(prev, Some(lb))?;
        Some((k, a, b))
    })
}

/// The start of line `next` that ends an address begun on the line before: its first words up to
/// a postcode (within the first five words) and the town after it. The town ends at a comma, at
/// the line's end, at a figure, or at a lower-case word that is no particle of a town's name
/// ("34000 Montpellier, déclare…", "13100 Aix-en-Provence", "69100 Villeurbanne le 3 mai" gives
/// "Villeurbanne"). None when no postcode opens the line.
fn run_on_to_town(next: &L) -> Option<(String, f32)> {
    const PARTICLES: [&str; 12] = ["de", "du", "des", "en", "sur", "sous", "la", "le", "les", "lès", "lez", "l"];
    let is_postcode = |t: &str| {
        let t = t.trim_start_matches("F-");
        t.len() == 5 && t.chars().all(|c| c.is_ascii_digit())
    };
    let pc = next.words.iter().take(5).position(|w| is_postcode(&w.text))?;
    let mut end = pc + 1;
    while end < next.words.len() && end - pc <= 4 {
        let t = next.words[end].text.as_str();
        let starts_upper = t.chars().next().is_some_and(|c| c.is_uppercase());
        if !(starts_upper || PARTICLES.contains(&t.to_lowercase().as_str())) || t.chars().any(|c| c.is_ascii_digit()) {
            break;
        }
        end += 1;
        if t.ends_with(',') || t.ends_with('.') {
            break;
        }
    }
    // A town's name does not end on a particle ("Lyon le 3 mai": the date's article).
    while end > pc + 2 && PARTICLES.contains(&next.words[end - 1].text.to_lowercase().as_str()) {
        end -= 1;
    }
    if end == pc + 1 {
        return None;
    }
    let text = next.span_text(0, end);
    let text = text.trim_end_matches([',', '.']).to_string();
    Some((text, next.span_meta(0, end).0))
}

/// Whether `p`, read as `text` after the label `label`, can be the value of `f`.
fn fits(f: &FieldDef, label: &[String], p: &Parsed, text: &str, labels: &std::collections::BTreeSet<String>) -> bool {
    plausible(f, p) && !starts_range(f, text) && !bare_du_without_range(f, label, text) && !only_labels(f, p, labels)
}

/// A name, company or address made only of label and heading words ("SIRET", "Surname", "LIEU DE
/// NAISSANCE", "Net versé") is the next cell's label or a heading read in the value's place: in a
/// grid, the value is further down (families C to F read them so on every grid form).
fn only_labels(f: &FieldDef, p: &Parsed, labels: &std::collections::BTreeSet<String>) -> bool {
    if !is_textual(f.kind) {
        return false;
    }
    let words: Vec<String> = fold(&p.value).split(' ').filter(|t| t.chars().count() >= 2).map(String::from).collect();
    !words.is_empty() && words.iter().all(|w| labels.contains(w))
}

/// A date that opens a range ("du 13/01/2025 au 12/02/2025") is the start of a period (a
/// subscription, a consumption), not the date of a single event.
fn starts_range(f: &FieldDef, text: &str) -> bool {
    f.kind == FieldKind::Date && RANGE.is_match(&fold(text))
}

/// A period's bare label "du" introduces a range ("du 01/10/2025 au 31/10/2025"); before a single
/// date it is any date of the text ("loi n° 89-462 du 6 juillet 1989"), not the period.
fn bare_du_without_range(f: &FieldDef, label: &[String], text: &str) -> bool {
    f.kind == FieldKind::Period && label.len() == 1 && label[0] == "du" && !RANGE.is_match(&fold(text))
}

/// A date range as folded text: `01 10 2025 au 31 10 2025`, `1 octobre 2025 au ...`.
static RANGE: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
    regex::Regex::new(r"^(?:\d{1,2} \d{1,2} \d{2,4}|\d{1,2} [a-z]+ \d{4}|\d{4} \d{1,2} \d{1,2}) (?:au|jusqu au) \d")
        .unwrap()
});

/// Words that head columns or blocks and are never part of a person's name (a payslip's grid
/// header "Collaborateur | Matricule | Sécurité sociale | Emploi" read as the employee's name).
const NOT_NAMES: [&str; 22] = [
    "matricule",
    "securite",
    "sociale",
    "emploi",
    "qualification",
    "coefficient",
    "anciennete",
    "convention",
    "domiciliation",
    "agence",
    "banque",
    "adresse",
    "declarant",
    "titulaire",
    "client",
    "contrat",
    "reference",
    "numero",
    "date",
    "montant",
    "tel",
    "iban",
];

/// Rejects values that cannot be right for the field (a person needs a given name and a surname).
fn plausible(f: &FieldDef, p: &Parsed) -> bool {
    // The configured amounts (pay, rent, income, amount due) are never negative: a minus sign
    // there is a dash printed between label and value.
    if f.kind == FieldKind::Amount && p.value.starts_with('-') {
        return false;
    }
    let letters = p.value.chars().filter(|c| c.is_alphabetic()).count();
    let digits = p.value.chars().filter(|c| c.is_ascii_digit()).count();
    match f.kind {
        // A company, a school or a bank is named in words: a figure read under a column heading
        // ("Part employeur" over "21,46") is no employer.
        FieldKind::Organisation => return letters >= 3 && letters > digits,
        // A French address holds a number (the street's, or at least the postcode): a heading
        // read beside an address label ("Lieu de consommation … Période facturée") holds none.
        FieldKind::Address => return letters >= 4 && digits >= 1,
        FieldKind::Person => {}
        _ => return true,
    }
    let toks: Vec<String> = p.value.split(' ').map(fold).collect();
    if toks.iter().any(|t| NOT_NAMES.contains(&t.as_str()) || crate::norm::STOP_WORDS.contains(&t.as_str())) {
        return false;
    }
    // A name closed by a legal form is a company's ("Pasquier Restaurant EURL"), never a person's.
    if crate::types::has_legal_form(&p.value) {
        return false;
    }
    toks.len() >= 2 || f.name == "surname" || f.name == "given_names"
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::taxonomy::Taxonomy;

    fn doc(lines: &[&str]) -> Doc {
        Doc::from_lines(lines)
    }

    fn best(d: &Doc, field: &str) -> Option<String> {
        let tax = Taxonomy::builtin();
        let f = tax.get("energy_bill").unwrap().fields.iter().find(|f| f.name == field).unwrap().clone();
        by_label(d, &f).first().map(|c| c.p.value.clone())
    }

    #[test]
    fn values_keep_the_shape_of_their_kind() {
        // A company is no holder; a heading is no address; a figure is no company.
        assert_eq!(best(&doc(&["Titulaire du contrat : Volta Energies SAS"]), "holder_name"), None);
        assert_eq!(best(&doc(&["Lieu de consommation Période facturée"]), "address"), None);
        assert_eq!(
            best(&doc(&["Lieu de consommation 34 rue de Verdun, 69003 Lyon"]), "address").as_deref(),
            Some("34 rue de Verdun, 69003 Lyon")
        );
    }

    #[test]
    fn an_address_in_a_sentence_runs_on_to_its_town() {
        let tax = Taxonomy::builtin();
        let f = tax.get("rent_receipt").unwrap().fields.iter().find(|f| f.name == "property_address").unwrap().clone();
        let d = doc(&[
            "Je soussigné Monsieur Zacharie DUMONT, propriétaire du logement situé 7 avenue de Bretagne,",
            "Appt 21, 34000 Montpellier, déclare avoir reçu de Monsieur William COUSIN la somme de",
        ]);
        assert_eq!(
            by_label(&d, &f).first().map(|c| c.p.value.as_str()),
            Some("7 avenue de Bretagne, Appt 21, 34000 Montpellier")
        );
    }

    #[test]
    fn a_value_read_in_two_places_is_not_doubted_for_a_rival_read_once() {
        let tax = Taxonomy::builtin();
        let f = tax.get("rent_receipt").unwrap().fields.iter().find(|f| f.name == "period").unwrap().clone();
        let receipt = |citation: &str| {
            doc(&[
                "QUITTANCE DE LOYER",
                "Période : octobre 2025",
                "pour la période de location du 01/10/2025 au 31/10/2025",
                citation,
            ])
        };
        let conf = |d: &Doc| {
            let cands = by_label(d, &f);
            (cands[0].p.value.clone(), confidence(&cands[0], &cands))
        };
        let (v, outvoted) = conf(&receipt("(loi n° 89-462 du 6 juillet 1989)"));
        assert_eq!(v, "2025-10");
        let (_, alone) = conf(&receipt("Fait à Lyon"));
        assert_eq!(outvoted, alone, "the citation's date lowered the period's confidence");
        // One read against one rival still lowers it.
        let d = doc(&["QUITTANCE DE LOYER", "Période : octobre 2025", "Terme de novembre 2025"]);
        let cands = by_label(&d, &f);
        assert!(confidence(&cands[0], &cands) < 0.8, "an unsupported read against a close rival is not sure");
    }

    #[test]
    fn a_bare_du_before_a_single_date_is_no_period_but_before_a_range_it_is() {
        let tax = Taxonomy::builtin();
        let f = tax.get("rent_receipt").unwrap().fields.iter().find(|f| f.name == "period").unwrap().clone();
        let d = doc(&["QUITTANCE DE LOYER", "Période : octobre 2025", "(loi n° 89-462 du 6 juillet 1989 : art. 7-1)"]);
        let cands = by_label(&d, &f);
        assert!(cands.iter().all(|c| c.p.value == "2025-10"), "{cands:?}");
        assert!(confidence(&cands[0], &cands) > 0.85, "a law's date is no rival of the period");
        let d = doc(&["QUITTANCE DE LOYER", "Location du 01/03/2025 au 31/03/2025"]);
        assert_eq!(by_label(&d, &f).first().map(|c| c.p.value.as_str()), Some("2025-03"));
    }

    /// A page of lines laid out as OCR boxes them: (text, x, y), words 20 px apart, 40 px tall.
    fn boxed(lines: &[(&str, u32, u32)]) -> Doc {
        use tamis_shared::{Line, Page, TextSource, Word};
        let lines = lines
            .iter()
            .map(|(text, x0, y)| {
                let mut x = *x0;
                let words: Vec<Word> = text
                    .split_whitespace()
                    .map(|t| {
                        let b = BBox { x, y: *y, w: t.chars().count() as u32 * 30, h: 40 };
                        x += b.w + 20;
                        Word { text: t.into(), confidence: 0.96, bbox: Some(b) }
                    })
                    .collect();
                let bbox = words.iter().filter_map(|w| w.bbox).reduce(|a, b| a.union(&b));
                Line { text: text.to_string(), bbox, words }
            })
            .collect();
        let page = Page {
            number: 1,
            width: 2480,
            height: 3508,
            rotation: 0,
            skew: 0.0,
            source: TextSource::Ocr,
            confidence: 0.9,
            lines,
            symbols: vec![],
        };
        Doc::new(std::iter::once(&page))
    }

    #[test]
    fn a_long_value_below_a_short_label_is_read_whole_up_to_the_next_column() {
        let tax = Taxonomy::builtin();
        let given = tax.get("passport").unwrap().fields.iter().find(|f| f.name == "given_names").unwrap().clone();
        let d = boxed(&[("Prénoms", 1250, 880), ("Théodore, Jules, Émile", 1250, 930)]);
        assert_eq!(by_label(&d, &given)[0].p.value, "Théodore Jules Émile");
        // A column further right, apart by a wide gap, is not part of it.
        let d = boxed(&[("Prénoms", 1250, 880), ("Théodore, Jules", 1250, 930), ("LA ROCHELLE", 2000, 930)]);
        assert_eq!(by_label(&d, &given)[0].p.value, "Théodore Jules");
    }

    #[test]
    fn an_address_under_its_heading_is_read_down_to_the_postcode() {
        let d = doc(&[
            "Lieu de consommation",
            "12 chemin des Vignes",
            "Résidence Le Parc",
            "21000 Dijon",
            "Montant à payer 45,10 €",
        ]);
        assert_eq!(best(&d, "address").as_deref(), Some("12 chemin des Vignes, Résidence Le Parc, 21000 Dijon"));
    }

    #[test]
    fn a_period_start_is_not_an_issue_date_nor_is_a_date_before_which_to_pay() {
        let d = doc(&[
            "Titulaire du contrat : Anne ROY",
            "Consommation",
            "À régler avant le 31/03/2025",
            "Abonnement du 13/01/2025 au 12/02/2025",
        ]);
        assert_eq!(best(&d, "issue_date"), None);
        let d = doc(&["Facture du 17/03/2025", "Abonnement du 13/01/2025 au 12/02/2025"]);
        assert_eq!(best(&d, "issue_date").as_deref(), Some("2025-03-17"));
    }

    #[test]
    fn the_total_including_tax_is_the_amount_due_but_not_the_total_before_tax() {
        let d = doc(&["Total HT 137,29 €", "TVA 20 % 27,46 €", "Total TTC 164,75 €"]);
        assert_eq!(best(&d, "amount_due").as_deref(), Some("164.75"));
        let d = doc(&["Total TTC 120,00 €", "Déjà réglé (mensualités) 100,00 €", "Reste à payer 20,00 €"]);
        assert_eq!(best(&d, "amount_due").as_deref(), Some("20.00"));
    }

    #[test]
    fn a_label_in_the_values_place_is_passed_over_for_the_value_below() {
        let tax = Taxonomy::builtin();
        let surname = tax.get("passport").unwrap().fields.iter().find(|f| f.name == "surname").unwrap().clone();
        let d = doc(&["Nom / Surname", "MARTIN"]);
        assert_eq!(by_label(&d, &surname).first().map(|c| c.p.value.as_str()), Some("MARTIN"));
        let employer = tax.get("payslip").unwrap().fields.iter().find(|f| f.name == "employer_name").unwrap().clone();
        let d = doc(&["EMPLOYEUR SIRET", "Transports Leroux SAS 633 004 486 00013"]);
        assert!(by_label(&d, &employer).iter().all(|c| c.p.value != "SIRET"), "{:?}", by_label(&d, &employer));
    }
}
