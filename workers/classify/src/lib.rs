//! The classify stage: decides what type of document each page of a file holds, with a calibrated
//! confidence, and splits a file that holds several documents.

mod score;

use std::sync::Arc;
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::{DocumentResult, DocumentType, Work};

pub use score::{PageScores, Scorer};

/// The classifier. `Send + Sync`, cheap to share.
#[derive(Clone)]
pub struct Classifier {
    scorer: Arc<Scorer>,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Classifier {
    /// Builds the classifier from the default taxonomy.
    pub fn new() -> Self {
        Self::with_taxonomy(Arc::new(Taxonomy::builtin()))
    }

    /// Builds the classifier from a taxonomy (for types and vocabulary added in configuration).
    pub fn with_taxonomy(t: Arc<Taxonomy>) -> Self {
        Classifier { scorer: Arc::new(Scorer::new(t)) }
    }

    /// Fills `work.documents` (type, confidence, pages). Leaves a failed `work` untouched.
    pub fn process(&self, work: &mut Work) {
        if work.failure.is_some() {
            return;
        }
        let pages: Vec<PageScores> = work.pages.iter().map(|p| self.scorer.page(p)).collect();
        let mut groups: Vec<(Vec<u32>, Vec<usize>)> = Vec::new();
        for (i, ps) in pages.iter().enumerate() {
            let number = work.pages[i].number;
            let start_new = match groups.last() {
                None => true,
                Some((_, idx)) => {
                    let cur = self.scorer.best(&idx.iter().map(|&j| &pages[j]).collect::<Vec<_>>()).0;
                    // A page opens a new document only on strong evidence of another type (a
                    // heading or an MRZ); continuation pages carry little vocabulary of their own.
                    ps.strong && ps.best_type() != cur && ps.best_type() != "other"
                }
            };
            if start_new {
                groups.push((vec![number], vec![i]));
            } else if let Some(g) = groups.last_mut() {
                g.0.push(number);
                g.1.push(i);
            }
        }
        if groups.is_empty() {
            groups.push((vec![], vec![]));
        }
        work.documents = groups
            .into_iter()
            .map(|(numbers, idx)| {
                let refs: Vec<&PageScores> = idx.iter().map(|&j| &pages[j]).collect();
                let (name, conf) = self.scorer.best(&refs);
                DocumentResult {
                    doc_type: name.parse().unwrap_or(DocumentType::Other),
                    confidence: conf,
                    pages: numbers,
                    fields: Default::default(),
                    findings: vec![],
                }
            })
            .collect();
    }
}
