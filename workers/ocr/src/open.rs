//! The in-process steps between untrusted bytes and the images tesseract reads: opening a file
//! (size limit, media-type sniffing, image decoding under the pixel and allocation limits,
//! multi-page TIFF, the PDF checks made before poppler sees it) and preparing a page (blank test,
//! resolution, 2D-Doc symbol search, light-on-dark panels, deskew).
//!
//! The stage runs exactly these functions, and the fuzz target (workers/ocr/fuzz) calls them on
//! mutated files: tesseract and poppler stay out, being slow and already contained (a deadline,
//! sandboxed subprocesses), so fuzzing covers all the code that touches the bytes in-process.

use crate::error::OcrError;
use crate::raster::RasterFile;
use crate::{pdf, preprocess, OcrConfig};
use image::GrayImage;
use std::borrow::Cow;
use std::time::Instant;
use tamis_shared::{MediaType, Symbol};

/// What opening a file gave, before any page is read.
#[derive(Debug)]
pub enum Opened<'a> {
    /// A raster file whose page headers passed the limits; its pages are decoded one at a time
    /// with [`RasterFile::decode`], so that no more of them are held than are being read.
    Images(RasterFile<'a>),
    /// A PDF that passed the in-process checks; poppler reads the rest in its subprocesses.
    Pdf {
        /// Whether an image XObject may be in it, so text-layer pages are worth a 2D-Doc search.
        may_hold_images: bool,
    },
}

/// Opens untrusted bytes: the file size limit, media-type sniffing, the raster headers (page
/// count, each page's pixels and decode bytes, the file's total pixels, all checked before any
/// pixel is decoded), and the PDF truncation and image checks. Runs neither tesseract nor poppler.
pub fn open<'a>(bytes: &'a [u8], cfg: &OcrConfig) -> Result<Opened<'a>, OcrError> {
    if bytes.is_empty() {
        return Err(OcrError::Empty);
    }
    if bytes.len() as u64 > cfg.max_file_bytes {
        return Err(OcrError::TooLarge(format!(
            "the file is {} MiB, over the limit of {} MiB",
            bytes.len() >> 20,
            cfg.max_file_bytes >> 20
        )));
    }
    // Re-sniffed here: the stage must not trust anything but the bytes it was given.
    let media = sniff(bytes);
    match media {
        MediaType::Pdf => {
            if pdf::looks_truncated(bytes) {
                return Err(OcrError::Truncated("the PDF stops before its end".into()));
            }
            Ok(Opened::Pdf { may_hold_images: pdf::may_hold_images(bytes) })
        }
        MediaType::Unsupported => Err(OcrError::Unsupported(unsupported_kind(bytes))),
        MediaType::Unknown => Err(OcrError::NotADocument),
        _ => Ok(Opened::Images(RasterFile::open(bytes, media, cfg)?)),
    }
}

/// A page image made ready for tesseract.
#[derive(Debug)]
pub enum Prepared {
    /// Nothing is printed on it: there is nothing to read.
    Blank {
        /// Size of the page image, in pixels.
        width: u32,
        height: u32,
    },
    /// The page at the resolution tesseract reads best, and the 2D-Doc symbols found on it.
    Page {
        /// The rescaled page.
        image: GrayImage,
        /// Its resolution.
        dpi: u32,
        /// Symbols found when `find_symbols` is on, boxes in `image` coordinates.
        symbols: Vec<Symbol>,
    },
}

/// Prepares a page image: the blank test, rescaling towards `target_dpi` within `max_ocr_pixels`,
/// and the symbol search. `dpi` is the page's resolution, `None` when unknown (a raster file:
/// metadata lies too often), then estimated from its size.
pub fn prepare(img: GrayImage, dpi: Option<u32>, cfg: &OcrConfig) -> Prepared {
    let dpi = dpi.unwrap_or_else(|| preprocess::estimate_dpi(img.width(), img.height()));
    if preprocess::is_uniform(&img) {
        return Prepared::Blank { width: img.width(), height: img.height() };
    }
    let target = if cfg.upscale { cfg.target_dpi } else { cfg.target_dpi.min(dpi) };
    let (mut image, dpi) = preprocess::normalise_resolution(img, dpi, target, cfg.max_ocr_pixels);
    let symbols = if cfg.find_symbols {
        let t = Instant::now();
        let found = tamis_twoddoc::find_symbols(&image);
        tracing::debug!(found = found.len(), ms = t.elapsed().as_millis() as u64, "symbol search");
        found
    } else {
        Vec::new()
    };
    // After the symbol search: a DataMatrix must keep its polarity.
    crate::panels::invert_dark_panels(&mut image);
    Prepared::Page { image, dpi, symbols }
}

/// Straightens a small skew when the configuration asks for it; returns the image to read and the
/// angle applied (0 when none was).
pub fn deskew<'a>(img: &'a GrayImage, cfg: &OcrConfig) -> (Cow<'a, GrayImage>, f32) {
    let skew = if cfg.deskew { preprocess::estimate_skew(img, cfg.max_skew_deg) } else { 0.0 };
    // Tesseract copes with a fraction of a degree; resampling below that costs more than it gains.
    if skew.abs() >= 0.3 {
        (Cow::Owned(preprocess::rotate_small(img, skew)), skew)
    } else {
        (Cow::Borrowed(img), 0.0)
    }
}

/// `MediaType::sniff` accepts `%PDF-` anywhere in the first KiB, so a stored (uncompressed) ZIP
/// holding a PDF passes for a PDF; a container magic at offset 0 must win.
fn sniff(bytes: &[u8]) -> MediaType {
    const CONTAINERS: [&[u8]; 6] =
        [b"PK\x03\x04", b"PK\x05\x06", b"\xD0\xCF\x11\xE0", b"\x1f\x8b", b"Rar!", b"7z\xBC\xAF"];
    if CONTAINERS.iter().any(|m| bytes.starts_with(m)) {
        return MediaType::Unsupported;
    }
    MediaType::sniff(bytes)
}

fn unsupported_kind(bytes: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if bytes.starts_with(b"PK") {
        "ZIP (or office)"
    } else if head.contains("<html") || head.contains("<!doctype html") {
        "HTML"
    } else if head.contains("<?xml") {
        "XML"
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        "old Microsoft Office"
    } else if head.starts_with("{\\rtf") {
        "RTF"
    } else {
        "Archive"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_by_content_not_by_name() {
        let cfg = OcrConfig::default();
        assert!(matches!(open(b"", &cfg), Err(OcrError::Empty)));
        assert!(matches!(
            open(b"PK\x03\x04%PDF-1.4 stored in a zip", &cfg),
            Err(OcrError::Unsupported("ZIP (or office)"))
        ));
        assert!(matches!(open(b"<!DOCTYPE html><html>", &cfg), Err(OcrError::Unsupported("HTML"))));
        assert!(matches!(open(b"%PDF-1.4\n1 0 obj\n<<", &cfg), Err(OcrError::Truncated(_))));
        let pdf = b"%PDF-1.4\n<< /Subtype /Image >>\nstartxref\n9\n%%EOF\n";
        assert!(matches!(open(pdf, &cfg), Ok(Opened::Pdf { may_hold_images: true })));
        let small = OcrConfig { max_file_bytes: 8, ..OcrConfig::default() };
        assert!(matches!(open(pdf, &small), Err(OcrError::TooLarge(_))));
        let mut png = Vec::new();
        let page = GrayImage::from_fn(80, 60, |x, _| image::Luma([if x % 9 == 0 { 0 } else { 255 }]));
        page.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("png");
        match open(&png, &cfg) {
            Ok(Opened::Images(file)) => {
                assert_eq!(file.pages().iter().map(|p| (p.width, p.height)).collect::<Vec<_>>(), vec![(80, 60)]);
                assert_eq!(file.decode(0, &cfg).expect("decodes").dimensions(), (80, 60));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_blank_page_is_not_prepared() {
        let cfg = OcrConfig::default();
        let blank = GrayImage::from_pixel(400, 300, image::Luma([250]));
        assert!(matches!(prepare(blank, None, &cfg), Prepared::Blank { width: 400, height: 300 }));
        // A low-resolution page with ink is scaled up towards the target resolution.
        let page = GrayImage::from_fn(400, 300, |x, y| image::Luma([if y % 20 < 3 && x % 11 != 0 { 0 } else { 255 }]));
        match prepare(page, Some(100), &cfg) {
            Prepared::Page { image, dpi, .. } => {
                assert_eq!(image.dimensions(), (1000, 750));
                assert_eq!(dpi, 250);
            }
            other => panic!("{other:?}"),
        }
    }
}
