//! The OCR stage: turns a file's bytes into upright pages of text with word boxes and
//! confidences, using a PDF's own text layer when it is real text and tesseract otherwise.

use tamis_shared::{ErrorCode, Failure, Work};

/// Settings of the OCR stage.
#[derive(Clone, Debug)]
pub struct OcrConfig {
    /// Tesseract engines kept alive (one per core is right).
    pub engines: usize,
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig { engines: 2 }
    }
}

/// The OCR stage. `Sync`: one instance serves every blocking task of a worker.
pub struct Ocr {
    _config: OcrConfig,
}

impl Ocr {
    /// Builds the stage (engines start lazily).
    pub fn new(config: OcrConfig) -> Self {
        Ocr { _config: config }
    }

    /// Blocking: fills `work.pages` and `work.text_quality`, or sets `work.failure`.
    pub fn process(&self, work: &mut Work, bytes: &[u8]) {
        let _ = bytes;
        work.failure = Some(Failure::new("ocr", ErrorCode::Corrupt, "OCR not built yet"));
    }
}
