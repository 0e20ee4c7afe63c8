//! Failure handling through a real RabbitMQ: transient failures go round the delay queues and end
//! parked with their error in headers; `tamis parked list|replay` shows and recovers them without
//! losing one; unusable inputs are rejected at once, never retried.

mod common;

use common::node;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Short delay tiers so a test sees the whole retry path in about a second.
const TEST_DELAYS_MS: &str = "200,400";

fn with_retry_env<'a>(ns: &Namespace, c: &'a mut Command) -> &'a mut Command {
    ns.apply(c).env("TAMIS_RETRY_DELAYS_MS", TEST_DELAYS_MS).env("TAMIS_RETRY_ATTEMPTS", "3")
}

fn start_worker(ns: &Namespace, stage: &str, log: &Path) -> Worker {
    let mut c = tamis();
    with_retry_env(ns, &mut c)
        .args(["worker", stage])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    Worker(c.spawn().expect("start tamis worker"))
}

/// Runs a `tamis` command in the namespace; returns (success, stdout, stderr).
fn run(ns: &Namespace, args: &[&str]) -> (bool, String, String) {
    let mut c = tamis();
    let out = with_retry_env(ns, &mut c).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Submits files; returns document id by file name.
fn submit(ns: &Namespace, files: &[&Path]) -> BTreeMap<String, String> {
    let mut args = vec!["submit".to_string()];
    args.extend(files.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out, err) = run(ns, &args);
    assert!(ok, "submit failed: {err}");
    out.lines().map(|l| l.split_once('\t').map(|(id, f)| (f.to_string(), id.to_string())).unwrap()).collect()
}

fn outcomes_of<'a>(events: &'a [(String, Value)], id: &str) -> Vec<&'a (String, Value)> {
    events.iter().filter(|(k, ev)| !k.starts_with("document.received") && ev["subject"] == id).collect()
}

async fn wait_depth(ns: &Namespace, queue: &str, want: u32, timeout: Duration) -> u32 {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let d = ns.depth(queue).await;
        if d == want || std::time::Instant::now() > deadline {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_retry_through_delay_queues_then_park_and_replay_recovers_them() {
    let ns = Namespace::new("retry");
    assert!(run(&ns, &["topology"]).0);
    let mut tap = ns.event_tap().await;
    let sample = root().join("samples/doc-0001.pdf");
    let ids = submit(&ns, &[&sample]);
    let id = ids["doc-0001.pdf"].clone();

    // The blob store loses the file: fetching it is a transient failure (a store outage looks
    // the same), so the document must be retried, then parked, never rejected.
    let bytes = std::fs::read(&sample).unwrap();
    let hash = tamis_shared::blob::sha256_hex(&bytes);
    let blob = ns.blobs.path().join("sha256").join(&hash[..2]).join(&hash);
    assert!(blob.is_file(), "submit stored the file at {}", blob.display());
    std::fs::remove_file(&blob).unwrap();

    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("w.log");
    let worker = start_worker(&ns, "all", &log);
    let parked = wait_depth(&ns, "parking", 1, Duration::from_secs(60)).await;
    // The worker logs the parking once the broker confirmed it, so just after the queue shows it.
    let mut tries = 0;
    let text = loop {
        let t = std::fs::read_to_string(&log).unwrap_or_default();
        tries += 1;
        if t.contains("message parked") || tries > 50 {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(parked, 1, "parked after 3 attempts; worker log:\n{text}");
    assert_eq!(text.matches("retry scheduled").count(), 2, "two retries (attempts 1 and 2), then parked:\n{text}");
    assert!(text.contains("message parked"), "{text}");
    for q in ["ocr", "retry.200ms", "retry.400ms"] {
        assert_eq!(ns.depth(q).await, 0, "{q} is empty once the message is parked");
    }
    tap.collect_until(Duration::from_millis(500), |_| false).await;
    assert!(outcomes_of(&tap.events, &id).is_empty(), "a transient failure is not an outcome");

    let (ok, out, err) = run(&ns, &["parked", "list", "--json"]);
    assert!(ok, "{err}");
    let entries: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len(), 1, "{out}");
    let e = &entries[0];
    assert_eq!(e["document_id"], id.as_str());
    assert_eq!(e["stage"], "ocr");
    assert_eq!(e["reason"], "blob_unavailable");
    assert_eq!(e["attempts"], 3);
    assert!(e["parked_at"].as_str().is_some_and(|t| t.len() >= 20), "{e}");
    assert!(e["first_failure"].as_str().unwrap() <= e["parked_at"].as_str().unwrap());
    let (ok, table, _) = run(&ns, &["parked", "list"]);
    assert!(ok && table.contains(&id) && table.contains("blob_unavailable"), "{table}");
    assert_eq!(ns.depth("parking").await, 1, "listing leaves the message parked");

    // Replaying an unknown document fails and touches nothing.
    let (ok, _, err) = run(&ns, &["parked", "replay", "--id", "00000000-0000-0000-0000-000000000000"]);
    assert!(!ok, "replaying a document that is not parked is an error");
    assert!(err.contains("no parked message"), "{err}");
    assert_eq!(ns.depth("parking").await, 1);

    // The cause is fixed; the replay sends it back to OCR and the document gets its outcome.
    std::fs::write(&blob, &bytes).unwrap();
    let (ok, out, err) = run(&ns, &["parked", "replay", "--id", &id]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), format!("{id}\tocr"));
    tap.collect_until(Duration::from_secs(120), |evs| !outcomes_of(evs, &id).is_empty()).await;
    tap.collect_until(Duration::from_secs(2), |_| false).await;
    let outs = outcomes_of(&tap.events, &id);
    assert_eq!(outs.len(), 1, "exactly one outcome after the replay: {outs:?}");
    assert!(!outs[0].0.starts_with("document.rejected"), "the replayed document is read, not rejected: {}", outs[0].0);
    assert_eq!(ns.depth("parking").await, 0, "the replayed message left parking");

    // The journal followed it: submitted to OCR, twice back to OCR through the delay tiers (a
    // retry is recorded at the stage it returns to), parked, replayed to OCR, then on its way.
    let places: Vec<String> = ns
        .journal()
        .await
        .iter()
        .filter(|(_, e)| e["document_id"] == id.as_str())
        .map(|(_, e)| e.get("queue").or(e.get("outcome")).and_then(Value::as_str).unwrap().to_string())
        .collect();
    assert_eq!(places[..8], ["ocr", "ocr", "ocr", "parking", "ocr", "classify", "extract", "route"], "{places:?}");
    assert_eq!(places.len(), 9, "{places:?}");

    assert_eq!(worker.stop(), Some(0));
    ns.cleanup_with_delays(&[200, 400]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_replay_all_moves_every_message_back_and_loses_none() {
    let ns = Namespace::new("replay");
    assert!(run(&ns, &["topology"]).0);
    // Park three messages by hand, as a worker would: one per stage, with Tamis's headers.
    let conn = lapin::Connection::connect(AMQP_URL, lapin::ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(lapin::options::ConfirmSelectOptions::default()).await.unwrap();
    for (i, stage) in ["ocr", "classify", "extract"].iter().enumerate() {
        let mut h = lapin::types::FieldTable::default();
        for (k, v) in [
            ("document_id", format!("doc-{i}")),
            ("tamis-stage", stage.to_string()),
            ("tamis-attempts", "5".into()),
            ("tamis-reason", "blob_unavailable".into()),
            ("tamis-parked-at", "2026-01-01T00:00:00Z".into()),
        ] {
            h.insert(k.into(), lapin::types::AMQPValue::LongString(v.as_str().into()));
        }
        ch.basic_publish(
            format!("{}.dlx", ns.prefix).as_str().into(),
            stage.to_string().as_str().into(),
            lapin::options::BasicPublishOptions::default(),
            format!("body-{i}").as_bytes(),
            lapin::BasicProperties::default()
                .with_delivery_mode(2)
                .with_headers(h)
                .with_message_id(format!("m-{i}").as_str().into()),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    assert_eq!(wait_depth(&ns, "parking", 3, Duration::from_secs(10)).await, 3);
    let (ok, out, err) = run(&ns, &["parked", "replay", "--all"]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert_eq!(ns.depth("parking").await, 0);
    for (i, stage) in ["ocr", "classify", "extract"].iter().enumerate() {
        assert_eq!(ns.depth(stage).await, 1, "{stage} got its message back");
        let m = ch
            .basic_get(
                format!("{}.{stage}", ns.prefix).as_str().into(),
                lapin::options::BasicGetOptions { no_ack: true },
            )
            .await
            .unwrap()
            .expect("replayed message");
        assert_eq!(m.delivery.data, format!("body-{i}").as_bytes(), "the body is replayed unchanged");
        assert_eq!(
            m.delivery.properties.message_id().as_ref().map(|s| s.to_string()),
            Some(format!("m-{i}")),
            "same message id"
        );
        let h = tamis_shared::broker::headers_of(&m.delivery.properties);
        assert_eq!(h["document_id"], format!("doc-{i}"));
        assert!(!h.contains_key("tamis-attempts"), "a replay starts with a fresh attempt count");
    }
    let _ = conn.close(0, "done".into()).await;
    ns.cleanup_with_delays(&[200, 400]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_inputs_are_rejected_at_once_not_retried() {
    let shared = shared_dir();
    let bad = shared.join("corpus/bad");
    let truth: Vec<Value> = std::fs::read_to_string(bad.join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["expect"] == "error")
        .collect();
    let files: Vec<std::path::PathBuf> = truth.iter().map(|v| bad.join(v["file"].as_str().unwrap())).collect();
    let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();

    let ns = Namespace::new("reject");
    assert!(run(&ns, &["topology"]).0);
    let mut tap = ns.event_tap().await;
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("w.log");
    let worker = start_worker(&ns, "all", &log);
    let ids = submit(&ns, &files);
    let n = ids.len();
    let outcome_count =
        |evs: &[(String, Value)]| evs.iter().filter(|(k, _)| !k.starts_with("document.received")).count();
    tap.collect_until(Duration::from_secs(180), |evs| outcome_count(evs) >= n).await;
    tap.collect_until(Duration::from_secs(2), |_| false).await;
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    for t in &truth {
        let file = t["file"].as_str().unwrap();
        let outs = outcomes_of(&tap.events, &ids[file]);
        assert_eq!(outs.len(), 1, "{file}: one outcome, got {}; log:\n{text}", outs.len());
        let (key, ev) = outs[0];
        assert_eq!(key, "document.rejected.none", "{file}");
        assert_eq!(ev["data"]["reasons"][0]["code"], t["reason"], "{file}");
    }
    assert!(!text.contains("retry scheduled"), "no unusable input is retried:\n{text}");
    assert_eq!(ns.depth("parking").await, 0, "no unusable input is parked");
    assert_eq!(worker.stop(), Some(0));
    ns.cleanup_with_delays(&[200, 400]).await;
}

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl must be installed");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn amqps_with_a_private_ca_works_and_an_untrusted_broker_is_refused() {
    // A private CA and a broker certificate for localhost, then a private RabbitMQ node with a
    // TLS listener (the shared broker on 5672 has none and must not be reconfigured).
    let certs = tempfile::tempdir().unwrap();
    let d = certs.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=tamis-test-ca",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        d.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    let tls_port = node::free_port();
    let conf = format!(
        "listeners.ssl.local = 127.0.0.1:{tls_port}\nssl_options.cacertfile = {0}/ca.pem\nssl_options.certfile = {0}/server.pem\nssl_options.keyfile = {0}/server.key\nssl_options.verify = verify_none\nssl_options.fail_if_no_peer_cert = false\n",
        d.display()
    );
    let node =
        node::PrivateNode::start("tls", &conf).expect("RabbitMQ must be installed (scripts/system-deps --tests)");
    let url = format!("amqps://guest:s3cret-not-logged@localhost:{tls_port}/%2f");
    let run_topology = |ca: Option<&Path>| {
        let mut c = tamis();
        c.env("TAMIS_AMQP_URL", &url).env("TAMIS_AMQP_PREFIX", "tls-check").env("TAMIS_BLOB_URL", d.join("blobs"));
        if let Some(ca) = ca {
            c.env("TAMIS_AMQP_CA_FILE", ca);
        }
        c.arg("topology").output().unwrap()
    };
    // guest's password is "guest": a wrong one is refused after the TLS handshake, which is what
    // shows the handshake worked; then the right one declares the topology.
    let out = run_topology(Some(&d.join("ca.pem")));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(!err.contains("s3cret-not-logged"), "the password never shows: {err}");
    assert!(err.contains("guest:***@localhost"), "the URL shows redacted: {err}");
    let url_ok = format!("amqps://guest:guest@localhost:{tls_port}/%2f");
    let mut c = tamis();
    let out = c
        .env("TAMIS_AMQP_URL", &url_ok)
        .env("TAMIS_AMQP_PREFIX", "tls-check")
        .env("TAMIS_BLOB_URL", d.join("blobs"))
        .env("TAMIS_AMQP_CA_FILE", d.join("ca.pem"))
        .arg("topology")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "amqps with the private CA: {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("queue tls-check.ocr (quorum"), "{text}");
    // Without the CA the broker's certificate is not trusted: refused.
    let mut c = tamis();
    let out = c
        .env("TAMIS_AMQP_URL", &url_ok)
        .env("TAMIS_AMQP_PREFIX", "tls-check")
        .env("TAMIS_BLOB_URL", d.join("blobs"))
        .arg("topology")
        .output()
        .unwrap();
    assert!(!out.status.success(), "a broker certificate from an unknown CA must be refused");
    drop(node);
}
