//! A document's text as the extractors see it: lines with their page, folded tokens and words.

use tamis_shared::taxonomy::fold;
use tamis_shared::{BBox, Line, Page, TextSource};

/// A label word the OCR was unsure of and read with one wrong character (`Paæment` for
/// `paiement`, its `ie` merged into one glyph) or one letter lost inside it: long words only,
/// and only below this word confidence, so a word read well is never taken for another.
fn misread(read: &str, label: &str, conf: f32) -> bool {
    const UNSURE: f32 = 0.85;
    if conf >= UNSURE || label.chars().count() < 6 {
        return false;
    }
    let read: Vec<char> = read
        .chars()
        .flat_map(|c| match c {
            'æ' => vec!['a', 'e'],
            c => vec![c],
        })
        .collect();
    let label: Vec<char> = label.chars().collect();
    if read.len() == label.len() {
        return read.iter().zip(&label).filter(|(a, b)| a != b).count() == 1;
    }
    // A letter lost inside a long word (`Tiulaire` for `titulaire`); not the last one, where
    // dropping it makes another word (a singular of a plural label).
    label.len() >= 7
        && read.len() + 1 == label.len()
        && (0..label.len() - 1).any(|k| label[..k] == read[..k] && label[k + 1..] == read[k..])
}

/// One word with its folded tokens.
#[derive(Clone, Debug)]
pub struct W {
    pub text: String,
    pub conf: f32,
    pub bbox: Option<BBox>,
    /// Index of the source line fragment within the visual row (a new fragment after a gap is a
    /// new column).
    pub seg: usize,
}

/// One line.
#[derive(Clone, Debug)]
pub struct L {
    pub page: u32,
    pub text: String,
    pub folded: String,
    pub words: Vec<W>,
    /// (folded token, index of the word it came from).
    pub tokens: Vec<(String, usize)>,
    pub bbox: Option<BBox>,
    pub ocr: bool,
}

/// The lines of one document, in reading order.
pub struct Doc {
    pub lines: Vec<L>,
}

impl Doc {
    /// Builds the view over the given pages. Line fragments that share a visual row (a label and
    /// its value printed in two columns, a table row split by the text layer) are merged into one
    /// line, left to right, so that "label … value" reads as on paper.
    /// A one-page document of plain text lines without geometry, for tests.
    #[cfg(test)]
    pub fn from_lines(lines: &[&str]) -> Doc {
        let page = Page {
            number: 1,
            width: 0,
            height: 0,
            rotation: 0,
            skew: 0.0,
            source: TextSource::TextLayer,
            confidence: 1.0,
            lines: lines.iter().map(|t| Line { text: t.to_string(), bbox: None, words: vec![] }).collect(),
            symbols: vec![],
        };
        Doc::new(std::iter::once(&page))
    }

    pub fn new<'a>(pages: impl Iterator<Item = &'a Page>) -> Doc {
        let mut lines = vec![];
        for p in pages {
            for row in rows(&p.lines) {
                let mut words: Vec<W> = vec![];
                let mut bbox: Option<BBox> = None;
                for (seg, l) in row.iter().enumerate() {
                    if l.words.is_empty() {
                        words.extend(l.text.split_whitespace().map(|t| W {
                            text: t.to_string(),
                            conf: 1.0,
                            bbox: None,
                            seg,
                        }));
                    } else {
                        words.extend(l.words.iter().map(|w| W {
                            text: w.text.clone(),
                            conf: w.confidence,
                            bbox: w.bbox,
                            seg,
                        }));
                    }
                    if let Some(b) = l.bbox {
                        bbox = Some(bbox.map_or(b, |x| x.union(&b)));
                    }
                }
                let mut tokens = vec![];
                for (i, w) in words.iter().enumerate() {
                    for t in fold(&w.text).split(' ').filter(|t| !t.is_empty()) {
                        tokens.push((t.to_string(), i));
                    }
                }
                let text = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
                lines.push(L {
                    page: p.number,
                    folded: fold(&text),
                    text,
                    words,
                    tokens,
                    bbox,
                    ocr: p.source == TextSource::Ocr,
                });
            }
        }
        Doc { lines }
    }
}

/// Groups a page's lines into visual rows: fragments whose vertical centres are close and that do
/// not overlap horizontally. Pages without geometry keep their lines as they are.
fn rows(lines: &[Line]) -> Vec<Vec<&Line>> {
    if lines.iter().any(|l| l.bbox.is_none()) {
        return lines.iter().map(|l| vec![l]).collect();
    }
    let bb = |l: &Line| l.bbox.unwrap_or_default();
    let mut order: Vec<&Line> = lines.iter().collect();
    order.sort_by_key(|l| bb(l).y * 2 + bb(l).h);
    // (centre y ×2, height, members)
    let mut rows: Vec<(u32, u32, Vec<&Line>)> = vec![];
    for l in order {
        let b = bb(l);
        let c = b.y * 2 + b.h;
        let slot = rows.iter().rposition(|(rc, rh, members)| {
            let tol = (*rh).min(b.h).max(1);
            (c as i64 - *rc as i64).unsigned_abs() <= tol as u64
                && members.iter().all(|m| {
                    let o = bb(m);
                    o.x + o.w <= b.x || b.x + b.w <= o.x
                })
        });
        match slot {
            Some(i) => rows[i].2.push(l),
            None => rows.push((c, b.h, vec![l])),
        }
    }
    rows.into_iter()
        .map(|(_, _, mut m)| {
            m.sort_by_key(|l| bb(l).x);
            m
        })
        .collect()
}

impl L {
    /// Finds a folded label (space-separated tokens) in the line's tokens.
    pub fn find(&self, label: &[String]) -> Option<(usize, usize)> {
        if label.is_empty() || self.tokens.len() < label.len() {
            return None;
        }
        for s in 0..=self.tokens.len() - label.len() {
            if label.iter().enumerate().all(|(k, t)| {
                let (read, w) = &self.tokens[s + k];
                read == t || misread(read, t, self.words[*w].conf)
            }) {
                let last_word = self.tokens[s + label.len() - 1].1;
                // The label may end inside a word ("client:123"): value starts at the next word
                // unless that word has more tokens.
                let after = if self.tokens.get(s + label.len()).is_some_and(|t| t.1 == last_word) {
                    last_word
                } else {
                    last_word + 1
                };
                return Some((self.tokens[s].1, after));
            }
        }
        None
    }

    /// Text of words `from..to`.
    pub fn span_text(&self, from: usize, to: usize) -> String {
        self.words[from.min(self.words.len())..to.min(self.words.len())]
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// End of the run of words starting at `from` before a wide horizontal gap (a new column).
    pub fn run_end(&self, from: usize) -> usize {
        let mut end = from + 1;
        while end < self.words.len() {
            let (Some(a), Some(b)) = (self.words[end - 1].bbox, self.words[end].bbox) else {
                end += 1;
                continue;
            };
            let gap = b.x as i64 - (a.x + a.w) as i64;
            let h = a.h.max(b.h) as i64;
            let new_fragment = self.words[end - 1].seg != self.words[end].seg;
            if gap > h * 2 || (new_fragment && gap > h) {
                break;
            }
            end += 1;
        }
        end.min(self.words.len())
    }

    /// Mean confidence and union box of words `from..to`.
    pub fn span_meta(&self, from: usize, to: usize) -> (f32, Option<BBox>) {
        let ws = &self.words[from.min(self.words.len())..to.min(self.words.len())];
        if ws.is_empty() {
            return (self.words.iter().map(|w| w.conf).fold(1.0, f32::min), self.bbox);
        }
        // A mark that is no part of any value (a table's or a band's border read as `|`, a stray
        // quote) does not make the value less sure; a sign or a currency may, so they count.
        let counts = |w: &&W| w.text.chars().any(|c| c.is_alphanumeric() || matches!(c, '-' | '+' | '€' | '%' | '/'));
        let conf = if ws.iter().any(|w| counts(&w)) {
            ws.iter().filter(counts).map(|w| w.conf).fold(1.0, f32::min)
        } else {
            ws.iter().map(|w| w.conf).fold(1.0, f32::min)
        };
        let mut bb: Option<BBox> = None;
        for w in ws {
            if let Some(b) = w.bbox {
                bb = Some(bb.map_or(b, |x| x.union(&b)));
            }
        }
        (conf, bb.or(self.bbox))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_unsure_label_word_with_one_wrong_character_is_still_the_label() {
        assert!(misread("paæment", "paiement", 0.47));
        assert!(!misread("periode", "periode", 0.5), "equal words are matched before, not here");
        // Read well, it is another word; short words have too many neighbours.
        assert!(!misread("paæment", "paiement", 0.95));
        assert!(!misread("net", "nel", 0.3));
        // Plurals and other lengths are other words.
        assert!(!misread("salaires", "salaire", 0.3));
        // A letter lost inside a long word; not at its end, nor in a short one.
        assert!(misread("tiulaire", "titulaire", 0.18));
        assert!(!misread("tiulaire", "titulaire", 0.9));
        assert!(!misread("salaire", "salaires", 0.3));
        assert!(misread("peiode", "periode", 0.3));
        assert!(!misread("prnom", "prenom", 0.3));
    }

    #[test]
    fn a_border_mark_after_a_value_does_not_lower_its_confidence() {
        let w = |text: &str, conf: f32| W { text: text.into(), conf, bbox: None, seg: 0 };
        let l = L {
            page: 1,
            text: String::new(),
            folded: String::new(),
            words: vec![
                w("Période", 0.96),
                w("du", 0.96),
                w("01/08/2025", 0.96),
                w("au", 0.96),
                w("31/08/2025", 0.95),
                w("|", 0.73),
            ],
            tokens: vec![],
            bbox: None,
            ocr: true,
        };
        assert_eq!(l.span_meta(2, 6).0, 0.95);
        // A sign is part of an amount: it counts.
        let l = L { words: vec![w("-", 0.6), w("4", 0.9), w("289", 0.9)], ..l };
        assert_eq!(l.span_meta(0, 3).0, 0.6);
    }

    proptest! {
        #[test]
        fn one_substituted_letter_of_an_unsure_long_word_matches(label in "[a-z]{6,12}", at in 0usize..12, c in "[a-z0-9]") {
            let at = at % label.len();
            let c = c.chars().next().unwrap();
            let mut read: Vec<char> = label.chars().collect();
            prop_assume!(read[at] != c);
            read[at] = c;
            let read: String = read.into_iter().collect();
            prop_assert!(misread(&read, &label, 0.5));
            prop_assert!(!misread(&read, &label, 0.9));
        }

        #[test]
        fn one_letter_lost_inside_an_unsure_long_word_matches(label in "[a-z]{7,12}", at in 0usize..11) {
            let at = at % (label.len() - 1);
            let mut read: Vec<char> = label.chars().collect();
            read.remove(at);
            let read: String = read.into_iter().collect();
            prop_assert!(misread(&read, &label, 0.5));
            prop_assert!(!misread(&read, &label, 0.9));
            // Two letters lost is too far.
            let shorter: String = read.chars().skip(1).collect();
            prop_assert!(!misread(&shorter, &label, 0.5));
        }
    }
}
