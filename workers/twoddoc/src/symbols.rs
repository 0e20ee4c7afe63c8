//! Finding DataMatrix symbols in a page image.

use image::imageops::FilterType;
use image::GrayImage;
use rxing::common::HybridBinarizer;
use rxing::datamatrix::DataMatrixReader;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource, Reader};
use tamis_shared::{BBox, Symbol};

/// Above this many pixels a page is also tried at half size: phone photos can be 12 MP and the
/// detector's cost grows with area, while a 2D-Doc module stays several pixels wide at half size.
const LARGE: u64 = 6_000_000;

fn decode(img: &GrayImage, try_harder: bool) -> Option<(String, BBox)> {
    let (w, h) = img.dimensions();
    let source = Luma8LuminanceSource::new(img.as_raw().clone(), w, h).ok()?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let mut hints = DecodeHints::default();
    hints.TryHarder = Some(try_harder);
    let result = DataMatrixReader.decode_with_hints(&mut bitmap, &hints).ok()?;
    let pts = result.getPoints();
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in pts {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    let bbox = if pts.is_empty() {
        BBox::default()
    } else {
        let c = |v: f32| v.max(0.0).round() as u32;
        BBox { x: c(x0), y: c(y0), w: c(x1 - x0), h: c(y1 - y0) }
    };
    Some((result.getText().to_string(), bbox))
}

fn scaled(b: BBox, f: u32) -> BBox {
    BBox { x: b.x * f, y: b.y * f, w: b.w * f, h: b.h * f }
}

/// Finds and decodes the DataMatrix symbols of a page image (at most one per page for now).
pub fn find_symbols(img: &GrayImage) -> Vec<Symbol> {
    let (w, h) = img.dimensions();
    if w < 20 || h < 20 {
        return Vec::new();
    }
    let mk = |(text, bbox): (String, BBox)| vec![Symbol { kind: "datamatrix".into(), text, bbox: Some(bbox) }];
    // Cheapest first: the plain scan finds a clean symbol; the half-size pass smooths JPEG noise
    // and halves the area; "try harder" (extra detectors) is the last resort.
    if let Some(found) = decode(img, false) {
        return mk(found);
    }
    let half = image::imageops::resize(img, w / 2, h / 2, FilterType::Triangle);
    if let Some((t, b)) = decode(&half, false) {
        return mk((t, scaled(b, 2)));
    }
    if u64::from(w) * u64::from(h) <= LARGE {
        if let Some(found) = decode(img, true) {
            return mk(found);
        }
    } else if let Some((t, b)) = decode(&half, true) {
        return mk((t, scaled(b, 2)));
    }
    Vec::new()
}
