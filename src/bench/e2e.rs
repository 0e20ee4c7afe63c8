//! `tamis bench e2e` (issue #8): documents through a real RabbitMQ (a fresh AMQP prefix per run)
//! and real `tamis worker` child processes, one per stage, so each one's peak RSS can be read
//! from /proc; then the same pages through the tesseract command line as the ratio to beat.

use super::{cores, load_dev, quantile, render_pdf_page, run_cli, spread, CliEnv, CliRun, CorpusFile, RenderKind};
use crate::workers::work_message;
use anyhow::Context;
use clap::{Args, ValueEnum};
use futures::StreamExt;
use lapin::options::{
    BasicConsumeOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tamis_shared::blob::BlobStore;
use tamis_shared::broker::Broker;
use tamis_shared::config::{AmqpConfig, Config};
use tamis_shared::topology::{Stage, Topology};
use tamis_shared::{DocumentId, DocumentType, Envelope, Work};
use tokio::sync::Semaphore;

/// Which documents go through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Born-digital PDFs only (text layer, no OCR): the pipeline's own overhead.
    BornDigital,
    /// The whole dev corpus mix: OCR-bound.
    Full,
}

/// Options of `tamis bench e2e`.
#[derive(Args, Debug)]
pub struct E2eArgs {
    /// Documents to push (the profile's files, spread over the corpus, repeated as needed).
    #[arg(long, default_value_t = 500)]
    docs: usize,
    #[arg(long, value_enum, default_value_t = Profile::BornDigital)]
    profile: Profile,
    /// Documents submitted but not yet decided, at most (the submitter waits beyond it);
    /// default 64 for born-digital, 4 per OCR engine for full.
    #[arg(long)]
    in_flight: Option<usize>,
    /// Distinct pages read by the tesseract command line for the baseline (0: no baseline).
    #[arg(long, default_value_t = 40)]
    baseline_pages: usize,
    /// Give up waiting for outcomes after this long.
    #[arg(long, default_value_t = 1800)]
    timeout_secs: u64,
    /// The corpus folder (holding dev/truth.jsonl); default TAMIS_CORPUS_DIR or ../shared/corpus.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Also write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Run the workers from this `tamis` executable instead of this one (to compare builds).
    #[arg(long)]
    worker_exe: Option<PathBuf>,
}

/// One worker process and its memory.
#[derive(Debug, Serialize)]
struct WorkerMemory {
    stage: String,
    /// VmHWM: the process's peak resident set, in MiB.
    peak_rss_mib: f64,
    /// CPU time of the process and its helper children (poppler) during the timed part, per document,
    /// in milliseconds: unlike rates, it does not depend on what else the machine is doing.
    cpu_ms_per_document: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    profile: Profile,
    /// pdf_text files left out of the born-digital profile because the OCR stage does not trust
    /// the text layer of one of their pages (a blank page, a few words) and OCRs it.
    set_aside: Vec<String>,
    machine_cores: usize,
    ocr_engines: usize,
    load_average_1m_before: Option<f64>,
    load_average_1m_after: Option<f64>,
    documents: usize,
    /// Documents per outcome (auto, review, error).
    decisions: BTreeMap<String, usize>,
    pages: u32,
    in_flight: usize,
    seconds: f64,
    documents_per_sec: f64,
    pages_per_sec: f64,
    latency_p50_ms: f64,
    latency_p95_ms: f64,
    latency_p99_ms: f64,
    workers: Vec<WorkerMemory>,
    /// CPU the RabbitMQ server (beam.smp on this machine) spent during the timed part, per document.
    broker_cpu_ms_per_document: Option<f64>,
    /// Every message the broker routed for the run (events, stage messages, review items,
    /// dead letters), counted by a tap queue bound to every exchange, per document.
    broker_messages_per_document: f64,
    cli_default_env: Option<CliRun>,
    cli_omp_thread_limit_1: Option<CliRun>,
    /// End-to-end pages/s over the command line's, as a user runs it and held to one thread.
    ratio_vs_cli_default: Option<f64>,
    ratio_vs_cli_omp1: Option<f64>,
    /// CPU seconds per page of the command line (OMP_THREAD_LIMIT=1) over those of every worker
    /// and the broker together: the same ratio, without the machine's background load.
    cpu_ratio_vs_cli_omp1: Option<f64>,
}

/// Runs the benchmark and prints the report.
pub async fn run(config: &Config, config_path: Option<&Path>, args: E2eArgs) -> anyhow::Result<()> {
    let corpus = super::corpus_dir(args.corpus.as_deref())?;
    let files = load_dev(&corpus)?;
    let (pool, set_aside) = match args.profile {
        Profile::BornDigital => served_by_text_layer(config, &files).await?,
        Profile::Full => (files.clone(), Vec::new()),
    };
    anyhow::ensure!(!pool.is_empty() && args.docs > 0, "nothing to run: no documents for this profile");
    let distinct = spread(&pool, args.docs);
    let docs: Vec<CorpusFile> = distinct.iter().cycle().take(args.docs).cloned().collect();
    if !set_aside.is_empty() {
        eprintln!("bench e2e: born-digital files set aside because a page of theirs is OCRed: {set_aside:?}");
    }
    let engines = config.workers.ocr_engines.max(1);
    let in_flight = args.in_flight.unwrap_or(match args.profile {
        Profile::BornDigital => 64,
        Profile::Full => 4 * engines,
    });

    let run_dir = tempfile::tempdir().context("cannot create a temporary folder")?;
    let prefix = format!("tamis-bench-{}", uuid::Uuid::new_v4().simple());
    let amqp = AmqpConfig { prefix: prefix.clone(), ..config.amqp.clone() };
    let blob_dir = run_dir.path().join("blobs");
    let blobs = BlobStore::open(&blob_dir.to_string_lossy())?;
    let broker = Broker::connect(&amqp, "tamis-bench", Duration::from_secs(10)).await?;
    broker.declare_topology(&[]).await?;
    let topology = broker.topology().clone();
    let tap = Tap::start(&broker, &topology).await?;

    let mut workers = Workers::default();
    let result = async {
        for stage in Stage::ALL {
            let log = run_dir.path().join(format!("worker-{}.log", stage.as_str()));
            workers.spawn(args.worker_exe.as_deref(), stage.as_str(), config_path, &prefix, &blob_dir, &log)?;
        }
        wait_for_consumers(&broker, &topology, &mut workers, Duration::from_secs(120)).await?;
        let load_before = super::load_average();
        eprintln!(
            "bench e2e: {} documents ({:?}), {} in flight, load {load_before:?}",
            docs.len(),
            args.profile,
            in_flight
        );
        let broker_cpu_before = broker_cpu_ms();
        let workers_cpu_before = workers.cpu();
        let timed =
            push(&broker, &blobs, &topology, &tap, &docs, in_flight, Duration::from_secs(args.timeout_secs)).await?;
        // Review items follow their outcome event: give them a moment to reach the tap.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let messages = tap.count.load(Ordering::SeqCst);
        let broker_cpu = broker_cpu_before.zip(broker_cpu_ms()).map(|(a, b)| (b - a) / docs.len() as f64);
        let memory = workers.memory(docs.len(), &workers_cpu_before);
        Ok::<_, anyhow::Error>((timed, messages, memory, load_before, broker_cpu))
    }
    .await;
    workers.stop();
    cleanup(&broker, &topology, &tap).await;
    broker.close().await;
    let (timed, messages, memory, load_before, broker_cpu) = match result {
        Ok(r) => r,
        Err(e) => {
            // Keep the workers' logs: they say why.
            let kept = run_dir.keep();
            return Err(e.context(format!("worker logs kept in {}", kept.display())));
        }
    };
    let load_after = super::load_average();

    let (cli_default, cli_omp1) = if args.baseline_pages > 0 {
        let images = baseline_images(&distinct, args.baseline_pages, run_dir.path())?;
        let processes = engines;
        let d = tokio::task::block_in_place(|| run_cli(&images, processes, CliEnv::Default))?.0;
        let o = tokio::task::block_in_place(|| run_cli(&images, processes, CliEnv::OmpThreadLimit1))?.0;
        (Some(d), Some(o))
    } else {
        (None, None)
    };

    let pages: u32 = docs.iter().map(|f| f.pages).sum();
    let seconds = timed.wall.as_secs_f64();
    let pages_per_sec = pages as f64 / seconds.max(1e-9);
    let mut lat = timed.latencies_ms.clone();
    lat.sort_by(|a, b| a.total_cmp(b));
    let report = Report {
        profile: args.profile,
        set_aside,
        machine_cores: cores(),
        ocr_engines: engines,
        load_average_1m_before: load_before,
        load_average_1m_after: load_after,
        documents: docs.len(),
        decisions: timed.decisions,
        pages,
        in_flight,
        seconds,
        documents_per_sec: docs.len() as f64 / seconds.max(1e-9),
        pages_per_sec,
        latency_p50_ms: quantile(&lat, 0.50),
        latency_p95_ms: quantile(&lat, 0.95),
        latency_p99_ms: quantile(&lat, 0.99),
        broker_cpu_ms_per_document: broker_cpu,
        broker_messages_per_document: messages as f64 / docs.len() as f64,
        ratio_vs_cli_default: cli_default.as_ref().map(|c| pages_per_sec / c.pages_per_sec),
        ratio_vs_cli_omp1: cli_omp1.as_ref().map(|c| pages_per_sec / c.pages_per_sec),
        cpu_ratio_vs_cli_omp1: cli_omp1.as_ref().map(|c| {
            let per_doc_ms: f64 = memory.iter().map(|w| w.cpu_ms_per_document).sum::<f64>() + broker_cpu.unwrap_or(0.0);
            c.cpu_seconds_per_page / (per_doc_ms / 1000.0 * docs.len() as f64 / pages.max(1) as f64)
        }),
        cli_default_env: cli_default,
        cli_omp_thread_limit_1: cli_omp1,
        workers: memory,
    };
    print_report(&report);
    super::write_json(args.json.as_deref(), &report)
}

fn print_report(r: &Report) {
    println!(
        "tamis bench e2e --profile {}: {} documents, {} pages, {} cores, {} OCR engines, {} in flight, load {:?} -> {:?}",
        match r.profile {
            Profile::BornDigital => "born-digital",
            Profile::Full => "full",
        },
        r.documents, r.pages, r.machine_cores, r.ocr_engines, r.in_flight, r.load_average_1m_before, r.load_average_1m_after
    );
    println!("  {:.2} s: {:.1} documents/s, {:.2} pages/s", r.seconds, r.documents_per_sec, r.pages_per_sec);
    println!(
        "  submit -> outcome event: p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms",
        r.latency_p50_ms, r.latency_p95_ms, r.latency_p99_ms
    );
    println!("  decisions: {:?}", r.decisions);
    for w in &r.workers {
        println!(
            "  worker {:<9} peak RSS {:>7.1} MiB, CPU {:>7.1} ms per document",
            w.stage, w.peak_rss_mib, w.cpu_ms_per_document
        );
    }
    if let Some(b) = r.broker_cpu_ms_per_document {
        println!("  RabbitMQ server CPU {b:.1} ms per document");
    }
    println!("  broker messages per document: {:.2}", r.broker_messages_per_document);
    for (c, ratio) in [(&r.cli_default_env, r.ratio_vs_cli_default), (&r.cli_omp_thread_limit_1, r.ratio_vs_cli_omp1)] {
        if let (Some(c), Some(ratio)) = (c, ratio) {
            let env = match c.env {
                CliEnv::Default => "default environment",
                CliEnv::OmpThreadLimit1 => "OMP_THREAD_LIMIT=1",
            };
            println!(
                "  tesseract CLI x{} ({env}): {} pages in {:.2} s, {:.3} pages/s, {:.2} CPU s/page; end to end / CLI = {:.2}x",
                c.processes, c.pages, c.seconds, c.pages_per_sec, c.cpu_seconds_per_page, ratio
            );
        }
    }
    if let Some(r) = r.cpu_ratio_vs_cli_omp1 {
        println!("  CPU per page, CLI (OMP_THREAD_LIMIT=1) / whole pipeline incl. RabbitMQ: {r:.2}x");
    }
}

/// The worker processes of the run.
#[derive(Default)]
struct Workers {
    children: Vec<(String, Child)>,
}

impl Workers {
    fn spawn(
        &mut self,
        exe: Option<&Path>,
        stage: &str,
        config: Option<&Path>,
        prefix: &str,
        blobs: &Path,
        log: &Path,
    ) -> anyhow::Result<()> {
        let exe = match exe {
            Some(e) => e.to_path_buf(),
            None => std::env::current_exe().context("cannot find the tamis executable")?,
        };
        let mut cmd = Command::new(exe);
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        cmd.args(["worker", stage])
            .env("TAMIS_AMQP_PREFIX", prefix)
            .env("TAMIS_BLOB_URL", blobs)
            .env("OMP_THREAD_LIMIT", "1")
            // Several workers of one machine would fight over one ops port: each takes a free one.
            .env("TAMIS_HEALTH_ADDR", "127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?);
        let child = cmd.spawn().with_context(|| format!("cannot start `tamis worker {stage}`"))?;
        self.children.push((stage.to_string(), child));
        Ok(())
    }

    /// Fails when a worker has already exited (its log says why).
    fn check_alive(&mut self) -> anyhow::Result<()> {
        for (stage, child) in &mut self.children {
            if let Ok(Some(status)) = child.try_wait() {
                anyhow::bail!("`tamis worker {stage}` exited early ({status})");
            }
        }
        Ok(())
    }

    /// CPU time of each worker so far, in ms.
    fn cpu(&self) -> Vec<f64> {
        self.children.iter().map(|(_, c)| cpu_ms(c.id(), true).unwrap_or(0.0)).collect()
    }

    /// Peak memory, and CPU per document since `before` (start-up excluded).
    fn memory(&self, documents: usize, before: &[f64]) -> Vec<WorkerMemory> {
        self.children
            .iter()
            .zip(before)
            .map(|((stage, child), before)| WorkerMemory {
                stage: stage.clone(),
                peak_rss_mib: peak_rss_kib(child.id()).unwrap_or(0) as f64 / 1024.0,
                cpu_ms_per_document: (cpu_ms(child.id(), true).unwrap_or(0.0) - before) / documents.max(1) as f64,
            })
            .collect()
    }

    /// SIGTERM (the workers' graceful stop), then SIGKILL for any still running after 10 s.
    fn stop(&mut self) {
        for (_, child) in &self.children {
            // SAFETY: kill(2) on the id of a child we spawned and have not reaped yet.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for (_, child) in &mut self.children {
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
        self.children.clear();
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.stop();
    }
}

/// CPU time of a process (user + system, and its reaped children's when asked), in ms.
fn cpu_ms(pid: u32, with_children: bool) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may hold spaces, closed by the last ')'.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    // utime, stime, cutime, cstime are fields 14-17 of stat(5); `fields` starts at field 3.
    let mut ticks = tick(11)? + tick(12)?;
    if with_children {
        ticks += tick(13)? + tick(14)?;
    }
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Some(ticks * 1000.0 / hz)
}

/// CPU time of the local RabbitMQ server (the `beam.smp` process), in ms, when it runs here.
fn broker_cpu_ms() -> Option<f64> {
    let pid = std::fs::read_dir("/proc").ok()?.filter_map(Result::ok).find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let comm = std::fs::read_to_string(e.path().join("comm")).ok()?;
        (comm.trim() == "beam.smp").then_some(pid)
    })?;
    cpu_ms(pid, false)
}

/// VmHWM of a process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits until every stage queue has a consumer (workers consume only once warmed up).
async fn wait_for_consumers(
    broker: &Broker,
    topology: &Topology,
    workers: &mut Workers,
    patience: Duration,
) -> anyhow::Result<()> {
    let ch = broker.consumer_channel(1).await?;
    let started = Instant::now();
    loop {
        workers.check_alive()?;
        let mut ready = true;
        for stage in Stage::ALL {
            let q = ch
                .queue_declare(
                    topology.stage_queue(stage).as_str().into(),
                    QueueDeclareOptions { passive: true, ..Default::default() },
                    FieldTable::default(),
                )
                .await
                .context("cannot inspect a stage queue")?;
            ready &= q.consumer_count() > 0;
        }
        if ready {
            let _ = ch.close(200, "ready".into()).await;
            return Ok(());
        }
        anyhow::ensure!(started.elapsed() < patience, "the workers did not start consuming within {patience:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A queue bound to every exchange of the run: counts the messages and reports outcome events.
struct Tap {
    queue: String,
    count: Arc<AtomicU64>,
    outcomes: tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<(DocumentId, String, Instant)>>,
}

impl Tap {
    async fn start(broker: &Broker, topology: &Topology) -> anyhow::Result<Tap> {
        let ch = broker.consumer_channel(1000).await?;
        let q = ch
            .queue_declare(
                "".into(),
                QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() },
                FieldTable::default(),
            )
            .await
            .context("cannot declare the tap queue")?;
        let queue = q.name().to_string();
        let mut bindings: Vec<(String, String)> =
            vec![(topology.events_exchange(), "#".into()), (topology.dead_letter_exchange(), String::new())];
        bindings.extend(Stage::ALL.iter().map(|s| (topology.pipeline_exchange(), s.as_str().to_string())));
        bindings.extend(DocumentType::BUILT_IN.iter().map(|t| (topology.review_exchange(), t.as_str().to_string())));
        for (exchange, key) in &bindings {
            ch.queue_bind(
                queue.as_str().into(),
                exchange.as_str().into(),
                key.as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .with_context(|| format!("cannot bind the tap to {exchange}"))?;
        }
        let mut consumer = ch
            .basic_consume(
                queue.as_str().into(),
                "tamis-bench-tap".into(),
                BasicConsumeOptions { no_ack: true, ..Default::default() },
                FieldTable::default(),
            )
            .await
            .context("cannot consume the tap queue")?;
        let count = Arc::new(AtomicU64::new(0));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let counter = count.clone();
        let events = topology.events_exchange();
        tokio::spawn(async move {
            let _ch = ch;
            while let Some(Ok(d)) = consumer.next().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let key = d.routing_key.as_str();
                if d.exchange.as_str() != events
                    || !key.starts_with("document.")
                    || key.starts_with("document.received.")
                {
                    continue;
                }
                let id = d.properties.headers().as_ref().and_then(|h| match h.inner().get("document_id") {
                    Some(AMQPValue::LongString(s)) => {
                        std::str::from_utf8(s.as_bytes()).ok()?.parse::<uuid::Uuid>().ok()
                    }
                    _ => None,
                });
                if let Some(id) = id {
                    let transition = key.split('.').nth(1).unwrap_or_default().to_string();
                    if tx.send((DocumentId(id), transition, Instant::now())).is_err() {
                        break;
                    }
                }
            }
        });
        Ok(Tap { queue, count, outcomes: tokio::sync::Mutex::new(rx) })
    }
}

/// What the timed part measured.
struct Timed {
    wall: Duration,
    latencies_ms: Vec<f64>,
    decisions: BTreeMap<String, usize>,
}

/// Submits the documents like `tamis submit` (blob store, `received` event, OCR message), keeping
/// at most `in_flight` undecided, until every one has its outcome event.
async fn push(
    broker: &Broker,
    blobs: &BlobStore,
    topology: &Topology,
    tap: &Tap,
    docs: &[CorpusFile],
    in_flight: usize,
    timeout: Duration,
) -> anyhow::Result<Timed> {
    let mut bytes: HashMap<PathBuf, bytes::Bytes> = HashMap::new();
    for f in docs {
        if !bytes.contains_key(&f.path) {
            let b = std::fs::read(&f.path).with_context(|| format!("cannot read {}", f.path.display()))?;
            bytes.insert(f.path.clone(), bytes::Bytes::from(b));
        }
    }
    let window = Arc::new(Semaphore::new(in_flight.max(1)));
    let submitted: Arc<Mutex<HashMap<DocumentId, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let (err_tx, mut err_rx) = tokio::sync::mpsc::unbounded_channel::<anyhow::Error>();
    let started = Instant::now();
    let submitter = {
        let (broker, blobs, topology, window, submitted) =
            (broker.clone(), blobs.clone(), topology.clone(), window.clone(), submitted.clone());
        let inputs: Vec<(String, bytes::Bytes)> =
            docs.iter().map(|f| (f.name.clone(), bytes[&f.path].clone())).collect();
        tokio::spawn(async move {
            for (name, body) in inputs {
                let Ok(permit) = window.clone().acquire_owned().await else { return };
                // Given back when the document's outcome arrives.
                permit.forget();
                let (broker, blobs, topology, submitted, err_tx) =
                    (broker.clone(), blobs.clone(), topology.clone(), submitted.clone(), err_tx.clone());
                tokio::spawn(async move {
                    let id = DocumentId::new();
                    submitted.lock().unwrap_or_else(|p| p.into_inner()).insert(id, Instant::now());
                    let r: anyhow::Result<()> = async {
                        let blob = blobs.put(body).await?;
                        let envelope = Envelope {
                            document_id: id,
                            case_id: None,
                            case_persons: vec![],
                            file_name: name,
                            blob,
                            submitted_at: time::OffsetDateTime::now_utc(),
                            trace: Default::default(),
                        };
                        let work = Work::new(envelope);
                        let received = crate::events::received(&topology, &work.envelope);
                        let message = work_message(&topology, Stage::Ocr, &work)?;
                        let (a, b) = tokio::join!(broker.publish(&received), broker.publish(&message));
                        a?;
                        b?;
                        Ok(())
                    }
                    .await;
                    if let Err(e) = r {
                        let _ = err_tx.send(e.context("submitting a document failed"));
                    }
                });
            }
        })
    };
    let mut outcomes = tap.outcomes.lock().await;
    let mut latencies_ms = Vec::with_capacity(docs.len());
    let mut decisions = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while latencies_ms.len() < docs.len() {
        tokio::select! {
            e = err_rx.recv() => {
                if let Some(e) = e {
                    submitter.abort();
                    return Err(e);
                }
            }
            o = outcomes.recv() => {
                let Some((id, transition, at)) = o else { anyhow::bail!("the tap queue closed") };
                let Some(sent) = submitted.lock().unwrap_or_else(|p| p.into_inner()).remove(&id) else { continue };
                latencies_ms.push(at.duration_since(sent).as_secs_f64() * 1000.0);
                *decisions.entry(transition).or_insert(0) += 1;
                window.add_permits(1);
            }
            _ = tokio::time::sleep_until(deadline) => {
                submitter.abort();
                anyhow::bail!("{} of {} documents got no outcome within {timeout:?}", docs.len() - latencies_ms.len(), docs.len());
            }
        }
    }
    Ok(Timed { wall: started.elapsed(), latencies_ms, decisions })
}

/// The born-digital files whose every page the OCR stage takes from the text layer (found by
/// running the stage once on each, untimed), and the names of those it OCRs in part.
async fn served_by_text_layer(config: &Config, files: &[CorpusFile]) -> anyhow::Result<(Vec<CorpusFile>, Vec<String>)> {
    let stages = crate::pipeline::Stages::new(config)?;
    let (mut kept, mut aside) = (Vec::new(), Vec::new());
    for f in files.iter().filter(|f| f.kind == RenderKind::PdfText) {
        let bytes = std::fs::read(&f.path).with_context(|| format!("cannot read {}", f.path.display()))?;
        let work = super::ocr::work_for(&f.name, &bytes);
        let work = stages.ocr(work, bytes::Bytes::from(bytes)).await;
        if work.failure.is_none() && work.pages.iter().all(|p| p.source == tamis_shared::TextSource::TextLayer) {
            kept.push(f.clone());
        } else {
            aside.push(f.name.clone());
        }
    }
    Ok((kept, aside))
}

/// Pages for the command-line baseline: image files as they are, PDF pages rendered at 300 DPI
/// (what the OCR stage renders them at); at most `limit` pages, untimed.
fn baseline_images(files: &[CorpusFile], limit: usize, dir: &Path) -> anyhow::Result<Vec<(PathBuf, u32)>> {
    let mut out = Vec::new();
    let mut pages = 0usize;
    for (i, f) in files.iter().enumerate() {
        if pages >= limit {
            break;
        }
        if f.kind.is_image() {
            out.push((f.path.clone(), f.pages));
        } else {
            for p in 1..=f.pages {
                out.push((render_pdf_page(&f.path, p, 300, &dir.join(format!("page-{i}-{p}")))?, 1));
            }
        }
        pages += f.pages as usize;
    }
    Ok(out)
}

/// Deletes the run's queues and exchanges (the tap queue goes with its channel).
async fn cleanup(broker: &Broker, topology: &Topology, tap: &Tap) {
    let Ok(ch) = broker.consumer_channel(1).await else { return };
    let _ = ch.queue_delete(tap.queue.as_str().into(), QueueDeleteOptions::default()).await;
    for q in topology.queues(&[]) {
        let _ = ch.queue_delete(q.name.as_str().into(), QueueDeleteOptions::default()).await;
    }
    for e in topology.exchanges() {
        let _ = ch.exchange_delete(e.name.as_str().into(), ExchangeDeleteOptions::default()).await;
    }
    let _ = ch.close(200, "bench done".into()).await;
}
