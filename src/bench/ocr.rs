//! `tamis bench ocr` (issue #3): the OCR stage as the workers run it (engine pool behind its
//! semaphore, one engine per core, OMP_THREAD_LIMIT=1) against `tesseract IMAGE - -l fra` with
//! as many processes, on the same scans and photos, in the same run.

use super::{cores, load_dev, render_pdf_page, run_cli, spread, CliEnv, CliRun, CorpusFile, RenderKind};
use crate::pipeline::Stages;
use anyhow::Context;
use clap::Args;
use futures::StreamExt;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tamis_shared::config::Config;
use tamis_shared::{BlobRef, DocumentId, Envelope, MediaType, Work};

/// Options of `tamis bench ocr`.
#[derive(Args, Debug)]
pub struct OcrArgs {
    /// Pages to time (whole files are taken from the corpus's JPEG, PNG and TIFF scans and photos,
    /// spread over the corpus, until this many pages).
    #[arg(long, default_value_t = 40)]
    pages: u32,
    /// Born-digital pages rendered to images (200 DPI) to measure the character error rate
    /// against their own text layer; 0 skips it. They also warm the engines up, untimed.
    #[arg(long, default_value_t = 6)]
    twins: usize,
    /// The corpus folder (holding dev/truth.jsonl); default TAMIS_CORPUS_DIR or ../shared/corpus.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Also write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// Tamis's side of one timed run.
#[derive(Debug, Serialize)]
struct TamisRun {
    engines: usize,
    files: usize,
    pages: u32,
    seconds: f64,
    pages_per_sec: f64,
    /// Engine-seconds a page costs on average (wall time x engines / pages).
    core_seconds_per_page: f64,
    /// CPU time (user + system) this process spent per page: the sizing figure, and the fairest
    /// comparison with the command line on a busy machine.
    cpu_seconds_per_page: f64,
    failures: usize,
}

/// Character error rate of one rendered born-digital page.
#[derive(Debug, Serialize)]
struct Twin {
    file: String,
    reference_chars: usize,
    tamis_cer: f64,
    cli_cer: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    machine_cores: usize,
    load_average_1m_before: Option<f64>,
    load_average_1m_after: Option<f64>,
    tamis: TamisRun,
    cli_default_env: CliRun,
    cli_omp_thread_limit_1: CliRun,
    /// Tamis pages/s over the command line's as a user runs it (OMP_THREAD_LIMIT unset): the
    /// issue's definition of the baseline.
    ratio_vs_cli_default: f64,
    /// Tamis pages/s over the command line held to one OpenMP thread: engine against engine.
    ratio_vs_cli_omp1: f64,
    /// The command line's CPU seconds per page over Tamis's (OMP_THREAD_LIMIT=1): above 1, Tamis
    /// spends less CPU on a page.
    cpu_ratio_vs_cli_omp1: f64,
    twins: Vec<Twin>,
    /// Mean CER over the twins, weighted by reference length.
    tamis_cer: Option<f64>,
    cli_cer: Option<f64>,
    twins_note: &'static str,
}

const TWINS_NOTE: &str = "dev/ has no born-digital twin of any scan (truth.jsonl carries no shared document id and no two \
    documents share their fields, except `other` files with none), so the twins are pdf_text pages rendered to 200-DPI images";

/// Runs the benchmark and prints the report.
pub async fn run(config: &Config, args: OcrArgs) -> anyhow::Result<()> {
    let corpus = super::corpus_dir(args.corpus.as_deref())?;
    let files = load_dev(&corpus)?;
    let images: Vec<CorpusFile> = files.iter().filter(|f| f.kind.is_image()).cloned().collect();
    let total: u32 = images.iter().map(|f| f.pages).sum();
    let wanted = args.pages.max(1).min(total);
    // Take evenly spread files until the page count is reached.
    let mut chosen = Vec::new();
    let mut pages = 0;
    for f in spread(&images, images.len()).into_iter().step_by((total / wanted).max(1) as usize) {
        if pages >= wanted {
            break;
        }
        pages += f.pages;
        chosen.push(f);
    }
    let engines = config.workers.ocr_engines.max(1);
    let stages = Stages::new(config)?;
    stages.warm_up()?;
    let load_before = super::load_average();
    eprintln!("bench ocr: {} files, {pages} pages, {engines} engines, load {load_before:?}", chosen.len());

    let workdir = tempfile::tempdir().context("cannot create a temporary folder")?;
    let twins = measure_twins(&stages, &files, args.twins, engines, workdir.path()).await?;

    let list: Vec<(PathBuf, u32)> = chosen.iter().map(|f| (f.path.clone(), f.pages)).collect();
    // The command line without OpenMP limit first, then Tamis, then the limited one: the machine's
    // background load drifts, and this order puts Tamis between its two baselines.
    let (cli_default, _) = tokio::task::block_in_place(|| run_cli(&list, engines, CliEnv::Default))?;
    eprintln!("  tesseract CLI (default env): {:.3} pages/s", cli_default.pages_per_sec);
    let tamis = time_tamis(&stages, &chosen, engines).await?;
    eprintln!("  tamis OCR stage:            {:.3} pages/s", tamis.pages_per_sec);
    let (cli_omp1, _) = tokio::task::block_in_place(|| run_cli(&list, engines, CliEnv::OmpThreadLimit1))?;
    eprintln!("  tesseract CLI (OMP=1):      {:.3} pages/s", cli_omp1.pages_per_sec);

    let weighted = |f: fn(&Twin) -> f64| -> Option<f64> {
        let n: usize = twins.iter().map(|t| t.reference_chars).sum();
        (n > 0).then(|| twins.iter().map(|t| f(t) * t.reference_chars as f64).sum::<f64>() / n as f64)
    };
    let report = Report {
        machine_cores: cores(),
        load_average_1m_before: load_before,
        load_average_1m_after: super::load_average(),
        ratio_vs_cli_default: tamis.pages_per_sec / cli_default.pages_per_sec,
        ratio_vs_cli_omp1: tamis.pages_per_sec / cli_omp1.pages_per_sec,
        cpu_ratio_vs_cli_omp1: cli_omp1.cpu_seconds_per_page / tamis.cpu_seconds_per_page,
        tamis_cer: weighted(|t| t.tamis_cer),
        cli_cer: weighted(|t| t.cli_cer),
        twins,
        twins_note: TWINS_NOTE,
        tamis,
        cli_default_env: cli_default,
        cli_omp_thread_limit_1: cli_omp1,
    };
    print_report(&report);
    super::write_json(args.json.as_deref(), &report)
}

fn print_report(r: &Report) {
    println!(
        "tamis bench ocr: {} pages ({} files: scans and photos of dev/), {} cores, load {:?} -> {:?}",
        r.tamis.pages, r.tamis.files, r.machine_cores, r.load_average_1m_before, r.load_average_1m_after
    );
    println!("  {:<46} {:>8} {:>9} {:>10} {:>8}", "", "seconds", "pages/s", "CPU s/page", "failures");
    println!(
        "  {:<46} {:>8.2} {:>9.3} {:>10.2} {:>8}",
        format!("tamis OCR stage ({} engines)", r.tamis.engines),
        r.tamis.seconds,
        r.tamis.pages_per_sec,
        r.tamis.cpu_seconds_per_page,
        r.tamis.failures
    );
    for c in [&r.cli_default_env, &r.cli_omp_thread_limit_1] {
        let label = match c.env {
            CliEnv::Default => format!("tesseract CLI x{}, default environment", c.processes),
            CliEnv::OmpThreadLimit1 => format!("tesseract CLI x{}, OMP_THREAD_LIMIT=1", c.processes),
        };
        println!(
            "  {label:<46} {:>8.2} {:>9.3} {:>10.2} {:>8}",
            c.seconds, c.pages_per_sec, c.cpu_seconds_per_page, c.failures
        );
    }
    println!("  ratio tamis / CLI as a user runs it (headline): {:.2}x", r.ratio_vs_cli_default);
    println!("  ratio tamis / CLI with OMP_THREAD_LIMIT=1:      {:.2}x", r.ratio_vs_cli_omp1);
    println!("  CPU per page, CLI (OMP_THREAD_LIMIT=1) / tamis:   {:.2}x", r.cpu_ratio_vs_cli_omp1);
    if !r.twins.is_empty() {
        println!(
            "  character error rate on {} rendered born-digital pages: tamis {:.4}, CLI {:.4}",
            r.twins.len(),
            r.tamis_cer.unwrap_or(f64::NAN),
            r.cli_cer.unwrap_or(f64::NAN)
        );
        println!("  ({})", r.twins_note);
    }
}

/// A fresh `Work` for OCRing `bytes` outside the broker.
pub(super) fn work_for(name: &str, bytes: &[u8]) -> Work {
    Work::new(Envelope {
        document_id: DocumentId::new(),
        case_id: None,
        case_persons: vec![],
        file_name: name.to_string(),
        blob: BlobRef {
            key: String::new(),
            sha256: String::new(),
            media_type: MediaType::sniff(bytes),
            size: bytes.len() as u64,
        },
        submitted_at: time::OffsetDateTime::now_utc(),
        trace: Default::default(),
    })
}

/// OCRs files through the stage, `engines` at a time as a worker does; the text of each file
/// (empty on failure) in input order.
async fn ocr_files(stages: &Arc<Stages>, files: &[(String, Vec<u8>)], engines: usize) -> Vec<Work> {
    futures::stream::iter(files.iter().map(|(name, bytes)| {
        let stages = stages.clone();
        let work = work_for(name, bytes);
        let bytes = bytes::Bytes::from(bytes.clone());
        async move { stages.ocr(work, bytes).await }
    }))
    .buffered(engines)
    .collect()
    .await
}

async fn time_tamis(stages: &Arc<Stages>, chosen: &[CorpusFile], engines: usize) -> anyhow::Result<TamisRun> {
    let mut inputs = Vec::new();
    for f in chosen {
        inputs.push((
            f.name.clone(),
            std::fs::read(&f.path).with_context(|| format!("cannot read {}", f.path.display()))?,
        ));
    }
    let cpu_before = super::cpu_seconds(libc::RUSAGE_SELF);
    let started = Instant::now();
    let works = ocr_files(stages, &inputs, engines).await;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = super::cpu_seconds(libc::RUSAGE_SELF) - cpu_before;
    let failures = works.iter().filter(|w| w.failure.is_some()).count();
    // Pages as the truth counts them, like the command line's side.
    let pages: u32 = chosen.iter().map(|f| f.pages).sum();
    Ok(TamisRun {
        engines,
        files: chosen.len(),
        pages,
        seconds,
        pages_per_sec: pages as f64 / seconds.max(1e-9),
        core_seconds_per_page: seconds * engines as f64 / pages.max(1) as f64,
        cpu_seconds_per_page: cpu / pages.max(1) as f64,
        failures,
    })
}

/// Renders the first page of `n` born-digital files, reads it with Tamis and with the command
/// line, and scores both against the page's own text layer.
async fn measure_twins(
    stages: &Arc<Stages>,
    files: &[CorpusFile],
    n: usize,
    engines: usize,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<Twin>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let born: Vec<CorpusFile> = files.iter().filter(|f| f.kind == RenderKind::PdfText).cloned().collect();
    let picked = spread(&born, n);
    let mut refs = Vec::new();
    let mut images = Vec::new();
    let mut inputs = Vec::new();
    for (i, f) in picked.iter().enumerate() {
        let png = render_pdf_page(&f.path, 1, 200, &dir.join(format!("twin-{i}")))?;
        let out = std::process::Command::new("pdftotext")
            .args(["-f", "1", "-l", "1", "-enc", "UTF-8"])
            .arg(&f.path)
            .arg("-")
            .output()
            .context("cannot run pdftotext (apt-get install poppler-utils)")?;
        refs.push(normalise(&String::from_utf8_lossy(&out.stdout)));
        inputs.push((f.name.clone(), std::fs::read(&png)?));
        images.push((png, 1));
    }
    let works = ocr_files(stages, &inputs, engines).await;
    let (_, cli_texts) = tokio::task::block_in_place(|| run_cli(&images, engines, CliEnv::OmpThreadLimit1))?;
    Ok(picked
        .iter()
        .zip(refs)
        .zip(works.iter().zip(cli_texts))
        .map(|((f, reference), (work, cli))| {
            let tamis: String = work.pages.iter().map(|p| p.text()).collect();
            Twin {
                file: f.name.clone(),
                reference_chars: reference.chars().count(),
                tamis_cer: cer(&normalise(&tamis), &reference),
                cli_cer: cer(&normalise(&cli), &reference),
            }
        })
        .collect())
}

/// Whitespace runs (layout, not reading) collapsed to one space.
fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Character error rate: edit distance over the reference's length.
fn cer(hypothesis: &str, reference: &str) -> f64 {
    let n = reference.chars().count();
    if n == 0 {
        return if hypothesis.is_empty() { 0.0 } else { 1.0 };
    }
    strsim::levenshtein(hypothesis, reference) as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cer_counts_edits_over_the_reference() {
        assert_eq!(cer("bonjour", "bonjour"), 0.0);
        assert!((cer("bonjuor", "bonjour") - 2.0 / 7.0).abs() < 1e-9);
        assert_eq!(cer("", "abcd"), 1.0);
        assert_eq!(normalise(" a\n\n b \t c "), "a b c");
    }
}
