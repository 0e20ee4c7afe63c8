//! `tamis bench ocr` and `tamis bench e2e`: throughput benchmarks on the shared corpus, each
//! measured against the plain `tesseract` command line in the same run, because on a shared
//! machine only ratios taken side by side mean anything.

mod e2e;
mod ocr;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use tamis_shared::config::Config;

pub use e2e::E2eArgs;
pub use ocr::OcrArgs;

/// The benchmarks.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// The OCR stage (engine pool) against `tesseract IMAGE - -l fra` on the corpus's scans and photos.
    Ocr(OcrArgs),
    /// Documents through RabbitMQ and worker processes, end to end, against the tesseract command line.
    E2e(E2eArgs),
}

/// Runs one benchmark.
pub async fn bench_command(config: &Config, config_path: Option<&Path>, cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Ocr(args) => ocr::run(config, args).await,
        BenchCommand::E2e(args) => e2e::run(config, config_path, args).await,
    }
}

/// How a corpus file was made (truth.jsonl `render.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderKind {
    PdfText,
    PdfScan,
    Jpeg,
    Png,
    Tiff,
}

impl RenderKind {
    fn parse(s: &str) -> Option<RenderKind> {
        Some(match s {
            "pdf_text" => RenderKind::PdfText,
            "pdf_scan" => RenderKind::PdfScan,
            "jpeg" => RenderKind::Jpeg,
            "png" => RenderKind::Png,
            "tiff" => RenderKind::Tiff,
            _ => return None,
        })
    }

    /// Images the tesseract command line reads as they are (PDFs must be rendered first).
    pub fn is_image(self) -> bool {
        matches!(self, RenderKind::Jpeg | RenderKind::Png | RenderKind::Tiff)
    }
}

/// One file of the corpus with what its truth line says about its making.
#[derive(Clone, Debug)]
pub struct CorpusFile {
    pub path: PathBuf,
    pub name: String,
    pub kind: RenderKind,
    pub pages: u32,
}

/// The corpus folder: `--corpus`, else `TAMIS_CORPUS_DIR`, else `../shared/corpus` from the
/// current folder or from the source tree.
pub fn corpus_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let candidates: Vec<PathBuf> = match given {
        Some(p) => vec![p.to_path_buf()],
        None => std::env::var_os("TAMIS_CORPUS_DIR")
            .map(PathBuf::from)
            .into_iter()
            .chain([PathBuf::from("../shared/corpus"), Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")])
            .collect(),
    };
    candidates.iter().find(|p| p.join("dev/truth.jsonl").is_file()).cloned().with_context(|| {
        format!("no corpus with dev/truth.jsonl at {candidates:?}: pass --corpus DIR or set TAMIS_CORPUS_DIR")
    })
}

/// The files of `dev/`, in name order, as truth.jsonl describes them.
pub fn load_dev(corpus: &Path) -> anyhow::Result<Vec<CorpusFile>> {
    let dev = corpus.join("dev");
    let truth = std::fs::read_to_string(dev.join("truth.jsonl")).context("cannot read dev/truth.jsonl")?;
    let mut files = Vec::new();
    for (i, line) in truth.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).with_context(|| format!("truth.jsonl line {}", i + 1))?;
        let name = v["file"].as_str().with_context(|| format!("truth.jsonl line {}: no file", i + 1))?.to_string();
        let kind = v["render"]["kind"]
            .as_str()
            .and_then(RenderKind::parse)
            .with_context(|| format!("truth.jsonl line {}: unknown render kind", i + 1))?;
        let pages = v["render"]["pages"].as_u64().unwrap_or(1).max(1) as u32;
        files.push(CorpusFile { path: dev.join(&name), name, kind, pages });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    anyhow::ensure!(!files.is_empty(), "dev/truth.jsonl lists no files");
    Ok(files)
}

/// Every `step`-th element so a sample keeps the corpus's mix (names carry no order).
pub fn spread<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if n >= items.len() {
        return items.to_vec();
    }
    (0..n).map(|i| items[i * items.len() / n].clone()).collect()
}

/// Cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// How the tesseract command line is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CliEnv {
    /// As a user would type it: OMP_THREAD_LIMIT unset, so each process starts its OpenMP threads.
    Default,
    /// With OMP_THREAD_LIMIT=1, like Tamis's engines.
    OmpThreadLimit1,
}

/// One timed run of the tesseract command line.
#[derive(Debug, Serialize)]
pub struct CliRun {
    pub env: CliEnv,
    pub processes: usize,
    pub images: usize,
    pub pages: u32,
    pub seconds: f64,
    pub pages_per_sec: f64,
    /// CPU time (user + system) of the tesseract processes per page: unlike pages/s, it barely
    /// depends on what else the machine runs.
    pub cpu_seconds_per_page: f64,
    pub failures: usize,
}

/// Runs `tesseract IMAGE - -l fra` on every image with `processes` at a time; returns the run and
/// the text read from each image (empty where tesseract failed).
pub fn run_cli(images: &[(PathBuf, u32)], processes: usize, env: CliEnv) -> anyhow::Result<(CliRun, Vec<String>)> {
    let which = Command::new("tesseract").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    anyhow::ensure!(
        which.is_ok(),
        "the tesseract command line is not installed (apt-get install tesseract-ocr tesseract-ocr-fra)"
    );
    let texts: Vec<Mutex<Option<String>>> = images.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let failures = AtomicUsize::new(0);
    let cpu_before = cpu_seconds(libc::RUSAGE_CHILDREN);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..processes.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((path, _)) = images.get(i) else { break };
                let mut cmd = Command::new("tesseract");
                cmd.arg(path).arg("-").args(["-l", "fra"]).stdin(Stdio::null()).stderr(Stdio::null());
                match env {
                    CliEnv::Default => cmd.env_remove("OMP_THREAD_LIMIT"),
                    CliEnv::OmpThreadLimit1 => cmd.env("OMP_THREAD_LIMIT", "1"),
                };
                match cmd.output() {
                    Ok(out) if out.status.success() => {
                        *texts[i].lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(String::from_utf8_lossy(&out.stdout).into_owned());
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let pages: u32 = images.iter().map(|(_, p)| p).sum();
    let run = CliRun {
        env,
        processes,
        images: images.len(),
        pages,
        seconds,
        pages_per_sec: pages as f64 / seconds.max(1e-9),
        cpu_seconds_per_page: (cpu_seconds(libc::RUSAGE_CHILDREN) - cpu_before) / pages.max(1) as f64,
        failures: failures.into_inner(),
    };
    let texts =
        texts.into_iter().map(|t| t.into_inner().unwrap_or_else(|p| p.into_inner()).unwrap_or_default()).collect();
    Ok((run, texts))
}

/// User + system CPU seconds of this process (`RUSAGE_SELF`) or of its reaped children.
pub fn cpu_seconds(who: libc::c_int) -> f64 {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut u) } != 0 {
        return f64::NAN;
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// Renders page `page` of a PDF to a grayscale PNG at `dpi` with poppler (outside any timing).
pub fn render_pdf_page(pdf: &Path, page: u32, dpi: u32, out_root: &Path) -> anyhow::Result<PathBuf> {
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(pdf)
        .arg(out_root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("cannot run pdftoppm (apt-get install poppler-utils)")?;
    anyhow::ensure!(status.success(), "pdftoppm could not render page {page} of {}", pdf.display());
    Ok(out_root.with_extension("png"))
}

/// The `q`-quantile (0..=1) of sorted values, by nearest rank.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The one-minute load average, to say how busy the machine was.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Writes the machine-readable report when asked to.
pub fn write_json(path: Option<&Path>, value: &impl Serialize) -> anyhow::Result<()> {
    if let Some(p) = path {
        let body = serde_json::to_vec_pretty(value)?;
        std::fs::write(p, body).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 50.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&[3.0], 0.95), 3.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn spread_keeps_the_mix() {
        let v: Vec<u32> = (0..10).collect();
        assert_eq!(spread(&v, 5), vec![0, 2, 4, 6, 8]);
        assert_eq!(spread(&v, 20), v);
    }
}
