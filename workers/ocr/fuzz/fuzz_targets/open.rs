//! The document-opening path on untrusted bytes, exactly as the OCR stage runs it: size limit,
//! media-type sniffing, image decoding under the pixel and allocation limits (JPEG, PNG,
//! multi-page TIFF, WebP, BMP, GIF), the PDF checks made before poppler, then the preparation of
//! each decoded page (blank test, rescaling, 2D-Doc symbol search, deskew). No input may panic,
//! hang (libFuzzer -timeout) or blow memory up (-rss_limit_mb). Tesseract and poppler are left
//! out: they are slow, and already contained by a deadline and by sandboxed subprocesses.
//! Seeds in corpus/open (small PNG, JPEG, TIFF, WebP, BMP, GIF and PDF files), dictionary open.dict.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tamis_ocr::{OcrConfig, Opened, Prepared};

/// Pages larger than this are opened (decoded, so the limits are exercised) but not prepared:
/// preparation costs grow with pixels, not with code paths, and would slow every execution
/// down to a few per second.
const PREPARE_MAX_PIXELS: u64 = 1_500_000;

static CONFIG: OnceLock<OcrConfig> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    // The stage's defaults: the limits under test are the ones production runs with.
    let cfg = CONFIG.get_or_init(OcrConfig::default);
    let Ok(Opened::Images(file)) = tamis_ocr::open(data, cfg) else { return };
    // Every page is decoded, one at a time as the stage does; the first three are prepared.
    for index in 0..file.pages().len() {
        let Ok(page) = file.decode(index, cfg) else { continue };
        if index >= 3 || page.width() as u64 * page.height() as u64 > PREPARE_MAX_PIXELS {
            continue;
        }
        if let Prepared::Page { image, .. } = tamis_ocr::prepare(page, None, cfg) {
            let _ = tamis_ocr::deskew(&image, cfg);
        }
    }
});
