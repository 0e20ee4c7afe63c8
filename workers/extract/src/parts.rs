//! A person's name printed in two cells, surname and given names.
//!
//! The failure (issue #20): forms of other issuers print the person a document is about as two
//! cells, "NOM" and "PRÉNOM(S)", side by side as a table's column headers with the values under
//! them (university certificates, tax notices' declarant rows, sick-leave notices) or as two
//! rows of a form with each value to its right (employment certificates). No label of the
//! person's field names the whole name there, so the field went missing on 20 documents of the
//! four tuning families.
//!
//! The fix: find the two cells by their label words wherever they sit, read each value in its
//! cell's column (below) or row (right), and join them "given SURNAME". Only cells that name the
//! person alone count: "Nom et qualité du signataire" or "Nom du médecin" name someone else.
//! The caller fills the type's one person field with it, and only when nothing else read it.

use crate::doc::{Doc, L};
use crate::norm;

/// Words that make a "Nom …" cell name someone other than the person the document is about.
const OTHERS: [&str; 14] = [
    "qualite",
    "signataire",
    "employeur",
    "medecin",
    "praticien",
    "prescripteur",
    "bailleur",
    "proprietaire",
    "etablissement",
    "raison",
    "banque",
    "agence",
    "societe",
    "usage",
];

/// A cell of a line: its words `start..end`.
#[derive(Clone, Copy)]
struct Cell {
    start: usize,
    end: usize,
}

fn cells(l: &L) -> Vec<Cell> {
    let mut out = vec![];
    let mut k = 0;
    while k < l.words.len() {
        let end = l.run_end(k);
        out.push(Cell { start: k, end });
        k = end;
    }
    out
}

fn cell_tokens(l: &L, c: Cell) -> Vec<&str> {
    l.tokens.iter().filter(|(_, w)| (c.start..c.end).contains(w)).map(|(t, _)| t.as_str()).collect()
}

/// Whether the cell is a surname's label: "Nom", "NOM DU DÉCLARANT 1", "Nom de naissance".
fn is_surname_label(t: &[&str]) -> bool {
    t.first() == Some(&"nom")
        && t.len() <= 4
        && t.get(1).is_none_or(|s| ["de", "d", "du", "naissance", "famille"].contains(s))
        && !t.iter().any(|w| OTHERS.contains(w) || *w == "prenom" || *w == "prenoms" || *w == "et")
}

/// Whether the cell is the given names' label: "Prénom", "Prénoms", "PRÉNOM(S)".
fn is_given_label(t: &[&str]) -> bool {
    matches!(t, ["prenom"] | ["prenoms"] | ["prenom", "s"])
}

/// A value cell's words as a name part: capitalised words of letters only.
fn name_part(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let ok = !words.is_empty()
        && words.len() <= 4
        && words.iter().all(|w| {
            w.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'')
                && w.chars().next().is_some_and(char::is_uppercase)
        });
    ok.then(|| words.join(" "))
}

/// Words of `next` under the column that starts at `x0` and ends before `x1`.
fn under(next: &L, x0: i64, x1: i64, h: i64) -> Option<(String, f32)> {
    let ws: Vec<_> = next
        .words
        .iter()
        .filter(|w| w.bbox.is_some_and(|b| b.x as i64 >= x0 - h && (b.x as i64) < x1 - h / 2))
        .collect();
    if ws.is_empty() {
        return None;
    }
    let text = ws.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
    Some((text, ws.iter().map(|w| w.conf).fold(1.0, f32::min)))
}

/// The value cell right of a label cell on the same line.
fn beside(l: &L, label: Cell) -> Option<(String, f32)> {
    if label.end >= l.words.len() {
        return None;
    }
    let end = l.run_end(label.end);
    let text = norm::tidy(l.span_text(label.end, end).trim_start_matches([':', '|']));
    Some((text, l.words[label.end..end].iter().map(|w| w.conf).fold(1.0, f32::min)))
}

/// The name printed as surname and given-names cells: (line, "given SURNAME", weakest word's
/// confidence). The first pair found in reading order.
pub(crate) fn name_in_parts(doc: &Doc) -> Option<(usize, String, f32)> {
    for (i, l) in doc.lines.iter().enumerate() {
        let cs = cells(l);
        let toks: Vec<Vec<&str>> = cs.iter().map(|c| cell_tokens(l, *c)).collect();
        let Some(s) = toks.iter().position(|t| is_surname_label(t)) else { continue };
        // Columns: both labels head a table's row, the values in the row below.
        if let Some(g) = toks.iter().position(|t| is_given_label(t)) {
            let Some(next) = doc.lines.get(i + 1).filter(|n| n.page == l.page) else { continue };
            let col = |k: usize| -> Option<(i64, i64, i64)> {
                let b = l.words[cs[k].start].bbox?;
                let x1 = cs.get(k + 1).and_then(|c| l.words[c.start].bbox).map_or(i64::MAX / 2, |b| b.x as i64);
                Some((b.x as i64, x1, b.h as i64))
            };
            let (Some((s0, s1, h)), Some((g0, g1, _))) = (col(s), col(g)) else { continue };
            let (Some((st, sc)), Some((gt, gc))) = (under(next, s0, s1, h), under(next, g0, g1, h)) else { continue };
            if let (Some(sn), Some(gn)) = (name_part(&st), name_part(&gt)) {
                return Some((i + 1, format!("{gn} {sn}"), sc.min(gc)));
            }
            continue;
        }
        // Rows: "Nom  MATHIEU" then, within two lines, "Prénom(s)  David".
        if s != 0 {
            continue;
        }
        let Some((st, sc)) = beside(l, cs[0]) else { continue };
        for j in i + 1..(i + 3).min(doc.lines.len()) {
            let m = &doc.lines[j];
            let mc = cells(m);
            let Some(first) = mc.first() else { continue };
            if m.page != l.page || !is_given_label(&cell_tokens(m, *first)) {
                continue;
            }
            let Some((gt, gc)) = beside(m, *first) else { break };
            if let (Some(sn), Some(gn)) = (name_part(&st), name_part(&gt)) {
                return Some((i, format!("{gn} {sn}"), sc.min(gc)));
            }
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::BBox;

    /// A page whose rows are cells (text, x) at height y, each cell its own OCR line fragment,
    /// words 20 px high and 12 px per character.
    fn doc(rows: &[(&[(&str, u32)], u32)]) -> Doc {
        use tamis_shared::{Line, Page, TextSource, Word};
        let mut lines = vec![];
        for (cells, y) in rows {
            for (text, x0) in cells.iter() {
                let mut x = *x0;
                let words: Vec<Word> = text
                    .split(' ')
                    .map(|t| {
                        let b = BBox { x, y: *y, w: 12 * t.chars().count() as u32, h: 20 };
                        x += b.w + 10;
                        Word { text: t.into(), confidence: 0.95, bbox: Some(b) }
                    })
                    .collect();
                let bbox = words.iter().filter_map(|w| w.bbox).reduce(|a, b| a.union(&b));
                lines.push(Line { text: text.to_string(), bbox, words });
            }
        }
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
    fn surname_and_given_names_are_read_under_their_column_headers() {
        let d = doc(&[
            (&[("N° ÉTUDIANT", 50), ("NOM", 600), ("PRÉNOM(S)", 1100), ("DATE NAISS.", 1600)], 100),
            (&[("26843045", 50), ("POTTIER", 600), ("Thibault", 1100), ("03 06 2004", 1600)], 140),
        ]);
        assert_eq!(name_in_parts(&d).map(|x| x.1).as_deref(), Some("Thibault POTTIER"));
    }

    #[test]
    fn surname_and_given_names_are_read_right_of_their_row_labels() {
        let d = doc(&[
            (&[("Nom", 50), ("MATHIEU", 600)], 100),
            (&[("Prénom(s)", 50), ("David", 600)], 140),
            (&[("Nom et qualité du signataire", 50), ("Jules GIRARD, Responsable RH", 600)], 180),
        ]);
        assert_eq!(name_in_parts(&d).map(|x| x.1).as_deref(), Some("David MATHIEU"));
        // Someone else's name cell is not the person's.
        let d = doc(&[(&[("Nom du médecin", 50), ("BOUCHER", 600)], 100), (&[("Prénom", 50), ("Patrick", 600)], 140)]);
        assert!(name_in_parts(&d).is_none());
        // A value that is no name (digits) gives nothing.
        let d = doc(&[(&[("Nom", 50), ("12345", 600)], 100), (&[("Prénom", 50), ("David", 600)], 140)]);
        assert!(name_in_parts(&d).is_none());
    }
}
