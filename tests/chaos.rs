//! Chaos: hundreds of documents through `tamis worker` processes while one worker is SIGKILLed
//! mid-processing and restarted and the broker itself is restarted once. Every document must still
//! end in exactly one outcome (after deduplication by event id), nothing may be left parked that
//! a bad input did not put there, and worker memory must stay bounded.
//!
//! The broker here is a private RabbitMQ node on free loopback ports (tests/common/node.rs): the
//! shared one on 5672 serves other tests at the same time and must never be restarted.

mod common;

use common::node::PrivateNode;
use common::*;
use lapin::options::*;
use lapin::types::{AMQPValue, FieldTable};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Copies of each born-digital dev PDF submitted (each copy is a distinct document: submit gives
/// every file a fresh document id).
const COPIES: usize = 8;
/// Scanned images submitted too (OCR is slow on 2 cores: a few are enough to have OCR in flight).
const IMAGES: usize = 3;
/// Worker peak resident memory allowed, in MiB. What bounds it is the configuration, not the queue:
/// one decoded page per OCR engine (up to `limits.max_page_pixels`, 100 Mpx) plus tesseract's
/// working memory. Measured: ~270 MiB through the born-digital PDFs, 469 MiB once the corpus's
/// large scans and bad images are decoded (one engine per worker).
const MAX_WORKER_MIB: u64 = 512;

/// Peak resident set size (VmHWM) of a live process, in KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Current resident set size (VmRSS) of a live process, in KiB.
fn vm_rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Env {
    url: String,
    prefix: String,
    blobs: PathBuf,
}

impl Env {
    fn command(&self) -> Command {
        let mut c = tamis();
        c.env("TAMIS_AMQP_URL", &self.url)
            .env("TAMIS_AMQP_PREFIX", &self.prefix)
            .env("TAMIS_BLOB_URL", &self.blobs)
            .env("TAMIS_OCR_ENGINES", "1")
            .env("TAMIS_HEALTH_ADDR", "127.0.0.1:0");
        c
    }

    fn worker(&self, log: &Path) -> Child {
        self.command()
            .args(["worker", "all"])
            .stdout(Stdio::null())
            .stderr(std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap())
            .spawn()
            .expect("start tamis worker")
    }
}

/// One outcome event as the tap saw it.
#[derive(Clone, Debug)]
struct Seen {
    event_id: String,
    subject: String,
    routing_key: String,
}

/// Reads the tap queue (durable, so it survives the broker restart) until told to stop,
/// reconnecting whenever the broker goes away; acks after recording, so a message is seen at
/// least once (a redelivery shows up as a duplicate event id).
fn spawn_tap_reader(
    url: String,
    queue: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let Ok(conn) = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await else {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                };
                let Ok(ch) = conn.create_channel().await else { continue };
                loop {
                    match ch.basic_get(queue.as_str().into(), BasicGetOptions { no_ack: false }).await {
                        Ok(Some(m)) => {
                            let v: serde_json::Value = serde_json::from_slice(&m.delivery.data).unwrap_or_default();
                            seen.lock().unwrap().push(Seen {
                                event_id: v["id"].as_str().unwrap_or_default().to_string(),
                                subject: v["subject"].as_str().unwrap_or_default().to_string(),
                                routing_key: m.delivery.routing_key.to_string(),
                            });
                            if m.delivery.ack(BasicAckOptions::default()).await.is_err() {
                                break;
                            }
                        }
                        Ok(None) => {
                            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        Err(_) => break,
                    }
                }
                let _ = conn.close(0, "tap".into()).await;
            }
        });
    })
}

async fn declare_tap(url: &str, prefix: &str) -> String {
    let conn = lapin::Connection::connect(url, lapin::ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    let queue = format!("{prefix}.test-tap");
    let mut args = FieldTable::default();
    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    ch.queue_declare(queue.as_str().into(), QueueDeclareOptions { durable: true, ..Default::default() }, args)
        .await
        .unwrap();
    for key in ["document.accepted.#", "document.review_requested.#", "document.rejected.#"] {
        ch.queue_bind(
            queue.as_str().into(),
            format!("{prefix}.events").as_str().into(),
            key.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    }
    let _ = conn.close(0, "declared".into()).await;
    queue
}

async fn depth(url: &str, queue: &str) -> Option<u32> {
    let conn = lapin::Connection::connect(url, lapin::ConnectionProperties::default()).await.ok()?;
    let ch = conn.create_channel().await.ok()?;
    let q = ch
        .queue_declare(queue.into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default())
        .await
        .ok()?;
    let _ = conn.close(0, "depth".into()).await;
    Some(q.message_count())
}

/// The inputs: COPIES copies of every born-digital dev PDF, every bad file, a few images.
/// Returns the folder and the names of the bad inputs.
fn inputs(shared: &Path, dir: &Path) -> BTreeSet<String> {
    let dev = shared.join("corpus/dev");
    let truth = std::fs::read_to_string(dev.join("truth.jsonl")).unwrap();
    let mut born_digital = Vec::new();
    let mut images = Vec::new();
    for l in truth.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let file = v["file"].as_str().unwrap().to_string();
        match v["render"]["kind"].as_str() {
            Some("pdf_text") => born_digital.push(file),
            Some("png") | Some("jpeg") if images.len() < IMAGES => images.push(file),
            _ => {}
        }
    }
    for k in 0..COPIES {
        let d = dir.join(format!("copy{k}"));
        std::fs::create_dir_all(&d).unwrap();
        for f in &born_digital {
            std::fs::copy(dev.join(f), d.join(f)).unwrap();
        }
    }
    let d = dir.join("images");
    std::fs::create_dir_all(&d).unwrap();
    for f in &images {
        std::fs::copy(dev.join(f), d.join(f)).unwrap();
    }
    let d = dir.join("bad");
    std::fs::create_dir_all(&d).unwrap();
    let mut bad = BTreeSet::new();
    for e in std::fs::read_dir(shared.join("corpus/bad")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".jsonl") {
            continue;
        }
        std::fs::copy(e.path(), d.join(&name)).unwrap();
        bad.insert(format!("bad/{name}"));
    }
    bad
}

fn sigkill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn sigterm(mut child: Child) -> Option<i32> {
    // SAFETY: kill(2) on our own child; no memory effects.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return s.code();
        }
        if Instant::now() > deadline {
            sigkill(&mut child);
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

// The guard serialises whole tests (each starts its own broker node); nothing awaited here takes it.
#[allow(clippy::await_holding_lock)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_every_document_gets_exactly_one_outcome() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let shared = shared_dir();
    let started = Instant::now();
    let node = PrivateNode::start("chaos", "").expect("RabbitMQ must be installed (scripts/system-deps --tests)");
    let blobs = tempfile::tempdir().unwrap();
    let env = Env {
        url: node.url(),
        prefix: format!("chaos-{}", uuid::Uuid::new_v4().simple()),
        blobs: blobs.path().to_path_buf(),
    };
    let input = tempfile::tempdir().unwrap();
    let bad = inputs(&shared, input.path());
    let logs = tempfile::tempdir().unwrap();
    let log = |n: &str| logs.path().join(format!("{n}.log"));
    let dump_logs = || -> String {
        ["a", "b"]
            .iter()
            .map(|n| format!("--- worker {n} (tail)\n{}", tail(&log(n), 40)))
            .collect::<Vec<_>>()
            .join("\n")
    };

    let out = env.command().arg("topology").output().unwrap();
    assert!(out.status.success(), "topology: {}", String::from_utf8_lossy(&out.stderr));
    let tap_queue = declare_tap(&env.url, &env.prefix).await;
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let stop_tap = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tap = spawn_tap_reader(env.url.clone(), tap_queue.clone(), seen.clone(), stop_tap.clone());

    let worker_a = env.worker(&log("a"));
    let mut worker_b = env.worker(&log("b"));
    let out = env.command().arg("submit").arg(input.path()).output().unwrap();
    let submitted = submitted(&out);
    let n = submitted.len();
    assert!(n >= 500, "at least 500 documents, got {n}");

    let outcome_docs =
        |seen: &Mutex<Vec<Seen>>| seen.lock().unwrap().iter().map(|s| s.subject.clone()).collect::<BTreeSet<_>>().len();
    let mut peak_kib: u64 = 0;
    let mut sample = |pids: &[u32]| {
        for p in pids {
            peak_kib = peak_kib.max(vm_hwm_kib(*p).unwrap_or(0));
        }
    };
    let (mut kills, mut broker_restarts) = (0, 0);
    // Bounded: about a minute on 2 idle cores; far more when the machine is shared.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let done = outcome_docs(&seen);
        sample(&[worker_a.id(), worker_b.id()]);
        if kills == 0 && done >= n / 8 {
            // Mid-processing: documents are in flight in every stage.
            sigkill(&mut worker_b);
            kills += 1;
            worker_b = env.worker(&log("b"));
        } else if kills == 1 && broker_restarts == 0 && done >= n / 3 {
            node.restart();
            broker_restarts += 1;
        }
        if done >= n || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // A duplicate would come shortly after the last outcome: give it the chance to show.
    tokio::time::sleep(Duration::from_secs(3)).await;
    sample(&[worker_a.id(), worker_b.id()]);
    let parked = depth(&env.url, &format!("{}.parking", env.prefix)).await;
    let parked_list = env.command().args(["parked", "list", "--json"]).output().unwrap();
    stop_tap.store(true, std::sync::atomic::Ordering::SeqCst);
    tap.join().unwrap();
    let code_a = sigterm(worker_a);
    let code_b = sigterm(worker_b);

    let seen = seen.lock().unwrap().clone();
    let mut by_doc: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in &seen {
        assert!(!s.event_id.is_empty(), "an outcome event without id: {s:?}");
        by_doc.entry(s.subject.as_str()).or_default().insert(s.event_id.as_str());
    }
    let distinct: usize = by_doc.values().map(|ids| ids.len()).sum();
    let duplicates = seen.len() - distinct;
    let rejected = seen
        .iter()
        .filter(|s| s.routing_key.starts_with("document.rejected"))
        .map(|s| s.subject.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    println!(
        "chaos figures: documents {n}, worker kills {kills} (SIGKILL), broker restarts {broker_restarts}, outcome events {} ({distinct} distinct, {rejected} rejected), duplicates seen {duplicates}, parked {}, worker peak RSS {} MiB, elapsed {:.0} s",
        seen.len(),
        parked.unwrap_or(u32::MAX),
        peak_kib / 1024,
        started.elapsed().as_secs_f64()
    );

    assert_eq!(
        kills,
        1,
        "the worker was killed once mid-processing (outcomes seen {}/{n})\n{}",
        by_doc.len(),
        dump_logs()
    );
    assert_eq!(
        broker_restarts,
        1,
        "the broker was restarted once (outcomes seen {}/{n})\n{}",
        by_doc.len(),
        dump_logs()
    );
    let missing: Vec<&String> =
        submitted.iter().filter(|(id, _)| !by_doc.contains_key(id.as_str())).map(|(_, f)| f).collect();
    assert!(
        missing.is_empty(),
        "{} of {n} documents have no outcome: {:?}\n{}",
        missing.len(),
        &missing[..missing.len().min(10)],
        dump_logs()
    );
    for (id, ids) in &by_doc {
        assert!(submitted.contains_key(*id), "an outcome for a document nobody submitted: {id}");
        assert_eq!(ids.len(), 1, "{} ({id}) has {} different outcome events: {ids:?}", submitted[*id], ids.len());
    }
    // Bad inputs become rejected outcomes, not parked messages: parking must be empty, or hold
    // only bad inputs.
    let parked_entries = String::from_utf8_lossy(&parked_list.stdout).into_owned();
    for line in parked_entries.lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = e["document_id"].as_str().and_then(|id| submitted.get(id)).cloned().unwrap_or_default();
        assert!(bad.contains(&file), "a good document was parked: {line}");
    }
    assert_eq!(parked, Some(parked_entries.lines().count() as u32), "parking depth matches the list");
    assert!(peak_kib / 1024 < MAX_WORKER_MIB, "worker peak RSS {} MiB over {MAX_WORKER_MIB} MiB", peak_kib / 1024);
    assert_eq!((code_a, code_b), (Some(0), Some(0)), "workers exit 0 on SIGTERM\n{}", dump_logs());
    for stage in ["ocr", "classify", "extract", "route"] {
        assert_eq!(depth(&env.url, &format!("{}.{stage}", env.prefix)).await, Some(0), "{stage} drained");
    }
    drop(node);
}

fn tail(p: &Path, lines: usize) -> String {
    let s = std::fs::read_to_string(p).unwrap_or_default();
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// One test at a time in this file: each drives a private broker and loads both cores.
static SERIAL: Mutex<()> = Mutex::new(());

/// Messages queued for the backpressure check.
const QUEUED: usize = 10_000;
/// Documents the worker must drain while its memory is sampled.
const SAMPLED: usize = 1_000;

// As above: the guard serialises whole tests.
#[allow(clippy::await_holding_lock)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backpressure_worker_memory_stays_flat_under_10000_queued_documents() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let node =
        PrivateNode::start("backpressure", "").expect("RabbitMQ must be installed (scripts/system-deps --tests)");
    let blobs = tempfile::tempdir().unwrap();
    let env = Env {
        url: node.url(),
        prefix: format!("bp-{}", uuid::Uuid::new_v4().simple()),
        blobs: blobs.path().to_path_buf(),
    };
    let out = env.command().arg("topology").output().unwrap();
    assert!(out.status.success(), "topology: {}", String::from_utf8_lossy(&out.stderr));
    let tap_queue = declare_tap(&env.url, &env.prefix).await;

    // A real page of text, read by the OCR stage from a born-digital sample, queued for classify
    // under 10,000 document ids: classify, extract and route then do their real work on each.
    let bytes = std::fs::read(root().join("samples/doc-0001.pdf")).unwrap();
    let store = tamis_shared::blob::BlobStore::open(&blobs.path().to_string_lossy()).unwrap();
    let blob = store.put(bytes::Bytes::from(bytes.clone())).await.unwrap();
    let mut template = tamis_shared::Work::new(tamis_shared::Envelope {
        document_id: tamis_shared::DocumentId::new(),
        case_id: None,
        case_persons: vec![],
        file_name: "doc-0001.pdf".into(),
        blob,
        submitted_at: time::OffsetDateTime::now_utc(),
        trace: Default::default(),
    });
    tamis_ocr::Ocr::new(tamis_ocr::OcrConfig { engines: 1, ..Default::default() }).process(&mut template, &bytes);
    assert!(template.failure.is_none() && !template.pages.is_empty(), "the sample has a text layer");

    let log = tempfile::NamedTempFile::new().unwrap();
    let mut worker = env.worker(log.path());
    let pid = worker.id();
    // Idle baseline: connected, consumers running, nothing to do.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_kib = vm_rss_kib(pid).expect("worker is running");

    let conn = lapin::Connection::connect(&env.url, lapin::ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
    let exchange = format!("{}.pipeline", env.prefix);
    let mut body_bytes = 0;
    for chunk in (0..QUEUED).collect::<Vec<_>>().chunks(500) {
        let mut confirms = Vec::new();
        for _ in chunk {
            let mut w = template.clone();
            w.envelope.document_id = tamis_shared::DocumentId::new();
            let body = serde_json::to_vec(&w).unwrap();
            body_bytes += body.len();
            let mut h = FieldTable::default();
            h.insert("document_id".into(), AMQPValue::LongString(w.envelope.document_id.to_string().as_str().into()));
            let props = lapin::BasicProperties::default()
                .with_delivery_mode(2)
                .with_type("tamis.work.v1".into())
                .with_message_id(w.envelope.document_id.transition_id("classify").to_string().as_str().into())
                .with_headers(h);
            confirms.push(
                ch.basic_publish(
                    exchange.as_str().into(),
                    "classify".into(),
                    BasicPublishOptions::default(),
                    &body,
                    props,
                )
                .await
                .unwrap(),
            );
        }
        for c in confirms {
            assert!(c.await.unwrap().is_ack(), "the broker stored every queued message");
        }
    }
    let _ = conn.close(0, "queued".into()).await;

    // Sample while the worker drains the first SAMPLED documents: the queue stays thousands deep
    // the whole time, which is the situation backpressure is about.
    let mut samples = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut done = 0;
    while Instant::now() < deadline && done < SAMPLED {
        if let Some(kib) = vm_rss_kib(pid) {
            samples.push(kib);
        }
        done = depth(&env.url, &tap_queue).await.unwrap_or(done as u32) as usize;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let waiting = depth(&env.url, &format!("{}.classify", env.prefix)).await.unwrap_or(0) as usize;
    let peak_hwm = vm_hwm_kib(pid).unwrap_or(0);
    let _ = worker.kill();
    let _ = worker.wait();
    let peak = samples.iter().copied().max().unwrap_or(0);
    let ratio = peak as f64 / idle_kib as f64;
    println!(
        "backpressure figures: {QUEUED} documents queued ({} MiB of messages), {done} outcomes while sampling, {waiting} still queued, worker RSS idle {} MiB, peak while consuming {} MiB (ratio {ratio:.2}), VmHWM {} MiB, {} samples",
        body_bytes >> 20,
        idle_kib / 1024,
        peak / 1024,
        peak_hwm / 1024,
        samples.len()
    );
    assert!(
        done >= SAMPLED,
        "the worker drained {done} documents, fewer than {SAMPLED}; log:\n{}",
        tail(log.path(), 30)
    );
    assert!(waiting >= QUEUED / 2, "the queue was still deep while memory was sampled ({waiting} waiting)");
    // The queued messages take {body_bytes} bytes; prefetch keeps only a handful of them in memory.
    assert!(ratio < 1.5, "worker memory grew {ratio:.2}x over its idle baseline under a queue of {QUEUED}");
    assert!(
        (peak.saturating_sub(idle_kib) as usize * 1024) < body_bytes / 4,
        "the worker held a large part of the queue in memory"
    );
    drop(node);
}
