//! Page images for reviewers, rendered on the server so the browser never gets the original file:
//! poppler's `pdftoppm` for PDFs, the image crate for pictures, turned as OCR turned them so the
//! field boxes (in OCR's upright pixels) fall on the right place.

use image::{DynamicImage, ImageFormat};
use std::io::Cursor;
use std::process::Command;
use tamis_shared::MediaType;

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

/// PNG bytes of page `page` (1-based) of a file, turned clockwise by `rotation` degrees.
pub fn page_png(bytes: &[u8], media: MediaType, page: u32, rotation: u16) -> Result<Vec<u8>, RenderError> {
    let fail = |message: String| RenderError::Failed { page, message };
    let img = match media {
        MediaType::Pdf => pdf_page(bytes, page).map_err(fail)?,
        _ if page == 1 => image::load_from_memory(bytes).map_err(|e| fail(e.to_string()))?,
        _ => return Err(fail("an image file has one page".into())),
    };
    let img = match rotation {
        90 => img.rotate90(),
        180 => img.rotate180(),
        270 => img.rotate270(),
        _ => img,
    };
    let img = if img.width() > MAX_WIDTH {
        img.resize(MAX_WIDTH, u32::MAX, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img.to_rgb8()).write_to(&mut out, ImageFormat::Png).map_err(|e| fail(e.to_string()))?;
    Ok(out.into_inner())
}

fn pdf_page(bytes: &[u8], page: u32) -> Result<DynamicImage, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| e.to_string())?;
    let out = dir.path().join("page");
    let n = page.to_string();
    let status = Command::new("pdftoppm")
        .args(["-f", &n, "-l", &n, "-r", PDF_DPI, "-png", "-singlefile"])
        .arg(&input)
        .arg(&out)
        .output()
        .map_err(|e| format!("pdftoppm could not run ({e}); install poppler-utils"))?;
    if !status.status.success() {
        return Err("pdftoppm failed on this page".into());
    }
    image::open(dir.path().join("page.png")).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_turned_and_pdfs_rendered() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(40, 20));
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        let out = page_png(png.get_ref(), MediaType::Png, 1, 90).unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (20, 40));
        assert!(page_png(png.get_ref(), MediaType::Png, 2, 0).is_err());
        let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/doc-0001.pdf")).unwrap();
        let out = image::load_from_memory(&page_png(&pdf, MediaType::Pdf, 1, 0).unwrap()).unwrap();
        assert!(out.height() > out.width(), "an A4 page is portrait");
    }
}
