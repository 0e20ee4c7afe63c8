//! PDF handling through poppler's command-line tools run as sandboxed subprocesses.
//!
//! Why subprocesses and not pdf-extract/lopdf in-process: untrusted PDFs make pure-Rust parsers
//! panic (~8% of mutated files for pdf-extract), recurse without bound on circular references
//! (a stack overflow aborts the whole worker: catch_unwind cannot stop it) or allocate without
//! limit. A thread with a timeout can be abandoned but keeps burning CPU and memory. A child
//! process under RLIMIT_AS/RLIMIT_CPU and a wall-clock timeout contains all of these, costs a few
//! milliseconds to start, and poppler is the most battle-tested PDF reader available here.
//! `pdfinfo` gives page count, encryption and page sizes; `pdftotext -bbox-layout` the text
//! layer with word boxes; `pdftoppm` renders the pages that need OCR; `pdfimages -list` says which
//! text-layer pages hold an image worth a 2D-Doc search.

use crate::error::OcrError;
use crate::subprocess::{self, Budget, RunError};
use crate::OcrConfig;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tamis_shared::{BBox, Line, Word};

/// What pdfinfo says about a PDF.
#[derive(Clone, Debug, Default)]
pub struct PdfInfo {
    pub pages: u32,
    /// Page sizes in points (after /Rotate), for the pages pdfinfo listed.
    pub sizes: Vec<(f64, f64)>,
}

/// One page of text layer, in 300-DPI pixel coordinates.
#[derive(Clone, Debug, Default)]
pub struct LayerPage {
    pub width: u32,
    pub height: u32,
    /// The page size in points, as poppler printed it.
    pub points: (f64, f64),
    pub lines: Vec<Line>,
}

/// The scale of text-layer boxes: points to pixels at this resolution, so text-layer and OCR
/// pages share one coordinate convention.
pub const LAYER_DPI: f64 = 300.0;

fn budget(cfg: &OcrConfig, wall: Duration, max_stdout: usize) -> Budget {
    Budget { wall, memory: cfg.pdf_helper_memory, max_stdout }
}

fn run_err(e: RunError) -> OcrError {
    match e {
        RunError::Timeout(..) => OcrError::Timeout(e.to_string()),
        RunError::Spawn(..) => OcrError::Helper(e.to_string()),
    }
}

/// True when the end of the file has no `%%EOF`/`startxref`: the download or upload was cut.
pub fn looks_truncated(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    let has = |m: &[u8]| tail.windows(m.len()).any(|w| w == m);
    !has(b"%%EOF") && !has(b"startxref")
}

/// Reads page count, encryption and page sizes; maps poppler's complaints to error codes.
pub fn info(path: &Path, cfg: &OcrConfig, truncated: bool) -> Result<PdfInfo, OcrError> {
    let mut cmd = Command::new(&cfg.pdfinfo);
    // Sizes of the first pages only: a bogus /Count of 200 million must not make us list them.
    cmd.arg("-f").arg("1").arg("-l").arg((cfg.max_pages + 1).to_string()).arg(path);
    let out = subprocess::run(cmd, budget(cfg, cfg.pdf_helper_timeout, 1 << 20)).map_err(run_err)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = out.stderr.to_ascii_lowercase();
    if stderr.contains("incorrect password") {
        return Err(OcrError::Encrypted);
    }
    let mut info = PdfInfo::default();
    let mut pages_line = false;
    for line in stdout.lines() {
        if let Some(v) = line.strip_prefix("Pages:") {
            pages_line = true;
            info.pages = v.trim().parse().unwrap_or(0);
        } else if line.starts_with("Page ") && line.contains(" size:") {
            if let Some(size) = parse_size(line) {
                info.sizes.push(size);
            }
        }
    }
    if !out.success || !pages_line {
        if truncated {
            return Err(OcrError::Truncated("the PDF stops before its end".into()));
        }
        if stderr.contains("invalid page count") {
            return Err(OcrError::Corrupt("the PDF page tree is empty".into()));
        }
        return Err(OcrError::Corrupt("poppler cannot open this PDF".into()));
    }
    if info.pages == 0 {
        if truncated {
            return Err(OcrError::Truncated("the PDF stops before its end".into()));
        }
        return Err(OcrError::Corrupt("the PDF has no pages".into()));
    }
    Ok(info)
}

/// `Page    1 size:  595.276 x 841.89 pts (A4)` → (595.276, 841.89)
fn parse_size(line: &str) -> Option<(f64, f64)> {
    let rest = line.split("size:").nth(1)?;
    let mut it = rest.split_whitespace();
    let w: f64 = it.next()?.parse().ok()?;
    let _x = it.next()?;
    let h: f64 = it.next()?.parse().ok()?;
    (w.is_finite() && h.is_finite()).then_some((w.abs(), h.abs()))
}

/// The text layer of pages `1..=pages`, with word boxes.
pub fn text_layer(path: &Path, cfg: &OcrConfig, pages: u32) -> Result<Vec<LayerPage>, OcrError> {
    let mut cmd = Command::new(&cfg.pdftotext);
    cmd.arg("-bbox-layout").arg("-enc").arg("UTF-8").arg("-f").arg("1").arg("-l").arg(pages.to_string());
    cmd.arg(path).arg("-");
    let out = subprocess::run(cmd, budget(cfg, cfg.pdf_helper_timeout, 64 << 20)).map_err(run_err)?;
    // A failing or cut run still yields whatever pages it wrote; the rest get OCR.
    if out.stdout_truncated {
        tracing::debug!("text layer output cut at its size limit; remaining pages will be OCRed");
    }
    Ok(parse_bbox_layout(&String::from_utf8_lossy(&out.stdout)))
}

fn attr(tag: &str, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    tag[start..end].parse().ok().filter(|v: &f64| v.is_finite())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn to_px(v: f64) -> u32 {
    (v * LAYER_DPI / 72.0).round().clamp(0.0, u32::MAX as f64) as u32
}

fn bbox_of(tag: &str) -> Option<BBox> {
    let (x0, y0, x1, y1) = (attr(tag, "xMin")?, attr(tag, "yMin")?, attr(tag, "xMax")?, attr(tag, "yMax")?);
    let (x, y) = (to_px(x0.min(x1)), to_px(y0.min(y1)));
    Some(BBox { x, y, w: to_px(x0.max(x1)).saturating_sub(x), h: to_px(y0.max(y1)).saturating_sub(y) })
}

/// The born-digital fast path: one `pdftotext` run in place of `pdfinfo` then `pdftotext` (each
/// poppler start costs ~10 ms of CPU, most of a born-digital document's OCR stage). It asks for
/// one page more than the limit, so a clean run that printed between 1 and `max_pages` pages has
/// given the page count and sizes `pdfinfo` would. Anything else (failure, cut output, no page,
/// too many pages: encrypted, broken or hostile files) returns `None` and the caller takes the
/// `pdfinfo` path, whose error mapping is unchanged.
pub fn info_and_text_layer(path: &Path, cfg: &OcrConfig) -> Option<(PdfInfo, Vec<LayerPage>)> {
    let mut cmd = Command::new(&cfg.pdftotext);
    cmd.arg("-bbox-layout").arg("-enc").arg("UTF-8").arg("-f").arg("1").arg("-l").arg((cfg.max_pages + 1).to_string());
    cmd.arg(path).arg("-");
    let out = subprocess::run(cmd, budget(cfg, cfg.pdf_helper_timeout, 64 << 20)).ok()?;
    if !out.success || out.stdout_truncated {
        return None;
    }
    let layer = parse_bbox_layout(&String::from_utf8_lossy(&out.stdout));
    if layer.is_empty() || layer.len() > cfg.max_pages as usize {
        return None;
    }
    let info = PdfInfo { pages: layer.len() as u32, sizes: layer.iter().map(|p| p.points).collect() };
    Some((info, layer))
}

/// False only when no image XObject can be in the file: an image is a stream, streams are never
/// packed in object streams, so its `/Subtype /Image` key is always in the raw bytes. Saves the
/// `pdfimages` run on most born-digital files. (An inline image — `BI … ID … EI` inside a
/// compressed content stream — is not seen; 2D-Docs are placed as image XObjects.)
pub fn may_hold_images(bytes: &[u8]) -> bool {
    const KEY: &[u8] = b"/Subtype";
    let mut rest = bytes;
    while let Some(i) = rest.windows(KEY.len()).position(|w| w == KEY) {
        let after = &rest[i + KEY.len()..];
        let value = after.iter().position(|b| !b" \t\r\n\x0c\x00".contains(b)).map(|j| &after[j..]).unwrap_or(&[]);
        if value.starts_with(b"/Image") && !value.get(6).is_some_and(|b| b.is_ascii_alphanumeric()) {
            return true;
        }
        rest = after;
    }
    false
}

/// Parses the XHTML of `pdftotext -bbox-layout` (one tag per line, as poppler writes it).
pub fn parse_bbox_layout(xhtml: &str) -> Vec<LayerPage> {
    let mut pages = Vec::new();
    let mut page: Option<LayerPage> = None;
    let mut line: Option<Line> = None;
    for raw in xhtml.lines() {
        let t = raw.trim();
        if t.starts_with("<page ") {
            if let Some(p) = page.take() {
                pages.push(p);
            }
            let (w, h) = (attr(t, "width").unwrap_or(0.0), attr(t, "height").unwrap_or(0.0));
            page = Some(LayerPage { width: to_px(w), height: to_px(h), points: (w.abs(), h.abs()), lines: Vec::new() });
        } else if t.starts_with("<line ") {
            line = Some(Line { text: String::new(), bbox: bbox_of(t), words: Vec::new() });
        } else if t.starts_with("<word ") {
            let Some(gt) = t.find('>') else { continue };
            let body = t[gt + 1..].trim_end_matches("</word>");
            let text = unescape(body);
            if text.trim().is_empty() {
                continue;
            }
            if let Some(l) = line.as_mut() {
                if !l.text.is_empty() {
                    l.text.push(' ');
                }
                l.text.push_str(&text);
                l.words.push(Word { text, confidence: 1.0, bbox: bbox_of(&t[..gt]) });
            }
        } else if t.starts_with("</line>") {
            if let (Some(l), Some(p)) = (line.take(), page.as_mut()) {
                if !l.words.is_empty() {
                    p.lines.push(l);
                }
            }
        } else if t.starts_with("</page>") {
            if let Some(p) = page.take() {
                pages.push(p);
            }
        }
    }
    if let Some(p) = page.take() {
        pages.push(p);
    }
    pages
}

/// The 1-based pages holding at least one image, in order (from `pdfimages -list`).
pub fn image_pages(path: &Path, cfg: &OcrConfig) -> Result<Vec<u32>, OcrError> {
    let mut cmd = Command::new(&cfg.pdfimages);
    cmd.arg("-list").arg("-f").arg("1").arg("-l").arg(cfg.max_pages.to_string()).arg(path);
    let out = subprocess::run(cmd, budget(cfg, cfg.pdf_helper_timeout, 4 << 20)).map_err(run_err)?;
    Ok(parse_image_list(&String::from_utf8_lossy(&out.stdout)))
}

/// Page numbers of the image rows of a `pdfimages -list` table (masks and stencils skipped).
pub fn parse_image_list(list: &str) -> Vec<u32> {
    let mut pages: Vec<u32> = list
        .lines()
        .filter_map(|l| {
            let mut cols = l.split_whitespace();
            let page = cols.next()?.parse().ok()?;
            let kind = cols.nth(1)?;
            (kind == "image").then_some(page)
        })
        .collect();
    pages.dedup();
    pages
}

/// Pixels of a page of `size` points rendered at `dpi`.
pub fn rendered_pixels(size: (f64, f64), dpi: u32) -> u64 {
    let side = |points: f64| (points.abs() / 72.0 * dpi as f64).ceil() as u64;
    side(size.0).saturating_mul(side(size.1))
}

/// The resolution a page is rendered at for OCR: `render_dpi`, lowered for a page that would
/// otherwise be over `max_pixels` (a poster-sized page is read at a lower resolution rather than
/// refused or held at hundreds of megapixels). Pages of ordinary sizes are not affected.
pub fn fitting_dpi(size: Option<&(f64, f64)>, cfg: &OcrConfig) -> u32 {
    let mut dpi = cfg.render_dpi;
    if let Some(&size) = size {
        while dpi > 1 && rendered_pixels(size, dpi) > cfg.max_pixels {
            let scale = (cfg.max_pixels as f64 / rendered_pixels(size, dpi) as f64).sqrt();
            dpi = ((dpi as f64 * scale).floor() as u32).min(dpi - 1).max(1);
        }
    }
    dpi
}

/// Renders one page to 8-bit grayscale at `dpi`; a rendering over `max_pixels` (a page larger
/// than pdfinfo said) is refused before it is read into memory.
pub fn render(path: &Path, cfg: &OcrConfig, page: u32, dpi: u32) -> Result<image::GrayImage, OcrError> {
    let dir = tempfile::tempdir().map_err(|e| OcrError::Helper(format!("temp dir: {e}")))?;
    let root = dir.path().join("p");
    let mut cmd = Command::new(&cfg.pdftoppm);
    cmd.arg("-r").arg(dpi.to_string()).arg("-gray").arg("-f").arg(page.to_string()).arg("-l").arg(page.to_string());
    cmd.arg("-singlefile").arg(path).arg(&root);
    let out = subprocess::run(cmd, budget(cfg, cfg.pdf_helper_timeout, 1 << 20)).map_err(run_err)?;
    let file = dir.path().join("p.pgm");
    let unreadable = || {
        if out.stderr.to_ascii_lowercase().contains("incorrect password") {
            OcrError::Encrypted
        } else {
            OcrError::Corrupt(format!("page {page} cannot be rendered"))
        }
    };
    let size = std::fs::metadata(&file).map_err(|_| unreadable())?.len();
    // The header is at most a few dozen bytes: a larger file holds more pixels than allowed.
    if size > cfg.max_pixels.saturating_add(4096) {
        return Err(OcrError::TooLarge(format!(
            "page {page} renders to over {} megapixels at {dpi} DPI",
            cfg.max_pixels / 1_000_000
        )));
    }
    let bytes = std::fs::read(&file).map_err(|_| unreadable())?;
    crate::raster::decode_pgm_owned(bytes).ok_or_else(|| OcrError::Corrupt(format!("page {page} rendered badly")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bbox_layout() {
        let x = r#"<doc>
  <page width="595.275600" height="841.889800">
    <flow>
      <block xMin="1" yMin="2" xMax="3" yMax="4">
        <line xMin="72" yMin="72" xMax="144" yMax="84">
          <word xMin="72" yMin="72" xMax="100" yMax="84">Net</word>
          <word xMin="110" yMin="72" xMax="144" yMax="84">&amp;co</word>
        </line>
      </block>
    </flow>
  </page>
  <page width="100" height="100">
  </page>
</doc>"#;
        let p = parse_bbox_layout(x);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].width, 2480);
        assert_eq!(p[0].lines.len(), 1);
        assert_eq!(p[0].lines[0].text, "Net &co");
        assert_eq!(p[0].lines[0].bbox, Some(BBox { x: 300, y: 300, w: 300, h: 50 }));
        assert!(p[1].lines.is_empty());
    }

    #[test]
    fn finds_image_xobjects_in_the_raw_bytes() {
        assert!(may_hold_images(b"<< /Type /XObject /Subtype /Image /Width 10 >>"));
        assert!(may_hold_images(b"<</Type/XObject/Subtype/Image/Width 10>>"));
        assert!(may_hold_images(b"<< /Subtype\n/Image >>"));
        assert!(!may_hold_images(b"<< /Subtype /Form >> /ProcSet [/PDF /Text /ImageB /ImageC]"));
        assert!(!may_hold_images(b"<< /Subtype /ImageMask >>"));
        assert!(!may_hold_images(b""));
    }

    #[test]
    fn detects_cut_pdfs() {
        assert!(looks_truncated(b"%PDF-1.4\n1 0 obj\n<<"));
        assert!(!looks_truncated(b"%PDF-1.4\n...startxref\n123\n%%EOF\n"));
    }

    #[test]
    fn lists_pages_with_images() {
        let list = "page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio\n\
            --------------------------------------------------------------------------------------------\n\
               1     0 image     416   416  gray    1   8  image  no         3  0   484   484 7001B 4.0%\n\
               1     1 smask     416   416  gray    1   8  image  no         4  0   484   484 7001B 4.0%\n\
               3     2 image     100   100  gray    1   8  jpeg   no         9  0   484   484 7001B 4.0%\n";
        assert_eq!(parse_image_list(list), vec![1, 3]);
    }

    #[test]
    fn huge_pages_are_rendered_within_the_pixel_limit() {
        let cfg = OcrConfig::default();
        let a4 = (595.276, 841.89);
        assert_eq!(fitting_dpi(Some(&a4), &cfg), 300);
        assert_eq!(fitting_dpi(None, &cfg), 300);
        // 40 x 40 inches: 144 Mpx at 300 DPI.
        let poster = (2880.0, 2880.0);
        let dpi = fitting_dpi(Some(&poster), &cfg);
        assert!(rendered_pixels(poster, dpi) <= cfg.max_pixels && dpi >= 240, "{dpi}");
    }

    #[test]
    fn parses_page_sizes() {
        assert_eq!(parse_size("Page    1 size:  595.276 x 841.89 pts (A4)"), Some((595.276, 841.89)));
        assert_eq!(parse_size("Page    1 size:  x"), None);
    }
}
