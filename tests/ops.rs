//! The ops server of `tamis worker`: liveness, readiness that follows the broker connection and
//! the consumers, and Prometheus metrics that count what the stages did, without personal data.

mod common;

use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Polls `path` until it answers `status` or `timeout` passes; returns the last answer.
fn wait_for(addr: std::net::SocketAddr, path: &str, status: u16, timeout: Duration) -> (u16, String) {
    let deadline = Instant::now() + timeout;
    loop {
        let got = http_get(addr, path);
        if got.0 == status || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn worker_without_broker_is_alive_but_not_ready() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("w.log");
    let mut c = tamis();
    // Nothing listens on port 1: the worker keeps retrying the broker.
    c.env("TAMIS_AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2f")
        .args(["worker", "classify"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    let worker = Worker(c.spawn().unwrap());
    let addr = ops_addr(&log, Duration::from_secs(30));
    assert_eq!(http_get(addr, "/healthz").0, 200);
    let (status, body) = http_get(addr, "/readyz");
    assert_eq!(status, 503, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["reason"], "broker connection is not open");
    let (status, metrics) = http_get(addr, "/metrics");
    assert_eq!(status, 200);
    assert!(metrics.trim_end().ends_with("# EOF"), "OpenMetrics text ends with # EOF");
    drop(worker);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_is_ready_while_consuming_and_counts_what_it_did() {
    let ns = Namespace::new("ops");
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("w.log");
    let mut tap = ns.event_tap().await;
    let worker = Worker::start(&ns, "all", &log);
    let addr = ops_addr(&log, Duration::from_secs(30));
    assert_eq!(http_get(addr, "/healthz").0, 200);
    let (status, body) = wait_for(addr, "/readyz", 200, Duration::from_secs(60));
    assert_eq!(status, 200, "worker never became ready: {body}");

    let input = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("samples/doc-0001.pdf"), input.path().join("doc-0001.pdf")).unwrap();
    std::fs::write(input.path().join("empty.pdf"), b"").unwrap();
    let mut submit = tamis();
    let out = ns.apply(&mut submit).arg("submit").arg(input.path()).output().unwrap();
    assert!(out.status.success(), "submit failed: {}", String::from_utf8_lossy(&out.stderr));
    let is_outcome = |k: &str| !k.starts_with("document.received.");
    tap.collect_until(Duration::from_secs(120), |evs| evs.iter().filter(|(k, _)| is_outcome(k)).count() >= 2).await;
    assert_eq!(tap.events.iter().filter(|(k, _)| is_outcome(k)).count(), 2, "both documents routed");

    let (_, metrics) = http_get(addr, "/metrics");
    let has = |line: &str| metrics.lines().any(|l| l == line);
    for stage in ["ocr", "classify", "extract", "route"] {
        assert!(
            metrics.contains(&format!("tamis_stage_duration_seconds_count{{stage=\"{stage}\"}} 2")),
            "{stage}:\n{metrics}"
        );
        assert!(
            metrics.contains(&format!("tamis_stage_queue_lag_seconds_count{{stage=\"{stage}\"}} 2")),
            "{stage}:\n{metrics}"
        );
    }
    // The empty file fails at OCR; the later stages pass its failure along and count it ok.
    assert!(has(r#"tamis_stage_documents_total{stage="ocr",outcome="ok"} 1"#), "{metrics}");
    assert!(has(r#"tamis_stage_documents_total{stage="ocr",outcome="error"} 1"#), "{metrics}");
    assert!(has(r#"tamis_stage_errors_total{stage="ocr",code="empty"} 1"#), "{metrics}");
    assert!(has(r#"tamis_stage_documents_total{stage="route",outcome="ok"} 2"#), "{metrics}");
    assert!(has(r#"tamis_decisions_total{doc_type="none",decision="error"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"tamis_type_confidence_count{doc_type="energy_bill"} 1"#), "{metrics}");
    let id = String::from_utf8_lossy(&out.stdout).split('\t').next().unwrap().to_string();
    assert!(!metrics.contains(&id), "no document id in metrics");

    // Shutdown: readiness fails first, then the process exits cleanly.
    assert_eq!(worker.stop(), Some(0));
    ns.cleanup().await;
}
