//! Evidence scoring per page: headings and vocabulary from the taxonomy, MRZ presence and the
//! identifiers that validate, turned into a calibrated probability.

use std::sync::Arc;
use tamis_shared::ids::{Iban, Mrz};
use tamis_shared::taxonomy::{fold, Taxonomy};
use tamis_shared::{DocumentType, Page};

/// A heading is worth several vocabulary words.
const TITLE_WEIGHT: f32 = 4.0;
/// Headings sit at the top; a title found there counts extra.
const TOP_TITLE_BONUS: f32 = 1.5;
/// Vocabulary hits saturate: a long page should not outweigh a heading.
const KEYWORD_CAP: f32 = 8.0;
/// The score `other` gets for free: a type must beat it to be chosen.
const OTHER_BASE: f32 = 3.5;
/// What an MRZ whose document code names another kind takes from an identity type's score: more
/// than a heading and its vocabulary can give, so the code decides.
const MRZ_CODE_VETO: f32 = 12.0;
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
    vocab: Vec<Vocab>,
}

/// One type's folded name, titles, keywords and negative words.
type Vocab = (String, Vec<String>, Vec<String>, Vec<String>);

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
                // A state issues its identity card to its own nationals: a card whose holder is of
                // another nationality than its issuer is a residence permit, whatever letter the
                // issuer put second in the code ("IT", "IP" on older French permits).
                let foreign_holder = m
                    .nationality
                    .as_deref()
                    .is_some_and(|n| n.len() == 3 && m.issuing_state.len() == 3 && n != m.issuing_state);
                let card = code.starts_with('I') || code.starts_with('A') || code.starts_with('C');
                let hit = match name.as_str() {
                    "passport" => code.starts_with('P'),
                    "residence_permit" => {
                        code == "IR"
                            || code == "AR"
                            || code == "RT"
                            || code.starts_with('T')
                            || (card && foreign_holder)
                    }
                    "id_card" => card && code != "IR" && code != "AR" && !foreign_holder,
                    _ => false,
                };
                if hit {
                    s += 8.0;
                } else if name.parse::<DocumentType>().is_ok_and(|t| t.is_identity())
                    && code.starts_with(['P', 'I', 'A', 'C', 'R', 'T', 'V'])
                {
                    // The zone's document code is the issuer's own statement of what the document
                    // is: a visa (`V`) is none of the identity types, and a passport's zone argues
                    // against a card's headings on the same page. A code OCR garbled ("1P") says
                    // nothing either way.
                    s -= MRZ_CODE_VETO;
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

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::taxonomy::Taxonomy;
    use tamis_shared::{Line, TextSource};

    fn page(lines: &[&str]) -> Page {
        Page {
            number: 1,
            width: 2480,
            height: 3508,
            rotation: 0,
            skew: 0.0,
            source: TextSource::Ocr,
            confidence: 0.9,
            lines: lines.iter().map(|t| Line { text: t.to_string(), bbox: None, words: vec![] }).collect(),
            symbols: vec![],
        }
    }

    /// A visa sticker says "passport" (the number of the passport it is stuck in) and carries an
    /// ICAO zone: only the zone's document code tells it from the passport page itself.
    const VISA: [&str; 2] =
        ["V<FRAMARTIN<<CLAIRE<ANNE<<<<<<<<<<<<<<<<<<<<", "X123456785MAR8503150F2701013<<<<<<<<<<<<<<<<"];
    const PASSPORT: [&str; 2] =
        ["P<FRAMARTIN<<CLAIRE<ANNE<<<<<<<<<<<<<<<<<<<<", "X123456785FRA8503150F2701013<<<<<<<<<<<<<<02"];

    fn typed(mrz: &[&str]) -> (String, f32) {
        let scorer = Scorer::new(Arc::new(Taxonomy::builtin()));
        let mut lines = vec![
            "VISA",
            "Passeport / Passport n° X12345678",
            "Nom / Surname MARTIN",
            "Prénoms / Given names CLAIRE ANNE",
            "Date de naissance 15/03/1985",
            "Nationalité MAR",
            "Valable du 01/01/2026 au 01/01/2027",
        ];
        lines.extend(mrz);
        let p = scorer.page(&page(&lines));
        scorer.best(&[&p])
    }

    #[test]
    fn the_zones_document_code_decides_between_visa_and_passport() {
        let (t, c) = typed(&VISA);
        assert_eq!(t, "other", "a visa is no identity type ({c})");
        let (t, c) = typed(&PASSPORT);
        assert_eq!(t, "passport");
        assert!(c >= 0.9, "{c}");
    }

    #[test]
    fn a_passport_zone_outweighs_a_cards_heading() {
        let scorer = Scorer::new(Arc::new(Taxonomy::builtin()));
        let mut lines = vec!["CARTE NATIONALE D'IDENTITÉ", "Nom MARTIN", "Prénoms CLAIRE ANNE"];
        lines.extend(PASSPORT);
        let p = scorer.page(&page(&lines));
        assert_eq!(scorer.best(&[&p]).0, "passport");
    }

    #[test]
    fn a_card_held_by_a_foreigner_of_its_issuer_is_a_residence_permit() {
        let scorer = Scorer::new(Arc::new(Taxonomy::builtin()));
        let card = |lines: [&str; 3]| {
            let mut page_lines = vec!["RÉPUBLIQUE FRANÇAISE", "Nom MARTIN", "Prénoms CLAIRE"];
            page_lines.extend(lines);
            let p = scorer.page(&page(&page_lines));
            scorer.best(&[&p]).0
        };
        let permit =
            ["ITFRAAB12345671<<<<<<<<<<<<<<<", "8503150F3001019MAR<<<<<<<<<<<8", "MARTIN<<CLAIRE<<<<<<<<<<<<<<<<"];
        assert_eq!(card(permit), "residence_permit");
        let id = ["IDFRAAB12345671<<<<<<<<<<<<<<<", "8503150F3001019FRA<<<<<<<<<<<8", "MARTIN<<CLAIRE<<<<<<<<<<<<<<<<"];
        assert_eq!(card(id), "id_card");
    }
}
