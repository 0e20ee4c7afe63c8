//! Finding DataMatrix symbols in a page image.

use image::GrayImage;
use rxing::common::HybridBinarizer;
use rxing::datamatrix::DataMatrixReader;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource, Reader};
use tamis_shared::{BBox, Symbol};

/// One detector run; returns the text and the symbol's box in `img` pixels.
fn decode(img: &GrayImage) -> Option<(String, BBox)> {
    let (w, h) = img.dimensions();
    let source = Luma8LuminanceSource::new(img.as_raw().clone(), w, h).ok()?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    // The quick mode scans too few lines to meet a small symbol on a full page.
    let hints = DecodeHints { TryHarder: Some(true), ..DecodeHints::default() };
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

/// Half-size copy by 2x2 averaging: image's filtered resize costs seconds on a 300 DPI page,
/// and a plain box average is all the detector needs (it also evens out JPEG noise).
fn half(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    let src = img.as_raw();
    let stride = img.width() as usize;
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h as usize {
        let r0 = &src[2 * y * stride..];
        let r1 = &src[(2 * y + 1) * stride..];
        for x in 0..w as usize {
            let s = u16::from(r0[2 * x]) + u16::from(r0[2 * x + 1]) + u16::from(r1[2 * x]) + u16::from(r1[2 * x + 1]);
            out.push(((s + 2) / 4) as u8);
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_default()
}

/// Finds and decodes the DataMatrix symbols of a page image (at most one per page for now).
pub fn find_symbols(img: &GrayImage) -> Vec<Symbol> {
    let (w, h) = img.dimensions();
    if w < 20 || h < 20 {
        return Vec::new();
    }
    let mk = |(text, bbox): (String, BBox)| vec![Symbol { kind: "datamatrix".into(), text, bbox: Some(bbox) }];
    // Half size first: a quarter of the area,
    // and 2D-Doc modules (0.4-0.5 mm, 5-6 px at 300 DPI) stay 2-3 px wide. Full size is for
    // low-resolution scans and photos where halving would merge modules.
    if w >= 400 && h >= 400 {
        if let Some((t, b)) = decode(&half(img)) {
            return mk((t, scaled(b, 2)));
        }
    }
    if let Some(found) = decode(img) {
        return mk(found);
    }
    Vec::new()
}
