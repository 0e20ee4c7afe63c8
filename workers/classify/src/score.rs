//! Evidence scoring per page: headings and vocabulary from the taxonomy, MRZ presence and the
//! identifiers that validate, turned into a calibrated probability.

use std::sync::Arc;
use tamis_shared::ids::{Iban, Mrz};
use tamis_shared::taxonomy::{fold, Taxonomy};
use tamis_shared::Page;

/// A heading is worth several vocabulary words.
const TITLE_WEIGHT: f32 = 4.0;
/// Headings sit at the top; a title found there counts extra.
const TOP_TITLE_BONUS: f32 = 1.5;
/// Vocabulary hits saturate: a long page should not outweigh a heading.
const KEYWORD_CAP: f32 = 8.0;
/// The score `other` gets for free: a type must beat it to be chosen.
const OTHER_BASE: f32 = 3.5;
/// Softmax temperature, fitted so that confidence tracks accuracy on the dev corpus.
const TEMPERATURE: f32 = 1.3;

/// Evidence of one page for every type.
#[derive(Clone, Debug)]
pub struct PageScores {
    /// (type name, score), `other` included.
    pub scores: Vec<(String, f32)>,
    /// Whether the page carries a heading or an MRZ (it can start a document).
    pub strong: bool,
    /// Whether the page has any text at all.
    pub has_text: bool,
}

impl PageScores {
    /// The type with the highest score.
    pub fn best_type(&self) -> &str {
        self.scores.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|s| s.0.as_str()).unwrap_or("other")
    }
}

/// Scores pages against a taxonomy.
pub struct Scorer {
    tax: Arc<Taxonomy>,
    /// Folded titles, keywords and negatives per type, in taxonomy order.
    vocab: Vec<(String, Vec<String>, Vec<String>, Vec<String>)>,
}

fn contains(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut start = 0;
    while let Some(i) = hay[start..].find(needle) {
        let a = start + i;
        let b = a + needle.len();
        let left = a == 0 || hay.as_bytes()[a - 1] == b' ';
        let right = b == hay.len() || hay.as_bytes()[b] == b' ';
        if left && right {
            return true;
        }
        start = a + 1;
        while !hay.is_char_boundary(start) {
            start += 1;
        }
    }
    false
}

const LETTER_CUES: [&str; 10] = [
    "objet",
    "madame",
    "monsieur",
    "salutations",
    "veuillez agreer",
    "cordialement",
    "nous vous prions",
    "ticket",
    "merci de votre visite",
    "edition",
];

impl Scorer {
    /// Prepares the folded vocabulary.
    pub fn new(tax: Arc<Taxonomy>) -> Self {
        let vocab = tax
            .types
            .iter()
            .map(|t| {
                let f = |v: &Vec<String>| v.iter().map(|s| fold(s)).filter(|s| !s.is_empty()).collect::<Vec<_>>();
                (t.name.clone(), f(&t.titles), f(&t.keywords), f(&t.negative))
            })
            .collect();
        Scorer { tax, vocab }
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.tax
    }

    /// Scores one page.
    pub fn page(&self, page: &Page) -> PageScores {
        let lines: Vec<String> = page.lines.iter().map(|l| fold(&l.text)).collect();
        let all = lines.join(" ");
        let top = lines.iter().take(12).cloned().collect::<Vec<_>>().join(" ");
        let raw: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        // A zone too damaged for a full parse still proves an identity document when the
        // tolerant re-reader passes its date block, number and composite check digits.
        let mrz = Mrz::find(&raw).or_else(|| Mrz::reread(&raw).map(|r| r.mrz));
        let iban_ok = page.lines.iter().any(|l| has_valid_iban(&l.text));
        let mut strong = mrz.is_some();
        let mut scores = Vec::new();
        for (name, titles, keywords, negative) in &self.vocab {
            let mut s = 0.0f32;
            let mut titled = false;
            for t in titles {
                if contains(&all, t) {
                    titled = true;
                    if contains(&top, t) {
                        s += TOP_TITLE_BONUS;
                    }
                }
            }
            if titled {
                s += TITLE_WEIGHT;
                strong = true;
            }
            let kw = keywords.iter().filter(|k| contains(&all, k)).count() as f32;
            s += kw.min(KEYWORD_CAP) * 0.7;
            s -= 2.5 * negative.iter().filter(|k| contains(&all, k)).count() as f32;
            if let Some(m) = &mrz {
                let code = m.document_code.as_str();
                let hit = match name.as_str() {
                    "passport" => code.starts_with('P'),
                    "residence_permit" => code == "IR" || code == "AR" || code == "RT" || code.starts_with("T"),
                    "id_card" => {
                        code.starts_with('I') && code != "IR"
                            || code.starts_with('C')
                            || code.starts_with('A') && code != "AR"
                    }
                    _ => false,
                };
                if hit {
                    s += 8.0;
                }
            }
            if iban_ok && name == "bank_details" {
                s += 2.0;
            }
            scores.push((name.clone(), s));
        }
        let cues = LETTER_CUES.iter().filter(|k| contains(&all, k)).count() as f32;
        let words = all.split(' ').filter(|w| w.len() > 1).count();
        // Too little text to tell anything: stay with `other`.
        let base = if words < 8 { OTHER_BASE + 6.0 } else { OTHER_BASE + 0.8 * cues };
        scores.push(("other".to_string(), base));
        PageScores { scores, strong, has_text: words > 0 }
    }

    /// The best type over a group of pages, and its calibrated probability.
    pub fn best(&self, pages: &[&PageScores]) -> (String, f32) {
        if pages.is_empty() {
            return ("other".into(), 0.5);
        }
        let n = pages[0].scores.len();
        let mut sum = vec![0.0f32; n];
        for p in pages {
            for (i, (_, s)) in p.scores.iter().enumerate() {
                // `other`'s base must not grow with the page count.
                sum[i] = if p.scores[i].0 == "other" { sum[i].max(*s) } else { sum[i].max(0.0) + s.max(0.0) };
            }
        }
        let max = sum.iter().cloned().fold(f32::MIN, f32::max);
        let z: f32 = sum.iter().map(|s| ((s - max) / TEMPERATURE).exp()).sum();
        let (i, _) = sum.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((n - 1, &0.0));
        let p = 1.0 / z;
        (pages[0].scores[i].0.clone(), p.clamp(0.0, 0.999))
    }
}

/// True when the line holds an IBAN that validates (spaces between groups allowed).
fn has_valid_iban(text: &str) -> bool {
    let up = text.to_uppercase();
    let bytes: Vec<char> = up.chars().collect();
    for i in 0..bytes.len().saturating_sub(1) {
        if bytes[i].is_ascii_uppercase()
            && bytes[i + 1].is_ascii_uppercase()
            && (i == 0 || !bytes[i - 1].is_alphanumeric())
        {
            let tail: String = bytes[i..].iter().take(50).collect();
            let compact: String = tail.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            for len in (15..=compact.len().min(34)).rev() {
                if Iban::parse(&compact[..len]).is_ok() {
                    return true;
                }
            }
        }
    }
    false
}
