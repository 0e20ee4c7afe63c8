//! End to end through a real RabbitMQ: documents submitted to `tamis worker all` each end in
//! exactly one outcome event, with the same decisions as the embedded run. The main run goes once
//! on the folder blob store and once on a real S3-compatible server (moto): the bytes and records
//! are in the store, the console renders a page from it, a decision's audit record lands in it,
//! and `tamis purge` deletes what is past its time and keeps the rest.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const OUTCOMES: [&str; 3] = ["accepted", "review_requested", "rejected"];

fn outcome_transition(routing_key: &str) -> Option<&'static str> {
    let t = routing_key.split('.').nth(1)?;
    OUTCOMES.into_iter().find(|o| *o == t)
}

/// Writes a few broken inputs next to the samples: every one must end in an error outcome.
fn broken_inputs(dir: &Path) {
    std::fs::write(dir.join("empty.pdf"), b"").unwrap();
    std::fs::write(dir.join("page.html"), b"<!DOCTYPE html><html><body>not a document</body></html>").unwrap();
    std::fs::write(
        dir.join("noise.bin"),
        (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    let sample = std::fs::read(root().join("samples/doc-0001.pdf")).unwrap();
    std::fs::write(dir.join("cut.pdf"), &sample[..sample.len() / 2]).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_run_gives_each_document_one_outcome_and_the_embedded_decisions() {
    broker_run(Namespace::new("e2e")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_run_on_s3_gives_the_same_outcomes_and_keeps_bytes_and_records_in_the_bucket() {
    let s3 = S3Server::start();
    broker_run(Namespace::on_s3("e2e-s3", &s3)).await;
    // Everything went under the namespace's prefix of the bucket.
    let keys = s3.endpoint.list("");
    assert!(keys.iter().any(|k| k.contains("/sha256/")), "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("tamis-test-e2e-s3-")), "{keys:?}");
}

async fn broker_run(ns: Namespace) {
    let input = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("samples")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), input.path().join(e.file_name())).unwrap();
    }
    broken_inputs(input.path());
    let n_inputs = std::fs::read_dir(input.path()).unwrap().count();

    let embedded = process(&[input.path()]);
    assert_eq!(embedded.len(), n_inputs, "embedded run: one line per input");

    let mut tap = ns.event_tap().await;
    let logs = tempfile::tempdir().unwrap();
    let worker = Worker::start(&ns, "all", &logs.path().join("worker.log"));

    let mut submit = tamis();
    let out = ns.apply(&mut submit).arg("submit").arg(input.path()).args(["--case-id", "case-42"]).output().unwrap();
    assert!(out.status.success(), "submit failed: {}", String::from_utf8_lossy(&out.stderr));
    let submitted: BTreeMap<String, String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (id, file) = l.split_once('\t').unwrap();
            (id.to_string(), file.to_string())
        })
        .collect();
    assert_eq!(submitted.len(), n_inputs);

    let count_outcomes = |evs: &[(String, Value)]| evs.iter().filter(|(k, _)| outcome_transition(k).is_some()).count();
    tap.collect_until(Duration::from_secs(300), |evs| count_outcomes(evs) >= n_inputs).await;
    // Anything extra (a duplicate) would arrive shortly after: give it the chance to show.
    tap.collect_until(Duration::from_secs(3), |_| false).await;

    let mut by_doc: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    let mut received = 0;
    for (key, ev) in &tap.events {
        assert_eq!(ev["specversion"], "1.0");
        assert_eq!(ev["caseid"], "case-42");
        // The event is what its `dataschema` (schemas/<name>.json) says, with no undocumented key.
        validate_event(ev);
        if key.starts_with("document.received.") {
            received += 1;
        } else if outcome_transition(key).is_some() {
            by_doc.entry(ev["subject"].as_str().unwrap().to_string()).or_default().push(ev);
        }
    }
    assert_eq!(received, n_inputs, "one document.received per submitted file");
    let mut reviews = 0;
    for (id, file) in &submitted {
        let evs = by_doc.get(id).unwrap_or_else(|| {
            panic!(
                "{file} ({id}) has no outcome event; worker log:\n{}",
                std::fs::read_to_string(logs.path().join("worker.log")).unwrap_or_default()
            )
        });
        assert_eq!(evs.len(), 1, "{file} has {} outcome events", evs.len());
        let data = &evs[0]["data"];
        let want = &embedded[file];
        assert_eq!(data["decision"], want["decision"], "{file}: broker and embedded runs disagree");
        let broker_type = data["documents"].get(0).map(|d| d["type"].clone()).unwrap_or(Value::Null);
        assert_eq!(broker_type, want["type"], "{file}: types differ");
        let codes: Vec<&str> =
            data["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
        let want_codes: Vec<&str> = want["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert_eq!(codes, want_codes, "{file}: reasons differ");
        if data["decision"] == "review" {
            reviews += 1;
        }
    }
    for broken in ["empty.pdf", "page.html", "noise.bin", "cut.pdf"] {
        assert_eq!(embedded[broken]["decision"], "error", "{broken}");
    }
    assert_eq!(embedded["empty.pdf"]["reasons"][0], "empty");
    assert_eq!(embedded["page.html"]["reasons"][0], "unsupported_format");
    assert_eq!(embedded["noise.bin"]["reasons"][0], "not_a_document");
    assert_eq!(embedded["cut.pdf"]["reasons"][0], "truncated");

    // Review items wait in their queues; nothing was parked.
    let mut waiting = 0;
    for t in tamis_shared::DocumentType::BUILT_IN {
        waiting += ns.depth(&format!("review.{}", t.as_str())).await;
    }
    assert_eq!(waiting, reviews, "one review item per review decision");
    assert_eq!(ns.depth("parking").await, 0, "nothing parked");
    for stage in ["ocr", "classify", "extract", "route"] {
        assert_eq!(ns.depth(stage).await, 0, "{stage} queue drained");
    }

    // Every review item waiting is what schemas/review_item.v1.json says (read without acking:
    // they go back to their queues when the channel closes).
    let mut items = 0;
    {
        let conn = lapin::Connection::connect(AMQP_URL, lapin::ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        for t in tamis_shared::DocumentType::BUILT_IN {
            let queue = format!("{}.review.{}", ns.prefix, t.as_str());
            while let Some(m) =
                ch.basic_get(queue.as_str().into(), lapin::options::BasicGetOptions { no_ack: false }).await.unwrap()
            {
                let item: Value = serde_json::from_slice(&m.delivery.data).expect("review items are JSON");
                assert_valid("review_item.v1.json", &item, &format!("review item in {queue}"));
                items += 1;
            }
        }
        let _ = conn.close(0, "done".into()).await;
    }
    assert_eq!(items, reviews, "every review item was read and validated");

    // The journal followed every document from submission to where it is now: each entry is what
    // schemas/journal.v1.json says, and in stream order each document went through the four
    // stages and ended in its outcome, or in the review queue of its type.
    let journal = ns.journal().await;
    let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (kind, entry) in &journal {
        assert_eq!(kind, "tamis.journal.v1", "only entries: no console read this journal");
        assert_valid("journal.v1.json", entry, "a journal entry");
        let place = entry.get("queue").or(entry.get("outcome")).and_then(Value::as_str).unwrap().to_string();
        places.entry(entry["document_id"].as_str().unwrap().to_string()).or_default().push(place);
    }
    assert_eq!(places.len(), n_inputs, "every document is in the journal, and nothing else");
    for (id, file) in &submitted {
        let seen = &places[id];
        let mut stages = seen.iter().filter(|p| ["ocr", "classify", "extract", "route"].contains(&p.as_str()));
        for want in ["ocr", "classify", "extract", "route"] {
            assert_eq!(stages.next().map(String::as_str), Some(want), "{file}: {seen:?}");
        }
        let data = &by_doc[id][0]["data"];
        let last = match data["decision"].as_str().unwrap() {
            "auto" => "accepted".to_string(),
            "error" => "rejected".to_string(),
            _ => format!("review.{}", data["documents"][0]["type"].as_str().unwrap_or("other")),
        };
        assert_eq!(seen.last(), Some(&last), "{file}: {seen:?}");
        assert_eq!(seen.first().map(String::as_str), Some("ocr"), "{file}: submit journals the first move");
    }

    // The blob store holds each document's bytes and the outcome record the route stage wrote.
    let keys = ns.blob_keys();
    let mut sha_of = BTreeMap::new();
    for (id, file) in &submitted {
        let decision = by_doc[id][0]["data"]["decision"].as_str().unwrap();
        let record = keys
            .iter()
            .find(|k| k.starts_with(&format!("outcome/{id}/{decision}/")))
            .unwrap_or_else(|| panic!("{file}: no outcome record in {keys:?}"));
        let sha = record.rsplit('/').next().unwrap().trim_end_matches(".json").to_string();
        assert!(keys.contains(&format!("sha256/{}/{sha}", &sha[..2])), "{file}: its bytes are not in the store");
        sha_of.insert(id.clone(), sha);
    }
    assert!(reviews >= 2, "the samples send at least two documents to a person (one reviewed, one left waiting)");

    // The console renders a page image from the store, and a reviewer's decision is recorded in it.
    let reviewed = review_one(&ns, logs.path()).await;
    let audit_prefix = format!("audit/{reviewed}/");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !ns.blob_keys().iter().any(|k| k.starts_with(&audit_prefix)) {
        assert!(std::time::Instant::now() < deadline, "no audit record for {reviewed}: {:?}", ns.blob_keys());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(worker.stop(), Some(0), "worker exits 0 on SIGTERM");

    // Retention: the bytes of documents with a final outcome (accepted, rejected, reviewed) go
    // 30 days after it, the records 365 days after it; a document waiting for a person keeps both.
    let is_final = |id: &String| id == &reviewed || by_doc[id][0]["data"]["decision"] != "review";
    let blob_key = |id: &String| format!("sha256/{}/{}", &sha_of[id][..2], sha_of[id]);
    let purge = |as_of_days: i64, dry: bool| {
        let as_of = (time::OffsetDateTime::now_utc() + time::Duration::days(as_of_days))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let mut c = tamis();
        ns.apply(&mut c).args(["purge", "--as-of", &as_of]);
        if dry {
            c.arg("--dry-run");
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "purge failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let before = ns.blob_keys();
    let n_final = submitted.keys().filter(|id| is_final(id)).count();
    let said = purge(31, true);
    assert!(said.starts_with(&format!("would delete: {n_final} document files")), "{said}");
    assert_eq!(ns.blob_keys(), before, "a dry run deleted something");
    let said = purge(29, false);
    assert!(said.starts_with("deleted: 0 document files"), "{said}");
    let said = purge(31, false);
    assert!(said.starts_with(&format!("deleted: {n_final} document files")), "{said}");
    let after = ns.blob_keys();
    for (id, file) in &submitted {
        assert_eq!(after.contains(&blob_key(id)), !is_final(id), "{file}: bytes after 31 days");
        assert!(after.iter().any(|k| k.starts_with(&format!("outcome/{id}/"))), "{file}: record kept 31 days");
    }
    assert!(after.iter().any(|k| k.starts_with(&audit_prefix)), "the audit record is kept 31 days");
    purge(366, false);
    let after = ns.blob_keys();
    for (id, file) in &submitted {
        let record = after.iter().any(|k| k.starts_with(&format!("outcome/{id}/")));
        assert_eq!(record, !is_final(id), "{file}: outcome record after 366 days");
        assert_eq!(after.contains(&blob_key(id)), !is_final(id), "{file}: bytes after 366 days");
    }
    assert!(!after.iter().any(|k| k.starts_with(&audit_prefix)), "the audit record is gone after 366 days");
    ns.cleanup().await;
}

/// Through the console (trusted-proxy sign-in): takes the next review item, fetches its first
/// page image (a PNG rendered from the stored bytes) and accepts it; returns its document id.
async fn review_one(ns: &Namespace, dir: &Path) -> String {
    let users = dir.join("users.toml");
    std::fs::write(&users, "[[users]]\nname = \"rita\"\nrole = \"reviewer\"\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut c = tamis();
    ns.apply(&mut c)
        .env("TAMIS_CONSOLE_USERS", &users)
        .env("TAMIS_CONSOLE_TRUSTED_HEADER", "X-Forwarded-User")
        .args(["console", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("console.log")).unwrap());
    let console = Worker(c.spawn().unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the console never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
    let user = ("X-Forwarded-User", "rita");
    let (status, head, body) = request(port, "GET", "/api/review/next", &[user], None);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let next: Value = serde_json::from_slice(&body).unwrap();
    let lease = next["lease_id"].as_str().unwrap_or_else(|| panic!("no item to review: {next}")).to_string();
    let cookie = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, v)| v.trim().strip_prefix("tamis_session=").map(|v| v.split(';').next().unwrap().to_string()))
        .map(|v| format!("tamis_session={v}"))
        .expect("a session cookie");
    let session = [user, ("Cookie", cookie.as_str())];
    let (status, head, png) = request(port, "GET", &format!("/review/page/{lease}/1.png"), &session, None);
    assert_eq!(status, 200, "page image: {}", String::from_utf8_lossy(&png));
    assert!(head.to_ascii_lowercase().contains("content-type: image/png"), "{head}");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000, "not a page image ({} bytes)", png.len());
    let csrf = next["csrf"].as_str().unwrap();
    let decision = format!(r#"{{"lease_id":"{lease}","action":"accept"}}"#);
    let with_csrf = [user, ("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf), ("Content-Type", "application/json")];
    let (status, _, body) = request(port, "POST", "/api/review/decision", &with_csrf, Some(&decision));
    assert_eq!(status, 200, "decision: {}", String::from_utf8_lossy(&body));
    console.stop();
    next["item"]["document_id"].as_str().unwrap().to_string()
}

/// One HTTP/1.1 request to the console: (status, head, body bytes; de-chunked).
fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the console");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut rest = raw.get(split + 4..).unwrap_or_default().to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16).unwrap_or(0);
            if n == 0 || rest.len() < eol + 2 + n {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + n]);
            rest = rest[eol + 2 + n..].strip_prefix(b"\r\n").unwrap_or(&rest[eol + 2 + n..]).to_vec();
        }
        rest = out;
    }
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head, rest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_is_declared_idempotently() {
    let ns = Namespace::new("topo");
    for _ in 0..2 {
        let mut c = tamis();
        let out = ns.apply(&mut c).arg("topology").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&format!("queue {}.ocr (quorum, delivery-limit 5", ns.prefix)), "{text}");
        assert!(text.contains(&format!("queue {}.parking", ns.prefix)), "{text}");
    }
    assert_eq!(ns.depth("ocr").await, 0);
    ns.cleanup().await;
}

#[test]
fn poison_messages_are_parked_not_retried_forever() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ns = Namespace::new("poison");
        let mut c = tamis();
        assert!(ns.apply(&mut c).arg("topology").output().unwrap().status.success());
        let logs = tempfile::tempdir().unwrap();
        let worker = Worker::start(&ns, "classify", &logs.path().join("w.log"));
        let conn = lapin::Connection::connect(AMQP_URL, lapin::ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        ch.basic_publish(
            format!("{}.pipeline", ns.prefix).as_str().into(),
            "classify".into(),
            lapin::options::BasicPublishOptions::default(),
            b"this is not json",
            lapin::BasicProperties::default().with_delivery_mode(2),
        )
        .await
        .unwrap()
        .await
        .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while ns.depth("parking").await == 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(ns.depth("parking").await, 1, "the poison message is parked");
        assert_eq!(ns.depth("classify").await, 0);
        assert_eq!(worker.stop(), Some(0));
        ns.cleanup().await;
    });
}

/// The reason codes of an outcome event.
fn reason_codes(ev: &Value) -> Vec<String> {
    ev["data"]["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_naming_someone_outside_the_case_goes_to_review_with_name_mismatch() {
    // Bank details of Danielle JACOB, read well enough to be accepted on their own (the holder
    // confirmed by the calibration, the IBAN by its key).
    let sample = root().join("samples/doc-0006.pdf");
    let embedded = process(&[sample.as_path()]);
    assert_eq!(
        embedded["doc-0006.pdf"]["decision"], "auto",
        "the sample passes without a case: {}",
        embedded["doc-0006.pdf"]
    );

    let ns = Namespace::new("names");
    let mut tap = ns.event_tap().await;
    let logs = tempfile::tempdir().unwrap();
    let worker = Worker::start(&ns, "all", &logs.path().join("worker.log"));
    let submit = |case: &str, persons: &[&str]| {
        let mut c = tamis();
        ns.apply(&mut c).args(["submit", sample.to_str().unwrap(), "--case-id", case]);
        for p in persons {
            c.args(["--case-person", p]);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "submit failed: {}", String::from_utf8_lossy(&out.stderr));
        submitted(&out).into_keys().next().unwrap()
    };
    // Someone else's certificate in this case; the right person (all given names, another order,
    // no accents) in the other; no names at all in the third.
    let stranger = submit("CASE-N1", &["Marc DURAND", "Léa DURAND"]);
    let holder = submit("CASE-N2", &["JACOB Danielle Héloïse", "Marc DURAND"]);
    let unknown = submit("CASE-N3", &[]);

    let outcome_of = |evs: &[(String, Value)], id: &str| {
        evs.iter().find(|(k, e)| outcome_transition(k).is_some() && e["subject"] == id).map(|(_, e)| e.clone())
    };
    tap.collect_until(Duration::from_secs(180), |evs| {
        [&stranger, &holder, &unknown].iter().all(|id| outcome_of(evs, id).is_some())
    })
    .await;
    let log = std::fs::read_to_string(logs.path().join("worker.log")).unwrap_or_default();
    let [s, h, u] = [&stranger, &holder, &unknown]
        .map(|id| outcome_of(&tap.events, id).unwrap_or_else(|| panic!("no outcome for {id}; worker log:\n{log}")));

    assert_eq!(s["data"]["decision"], "review", "{}", s["data"]);
    assert_eq!(reason_codes(&s), vec!["name_mismatch"]);
    let message = s["data"]["reasons"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("account_holder") && !message.contains("JACOB") && !message.contains("DURAND"),
        "{message}"
    );
    validate_event(&s);
    assert_eq!(h["data"]["decision"], "auto", "the matching name passes: {}", h["data"]["reasons"]);
    assert_eq!(u["data"]["decision"], "auto", "without case persons the rule does not apply: {}", u["data"]["reasons"]);

    // The review item gives the reviewer the case's persons to compare with the document.
    let conn = lapin::Connection::connect(AMQP_URL, lapin::ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    let queue = format!("{}.review.bank_details", ns.prefix);
    let m = ch
        .basic_get(queue.as_str().into(), lapin::options::BasicGetOptions { no_ack: true })
        .await
        .unwrap()
        .expect("a review item");
    let item: Value = serde_json::from_slice(&m.delivery.data).unwrap();
    assert_valid("review_item.v1.json", &item, "the name_mismatch review item");
    assert_eq!(item["document_id"], stranger.as_str());
    assert_eq!(item["case_persons"], serde_json::json!(["Marc DURAND", "Léa DURAND"]));
    let _ = conn.close(0, "done".into()).await;

    // Names go to the route stage and the reviewer, nowhere else: not in events, not in logs.
    for (key, ev) in &tap.events {
        let text = ev.to_string();
        assert!(!text.contains("DURAND") && !text.contains("Héloïse"), "{key} carries a case person's name");
    }
    assert_eq!(worker.stop(), Some(0));
    let log = std::fs::read_to_string(logs.path().join("worker.log")).unwrap_or_default();
    assert!(!log.is_empty() && !log.contains("DURAND") && !log.contains("JACOB"), "the worker log holds a name");
    ns.cleanup().await;

    // The embedded run applies the same rule.
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = tamis()
        .arg("process")
        .arg(&sample)
        .args(["--case-id", "CASE-N1", "--case-person", "Marc DURAND", "--out"])
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let line: Value = serde_json::from_str(std::fs::read_to_string(out.path()).unwrap().trim()).unwrap();
    assert_eq!(
        (line["decision"].as_str(), line["reasons"].clone()),
        (Some("review"), serde_json::json!(["name_mismatch"]))
    );
    let refused = tamis().args(["process", "--case-person", "Marc DURAND"]).arg(&sample).output().unwrap();
    assert!(!refused.status.success(), "a case person without a case id is refused");
}

/// A path that does not exist ends in its own `error` line; the rest of the batch is processed
/// and the command succeeds (every input, one line).
#[test]
fn a_missing_path_is_one_error_line_not_an_aborted_batch() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.pdf");
    let out = dir.path().join("out.jsonl");
    let status = tamis()
        .arg("process")
        .arg(&missing)
        .arg(root().join("samples/doc-0001.pdf"))
        .arg("--out")
        .arg(&out)
        .env("OMP_THREAD_LIMIT", "1")
        .status()
        .unwrap();
    assert!(status.success());
    let lines: Vec<Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!((lines[0]["file"].as_str(), lines[0]["decision"].as_str()), (Some("gone.pdf"), Some("error")));
    assert_eq!(lines[1]["file"].as_str(), Some("doc-0001.pdf"));
    assert_ne!(lines[1]["decision"].as_str(), Some("error"));
}
