//! `tamis process`: the whole pipeline in one process, stages joined by bounded in-memory queues
//! in place of RabbitMQ, writing one prediction line per input file.

use crate::pipeline::{Panicked, Stages};
use anyhow::Context;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tamis_shared::blob::sha256_hex;
use tamis_shared::{BlobRef, DocumentId, Envelope, ErrorCode, MediaType, Outcome, PersonName, Work};
use tokio::sync::mpsc;

/// One input file: where it is and how predictions name it.
#[derive(Clone, Debug)]
pub struct Input {
    pub path: PathBuf,
    /// Relative to the folder that was given (the file name when a file was given).
    pub name: String,
}

/// Expands files and folders (recursively, sorted, hidden entries skipped) into inputs.
pub fn collect_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut out = Vec::new();
    for p in paths {
        // A path that cannot be read is still an input: it ends in its own `error` line (the
        // feeder cannot read it), and the rest of the batch goes on.
        let is_dir = std::fs::metadata(p).is_ok_and(|m| m.is_dir());
        if is_dir {
            walk(p, p, &mut out)?;
        } else {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            out.push(Input { path: p.clone(), name });
        }
    }
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Input>) -> anyhow::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let ft = e.file_type()?;
        if ft.is_dir() {
            walk(root, &path, out)?;
        } else if ft.is_file() {
            let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
            out.push(Input { path, name });
        }
    }
    Ok(())
}

/// The case every file of one command is submitted for (`--case-id`, `--case-person`).
#[derive(Clone, Debug, Default)]
pub struct Case {
    pub id: Option<String>,
    /// The case's persons, for route's name check; empty when not given.
    pub persons: Vec<PersonName>,
}

/// The envelope of a file read from disk (no blob store: the bytes are at hand).
pub fn envelope_for(name: &str, bytes: &[u8], case: &Case) -> Envelope {
    let sha256 = sha256_hex(bytes);
    Envelope {
        document_id: DocumentId::derived(&sha256, case.id.as_deref()),
        case_id: case.id.clone(),
        case_persons: case.persons.clone(),
        file_name: name.to_string(),
        blob: BlobRef {
            key: format!("sha256/{}/{}", &sha256[..2], sha256),
            media_type: MediaType::sniff(bytes),
            size: bytes.len() as u64,
            sha256,
        },
        submitted_at: time::OffsetDateTime::now_utc(),
        trace: Default::default(),
    }
}

type Item = (usize, Work);

/// Runs every input through the stages and calls `emit` once per input, in input order.
pub async fn run(
    stages: Arc<Stages>,
    inputs: Vec<Input>,
    case: Case,
    mut emit: impl FnMut(&Input, &Outcome) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let depth = 4;
    let (to_ocr, mut ocr_in) = mpsc::channel::<(usize, Work, bytes::Bytes)>(depth);
    let (to_classify, classify_in) = mpsc::channel::<Item>(depth);
    let (to_extract, extract_in) = mpsc::channel::<Item>(depth);
    let (to_route, mut route_in) = mpsc::channel::<Item>(depth);

    // Source: reads files; what is too large is not read at all and skips OCR.
    let feeder = {
        let stages = stages.clone();
        let inputs = inputs.clone();
        let to_classify = to_classify.clone();
        tokio::spawn(async move {
            for (i, input) in inputs.iter().enumerate() {
                let size = tokio::fs::metadata(&input.path).await.map(|m| m.len()).unwrap_or(0);
                if size > stages.max_file_bytes() {
                    let mut w = Work::new(envelope_for(&input.name, input.name.as_bytes(), &case));
                    w.envelope.blob.size = size;
                    stages.too_large(&mut w, size);
                    let _ = to_classify.send((i, w)).await;
                    continue;
                }
                let bytes = match tokio::fs::read(&input.path).await {
                    Ok(b) => bytes::Bytes::from(b),
                    Err(e) => {
                        tracing::warn!(file_index = i, error = %e, "cannot read input");
                        bytes::Bytes::new()
                    }
                };
                let w = Work::new(envelope_for(&input.name, &bytes, &case));
                if to_ocr.send((i, w, bytes)).await.is_err() {
                    break;
                }
            }
        })
    };

    // OCR: as many documents at once as there are engines, plus one waiting per engine.
    let ocr = {
        let stages = stages.clone();
        let cache = OcrCache::from_env();
        tokio::spawn(async move {
            let mut running = tokio::task::JoinSet::new();
            while let Some((i, w, bytes)) = ocr_in.recv().await {
                while running.len() >= 2 * stages.engines() {
                    running.join_next().await;
                }
                let stages = stages.clone();
                let tx = to_classify.clone();
                let cache = cache.clone();
                running.spawn(async move {
                    let w = match cache.as_ref().and_then(|c| c.get(&w)) {
                        Some(read) => read,
                        None => {
                            let w = stages.ocr(w, bytes).await;
                            // A panic's failure is not a reading: the next run must OCR again.
                            let panicked = w.failure.as_ref().is_some_and(|f| f.code == ErrorCode::InternalError);
                            if let Some(c) = cache.as_ref().filter(|_| !panicked) {
                                c.put(&w);
                            }
                            w
                        }
                    };
                    let _ = tx.send((i, w)).await;
                });
            }
            while running.join_next().await.is_some() {}
        })
    };

    let classify = inline_stage(stages.clone(), classify_in, to_extract, |s, w| s.classify(w));
    let extract = inline_stage(stages.clone(), extract_in, to_route, |s, w| s.extract(w));

    // Sink: route, then emit in input order.
    let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut next = 0;
    while let Some((i, w)) = route_in.recv().await {
        // A route that panicked still gives the file its one line: `error`, `internal_error`.
        pending.insert(i, stages.route(&w).unwrap_or_else(|p| p.outcome(&w)));
        while let Some(o) = pending.remove(&next) {
            emit(&inputs[next], &o)?;
            next += 1;
        }
    }
    for h in [feeder, ocr, classify, extract] {
        h.await.context("a pipeline task failed")?;
    }
    anyhow::ensure!(next == inputs.len(), "only {next} of {} inputs reached an outcome", inputs.len());
    Ok(())
}

/// A folder of OCR readings by file content, for tuning the reading stages on corpora: with
/// `TAMIS_OCR_CACHE=DIR`, `tamis process` OCRs each distinct file once and later runs classify,
/// extract and route on the stored reading, so a change to those stages is measured on a family
/// in seconds, not in the quarter of an hour its OCR takes. The folder holds the documents' text:
/// it is for synthetic corpora only, never for a back office's files. Clear it when the OCR stage
/// changes; a stored reading that does not parse is read again.
#[derive(Clone)]
struct OcrCache(PathBuf);

impl OcrCache {
    fn from_env() -> Option<OcrCache> {
        std::env::var_os("TAMIS_OCR_CACHE").filter(|d| !d.is_empty()).map(|d| OcrCache(PathBuf::from(d)))
    }

    fn path(&self, w: &Work) -> PathBuf {
        self.0.join(format!("{}.json", w.envelope.blob.sha256))
    }

    fn get(&self, w: &Work) -> Option<Work> {
        let stored = std::fs::read(self.path(w)).ok()?;
        let mut read: Work = serde_json::from_slice(&stored).ok()?;
        read.envelope = w.envelope.clone();
        Some(read)
    }

    fn put(&self, w: &Work) {
        let stored = serde_json::to_vec(w).expect("a Work serialises");
        if std::fs::create_dir_all(&self.0).is_ok() {
            let _ = std::fs::write(self.path(w), stored);
        }
    }
}

fn inline_stage(
    stages: Arc<Stages>,
    mut rx: mpsc::Receiver<Item>,
    tx: mpsc::Sender<Item>,
    f: fn(&Stages, &mut Work) -> Result<(), Panicked>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some((i, mut w)) = rx.recv().await {
            // A stage that panicked (logged by `guarded`) leaves the file an `internal_error`
            // failure, which route turns into its `error` line: every input still gets one.
            if let Err(p) = f(&stages, &mut w) {
                if w.failure.is_none() {
                    w.failure = Some(p.failure());
                }
            }
            if tx.send((i, w)).await.is_err() {
                break;
            }
        }
    })
}

/// `tamis process`: writes prediction lines to `out` (stdout when None).
pub async fn process_command(
    stages: Arc<Stages>,
    paths: Vec<PathBuf>,
    out: Option<PathBuf>,
    case: Case,
) -> anyhow::Result<()> {
    let inputs = collect_inputs(&paths)?;
    anyhow::ensure!(!inputs.is_empty(), "no files found under the given paths");
    let mut writer: Box<dyn Write> = match &out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let b = indicatif::ProgressBar::new(inputs.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed_precise} (eta {eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let started = std::time::Instant::now();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let total = inputs.len();
    run(stages, inputs, case, |input, outcome| {
        *counts.entry(outcome.decision.as_str()).or_default() += 1;
        let line = serde_json::to_string(&outcome.to_prediction(&input.name))?;
        writeln!(writer, "{line}")?;
        if out.is_some() {
            writer.flush()?;
        }
        if let Some(b) = &bar {
            b.inc(1);
        }
        Ok(())
    })
    .await?;
    writer.flush()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    eprintln!(
        "tamis: {total} files in {:.1}s: {} auto, {} review, {} error",
        started.elapsed().as_secs_f64(),
        counts.get("auto").unwrap_or(&0),
        counts.get("review").unwrap_or(&0),
        counts.get("error").unwrap_or(&0)
    );
    Ok(())
}
