//! The OCR stage: turns a file's bytes into upright pages of text with word boxes and
//! confidences, using a PDF's own text layer when it is real text and tesseract otherwise.
//!
//! Environment: tesseract must run with `OMP_THREAD_LIMIT=1` (it is ~6x slower otherwise, its
//! OpenMP threads fighting the pool's); poppler's `pdfinfo`, `pdftotext` and `pdftoppm` must be
//! installed (paths configurable).

mod comb;
mod engine;
mod error;
mod gap;
mod invert;
mod lang;
mod mrz;
mod mrzcells;
mod mrzfind;
mod open;
mod panels;
mod pdf;
mod preprocess;
mod raster;
pub mod subprocess;
mod tsv;

pub use error::OcrError;
pub use open::{deskew, open, prepare, Opened, Prepared};
pub use raster::{decode_pgm, limits as decode_limits, PageHeader, RasterFile};

/// The parsers of poppler's output, for the fuzz targets of workers/ocr/fuzz only (poppler is
/// sandboxed, not trusted: its output is read like any untrusted input). Not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::pdf::{parse_bbox_layout, parse_image_list};
    pub use crate::raster::decode_pgm;
}

use engine::{EngineError, Layout, Pool};
use image::GrayImage;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use tamis_shared::{Failure, Line, Page, TextSource, Work};
use tsv::TsvPage;

const STAGE: &str = "ocr";

/// Settings of the OCR stage; every limit has a documented default.
#[derive(Clone, Debug)]
pub struct OcrConfig {
    /// Tesseract engines kept alive (default: one per core).
    pub engines: usize,
    /// Tesseract languages (default `fra+eng`).
    pub languages: String,
    /// Tessdata folder; `None` lets tesseract use TESSDATA_PREFIX or its built-in path.
    pub tessdata: Option<String>,
    /// Largest file accepted, in bytes (default 50 MiB) → `too_large`.
    pub max_file_bytes: u64,
    /// Most pages in a file (default 30) → `too_many_pages`.
    pub max_pages: u32,
    /// Most pixels of one decoded page, checked from the header before decoding (default
    /// 100 Mpx) → `too_large`. A PDF page that would render larger is rendered at a lower
    /// resolution instead.
    pub max_pixels: u64,
    /// Most pixels of a file's pages together (the raster pages, or the PDF pages to OCR at
    /// their rendering resolution), checked before the first is decoded (default 600 Mpx) →
    /// `too_large`.
    pub max_file_pixels: u64,
    /// Most bytes one page's decoding may hold, from its header: the decoder's output in the
    /// file's colour layout plus the grey copy (default 200 MiB) → `too_large`. With one page
    /// held per engine, the stage's page memory is at most `engines` times this.
    pub max_page_bytes: u64,
    /// Smallest side of an image, in pixels (default 50) → `too_small`.
    pub min_side: u32,
    /// Largest PDF page area in square inches (default 1500, a bit over A0) → `too_large`.
    pub max_page_area_sq_in: f64,
    /// Resolution PDF pages are rendered at for OCR (default 300).
    pub render_dpi: u32,
    /// Resolution images are rescaled towards before OCR (default 300).
    pub target_dpi: u32,
    /// Upscale low-resolution images towards `target_dpi` (default true).
    pub upscale: bool,
    /// Most pixels handed to tesseract for one page; larger pages are downscaled (default 40 Mpx).
    pub max_ocr_pixels: u64,
    /// Deskew small angles (default true).
    pub deskew: bool,
    /// Largest skew searched, in degrees (default 5).
    pub max_skew_deg: f32,
    /// Detect quarter turns (OSD) on pages that read badly (default true).
    pub orientation: bool,
    /// Tesseract time for one page (default 60 s) → `timeout`.
    pub page_timeout: Duration,
    /// Time for a whole file (default 240 s) → `timeout`.
    pub document_timeout: Duration,
    /// Wall-clock limit of one poppler run (default 30 s) → `timeout`.
    pub pdf_helper_timeout: Duration,
    /// Address-space limit of one poppler run (default 2 GiB).
    pub pdf_helper_memory: u64,
    /// The poppler programs (default: found on PATH).
    pub pdfinfo: PathBuf,
    pub pdftotext: PathBuf,
    pub pdftoppm: PathBuf,
    /// Lists a PDF's images, to find text-layer pages that may carry a 2D-Doc (default: on PATH).
    pub pdfimages: PathBuf,
    /// Search page images for DataMatrix symbols (2D-Doc) and fill `Page.symbols` (default true).
    pub find_symbols: bool,
    /// Re-read a page's machine-readable zone, cropped, scaled and restricted to the MRZ
    /// alphabet, when the first reading of it fails its check digits (default true).
    pub mrz_pass: bool,
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig {
            engines: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            languages: "fra+eng".into(),
            tessdata: None,
            max_file_bytes: 50 << 20,
            max_pages: 30,
            max_pixels: 100_000_000,
            max_file_pixels: 600_000_000,
            max_page_bytes: 200 << 20,
            min_side: 50,
            max_page_area_sq_in: 1500.0,
            render_dpi: 300,
            target_dpi: 300,
            max_ocr_pixels: 40_000_000,
            upscale: true,
            deskew: true,
            max_skew_deg: 5.0,
            orientation: true,
            page_timeout: Duration::from_secs(60),
            document_timeout: Duration::from_secs(240),
            pdf_helper_timeout: Duration::from_secs(30),
            pdf_helper_memory: 2 << 30,
            pdfinfo: "pdfinfo".into(),
            pdftotext: "pdftotext".into(),
            pdftoppm: "pdftoppm".into(),
            pdfimages: "pdfimages".into(),
            find_symbols: true,
            mrz_pass: true,
        }
    }
}

impl OcrConfig {
    /// The defaults with the file limits of the configuration (`limits.*`): the OCR stage and the
    /// console's page images apply the same ones.
    pub fn with_limits(limits: &tamis_shared::config::LimitsConfig) -> OcrConfig {
        OcrConfig {
            max_file_bytes: limits.max_file_bytes,
            max_pages: limits.max_pages,
            max_pixels: limits.max_page_pixels,
            max_file_pixels: limits.max_file_pixels,
            max_page_bytes: limits.max_page_bytes,
            page_timeout: Duration::from_secs(limits.page_timeout_secs),
            ..OcrConfig::default()
        }
    }

    /// The time and memory limits every poppler run gets (OCR's and the console's).
    pub fn helper_budget(&self, max_stdout: usize) -> subprocess::Budget {
        subprocess::Budget { wall: self.pdf_helper_timeout, memory: self.pdf_helper_memory, max_stdout }
    }
}

/// The OCR stage. `Sync`: one instance serves every blocking task of a worker.
pub struct Ocr {
    config: OcrConfig,
    pool: Pool,
    /// Pages held decoded at once, across every file the stage reads: one per engine. Without it
    /// each of the `engines` files read at once decodes up to `engines` pages ahead of an engine.
    decoded: Gate,
}

/// A page waiting for OCR.
enum PageSource<'a> {
    /// Page `index` of a raster file, decoded when an engine takes it.
    Raster { file: &'a RasterFile<'a>, index: usize },
    /// A PDF page, rendered at `dpi` when an engine takes it.
    PdfPage { path: &'a std::path::Path, number: u32, dpi: u32 },
}

/// A counting semaphore for blocking threads.
struct Gate {
    free: Mutex<usize>,
    freed: Condvar,
}

/// One place taken in a [`Gate`], given back on drop.
struct Pass<'a>(&'a Gate);

impl Gate {
    fn new(places: usize) -> Gate {
        Gate { free: Mutex::new(places.max(1)), freed: Condvar::new() }
    }

    fn enter(&self) -> Pass<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Pass(self)
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

impl Ocr {
    /// Builds the stage (engines start lazily).
    pub fn new(config: OcrConfig) -> Self {
        let pool = Pool::new(config.tessdata.clone(), config.languages.clone(), config.engines);
        let decoded = Gate::new(config.engines);
        Ocr { config, pool, decoded }
    }

    /// Starts one engine and checks the poppler tools run, so a broken deployment fails at
    /// start-up rather than as rejected documents.
    pub fn warm_up(&self) -> Result<(), OcrError> {
        drop(self.pool.lease().map_err(|e| OcrError::Helper(e.to_string()))?);
        for tool in [&self.config.pdfinfo, &self.config.pdftotext, &self.config.pdftoppm] {
            let mut cmd = std::process::Command::new(tool);
            cmd.arg("-v");
            let budget = subprocess::Budget { wall: Duration::from_secs(10), ..self.config.helper_budget(4096) };
            subprocess::run(cmd, budget).map_err(|e| OcrError::Helper(e.to_string()))?;
        }
        Ok(())
    }

    /// Blocking: fills `work.pages` and `work.text_quality`, or sets `work.failure`.
    pub fn process(&self, work: &mut Work, bytes: &[u8]) {
        let started = Instant::now();
        let id = work.envelope.document_id;
        match self.read(bytes, started) {
            Ok(pages) => {
                work.text_quality = Some(text_quality(&pages));
                tracing::debug!(document_id = %id, pages = pages.len(), ms = started.elapsed().as_millis() as u64, "ocr done");
                work.pages = pages;
            }
            Err(e) => {
                if matches!(e, OcrError::Helper(_)) {
                    tracing::error!(document_id = %id, error = %e, "ocr could not run");
                } else {
                    tracing::info!(document_id = %id, code = %e.code(), ms = started.elapsed().as_millis() as u64, "ocr rejected input");
                }
                work.pages.clear();
                work.text_quality = None;
                work.failure = Some(Failure::new(STAGE, e.code(), e.to_string()));
            }
        }
    }

    fn read(&self, bytes: &[u8], started: Instant) -> Result<Vec<Page>, OcrError> {
        let pages = self.read_pages(bytes, started)?;
        // Blank means nothing printed at all. A page with ink that OCR cannot read (noise, a
        // smudged blank sheet) is kept with no lines: it is a document for a person, not an error.
        if pages.iter().all(|(_, ink)| !ink) {
            return Err(OcrError::Blank);
        }
        Ok(pages.into_iter().map(|(p, _)| p).collect())
    }

    fn read_pages(&self, bytes: &[u8], started: Instant) -> Result<Vec<(Page, bool)>, OcrError> {
        match open(bytes, &self.config)? {
            Opened::Pdf { may_hold_images } => self.read_pdf(bytes, may_hold_images, started),
            Opened::Images(file) => {
                let sources = (0..file.pages().len()).map(|index| PageSource::Raster { file: &file, index }).collect();
                self.ocr_pages(sources, started)
            }
        }
    }

    fn read_pdf(&self, bytes: &[u8], may_hold_images: bool, started: Instant) -> Result<Vec<(Page, bool)>, OcrError> {
        let cfg = &self.config;
        let mut file = tempfile::Builder::new()
            .prefix("tamis-ocr-")
            .suffix(".pdf")
            .tempfile()
            .map_err(|e| OcrError::Helper(format!("temp file: {e}")))?;
        std::io::Write::write_all(&mut file, bytes).map_err(|e| OcrError::Helper(format!("temp file: {e}")))?;
        let path = file.path();
        let (info, fast_layer) = match pdf::info_and_text_layer(path, cfg) {
            Some((info, layer)) => (info, Some(layer)),
            None => (pdf::info(path, cfg, false)?, None),
        };
        if info.pages > cfg.max_pages {
            return Err(OcrError::TooManyPages { pages: info.pages, limit: cfg.max_pages });
        }
        for (w, h) in &info.sizes {
            let area = (w / 72.0) * (h / 72.0);
            if area > cfg.max_page_area_sq_in {
                return Err(OcrError::TooLarge(format!(
                    "a page measures {:.0}x{:.0} inches, over the limit of {:.0} square inches",
                    w / 72.0,
                    h / 72.0,
                    cfg.max_page_area_sq_in
                )));
            }
        }
        // A broken or slow text layer is not fatal: those pages are OCRed instead.
        let layer = match fast_layer {
            Some(l) => l,
            None => match pdf::text_layer(path, cfg, info.pages) {
                Ok(l) => l,
                Err(e) => {
                    tracing::debug!(error = %e, "no usable text layer");
                    Vec::new()
                }
            },
        };
        let mut pages: Vec<Option<(Page, bool)>> = vec![None; info.pages as usize];
        let mut todo = Vec::new();
        for n in 1..=info.pages {
            match layer.get(n as usize - 1) {
                Some(lp) if layer_is_real_text(&lp.lines) => {
                    pages[n as usize - 1] = Some((
                        Page {
                            number: n,
                            width: lp.width,
                            height: lp.height,
                            rotation: 0,
                            skew: 0.0,
                            source: TextSource::TextLayer,
                            confidence: 1.0,
                            lines: lp.lines.clone(),
                            symbols: Vec::new(),
                        },
                        true,
                    ));
                }
                _ => todo.push(n),
            }
        }
        if cfg.find_symbols && may_hold_images {
            self.search_text_layer_pages(path, &mut pages, started);
        }
        if !todo.is_empty() {
            // The pages to OCR are rendered one at a time; their pixels together are bounded like
            // a raster file's, before the first is rendered.
            let dpis: Vec<u32> = todo.iter().map(|&n| pdf::fitting_dpi(info.sizes.get(n as usize - 1), cfg)).collect();
            let total: u64 = todo
                .iter()
                .zip(&dpis)
                .filter_map(|(&n, &dpi)| info.sizes.get(n as usize - 1).map(|&size| pdf::rendered_pixels(size, dpi)))
                .sum();
            raster::check_file_pixels(todo.len(), total, cfg)?;
            let sources =
                todo.iter().zip(dpis).map(|(&number, dpi)| PageSource::PdfPage { path, number, dpi }).collect();
            let ocred = self.ocr_pages(sources, started)?;
            for (n, (mut p, ink)) in todo.into_iter().zip(ocred) {
                p.number = n;
                pages[n as usize - 1] = Some((p, ink));
            }
        }
        Ok(pages.into_iter().flatten().collect())
    }

    /// A born-digital page's text comes from its layer, but a 2D-Doc on it is an embedded image:
    /// render the first text-layer pages that hold images and search them for symbols. Best
    /// effort: a failure here loses the barcode, never the page.
    fn search_text_layer_pages(&self, path: &std::path::Path, pages: &mut [Option<(Page, bool)>], started: Instant) {
        // 2D-Docs sit on the first page or two; rendering every page of a long PDF would cost more
        // than the barcode is worth.
        const MAX_PAGES: usize = 2;
        let cfg = &self.config;
        let with_images = match pdf::image_pages(path, cfg) {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!(error = %e, "pdfimages failed; no symbol search on text-layer pages");
                return;
            }
        };
        let wanted: Vec<u32> = with_images
            .into_iter()
            .filter(|&n| matches!(pages.get(n as usize - 1), Some(Some((p, _))) if p.source == TextSource::TextLayer))
            .take(MAX_PAGES)
            .collect();
        for n in wanted {
            if self.remaining(started).is_err() {
                return;
            }
            let t = Instant::now();
            let _held = self.decoded.enter();
            // Rendered at the layer's scale so symbol boxes share the page's coordinates (a page
            // too large for that is skipped: its boxes would not match).
            let size = pages.get(n as usize - 1).and_then(|p| p.as_ref()).map(|(p, _)| (p.width, p.height));
            if size.is_some_and(|(w, h)| w as u64 * h as u64 > cfg.max_pixels) {
                continue;
            }
            let img = match pdf::render(path, cfg, n, pdf::LAYER_DPI as u32) {
                Ok(img) => img,
                Err(e) => {
                    tracing::debug!(page = n, error = %e, "page not rendered for symbol search");
                    continue;
                }
            };
            let render_ms = t.elapsed().as_millis() as u64;
            let symbols = tamis_twoddoc::find_symbols(&img);
            tracing::debug!(
                page = n,
                found = symbols.len(),
                render_ms,
                search_ms = t.elapsed().as_millis() as u64 - render_ms,
                "symbol search (text layer)"
            );
            if let Some(Some((page, _))) = pages.get_mut(n as usize - 1) {
                page.symbols = symbols;
            }
        }
    }

    /// OCRs pages in parallel, as many at once as the pool has engines.
    fn ocr_pages(&self, sources: Vec<PageSource<'_>>, started: Instant) -> Result<Vec<(Page, bool)>, OcrError> {
        let n = sources.len();
        let slots: Vec<Mutex<Option<PageSource<'_>>>> = sources.into_iter().map(|s| Mutex::new(Some(s))).collect();
        let results: Vec<Mutex<Option<PageOutcome>>> = (0..n).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let workers = self.config.engines.max(1).min(n);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    let Some(src) = slots[i].lock().unwrap_or_else(|p| p.into_inner()).take() else { continue };
                    let r = self.ocr_page(src, i as u32 + 1, started);
                    let failed = r.is_err();
                    *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                    if failed {
                        // One failed page fails the file: stop handing out pages.
                        next.store(n, Ordering::SeqCst);
                    }
                });
            }
        });
        let mut pages = Vec::with_capacity(n);
        for r in results {
            match r.into_inner().unwrap_or_else(|p| p.into_inner()) {
                Some(Ok(p)) => pages.push(p),
                Some(Err(e)) => return Err(e),
                None => return Err(OcrError::Timeout("the file took longer than its time budget".into())),
            }
        }
        Ok(pages)
    }

    fn remaining(&self, started: Instant) -> Result<Duration, OcrError> {
        let left = self.config.document_timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(OcrError::Timeout(format!(
                "the file took longer than its {} s budget",
                self.config.document_timeout.as_secs()
            )));
        }
        Ok(left.min(self.config.page_timeout))
    }

    /// OCRs one page; the flag is false when the page holds no ink at all.
    fn ocr_page(&self, src: PageSource<'_>, number: u32, started: Instant) -> Result<(Page, bool), OcrError> {
        let cfg = &self.config;
        self.remaining(started)?;
        // Held until this page is read: its decoded pixels and tesseract's copies of them are the
        // stage's memory, so no more pages are decoded than there are engines to read them.
        let _held = self.decoded.enter();
        self.remaining(started)?;
        let (img, dpi) = match src {
            PageSource::Raster { file, index } => (file.decode(index, cfg)?, None),
            PageSource::PdfPage { path, number, dpi } => (pdf::render(path, cfg, number, dpi)?, Some(dpi)),
        };
        let (img, dpi, mut symbols) = match prepare(img, dpi, cfg) {
            Prepared::Blank { width, height } => return Ok((empty_page(number, width, height), false)),
            Prepared::Page { image, dpi, symbols } => (image, dpi, symbols),
        };
        let mut best = self.recognise_upright(&img, dpi, 0, started)?;
        // A zone passing its check digits reads only upright: no turn to look for.
        if cfg.orientation && !reads_well(&best.tsv) && mrz::quality(&best.tsv.lines) < 2 {
            let orientation = {
                let mut engine = self.pool.lease().map_err(engine_err)?;
                engine.detect_orientation(img.as_raw(), img.width(), img.height(), dpi)
            };
            if let Some(o) = orientation.filter(|o| o.rotate_cw != 0 && o.confidence >= 1.0) {
                let turned = preprocess::rotate_quarter(&img, o.rotate_cw);
                let other = self.recognise_upright(&turned, dpi, o.rotate_cw, started)?;
                // A sideways first reading can score well (tesseract reads vertical lines) but
                // its geometry is wrong: then the upright reading wins unless much worse.
                let bar = if is_sideways(&best.tsv) { 0.6 } else { 1.0 };
                // A machine-readable zone that reads is a stronger sign of the right way up than
                // words: a card photo read upside down makes plausible "words" of its print.
                let better = match mrz::quality(&other.tsv.lines).cmp(&mrz::quality(&best.tsv.lines)) {
                    std::cmp::Ordering::Equal => read_score(&other.tsv) > bar * read_score(&best.tsv),
                    o => o.is_gt(),
                };
                if better {
                    best = other;
                }
            }
        }
        let confidence = best.tsv.mean_confidence();
        if best.rotation != 0 {
            // Symbol boxes are in the unturned image; the page's boxes are in the turned one.
            symbols.iter_mut().for_each(|s| s.bbox = None);
        }
        Ok((
            Page {
                number,
                width: best.width,
                height: best.height,
                rotation: best.rotation,
                skew: best.skew,
                source: TextSource::Ocr,
                confidence,
                lines: best.tsv.lines,
                symbols,
            },
            true,
        ))
    }

    /// Deskews (when worth it) and recognises an image already turned by `rotation`.
    fn recognise_upright(
        &self,
        img: &GrayImage,
        dpi: u32,
        rotation: u16,
        started: Instant,
    ) -> Result<Reading, OcrError> {
        let (img, skew) = deskew(img, &self.config);
        let img: &GrayImage = &img;
        // The page, or a band of it cut out by a re-read pass, within the document's time budget.
        let recognise = |image: &GrayImage, dpi: u32, layout: Layout| -> Result<TsvPage, OcrError> {
            let deadline = self.remaining(started)?;
            let mut engine = self.pool.lease().map_err(engine_err)?;
            engine.recognize(image.as_raw(), image.width(), image.height(), dpi, layout, deadline).map_err(engine_err)
        };
        let mut tsv = recognise(img, dpi, Layout::Auto)?;
        // Layout analysis drops text regions of some photos and heavy scans (seen on the dev
        // corpus: 27 words read where single-block reads 120); a page that reads that badly gets
        // a second, single-block pass and the better reading wins. Only that badly: the pass
        // used to run below 0.93 confidence or 120 words (58% of dev pages, a third of the
        // stage's CPU), where it won as often as it lost fields and cost a 300-word payslip 1.4 s.
        if tsv.mean_confidence() < SECOND_PASS_BELOW_CONFIDENCE || tsv.word_count() < SECOND_PASS_BELOW_WORDS {
            let other = recognise(img, dpi, Layout::SingleBlock)?;
            if read_score(&other) > read_score(&tsv) {
                tsv = other;
            }
        }
        comb::improve(img, dpi, &mut tsv, |band, dpi| recognise(band, dpi, Layout::SingleLine))?;
        invert::improve(img, dpi, &mut tsv, |band, dpi| recognise(band, dpi, Layout::SingleBlock))?;
        gap::improve(img, dpi, &mut tsv, |band, dpi| recognise(band, dpi, Layout::SingleBlock))?;
        if self.config.mrz_pass {
            mrz::improve(img, dpi, &mut tsv, |band, dpi| recognise(band, dpi, Layout::MrzZone))?;
            // Names carry no check digit: their fillers are told from letters on the glyphs.
            if mrz::quality(&tsv.lines) > 0 {
                mrzcells::improve(img, &mut tsv);
            }
        }
        Ok(Reading { tsv, rotation, skew, width: img.width(), height: img.height() })
    }
}

/// A first reading below this mean word confidence gets a single-block second pass.
const SECOND_PASS_BELOW_CONFIDENCE: f32 = 0.80;
/// A first reading of fewer words than this gets a single-block second pass.
const SECOND_PASS_BELOW_WORDS: usize = 40;

struct Reading {
    tsv: TsvPage,
    rotation: u16,
    skew: f32,
    width: u32,
    height: u32,
}

fn engine_err(e: EngineError) -> OcrError {
    match e {
        EngineError::Deadline(_) => OcrError::Timeout(e.to_string()),
        EngineError::Init(_) => OcrError::Helper(e.to_string()),
        EngineError::Failed(_) => OcrError::Corrupt("the page image could not be read".into()),
    }
}

fn empty_page(number: u32, width: u32, height: u32) -> Page {
    Page {
        number,
        width,
        height,
        rotation: 0,
        skew: 0.0,
        source: TextSource::Ocr,
        confidence: 0.0,
        lines: Vec::new(),
        symbols: Vec::new(),
    }
}

/// A text layer is trusted when it has enough words and enough of them are real words; a broken
/// font map (glyphs mapped to the wrong letters) yields plenty of tokens but almost no words.
fn layer_is_real_text(lines: &[Line]) -> bool {
    let s = lang::stats(lines.iter().flat_map(|l| l.words.iter().map(|w| w.text.as_str())));
    s.alpha_tokens >= 8 && s.ratio() >= 0.15
}

/// A first OCR pass that reads like language, along horizontal lines, needs no orientation
/// check. Layout analysis can read a sideways page as vertical lines (good text, wrong
/// geometry), hence the test on line shapes.
fn reads_well(tsv: &TsvPage) -> bool {
    let s = lang::stats(tsv.words().map(|w| w.text.as_str()));
    !is_sideways(tsv) && tsv.mean_confidence() >= 0.75 && s.alpha_tokens >= 10 && s.ratio() >= 0.2
}

/// Most multi-word lines taller than wide: the page was read turned by a quarter.
fn is_sideways(tsv: &TsvPage) -> bool {
    let long: Vec<_> = tsv.lines.iter().filter(|l| l.words.len() >= 3).filter_map(|l| l.bbox).collect();
    let vertical = long.iter().filter(|b| b.h > b.w).count();
    !long.is_empty() && vertical * 2 >= long.len()
}

/// Compares two readings of one page: real words found, weighted by confidence.
fn read_score(tsv: &TsvPage) -> f32 {
    let s = lang::stats(tsv.words().map(|w| w.text.as_str()));
    s.dictionary_hits as f32 * tsv.mean_confidence() + 0.1 * tsv.word_count() as f32 * tsv.mean_confidence()
}

/// Word-weighted mean confidence over the file.
fn text_quality(pages: &[Page]) -> f32 {
    let (mut sum, mut n) = (0.0f32, 0usize);
    for p in pages {
        for w in p.lines.iter().flat_map(|l| &l.words) {
            sum += w.confidence;
            n += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        (sum / n as f32).clamp(0.0, 1.0)
    }
}

/// One page's reading, and whether it was rotated, or why it failed.
type PageOutcome = Result<(Page, bool), OcrError>;

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::{BlobRef, DocumentId, Envelope, MediaType};

    fn work() -> Work {
        Work::new(Envelope {
            document_id: DocumentId::derived("test", None),
            case_id: None,
            case_persons: vec![],
            file_name: "test".into(),
            blob: BlobRef { key: "k".into(), sha256: String::new(), media_type: MediaType::Png, size: 0 },
            submitted_at: time::OffsetDateTime::UNIX_EPOCH,
            trace: Default::default(),
        })
    }

    fn png(img: &GrayImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("encode png");
        out
    }

    /// A real upright scan of the dev corpus (a payslip at 200 DPI) and words known to be on it.
    fn dev_page() -> Option<GrayImage> {
        let dir = std::env::var_os("TAMIS_CORPUS_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
        let bytes = std::fs::read(dir.join("dev/doc-0052.png")).ok()?;
        image::load_from_memory(&bytes).ok().map(|i| i.to_luma8())
    }

    fn found(work: &Work) -> usize {
        let text = lang::fold(&work.pages.iter().map(|p| p.text()).collect::<String>());
        let digits: String =
            work.pages.iter().map(|p| p.text()).collect::<String>().chars().filter(|c| c.is_ascii_digit()).collect();
        let words = ["boulangerie", "atlantique", "jourdan", "rene", "bulletin", "salaire"];
        words.iter().filter(|w| text.contains(*w)).count() + usize::from(digits.contains("42943356800012"))
    }

    #[test]
    fn turned_and_skewed_pages_are_read_upright() {
        let Some(page) = dev_page() else {
            eprintln!("corpus not found (set TAMIS_CORPUS_DIR): skipping");
            return;
        };
        let ocr = Ocr::new(OcrConfig::default());
        // (how the page is turned clockwise, expected correction, expected skew)
        let cases: [(GrayImage, u16, f32); 3] = [
            (image::imageops::rotate90(&page), 270, 0.0),
            (image::imageops::rotate180(&page), 180, 0.0),
            // content turned 3 degrees counter-clockwise
            (preprocess::rotate_small(&page, -3.0), 0, 3.0),
        ];
        for (img, rotation, skew) in cases {
            let mut w = work();
            ocr.process(&mut w, &png(&img));
            assert!(w.failure.is_none(), "{:?}", w.failure);
            let p = &w.pages[0];
            assert_eq!(p.rotation, rotation);
            assert!((p.skew - skew).abs() < 0.5, "skew {} for {skew}", p.skew);
            let n = found(&w);
            assert!(n >= 6, "only {n}/7 known values read at rotation {rotation} skew {skew}");
        }
    }

    #[test]
    fn the_gate_holds_no_more_than_its_places() {
        let gate = Gate::new(2);
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..6 {
                s.spawn(|| {
                    let _pass = gate.enter();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    inside.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_stage_is_shareable() {
        fn sync<T: Send + Sync>() {}
        sync::<Ocr>();
    }
}
