//! Decodes raster inputs (JPEG, PNG, multi-page TIFF, WebP, BMP, GIF) to 8-bit grayscale pages,
//! checking dimensions from the header before any pixel is decoded (decompression bombs).

use crate::error::OcrError;
use crate::OcrConfig;
use image::{GrayImage, ImageReader, Limits};
use std::io::Cursor;
use tamis_shared::MediaType;

/// Checks one page's dimensions against the configured limits.
pub fn check_dimensions(w: u32, h: u32, cfg: &OcrConfig) -> Result<(), OcrError> {
    let px = w as u64 * h as u64;
    if px > cfg.max_pixels {
        return Err(OcrError::TooLarge(format!(
            "the image is {w}x{h} pixels, over the limit of {} megapixels",
            cfg.max_pixels / 1_000_000
        )));
    }
    if w.min(h) < cfg.min_side {
        return Err(OcrError::TooSmall(format!(
            "the image is {w}x{h} pixels, too small to hold a document (minimum {} a side)",
            cfg.min_side
        )));
    }
    Ok(())
}

fn limits(cfg: &OcrConfig) -> Limits {
    let mut l = Limits::default();
    // Room for an RGBA decode of the largest allowed image plus the decoder's own buffers.
    l.max_alloc = Some(cfg.max_pixels.saturating_mul(4).saturating_add(64 << 20));
    l
}

/// Decodes every page of a raster file to grayscale.
pub fn decode(bytes: &[u8], media: MediaType, cfg: &OcrConfig) -> Result<Vec<GrayImage>, OcrError> {
    match media {
        MediaType::Tiff => decode_tiff(bytes, cfg),
        MediaType::Jpeg | MediaType::Png | MediaType::Webp | MediaType::Bmp | MediaType::Gif => {
            decode_single(bytes, media, cfg).map(|g| vec![g])
        }
        _ => Err(OcrError::NotADocument),
    }
}

fn ends_cleanly(bytes: &[u8], media: MediaType) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    match media {
        // Writers may pad after EOI; a JPEG whose last 64 bytes hold no EOI marker was cut.
        MediaType::Jpeg => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        MediaType::Png => tail.windows(4).any(|w| w == b"IEND"),
        _ => true,
    }
}

fn decode_single(bytes: &[u8], media: MediaType, cfg: &OcrConfig) -> Result<GrayImage, OcrError> {
    let reader = || {
        let mut r = ImageReader::new(Cursor::new(bytes));
        r.set_format(match media {
            MediaType::Jpeg => image::ImageFormat::Jpeg,
            MediaType::Png => image::ImageFormat::Png,
            MediaType::Webp => image::ImageFormat::WebP,
            MediaType::Bmp => image::ImageFormat::Bmp,
            _ => image::ImageFormat::Gif,
        });
        r.limits(limits(cfg));
        r
    };
    let cut = !ends_cleanly(bytes, media);
    let (w, h) = reader().into_dimensions().map_err(|_| {
        if cut {
            OcrError::Truncated("the image stops before its end".into())
        } else {
            OcrError::Corrupt("the image header is unreadable".into())
        }
    })?;
    check_dimensions(w, h, cfg)?;
    if cut && media != MediaType::Jpeg {
        return Err(OcrError::Truncated("the image stops before its end".into()));
    }
    let img = reader().decode().map_err(|e| match e {
        image::ImageError::Limits(_) => OcrError::TooLarge("the image needs too much memory to decode".into()),
        _ if cut => OcrError::Truncated("the image stops before its end".into()),
        _ => OcrError::Corrupt("the image data is damaged".into()),
    })?;
    let gray = img.to_luma8();
    // Decoders fill a cut JPEG with flat grey and call it success, yet many real JPEGs merely
    // lack their end marker with every scan line present: only a flat tail means data is missing.
    if cut && flat_tail(&gray) {
        return Err(OcrError::Truncated("the image stops before its end".into()));
    }
    Ok(gray)
}

/// True when the bottom rows (a tenth of the image, at least 8) hold one single grey level.
fn flat_tail(img: &GrayImage) -> bool {
    let (w, h) = img.dimensions();
    let rows = (h / 10).max(8).min(h);
    let mut values = (h - rows..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| img.get_pixel(x, y)[0]);
    match values.next() {
        Some(first) => values.all(|v| v == first),
        None => true,
    }
}

fn decode_tiff(bytes: &[u8], cfg: &OcrConfig) -> Result<Vec<GrayImage>, OcrError> {
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::tags::Tag;
    use tiff::ColorType;
    let corrupt = |_| OcrError::Corrupt("the TIFF is damaged".into());
    let mut limits = tiff::decoder::Limits::default();
    limits.decoding_buffer_size = cfg.max_pixels.saturating_mul(4).min(usize::MAX as u64) as usize;
    let open = || Decoder::new(Cursor::new(bytes)).map_err(corrupt).map(|d| d.with_limits(limits.clone()));
    // Pages are counted from their directories before any is decoded: decoding first would let a
    // file over the page limit hold max_pages pages of max_pixels each in memory (gigabytes from a
    // few compressed megabytes) before being refused.
    let mut dec = open()?;
    let mut count = 1u32;
    while dec.more_images() && dec.next_image().is_ok() {
        count += 1;
        if count > 10_000 {
            break;
        }
    }
    if count > cfg.max_pages {
        return Err(OcrError::TooManyPages { pages: count, limit: cfg.max_pages });
    }
    let mut dec = open()?;
    let mut pages = Vec::new();
    loop {
        let (w, h) = dec.dimensions().map_err(corrupt)?;
        check_dimensions(w, h, cfg)?;
        let color = dec.colortype().map_err(corrupt)?;
        let white_is_zero = dec.get_tag_u32(Tag::PhotometricInterpretation).map(|p| p == 0).unwrap_or(false);
        let data = dec.read_image().map_err(|e| {
            let msg = e.to_string().to_ascii_lowercase();
            if msg.contains("eof") || msg.contains("end of file") {
                OcrError::Truncated("the TIFF stops before its end".into())
            } else {
                OcrError::Corrupt("the TIFF is damaged".into())
            }
        })?;
        let (w_us, h_us) = (w as usize, h as usize);
        let mut gray: Vec<u8> = match (color, data) {
            (ColorType::Gray(1), DecodingResult::U8(d)) => {
                let stride = w_us.div_ceil(8);
                let mut g = Vec::with_capacity(w_us * h_us);
                for y in 0..h_us {
                    for x in 0..w_us {
                        let byte = d.get(y * stride + x / 8).copied().unwrap_or(0);
                        let bit = (byte >> (7 - (x % 8))) & 1;
                        g.push(if bit == 1 { 255 } else { 0 });
                    }
                }
                g
            }
            (ColorType::Gray(8), DecodingResult::U8(d)) => d,
            (ColorType::Gray(16), DecodingResult::U16(d)) => d.iter().map(|v| (v >> 8) as u8).collect(),
            (ColorType::RGB(8), DecodingResult::U8(d)) => d.chunks_exact(3).map(luma).collect(),
            (ColorType::RGBA(8), DecodingResult::U8(d)) => d.chunks_exact(4).map(luma).collect(),
            (ColorType::GrayA(8), DecodingResult::U8(d)) => d.chunks_exact(2).map(|p| p[0]).collect(),
            (ColorType::CMYK(8), DecodingResult::U8(d)) => d
                .chunks_exact(4)
                .map(|p| {
                    let k = 255 - p[3] as u32;
                    let rgb = [p[0], p[1], p[2]].map(|c| ((255 - c as u32) * k / 255) as u8);
                    luma(&rgb)
                })
                .collect(),
            _ => return Err(OcrError::Corrupt("this TIFF colour layout is not supported".into())),
        };
        if gray.len() < w_us * h_us {
            return Err(OcrError::Corrupt("the TIFF holds fewer pixels than it declares".into()));
        }
        gray.truncate(w_us * h_us);
        if white_is_zero && matches!(color, ColorType::Gray(_)) {
            gray.iter_mut().for_each(|v| *v = 255 - *v);
        }
        let img = GrayImage::from_raw(w, h, gray).ok_or_else(|| OcrError::Corrupt("the TIFF is damaged".into()))?;
        pages.push(img);
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(corrupt)?;
    }
    Ok(pages)
}

fn luma(p: &[u8]) -> u8 {
    ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8
}

/// Decodes the binary PGM (P5, 8-bit) that `pdftoppm -gray` writes.
pub fn decode_pgm(bytes: &[u8]) -> Option<GrayImage> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 && i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..i]).ok()?.to_string());
    }
    if fields.len() < 4 || fields[0] != "P5" || fields[3] != "255" {
        return None;
    }
    let w: u32 = fields[1].parse().ok()?;
    let h: u32 = fields[2].parse().ok()?;
    let data = bytes.get(i + 1..)?;
    let n = (w as usize).checked_mul(h as usize)?;
    GrayImage::from_raw(w, h, data.get(..n)?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pgm() {
        let mut b = b"P5\n# c\n3 2\n255\n".to_vec();
        b.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        let g = decode_pgm(&b).unwrap();
        assert_eq!(g.dimensions(), (3, 2));
        assert_eq!(g.get_pixel(2, 1).0[0], 6);
        assert!(decode_pgm(b"P5\n3 2\n255\n\x01").is_none());
    }

    fn tiff_pages(n: usize, side: u32) -> Vec<u8> {
        let mut file = Cursor::new(Vec::new());
        let page = GrayImage::from_fn(side, side, |x, _| image::Luma([if x % 7 == 0 { 0 } else { 255 }]));
        {
            let mut enc = tiff::encoder::TiffEncoder::new(&mut file).expect("tiff encoder");
            for _ in 0..n {
                enc.write_image::<tiff::encoder::colortype::Gray8>(side, side, page.as_raw()).expect("tiff page");
            }
        }
        file.into_inner()
    }

    #[test]
    fn refuses_a_tiff_over_the_page_limit_before_decoding_a_page() {
        // Every page is over the pixel limit too: only a count made before the first page is
        // looked at reports the page count.
        let cfg = OcrConfig { max_pages: 3, max_pixels: 1_000, ..OcrConfig::default() };
        let bytes = tiff_pages(4, 60);
        let r = decode(&bytes, MediaType::Tiff, &cfg);
        assert!(matches!(r, Err(OcrError::TooManyPages { pages: 4, limit: 3 })), "{r:?}");
        let r = decode(&bytes, MediaType::Tiff, &OcrConfig { max_pages: 4, ..cfg });
        assert!(matches!(r, Err(OcrError::TooLarge(_))), "{r:?}");
        let pages = decode(&bytes, MediaType::Tiff, &OcrConfig::default()).expect("four pages");
        assert_eq!(pages.len(), 4);
        assert_eq!(pages[3].dimensions(), (60, 60));
    }

    #[test]
    fn limits_dimensions() {
        let cfg = OcrConfig::default();
        assert!(matches!(check_dimensions(60000, 60000, &cfg), Err(OcrError::TooLarge(_))));
        assert!(matches!(check_dimensions(1, 1, &cfg), Err(OcrError::TooSmall(_))));
        assert!(check_dimensions(2480, 3508, &cfg).is_ok());
    }
}
