//! Page images for reviewers, rendered on the server so the browser never gets the original file:
//! poppler's `pdftoppm` for PDFs, the image crate for pictures, turned as OCR turned them so the
//! field boxes (in OCR's upright pixels) fall on the right place.
//!
//! Failure this guards against: the files a reviewer opens are the files OCR read, hostile ones
//! included. Decoded with the image crate's default limits, a 285 KB 10000x10000 PNG took the
//! console to 566 MB (its resize holds a float copy of the image), and `pdftoppm` ran without
//! time or memory limits (issue #21).
//! Fix: the same limits as OCR (`limits.*`, through [`OcrConfig::with_limits`]): a picture's
//! header is checked with OCR's own code ([`RasterFile::open`]: pixels, decode bytes) before any
//! pixel is decoded, it is shrunk with an integer box filter that holds only the output, then
//! turned, one page image at a time; `pdftoppm` runs in OCR's sandbox (`tamis_ocr::subprocess`:
//! wall-clock timeout, RLIMIT_AS and RLIMIT_CPU) and its output is checked like any picture.
//! Evidence: `tests/memory.rs` (`console_page_image_of_a_huge_png_is_bounded`) measures it.

use image::{DynamicImage, ImageFormat, ImageReader};
use std::io::Cursor;
use std::process::Command;
use std::sync::Mutex;
use tamis_ocr::{OcrConfig, RasterFile};
use tamis_shared::MediaType;

/// One page image is decoded at a time, whoever asks: the console's memory for page images is then
/// one page's decoding (`limits.max_page_bytes` at most), not that times the reviewers clicking at
/// once. A page renders in milliseconds; a hostile one in about a second.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Widest page image sent to a browser, pixels.
const MAX_WIDTH: u32 = 1400;
/// PDF rendering resolution: enough to read, small enough to send.
const PDF_DPI: &str = "110";

/// A page that cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot render page {page}: {message}")]
    Failed { page: u32, message: String },
}

/// PNG bytes of page `page` (1-based) of a file, turned clockwise by `rotation` degrees, within
/// the file limits of `limits` (OCR's).
pub fn page_png(
    bytes: &[u8],
    media: MediaType,
    page: u32,
    rotation: u16,
    limits: &OcrConfig,
) -> Result<Vec<u8>, RenderError> {
    let fail = |message: String| RenderError::Failed { page, message };
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let turned = matches!(rotation, 90 | 270);
    let img = match media {
        MediaType::Pdf => pdf_page(bytes, page, turned, limits).map_err(fail)?,
        _ if page == 1 => picture(bytes, media, turned, limits).map_err(fail)?,
        _ => return Err(fail("an image file has one page".into())),
    };
    // Turned after shrinking: a quarter turn copies the whole image.
    let img = match rotation {
        90 => img.rotate90(),
        180 => img.rotate180(),
        270 => img.rotate270(),
        _ => img,
    };
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img.to_rgb8()).write_to(&mut out, ImageFormat::Png).map_err(|e| fail(e.to_string()))?;
    Ok(out.into_inner())
}

/// Decodes a picture after OCR's header checks, shrunk so that once turned it is at most
/// `MAX_WIDTH` wide.
fn picture(bytes: &[u8], media: MediaType, turned: bool, limits: &OcrConfig) -> Result<DynamicImage, String> {
    // The same checks, in the same code, as OCR's: pixels and decode bytes from the header.
    RasterFile::open(bytes, media, limits).map_err(|e| e.to_string())?;
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    reader.limits(tamis_ocr::decode_limits(limits));
    let img = reader.decode().map_err(|e| e.to_string())?;
    // `thumbnail` averages boxes of pixels into the output only; `resize` would hold a 16-byte
    // float pixel per source column and output row (224 MB for a 10000-pixel-wide page).
    let (wide, other) = if turned { (img.height(), img.width()) } else { (img.width(), img.height()) };
    if wide <= MAX_WIDTH {
        return Ok(img);
    }
    let other = ((other as u64 * MAX_WIDTH as u64).div_ceil(wide as u64) as u32).max(1);
    Ok(if turned { img.thumbnail_exact(other, MAX_WIDTH) } else { img.thumbnail_exact(MAX_WIDTH, other) })
}

/// Renders one PDF page with `pdftoppm` in OCR's sandbox, then reads it as a picture.
fn pdf_page(bytes: &[u8], page: u32, turned: bool, limits: &OcrConfig) -> Result<DynamicImage, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| e.to_string())?;
    let out = dir.path().join("page");
    let n = page.to_string();
    let mut cmd = Command::new(&limits.pdftoppm);
    cmd.args(["-f", &n, "-l", &n, "-r", PDF_DPI, "-png", "-singlefile"]).arg(&input).arg(&out);
    let run = tamis_ocr::subprocess::run(cmd, limits.helper_budget(64 << 10))
        .map_err(|e| format!("{e} (is poppler-utils installed?)"))?;
    if !run.success {
        return Err("pdftoppm failed on this page".into());
    }
    let png = std::fs::read(dir.path().join("page.png")).map_err(|e| e.to_string())?;
    picture(&png, MediaType::Png, turned, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_turned_and_pdfs_rendered() {
        let limits = OcrConfig::default();
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(80, 60));
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        let out = page_png(png.get_ref(), MediaType::Png, 1, 90, &limits).unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (60, 80));
        assert!(page_png(png.get_ref(), MediaType::Png, 2, 0, &limits).is_err());
        let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/doc-0001.pdf")).unwrap();
        let out = image::load_from_memory(&page_png(&pdf, MediaType::Pdf, 1, 0, &limits).unwrap()).unwrap();
        assert!(out.height() > out.width(), "an A4 page is portrait");
    }

    #[test]
    fn large_pictures_are_shrunk_before_they_are_turned_and_huge_ones_refused() {
        let img =
            DynamicImage::ImageLuma8(image::GrayImage::from_fn(3000, 2000, |x, _| image::Luma([(x % 256) as u8])));
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        let limits = OcrConfig::default();
        let dims = |rotation| {
            let out = page_png(png.get_ref(), MediaType::Png, 1, rotation, &limits).unwrap();
            let back = image::load_from_memory(&out).unwrap();
            (back.width(), back.height())
        };
        assert_eq!(dims(0), (1400, 934));
        assert_eq!(dims(90), (1400, 2100));
        // OCR's limits, checked from the header: refused before a pixel is decoded.
        let small = OcrConfig { max_pixels: 5_000_000, ..OcrConfig::default() };
        let err = page_png(png.get_ref(), MediaType::Png, 1, 0, &small).unwrap_err().to_string();
        assert!(err.contains("over the limit"), "{err}");
    }
}
