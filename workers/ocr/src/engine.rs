//! A pool of in-process tesseract engines, shared by every thread of a worker.
//!
//! We call the C API through `tesseract-sys` rather than the safe `tesseract` wrapper because the
//! wrapper passes no progress monitor to `Recognize` (so no per-page deadline) and has no
//! orientation-detection call; both are needed here.

use crate::tsv::{self, TsvPage};
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use tesseract_sys as ts;

/// Why an engine call failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// tesseract could not load its language data (a deployment problem, not an input one).
    #[error("tesseract failed to initialise with languages {0}")]
    Init(String),
    /// Recognition was stopped by the page deadline.
    #[error("tesseract ran past its {0:?} page deadline")]
    Deadline(Duration),
    /// tesseract refused the image or failed while reading it.
    #[error("tesseract failed: {0}")]
    Failed(&'static str),
}

/// One initialised tesseract instance (and, lazily, its OSD sibling).
pub struct Engine {
    api: *mut ts::TessBaseAPI,
    osd: Option<*mut ts::TessBaseAPI>,
    datapath: Option<CString>,
}

// SAFETY: a TessBaseAPI may move between threads; it is only ever used by one thread at a time
// (the pool hands out exclusive guards), so it is Send but deliberately not Sync.
unsafe impl Send for Engine {}

/// How tesseract segments the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Automatic layout analysis (PSM 3): right for scans, finds tables and columns.
    Auto,
    /// One uniform block (PSM 6): on photos with uneven light, layout analysis sometimes takes
    /// text regions for pictures and drops them; a single block still reads them.
    SingleBlock,
    /// The lines of a machine-readable zone (PSM 6, alphabet restricted to `A-Z0-9<`).
    MrzZone,
    /// One line of text (PSM 7): a comb field's characters once its box borders are erased.
    SingleLine,
}

/// The characters of an ICAO 9303 machine-readable zone.
const MRZ_ALPHABET: &CStr = c"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// Result of orientation detection: clockwise quarter turn to apply to make the page upright.
#[derive(Clone, Copy, Debug)]
pub struct Orientation {
    pub rotate_cw: u16,
    pub confidence: f32,
}

impl Engine {
    fn new(datapath: Option<&str>, languages: &str) -> Result<Engine, EngineError> {
        let datapath = datapath.and_then(|d| CString::new(d).ok());
        let api = init_api(datapath.as_ref(), languages)?;
        Ok(Engine { api, osd: None, datapath })
    }

    /// Recognises one 8-bit grayscale image and returns tesseract's TSV, parsed.
    pub fn recognize(
        &mut self,
        gray: &[u8],
        width: u32,
        height: u32,
        dpi: u32,
        layout: Layout,
        deadline: Duration,
    ) -> Result<TsvPage, EngineError> {
        if gray.len() < (width as usize) * (height as usize) || width == 0 || height == 0 {
            return Err(EngineError::Failed("image buffer smaller than its dimensions"));
        }
        let started = Instant::now();
        // SAFETY: the buffer outlives the call (tesseract copies it into its own Pix in SetImage),
        // and its size was checked against width*height above.
        let tsv = unsafe {
            ts::TessBaseAPISetImage(self.api, gray.as_ptr(), width as i32, height as i32, 1, width as i32);
            ts::TessBaseAPISetSourceResolution(self.api, dpi.clamp(70, 1200) as i32);
            let psm = match layout {
                Layout::Auto => ts::TessPageSegMode_PSM_AUTO,
                Layout::SingleBlock | Layout::MrzZone => ts::TessPageSegMode_PSM_SINGLE_BLOCK,
                Layout::SingleLine => ts::TessPageSegMode_PSM_SINGLE_LINE,
            };
            // The whitelist is engine state: set on every call so an MRZ read never leaks into
            // the next page's.
            let whitelist = if layout == Layout::MrzZone { MRZ_ALPHABET } else { c"" };
            ts::TessBaseAPISetVariable(self.api, c"tessedit_char_whitelist".as_ptr(), whitelist.as_ptr());
            ts::TessBaseAPISetPageSegMode(self.api, psm);
            let monitor = ts::TessMonitorCreate();
            let ms = deadline.as_millis().min(i32::MAX as u128) as i32;
            if !monitor.is_null() {
                ts::TessMonitorSetDeadlineMSecs(monitor, ms);
            }
            let rc = ts::TessBaseAPIRecognize(self.api, monitor);
            if !monitor.is_null() {
                ts::TessMonitorDelete(monitor);
            }
            if started.elapsed() >= deadline {
                ts::TessBaseAPIClear(self.api);
                return Err(EngineError::Deadline(deadline));
            }
            if rc != 0 {
                ts::TessBaseAPIClear(self.api);
                return Err(EngineError::Failed("recognition failed"));
            }
            let ptr = ts::TessBaseAPIGetTsvText(self.api, 0);
            let text = take_text(ptr);
            ts::TessBaseAPIClear(self.api);
            text
        };
        Ok(tsv::parse(&tsv.unwrap_or_default()))
    }

    /// Tesseract's orientation detection (OSD, ~0.5-1 s a page): only called when a first pass
    /// reads badly, never blindly.
    pub fn detect_orientation(&mut self, gray: &[u8], width: u32, height: u32, dpi: u32) -> Option<Orientation> {
        if gray.len() < (width as usize) * (height as usize) || width == 0 || height == 0 {
            return None;
        }
        if self.osd.is_none() {
            self.osd = init_api(self.datapath.as_ref(), "osd").ok();
        }
        let osd = self.osd?;
        // SAFETY: as in `recognize`. The script name points into tesseract's own unicharset
        // (capi.h says to free it, but 5.x returns an internal pointer: freeing it corrupts the heap).
        unsafe {
            ts::TessBaseAPISetImage(osd, gray.as_ptr(), width as i32, height as i32, 1, width as i32);
            ts::TessBaseAPISetSourceResolution(osd, dpi.clamp(70, 1200) as i32);
            let mut deg: i32 = 0;
            let mut conf: f32 = 0.0;
            let mut script: *const c_char = std::ptr::null();
            let mut script_conf: f32 = 0.0;
            let ok = ts::TessBaseAPIDetectOrientationScript(osd, &mut deg, &mut conf, &mut script, &mut script_conf);
            ts::TessBaseAPIClear(osd);
            if ok == 0 {
                return None;
            }
            // `deg` is the clockwise rotation of the input (baseapi.h): undo it counter-clockwise.
            let rotate_cw = ((360 - deg.rem_euclid(360)) % 360) as u16;
            Some(Orientation { rotate_cw, confidence: conf })
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: both handles were created by TessBaseAPICreate and are dropped once.
        unsafe {
            ts::TessBaseAPIEnd(self.api);
            ts::TessBaseAPIDelete(self.api);
            if let Some(osd) = self.osd {
                ts::TessBaseAPIEnd(osd);
                ts::TessBaseAPIDelete(osd);
            }
        }
    }
}

fn init_api(datapath: Option<&CString>, languages: &str) -> Result<*mut ts::TessBaseAPI, EngineError> {
    let lang = CString::new(languages).map_err(|_| EngineError::Init(languages.to_string()))?;
    // SAFETY: plain C API calls on a handle we own; strings are NUL-terminated and outlive them.
    unsafe {
        let api = ts::TessBaseAPICreate();
        if api.is_null() {
            return Err(EngineError::Init(languages.to_string()));
        }
        let dp = datapath.map(|d| d.as_ptr()).unwrap_or(std::ptr::null());
        if ts::TessBaseAPIInit3(api, dp, lang.as_ptr()) != 0 {
            ts::TessBaseAPIDelete(api);
            return Err(EngineError::Init(languages.to_string()));
        }
        // The C API defaults to a single uniform block (PSM 6), which drops whole tables of a
        // payslip; automatic layout analysis (PSM 3, the CLI's default) reads them.
        ts::TessBaseAPISetPageSegMode(api, ts::TessPageSegMode_PSM_AUTO);
        // No `debug_file` redirection to silence tesseract: that parameter is process-global
        // and tprintf reopens it without a lock, which corrupted the heap with two engines.
        Ok(api)
    }
}

/// Copies and frees a string tesseract allocated.
///
/// # Safety
/// `ptr` is null or a NUL-terminated string tesseract allocated and nobody else frees.
unsafe fn take_text(ptr: *mut c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the caller hands a live NUL-terminated string from tesseract, freed once, here.
    unsafe {
        let s = CStr::from_ptr(ptr).to_string_lossy().into_owned();
        ts::TessDeleteText(ptr);
        Some(s)
    }
}

/// Engines created on demand up to `size`, lent out one thread at a time.
pub struct Pool {
    datapath: Option<String>,
    languages: String,
    size: usize,
    state: Mutex<PoolState>,
    available: Condvar,
}

struct PoolState {
    idle: Vec<Engine>,
    created: usize,
}

/// An engine borrowed from the pool; returns itself on drop.
pub struct Lease<'a> {
    pool: &'a Pool,
    engine: Option<Engine>,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        // The engine is only taken out in Drop.
        self.engine.as_ref().expect("lease holds its engine until dropped")
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Engine {
        self.engine.as_mut().expect("lease holds its engine until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(e) = self.engine.take() {
            let mut st = self.pool.state.lock().unwrap_or_else(|p| p.into_inner());
            st.idle.push(e);
            drop(st);
            self.pool.available.notify_one();
        }
    }
}

impl Pool {
    /// A pool of at most `size` engines reading `languages`.
    pub fn new(datapath: Option<String>, languages: String, size: usize) -> Pool {
        Pool {
            datapath,
            languages,
            size: size.max(1),
            state: Mutex::new(PoolState { idle: Vec::new(), created: 0 }),
            available: Condvar::new(),
        }
    }

    /// Borrows an engine, creating one if the pool is not full, else waiting for one.
    pub fn lease(&self) -> Result<Lease<'_>, EngineError> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(e) = st.idle.pop() {
                return Ok(Lease { pool: self, engine: Some(e) });
            }
            if st.created < self.size {
                st.created += 1;
                drop(st);
                // Initialise outside the lock: it takes a few hundred milliseconds.
                return match Engine::new(self.datapath.as_deref(), &self.languages) {
                    Ok(e) => Ok(Lease { pool: self, engine: Some(e) }),
                    Err(err) => {
                        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
                        st.created -= 1;
                        drop(st);
                        self.available.notify_one();
                        Err(err)
                    }
                };
            }
            st = self.available.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }
}
