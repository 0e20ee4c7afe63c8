//! The classify stage: decides what type of document each page of a file holds, with a calibrated
//! confidence, and splits a file that holds several documents.

use tamis_shared::{DocumentResult, DocumentType, Work};

/// The classifier. `Sync`, cheap to share.
#[derive(Default)]
pub struct Classifier {}

impl Classifier {
    /// Builds the classifier from the default taxonomy.
    pub fn new() -> Self {
        Classifier {}
    }

    /// Fills `work.documents` (type, confidence, pages). Leaves a failed `work` untouched.
    pub fn process(&self, work: &mut Work) {
        if work.failure.is_some() {
            return;
        }
        let pages = work.pages.iter().map(|p| p.number).collect();
        work.documents = vec![DocumentResult {
            doc_type: DocumentType::Other,
            confidence: 0.0,
            pages,
            fields: Default::default(),
            findings: vec![],
        }];
    }
}
