//! The stages bundled for one process, built once from the configuration. The embedded run and
//! the RabbitMQ workers call the very same methods, so they cannot decide differently.

use anyhow::Context;
use std::sync::Arc;
use tamis_classify::Classifier;
use tamis_extract::Extractor;
use tamis_ocr::{Ocr, OcrConfig};
use tamis_route::{Policy, Router};
use tamis_shared::config::Config;
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::{ErrorCode, Failure, Outcome, Work};
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
            ..OcrConfig::default()
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

    /// OCR, on a blocking thread, once an engine is free.
    pub async fn ocr(self: &Arc<Self>, mut work: Work, bytes: bytes::Bytes) -> Work {
        let _slot = self.ocr_slots.acquire().await.expect("the OCR semaphore is never closed");
        let me = self.clone();
        let envelope = work.envelope.clone();
        match tokio::task::spawn_blocking(move || {
            me.ocr.process(&mut work, &bytes);
            work
        })
        .await
        {
            Ok(w) => w,
            Err(e) => {
                // The stage contains its own panics; this is the last net so the input still ends
                // in an outcome instead of vanishing.
                tracing::error!(document_id = %envelope.document_id, error = %e, "OCR task died");
                let mut w = Work::new(envelope);
                w.failure = Some(Failure::new("ocr", ErrorCode::Corrupt, "the OCR stage crashed on this file"));
                w
            }
        }
    }

    /// Classification (cheap, runs inline).
    pub fn classify(&self, work: &mut Work) {
        self.classifier.process(work);
    }

    /// Field extraction, then 2D-Doc verification (cheap, runs inline).
    pub fn extract(&self, work: &mut Work) {
        self.extractor.process(work);
        // A verified 2D-Doc outranks what was read from the print, so it is applied last.
        if work.failure.is_none() {
            tamis_twoddoc::apply_with(work, self.trust.as_ref());
        }
    }

    /// The routing decision.
    pub fn route(&self, work: &Work) -> Outcome {
        self.router.decide(work)
    }

    /// The routing decision, knowing whether the same file was already submitted for the case.
    pub fn route_with(&self, work: &Work, duplicate_of: Option<tamis_shared::DocumentId>) -> Outcome {
        self.router.decide_with(work, duplicate_of)
    }
}
