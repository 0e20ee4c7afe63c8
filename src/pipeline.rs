//! The stages bundled for one process, built once from the configuration. The embedded run and
//! the RabbitMQ workers call the very same methods, so they cannot decide differently.
//!
//! Every stage call runs under `catch_unwind` (issue #21). Failure: a bug makes a stage panic on
//! some input; uncaught, a worker's delivery was neither acked nor nacked (holding a prefetch
//! slot until reconnect while `/readyz` said ready) and `tamis process` ended with fewer lines
//! than inputs. Evidence: the log line `stage panicked` with the stage, the document id and the
//! panic's location (never its payload, see `error::install_panic_hook`), the reason code
//! `internal_error` on the parked message or the `error` line. Fix: correct the bug, then
//! `tamis parked replay` (workers) or run the file again (`tamis process`).

use anyhow::Context;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use tamis_classify::Classifier;
use tamis_extract::Extractor;
use tamis_ocr::{Ocr, OcrConfig};
use tamis_route::{Policy, Router};
use tamis_shared::config::Config;
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::{Decision, DocumentId, ErrorCode, Failure, Outcome, Reason, Work};
use tokio::sync::Semaphore;

/// Every stage of the pipeline, ready to run.
pub struct Stages {
    ocr: Ocr,
    /// One permit per tesseract engine: OCR jobs beyond that wait here, not on a blocking thread.
    ocr_slots: Semaphore,
    classifier: Classifier,
    extractor: Extractor,
    router: Router,
    /// Signers whose 2D-Docs are trusted; none means barcodes are read but never trusted.
    trust: Option<tamis_twoddoc::TrustList>,
    max_file_bytes: u64,
    engines: usize,
}

impl Stages {
    /// Builds the stages from the configuration (taxonomy and policy files are read here, so a bad
    /// file stops the process at start-up).
    pub fn new(config: &Config) -> anyhow::Result<Arc<Stages>> {
        tamis_shared::error::install_panic_hook();
        init_test_panic()?;
        let taxonomy = Arc::new(match &config.taxonomy {
            Some(p) => Taxonomy::from_path(p).with_context(|| format!("taxonomy file {}", p.display()))?,
            None => Taxonomy::builtin(),
        });
        let policy = match &config.policy {
            Some(p) => Policy::from_path(p)?,
            None => Policy::builtin(),
        };
        let ocr_config = OcrConfig {
            engines: config.workers.ocr_engines,
            max_file_bytes: config.limits.max_file_bytes,
            max_pages: config.limits.max_pages,
            max_pixels: config.limits.max_page_pixels,
            page_timeout: std::time::Duration::from_secs(config.limits.page_timeout_secs),
            ..OcrConfig::with_limits(&config.limits)
        };
        let trust = match &config.twoddoc_trust_list {
            Some(p) => Some(
                tamis_twoddoc::TrustList::from_path(p).with_context(|| format!("2D-Doc trust list {}", p.display()))?,
            ),
            None => None,
        };
        Ok(Arc::new(Stages {
            trust,
            ocr: Ocr::new(ocr_config),
            ocr_slots: Semaphore::new(config.workers.ocr_engines),
            classifier: Classifier::with_taxonomy(taxonomy.clone()),
            extractor: Extractor::with_taxonomy(taxonomy.clone()),
            router: Router::new(policy, taxonomy),
            max_file_bytes: config.limits.max_file_bytes,
            engines: config.workers.ocr_engines,
        }))
    }

    /// Checks that tesseract and poppler run, so a broken install fails now, not as rejected documents.
    pub fn warm_up(&self) -> anyhow::Result<()> {
        self.ocr
            .warm_up()
            .context("the OCR engine cannot start: install tesseract-ocr (fra, eng, osd) and poppler-utils")
    }

    /// Tesseract engines, i.e. documents OCRed at once.
    pub fn engines(&self) -> usize {
        self.engines
    }

    /// The size limit a file must fit before its bytes are even read.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    /// Marks `work` as too large without reading it.
    pub fn too_large(&self, work: &mut Work, size: u64) {
        work.failure = Some(Failure::new(
            "ocr",
            ErrorCode::TooLarge,
            format!("the file is {size} bytes, over the limit of {} bytes", self.max_file_bytes),
        ));
    }

    /// OCR, on a blocking thread, once an engine is free; a panic becomes an `internal_error`
    /// failure of the file (for `tamis process` and the benchmarks).
    pub async fn ocr(self: &Arc<Self>, work: Work, bytes: bytes::Bytes) -> Work {
        let envelope = work.envelope.clone();
        self.ocr_guarded(work, bytes).await.unwrap_or_else(|p| {
            let mut w = Work::new(envelope);
            w.failure = Some(p.failure());
            w
        })
    }

    /// OCR, on a blocking thread, once an engine is free; `Err` if it panicked.
    pub async fn ocr_guarded(self: &Arc<Self>, mut work: Work, bytes: bytes::Bytes) -> Result<Work, Panicked> {
        let _slot = self.ocr_slots.acquire().await.expect("the OCR semaphore is never closed");
        let me = self.clone();
        let id = work.envelope.document_id;
        tokio::task::spawn_blocking(move || {
            guarded("ocr", &id, || {
                test_panic("ocr");
                me.ocr.process(&mut work, &bytes);
            })
            .map(|()| work)
        })
        .await
        .unwrap_or_else(|_| {
            // Not a panic of the stage (caught above): the runtime is shutting down.
            tracing::error!(document_id = %id, stage = "ocr", "OCR task cancelled");
            Err(Panicked { stage: "ocr", location: None })
        })
    }

    /// Classification (cheap, runs inline).
    pub fn classify(&self, work: &mut Work) -> Result<(), Panicked> {
        let id = work.envelope.document_id;
        guarded("classify", &id, || {
            test_panic("classify");
            self.classifier.process(work)
        })
    }

    /// Field extraction, then 2D-Doc verification (cheap, runs inline).
    pub fn extract(&self, work: &mut Work) -> Result<(), Panicked> {
        let id = work.envelope.document_id;
        guarded("extract", &id, || {
            test_panic("extract");
            self.extractor.process(work)
        })?;
        // A verified 2D-Doc outranks what was read from the print, so it is applied last.
        if work.failure.is_none() {
            guarded("twoddoc", &id, || {
                test_panic("twoddoc");
                tamis_twoddoc::apply_with(work, self.trust.as_ref())
            })?;
        }
        Ok(())
    }

    /// The routing decision.
    pub fn route(&self, work: &Work) -> Result<Outcome, Panicked> {
        self.route_with(work, None)
    }

    /// The routing decision, knowing whether the same file was already submitted for the case.
    pub fn route_with(&self, work: &Work, duplicate_of: Option<tamis_shared::DocumentId>) -> Result<Outcome, Panicked> {
        guarded("route", &work.envelope.document_id, || {
            test_panic("route");
            self.router.decide_with(work, duplicate_of)
        })
    }
}

/// A stage panicked on a document: a bug in Tamis, not a fault of the file. Workers park the
/// message with `internal_error`; `tamis process` gives the file an `error` line with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panicked {
    /// `ocr`, `classify`, `extract`, `twoddoc`, `route` or `decision`.
    pub stage: &'static str,
    /// Where in the source (`file:line:column`), when the panic hook saw it.
    pub location: Option<String>,
}

impl Panicked {
    /// The failure a file gets in `tamis process`.
    pub fn failure(&self) -> Failure {
        Failure::new(self.stage, ErrorCode::InternalError, self.message())
    }

    fn message(&self) -> String {
        format!(
            "the {} stage failed on this file (a bug in Tamis{}); report it, and run the file again once fixed",
            self.stage,
            self.location.as_deref().map(|l| format!(", at {l}")).unwrap_or_default()
        )
    }

    /// The `error` outcome of a file whose route stage panicked (route itself cannot make it).
    pub fn outcome(&self, work: &Work) -> Outcome {
        let env = &work.envelope;
        Outcome {
            document_id: env.document_id,
            case_id: env.case_id.clone(),
            file_name: env.file_name.clone(),
            sha256: env.blob.sha256.clone(),
            decision: Decision::Error,
            reasons: vec![Reason::new(ErrorCode::InternalError.as_str(), self.message())],
            documents: vec![],
        }
    }
}

/// Runs one stage call, turning a panic into `Panicked`, logged with the stage, the document id
/// and the location. `AssertUnwindSafe`: after a panic the caller discards or overrides what the
/// call was mutating (the message is parked as it came in, or the file's failure is set), and the
/// stages hold no state a half-finished call could corrupt (their engines are per call).
pub(crate) fn guarded<T>(stage: &'static str, id: &DocumentId, f: impl FnOnce() -> T) -> Result<T, Panicked> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        let location = tamis_shared::error::take_panic_location();
        tracing::error!(
            stage,
            document_id = %id,
            location = location.as_deref().unwrap_or("unknown"),
            reason = ErrorCode::InternalError.as_str(),
            "stage panicked"
        );
        Panicked { stage, location }
    })
}

/// TEST ONLY. `TAMIS_TEST_PANIC=<point>` (`ocr`, `classify`, `extract`, `twoddoc`, `route` or
/// `decision`) makes that stage panic on the first document it sees in this process, and only
/// that one, so a test can prove that a panic parks one message and the worker goes on (and that
/// the parked message replays fine once "fixed"). Read once at start-up (`Stages::new`), logged
/// as a warning when set, refused at start-up when it names no point. It is an environment
/// variable and not a setting or anything a message can carry: input alone cannot fire it, and
/// the chart never sets it.
pub const TEST_PANIC_ENV: &str = "TAMIS_TEST_PANIC";
const PANIC_POINTS: [&str; 6] = ["ocr", "classify", "extract", "twoddoc", "route", "decision"];
static TEST_PANIC: OnceLock<Option<&'static str>> = OnceLock::new();
static TEST_PANIC_FIRED: AtomicBool = AtomicBool::new(false);

fn init_test_panic() -> anyhow::Result<()> {
    let wanted = match std::env::var(TEST_PANIC_ENV) {
        Ok(v) if !v.is_empty() => Some(PANIC_POINTS.into_iter().find(|p| *p == v).ok_or_else(|| {
            anyhow::anyhow!("{TEST_PANIC_ENV}={v:?} names no stage ({}); unset it", PANIC_POINTS.join(", "))
        })?),
        _ => None,
    };
    if let Some(p) = wanted {
        tracing::warn!(stage = p, "{TEST_PANIC_ENV} is set: the {p} stage will panic once (test only; unset it)");
    }
    let _ = TEST_PANIC.set(wanted);
    Ok(())
}

/// Panics if `TAMIS_TEST_PANIC` names `point` and has not fired yet in this process.
pub(crate) fn test_panic(point: &'static str) {
    if TEST_PANIC.get().copied().flatten() == Some(point) && !TEST_PANIC_FIRED.swap(true, Ordering::SeqCst) {
        panic!("TAMIS_TEST_PANIC fired (test-only trigger)");
    }
}
