//! Decodes raster inputs (JPEG, PNG, multi-page TIFF, WebP, BMP, GIF) to 8-bit grayscale pages.
//!
//! Failure this guards against: a few hundred kilobytes of compressed pixels (30 TIFF pages of
//! 10000x10000 1-bit, or a 10000x10000 PNG) decode to gigabytes. Decoding every page before any
//! was used took a 368 KB TIFF to 2.9 GB of resident memory (issue #21).
//! Fix: every page's header is read first (dimensions and colour layout, no pixel decoded) and
//! the file is refused `too_large` when one page is over `max_pixels` or `max_page_bytes`, or
//! when its pages together are over `max_file_pixels`; then pages are decoded one at a time, on
//! demand ([`RasterFile::decode`]), so memory follows from how many pages are held at once (the
//! stage holds one per engine), not from the file.
//! Evidence: `tests/memory.rs` measures the release binary's peak RSS on those files.

use crate::error::OcrError;
use crate::OcrConfig;
use image::{GrayImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;
use tamis_shared::MediaType;

/// One page as its header describes it: what decoding it will cost, known before decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageHeader {
    pub width: u32,
    pub height: u32,
    /// Bytes held at the peak of decoding it: the decoder's output in the file's colour layout,
    /// plus the grey copy when that layout is not already 8-bit grey.
    pub decode_bytes: u64,
}

impl PageHeader {
    pub fn pixels(&self) -> u64 {
        self.width as u64 * self.height as u64
    }
}

/// A raster file whose every page passed the header checks; pages are decoded on demand.
#[derive(Debug)]
pub struct RasterFile<'a> {
    bytes: &'a [u8],
    media: MediaType,
    pages: Vec<PageHeader>,
}

impl<'a> RasterFile<'a> {
    /// Reads every page's header and checks the page count, each page's pixels, size and decode
    /// bytes, and the file's total pixels. Decodes no pixel.
    pub fn open(bytes: &'a [u8], media: MediaType, cfg: &OcrConfig) -> Result<RasterFile<'a>, OcrError> {
        let pages = match media {
            MediaType::Tiff => tiff_headers(bytes, cfg)?,
            MediaType::Jpeg | MediaType::Png | MediaType::Webp | MediaType::Bmp | MediaType::Gif => {
                vec![single_header(bytes, media, cfg)?]
            }
            _ => return Err(OcrError::NotADocument),
        };
        check_file(&pages, cfg)?;
        Ok(RasterFile { bytes, media, pages })
    }

    /// The pages' headers, in order.
    pub fn pages(&self) -> &[PageHeader] {
        &self.pages
    }

    /// Decodes page `index` (0-based) to grayscale.
    pub fn decode(&self, index: usize, cfg: &OcrConfig) -> Result<GrayImage, OcrError> {
        match self.media {
            MediaType::Tiff => decode_tiff_page(self.bytes, index, cfg),
            media if index == 0 => decode_single(self.bytes, media, cfg),
            _ => Err(OcrError::Corrupt("the image has a single page".into())),
        }
    }
}

/// Checks one page's header against the configured limits.
pub fn check_page(page: &PageHeader, cfg: &OcrConfig) -> Result<(), OcrError> {
    let (w, h) = (page.width, page.height);
    if page.pixels() > cfg.max_pixels {
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
    if page.decode_bytes > cfg.max_page_bytes {
        return Err(OcrError::TooLarge(format!(
            "the image is {w}x{h} pixels in a colour layout needing {} MiB to decode, over the limit of {} MiB",
            page.decode_bytes >> 20,
            cfg.max_page_bytes >> 20
        )));
    }
    Ok(())
}

/// Checks the pages together: each page, then the sum of their pixels.
fn check_file(pages: &[PageHeader], cfg: &OcrConfig) -> Result<(), OcrError> {
    if pages.len() as u64 > cfg.max_pages as u64 {
        return Err(OcrError::TooManyPages { pages: pages.len() as u32, limit: cfg.max_pages });
    }
    for p in pages {
        check_page(p, cfg)?;
    }
    check_file_pixels(pages.len(), pages.iter().map(PageHeader::pixels).sum(), cfg)
}

/// The whole-file budget, for raster files and PDFs alike: the `pages` to read may hold `total`
/// decoded pixels together, at most `max_file_pixels`.
pub fn check_file_pixels(pages: usize, total: u64, cfg: &OcrConfig) -> Result<(), OcrError> {
    if total > cfg.max_file_pixels {
        return Err(OcrError::TooLarge(format!(
            "the {} pages to read hold {} megapixels together, over the limit of {} megapixels",
            pages,
            total / 1_000_000,
            cfg.max_file_pixels / 1_000_000
        )));
    }
    Ok(())
}

/// The image crate's own allocation limit, a backstop behind the header checks.
pub fn limits(cfg: &OcrConfig) -> Limits {
    let mut l = Limits::default();
    // The checked decode buffer plus room for the decoder's own buffers.
    l.max_alloc = Some(cfg.max_page_bytes.saturating_add(64 << 20));
    l
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

fn reader<'b>(bytes: &'b [u8], media: MediaType, cfg: &OcrConfig) -> ImageReader<Cursor<&'b [u8]>> {
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
}

/// The header of a single-image file; a cut file is told apart from a damaged one here.
fn single_header(bytes: &[u8], media: MediaType, cfg: &OcrConfig) -> Result<PageHeader, OcrError> {
    let cut = !ends_cleanly(bytes, media);
    let unreadable = || {
        if cut {
            OcrError::Truncated("the image stops before its end".into())
        } else {
            OcrError::Corrupt("the image header is unreadable".into())
        }
    };
    let decoder = reader(bytes, media, cfg).into_decoder().map_err(|_| unreadable())?;
    let (width, height) = decoder.dimensions();
    let grey_copy = if decoder.color_type() == image::ColorType::L8 { 0 } else { width as u64 * height as u64 };
    let page = PageHeader { width, height, decode_bytes: decoder.total_bytes().saturating_add(grey_copy) };
    check_page(&page, cfg)?;
    if cut && media != MediaType::Jpeg {
        return Err(OcrError::Truncated("the image stops before its end".into()));
    }
    Ok(page)
}

fn decode_single(bytes: &[u8], media: MediaType, cfg: &OcrConfig) -> Result<GrayImage, OcrError> {
    let cut = !ends_cleanly(bytes, media);
    let img = reader(bytes, media, cfg).decode().map_err(|e| match e {
        image::ImageError::Limits(_) => OcrError::TooLarge("the image needs too much memory to decode".into()),
        _ if cut => OcrError::Truncated("the image stops before its end".into()),
        _ => OcrError::Corrupt("the image data is damaged".into()),
    })?;
    // Moved, not copied, when the decoder already gave 8-bit grey (a 100 Mpx page is 100 MB).
    let gray = img.into_luma8();
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

type TiffDecoder<'b> = tiff::decoder::Decoder<Cursor<&'b [u8]>>;

fn tiff_corrupt<E>(_: E) -> OcrError {
    OcrError::Corrupt("the TIFF is damaged".into())
}

fn open_tiff<'b>(bytes: &'b [u8], cfg: &OcrConfig) -> Result<TiffDecoder<'b>, OcrError> {
    let mut limits = tiff::decoder::Limits::default();
    limits.decoding_buffer_size = cfg.max_page_bytes.min(usize::MAX as u64) as usize;
    tiff::decoder::Decoder::new(Cursor::new(bytes)).map_err(tiff_corrupt).map(|d| d.with_limits(limits))
}

/// What decoding a TIFF page holds: the decoder's samples, plus the grey copy unless the samples
/// are already 8-bit grey (that buffer becomes the page).
fn tiff_decode_bytes(w: u32, h: u32, color: tiff::ColorType) -> u64 {
    let bits = color.bit_depth() as u64 * color.num_samples() as u64;
    let samples = (w as u64 * bits).div_ceil(8) * h as u64;
    let grey = if color == tiff::ColorType::Gray(8) { 0 } else { w as u64 * h as u64 };
    samples.saturating_add(grey)
}

/// Every page's header, walking the directory chain without decoding a strip.
fn tiff_headers(bytes: &[u8], cfg: &OcrConfig) -> Result<Vec<PageHeader>, OcrError> {
    // Pages are counted first, from their directories: a file over the page limit is reported as
    // such whatever its pages hold. The walk stops at 10 000 directories (a loop or a bomb).
    let mut dec = open_tiff(bytes, cfg)?;
    let mut pages = Vec::new();
    let mut broken = false;
    loop {
        let (width, height) = dec.dimensions().map_err(tiff_corrupt)?;
        let color = dec.colortype().map_err(tiff_corrupt)?;
        pages.push(PageHeader { width, height, decode_bytes: tiff_decode_bytes(width, height, color) });
        if !dec.more_images() || pages.len() > 10_000 {
            break;
        }
        if dec.next_image().is_err() {
            broken = true;
            break;
        }
    }
    check_file(&pages, cfg)?;
    if broken {
        return Err(OcrError::Corrupt("the TIFF is damaged".into()));
    }
    Ok(pages)
}

fn decode_tiff_page(bytes: &[u8], index: usize, cfg: &OcrConfig) -> Result<GrayImage, OcrError> {
    use tiff::decoder::DecodingResult;
    use tiff::tags::Tag;
    use tiff::ColorType;
    let mut dec = open_tiff(bytes, cfg)?;
    if index > 0 {
        dec.seek_to_image(index).map_err(tiff_corrupt)?;
    }
    let (w, h) = dec.dimensions().map_err(tiff_corrupt)?;
    let color = dec.colortype().map_err(tiff_corrupt)?;
    // Checked again on the directory actually decoded: the bytes are the same, but this keeps
    // the limit next to the allocation it guards.
    check_page(&PageHeader { width: w, height: h, decode_bytes: tiff_decode_bytes(w, h, color) }, cfg)?;
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
    GrayImage::from_raw(w, h, gray).ok_or_else(|| OcrError::Corrupt("the TIFF is damaged".into()))
}

fn luma(p: &[u8]) -> u8 {
    ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8
}

/// Decodes the binary PGM (P5, 8-bit) that `pdftoppm -gray` writes.
pub fn decode_pgm(bytes: &[u8]) -> Option<GrayImage> {
    let (w, h, start) = pgm_header(bytes)?;
    let n = (w as usize).checked_mul(h as usize)?;
    GrayImage::from_raw(w, h, bytes.get(start..)?.get(..n)?.to_vec())
}

/// Like [`decode_pgm`], reusing the file's buffer for the pixels: a rendered page is held once,
/// not twice.
pub fn decode_pgm_owned(mut bytes: Vec<u8>) -> Option<GrayImage> {
    let (w, h, start) = pgm_header(&bytes)?;
    let n = (w as usize).checked_mul(h as usize)?;
    if bytes.len().saturating_sub(start) < n {
        return None;
    }
    bytes.drain(..start);
    bytes.truncate(n);
    GrayImage::from_raw(w, h, bytes)
}

/// Width, height and the offset of the first pixel of a P5 PGM.
pub fn pgm_header(bytes: &[u8]) -> Option<(u32, u32, usize)> {
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
    // One whitespace byte ends the header.
    let start = i.checked_add(1)?;
    (start <= bytes.len()).then_some((w, h, start))
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
        assert_eq!(decode_pgm_owned(b.clone()), Some(g));
        assert!(decode_pgm_owned(b"P5\n3 2\n255\n\x01".to_vec()).is_none());
    }

    fn decode_all(bytes: &[u8], media: MediaType, cfg: &OcrConfig) -> Result<Vec<GrayImage>, OcrError> {
        let file = RasterFile::open(bytes, media, cfg)?;
        (0..file.pages().len()).map(|i| file.decode(i, cfg)).collect()
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
        let r = RasterFile::open(&bytes, MediaType::Tiff, &cfg);
        assert!(matches!(r, Err(OcrError::TooManyPages { pages: 4, limit: 3 })), "{r:?}");
        let r = RasterFile::open(&bytes, MediaType::Tiff, &OcrConfig { max_pages: 4, ..cfg });
        assert!(matches!(r, Err(OcrError::TooLarge(_))), "{r:?}");
        let pages = decode_all(&bytes, MediaType::Tiff, &OcrConfig::default()).expect("four pages");
        assert_eq!(pages.len(), 4);
        assert_eq!(pages[3].dimensions(), (60, 60));
    }

    #[test]
    fn refuses_a_file_over_its_pixel_budget_before_decoding_a_page() {
        // Each page fits the page limits; together they do not.
        let cfg = OcrConfig { max_pixels: 4_000, max_file_pixels: 10_000, ..OcrConfig::default() };
        let bytes = tiff_pages(3, 60);
        let r = RasterFile::open(&bytes, MediaType::Tiff, &cfg);
        assert!(matches!(&r, Err(OcrError::TooLarge(m)) if m.contains("together")), "{r:?}");
        let file = RasterFile::open(&bytes, MediaType::Tiff, &OcrConfig { max_file_pixels: 10_800, ..cfg.clone() })
            .expect("within budget");
        assert_eq!(file.pages(), &[PageHeader { width: 60, height: 60, decode_bytes: 3600 }; 3]);
        assert_eq!(file.decode(2, &cfg).expect("third page").dimensions(), (60, 60));
    }

    #[test]
    fn counts_the_bytes_a_decode_holds_from_the_header() {
        // An RGB PNG: three bytes a pixel from the decoder, then the grey copy.
        let rgb = image::RgbImage::from_fn(100, 80, |x, _| image::Rgb([(x % 255) as u8, 10, 200]));
        let mut png = Vec::new();
        rgb.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).expect("png");
        let file = RasterFile::open(&png, MediaType::Png, &OcrConfig::default()).expect("opens");
        assert_eq!(file.pages()[0].decode_bytes, 100 * 80 * 4);
        let r = RasterFile::open(
            &png,
            MediaType::Png,
            &OcrConfig { max_page_bytes: 100 * 80 * 4 - 1, ..Default::default() },
        );
        assert!(matches!(&r, Err(OcrError::TooLarge(m)) if m.contains("MiB")), "{r:?}");
        // A 1-bit TIFF page: its packed bits, then the grey page.
        assert_eq!(tiff_decode_bytes(10_000, 10_000, tiff::ColorType::Gray(1)), 1250 * 10_000 + 100_000_000);
        assert_eq!(tiff_decode_bytes(10, 10, tiff::ColorType::Gray(8)), 100);
    }

    #[test]
    fn limits_dimensions() {
        let cfg = OcrConfig::default();
        let page = |width, height| PageHeader { width, height, decode_bytes: width as u64 * height as u64 };
        assert!(matches!(check_page(&page(60000, 60000), &cfg), Err(OcrError::TooLarge(_))));
        assert!(matches!(check_page(&page(1, 1), &cfg), Err(OcrError::TooSmall(_))));
        assert!(check_page(&page(2480, 3508), &cfg).is_ok());
    }
}
