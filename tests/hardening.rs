//! Issue #21 through a real RabbitMQ: malformed messages carrying NIRs, IBANs and names, fed to
//! every consumer (each stage queue, the decisions queue, a review queue and the journal the
//! console reads), are parked or skipped without any of their values reaching a log; a stage
//! that panics parks its message with `internal_error` while the worker goes on (and in
//! `tamis process` the file gets an `error` line); a parked reviewer decision replays to its
//! outcome, and `tamis parked replay` fails, saying why, when it must leave something behind.

mod common;

use common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

const NIR: &str = "185057800608491";
const NIR_2: &str = "185057800608436";
const IBAN: &str = "FR7630006000011234567890189";
const NAME: &str = "Jeanne MARTIN epouse DUPONT";

/// Every spelling of the values above a log could carry (lowercase, as `find_leak` wants).
fn needles() -> Vec<String> {
    let mut out = vec![
        NIR.to_string(),
        NIR_2.to_string(),
        "1 85 05 78 006 084 91".into(),
        NIR[..13].to_string(),
        IBAN.to_lowercase(),
        "fr76 3000 6000 0112 3456 7890 189".into(),
        IBAN[4..].to_string(),
        NAME.to_lowercase(),
    ];
    out.extend(["jeanne", "martin", "dupont"].map(String::from));
    out
}

/// The leaks of `needles()` in `text`, with some context.
fn leaks(what: &str, text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    needles()
        .iter()
        .filter_map(|n| {
            find_leak(text, n).map(|at| {
                let (mut s, mut e) = (at.saturating_sub(100), (at + n.len() + 100).min(lower.len()));
                while !lower.is_char_boundary(s) {
                    s -= 1;
                }
                while !lower.is_char_boundary(e) {
                    e += 1;
                }
                format!("{what}: {n:?} in …{}…", &lower[s..e])
            })
        })
        .collect()
}

/// Runs a `tamis` command in the namespace with extra environment: (success, stdout, stderr).
fn run(ns: &Namespace, env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let mut c = tamis();
    c.envs(env.iter().copied());
    let out = ns.apply(&mut c).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn wait_depth(ns: &Namespace, queue: &str, want: u32, timeout: Duration) -> u32 {
    let deadline = Instant::now() + timeout;
    loop {
        let d = ns.depth(queue).await;
        if d == want || Instant::now() > deadline {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Publishes `body` with confirms to `exchange` of the namespace, about `document_id` (a fresh
/// id when None), as a Tamis publisher would.
async fn publish_about(
    ch: &lapin::Channel,
    ns: &Namespace,
    (exchange, key, kind): (&str, &str, &str),
    document_id: Option<&str>,
    body: &[u8],
) {
    let id = document_id.map(str::to_string).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut h = lapin::types::FieldTable::default();
    h.insert("document_id".into(), lapin::types::AMQPValue::LongString(id.as_str().into()));
    ch.basic_publish(
        format!("{}.{exchange}", ns.prefix).as_str().into(),
        key.into(),
        lapin::options::BasicPublishOptions::default(),
        body,
        lapin::BasicProperties::default()
            .with_delivery_mode(2)
            .with_type(kind.into())
            .with_message_id(uuid::Uuid::new_v4().to_string().as_str().into())
            .with_headers(h),
    )
    .await
    .unwrap()
    .await
    .unwrap();
}

async fn publish(ch: &lapin::Channel, ns: &Namespace, exchange: &str, key: &str, kind: &str, body: &[u8]) {
    publish_about(ch, ns, (exchange, key, kind), None, body).await
}

async fn confirming_channel() -> (lapin::Connection, lapin::Channel) {
    let conn = lapin::Connection::connect(AMQP_URL, lapin::ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(lapin::options::ConfirmSelectOptions::default()).await.unwrap();
    (conn, ch)
}

/// Work messages a stage cannot read, each of which serde's own error text would quote a value
/// of: a NIR as an integer, a name where an id goes, an IBAN as a media type, a NIR as a map
/// key, and no JSON at all.
fn malformed_work() -> Vec<Vec<u8>> {
    let id = uuid::Uuid::new_v4().to_string();
    let blob = |media: &str| json!({"key": "k", "sha256": "s", "media_type": media, "size": 1});
    let envelope = |media: &str| {
        json!({"document_id": id, "file_name": format!("{NAME}.pdf"), "blob": blob(media),
               "submitted_at": "2026-01-01T00:00:00Z", "case_id": NIR})
    };
    let nir_number: u64 = NIR_2.parse().unwrap();
    vec![
        json!({"envelope": {"document_id": nir_number}}).to_string().into_bytes(),
        json!({"envelope": {"document_id": NAME}}).to_string().into_bytes(),
        json!({"envelope": envelope(IBAN)}).to_string().into_bytes(),
        json!({"envelope": envelope("pdf"), "documents": [
            {"type": "payslip", "confidence": 0.9, "pages": [1], "fields": {NIR: {"value": nir_number}}}]})
        .to_string()
        .into_bytes(),
        {
            let mut e = envelope("pdf");
            e["case_persons"] = json!([NAME, nir_number]);
            json!({ "envelope": e }).to_string().into_bytes()
        },
        format!("{NAME} {NIR} {IBAN}").into_bytes(),
    ]
}

fn malformed_decisions() -> Vec<Vec<u8>> {
    let example: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/examples/review_decision.v1.json")).unwrap(),
    )
    .unwrap();
    let mut wrong_action = example.clone();
    wrong_action["action"] = json!(NAME);
    let mut wrong_id = example.clone();
    wrong_id["document_id"] = json!(IBAN);
    let mut wrong_correction = example;
    wrong_correction["corrections"][NIR] = json!(NIR_2.parse::<u64>().unwrap());
    vec![
        wrong_action.to_string().into_bytes(),
        wrong_id.to_string().into_bytes(),
        wrong_correction.to_string().into_bytes(),
        format!("{{\"reviewer\": \"{NAME}\", \"nir\": {NIR}").into_bytes(),
    ]
}

/// A minimal HTTP/1.1 client: (status, raw head, body).
fn http(addr: SocketAddr, method: &str, path: &str, cookies: &str, body: &str) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the console");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookies}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// `name=value` of a cookie the response sets.
fn set_cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .filter_map(|l| l.split_once(':').map(|(_, v)| v.trim().split(';').next().unwrap_or("").to_string()))
        .find(|c| c.starts_with(&format!("{name}=")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_messages_carrying_personal_data_leave_no_value_in_any_log() {
    let ns = Namespace::new("malformed");
    assert!(run(&ns, &[], &["topology"]).0);
    let logs = tempfile::tempdir().unwrap();
    let debug = [("RUST_LOG", "debug")];

    let (_conn, ch) = confirming_channel().await;
    let work = malformed_work();
    for stage in ["ocr", "classify", "extract", "route"] {
        for body in &work {
            publish(&ch, &ns, "pipeline", stage, "tamis.work.v1", body).await;
        }
    }
    let decisions = malformed_decisions();
    for body in &decisions {
        publish(&ch, &ns, "review", "decision", "tamis.review_decision.v1", body).await;
    }
    let item = json!({"document_id": uuid::Uuid::new_v4(), "case_id": NIR, "case_persons": [NAME],
        "blob": {"key": "k", "sha256": "s", "media_type": IBAN, "size": 1}, "file_name": NAME});
    publish(&ch, &ns, "review", "bank_details", "tamis.review_item.v1", item.to_string().as_bytes()).await;
    let entry = json!({"document_id": NAME, "queue": NIR.parse::<u64>().unwrap(), "at": IBAN});
    publish(&ch, &ns, "journal", "", tamis_shared::journal::JOURNAL_TYPE, entry.to_string().as_bytes()).await;

    // Every consumer reads them: the workers (stages and decisions) and the console (journal at
    // start, the review queue when a reviewer asks for the next item).
    let worker_log = logs.path().join("worker.log");
    let worker = Worker::start_with(&ns, "all", &worker_log, &debug);
    let users = logs.path().join("users.toml");
    std::fs::write(
        &users,
        format!(
            "[[users]]\nname = \"rita\"\nrole = \"reviewer\"\npassword_hash = \"{}\"\n",
            hash_password("s3cret review")
        ),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let console_log = logs.path().join("console.log");
    let mut c = tamis();
    ns.apply(&mut c)
        .env("RUST_LOG", "debug")
        .env("TAMIS_CONSOLE_USERS", &users)
        .args(["console", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&console_log).unwrap());
    let console = Worker(c.spawn().unwrap());
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the console never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, head, _) = http(addr, "GET", "/login", "", "");
    assert_eq!(status, 200);
    let csrf_cookie = set_cookie(&head, "tamis_login_csrf").expect("a login CSRF cookie");
    let csrf = csrf_cookie.split_once('=').unwrap().1.to_string();
    let (status, head, _) =
        http(addr, "POST", "/login", &csrf_cookie, &format!("username=rita&password=s3cret+review&csrf={csrf}"));
    assert_eq!(status, 303, "signed in: {head}");
    let session = set_cookie(&head, "tamis_session").expect("a session cookie");
    let (status, _, body) = http(addr, "GET", "/api/review/next", &session, "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["lease_id"], Value::Null, "no readable item: {body}");

    let parked = (4 * work.len() + decisions.len() + 1) as u32;
    let got = wait_depth(&ns, "parking", parked, Duration::from_secs(60)).await;
    let worker_text = std::fs::read_to_string(&worker_log).unwrap_or_default();
    assert_eq!(got, parked, "every malformed message parked; worker log:\n{worker_text}");
    for q in ["ocr", "classify", "extract", "route", "decisions", "review.bank_details"] {
        assert_eq!(ns.depth(q).await, 0, "{q} drained");
    }
    assert_eq!(worker.stop(), Some(0));
    assert_eq!(console.stop(), Some(0));

    let worker_text = std::fs::read_to_string(&worker_log).unwrap();
    let console_text = std::fs::read_to_string(&console_log).unwrap();
    // The consumers did read and report them (by category and path), at debug level.
    assert!(worker_text.contains("\"level\":\"DEBUG\""), "debug logs were captured");
    let unusable = worker_text.matches("unusable message sent to parking").count();
    assert_eq!(unusable, 4 * work.len() + decisions.len(), "each reported once:\n{worker_text}");
    for path in [
        "envelope.document_id",
        "envelope.blob.media_type",
        "documents[0].fields.<key>.value",
        "envelope.case_persons[1]",
        "action",
        "corrections.<key>",
    ] {
        assert!(worker_text.contains(&format!("data error at {path}")), "{path} named:\n{worker_text}");
    }
    assert!(worker_text.contains("syntax error at"), "{worker_text}");
    assert!(console_text.contains("unreadable review item sent to parking"), "{console_text}");
    assert!(console_text.contains("data error at blob.media_type"), "{console_text}");
    assert!(console_text.contains("journal message that is not an entry skipped"), "{console_text}");

    let mut found = leaks("worker log", &worker_text);
    found.extend(leaks("console log", &console_text));
    assert!(found.is_empty(), "values of malformed messages in logs:\n{}", found.join("\n"));
    // The search can find them: they are in the parked messages, which keep the bodies as sent.
    let (ok, listed, _) = run(&ns, &[], &["parked", "list", "--json"]);
    assert!(ok && listed.lines().count() == parked as usize, "{listed}");
    assert!(!leaks("bodies", &String::from_utf8_lossy(&work.concat())).is_empty(), "the needles match the bodies");
    ns.cleanup().await;
}

/// Born-digital samples: read from their text layer in well under a second each.
fn samples() -> [std::path::PathBuf; 2] {
    [root().join("samples/doc-0001.pdf"), root().join("samples/doc-0004.pdf")]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_stage_parks_its_message_with_internal_error_and_the_worker_goes_on() {
    let ns = Namespace::new("panic");
    assert!(run(&ns, &[], &["topology"]).0);
    let mut tap = ns.event_tap().await;
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("worker.log");
    // Classify panics on the first document it sees in this worker, and only on that one.
    let worker = Worker::start_with(&ns, "all", &log, &[("TAMIS_TEST_PANIC", "classify")]);
    let ops = ops_addr(&log, Duration::from_secs(30));
    let [a, b] = samples();
    let (ok, out, err) = run(&ns, &[], &["submit", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(ok, "{err}");
    let ids: Vec<String> = out.lines().map(|l| l.split('\t').next().unwrap().to_string()).collect();
    let outcomes = |evs: &[(String, Value)]| -> Vec<String> {
        evs.iter()
            .filter(|(k, _)| !k.starts_with("document.received"))
            .map(|(_, e)| e["subject"].as_str().unwrap().to_string())
            .collect()
    };
    tap.collect_until(Duration::from_secs(120), |evs| !outcomes(evs).is_empty()).await;
    assert_eq!(wait_depth(&ns, "parking", 1, Duration::from_secs(30)).await, 1, "the panicking message is parked");
    let (ok, listed, err) = run(&ns, &[], &["parked", "list", "--json"]);
    assert!(ok, "{err}");
    let entry: Value = serde_json::from_str(listed.trim()).unwrap();
    assert_eq!(entry["reason"], "internal_error", "{entry}");
    assert_eq!(entry["stage"], "classify", "{entry}");
    let parked_id = entry["document_id"].as_str().unwrap().to_string();
    let other = ids.iter().find(|i| **i != parked_id).expect("two documents").clone();
    assert_eq!(outcomes(&tap.events), std::slice::from_ref(&other), "the next message was processed normally");

    // The worker goes on: ready, consuming, and the panic is logged with stage and document id.
    let (status, body) = http_get(ops, "/readyz");
    assert_eq!(status, 200, "{body}");
    let text = std::fs::read_to_string(&log).unwrap();
    let line =
        text.lines().find(|l| l.contains("stage panicked")).unwrap_or_else(|| panic!("the panic is logged:\n{text}"));
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["stage"], "classify", "{line}");
    assert_eq!(v["document_id"], parked_id.as_str(), "{line}");
    assert_eq!(v["reason"], "internal_error", "{line}");
    assert!(v["location"].as_str().is_some_and(|l| l.contains("pipeline.rs")), "{line}");

    // "Fixed" (the trigger fires once): the replay gives the parked document its outcome.
    let (ok, out, err) = run(&ns, &[], &["parked", "replay", "--all"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), format!("{parked_id}\tclassify"));
    tap.collect_until(Duration::from_secs(120), |evs| outcomes(evs).len() >= 2).await;
    let mut got = outcomes(&tap.events);
    got.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got, want, "each document has exactly one outcome");
    assert_eq!(ns.depth("parking").await, 0);
    assert_eq!(worker.stop(), Some(0));
    ns.cleanup().await;
}

#[test]
fn a_panic_in_tamis_process_gives_the_file_an_internal_error_line_and_the_rest_go_on() {
    let out = tempfile::NamedTempFile::new().unwrap();
    let [a, b] = samples();
    let run = tamis()
        .env("TAMIS_TEST_PANIC", "extract")
        .arg("process")
        .args([&a, &b])
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let lines: Vec<Value> =
        std::fs::read_to_string(out.path()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "one line per input: {lines:?}");
    let errors: Vec<&Value> = lines.iter().filter(|l| l["decision"] == "error").collect();
    assert_eq!(errors.len(), 1, "exactly the file extract panicked on: {lines:?}");
    assert_eq!(errors[0]["reason"], "internal_error", "{}", errors[0]);
    assert!(lines.iter().any(|l| l["decision"] != "error" && l["type"].is_string()), "the other was read: {lines:?}");
    assert!(stderr.contains("stage panicked") && stderr.contains("\"stage\":\"extract\""), "{stderr}");

    // An unknown trigger is refused at start-up, not ignored.
    let bad = tamis().env("TAMIS_TEST_PANIC", "everything").arg("process").arg(&a).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("TAMIS_TEST_PANIC"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_decision_replays_to_its_outcome_and_replay_fails_on_what_it_leaves() {
    let ns = Namespace::new("decision");
    let retry = [("TAMIS_RETRY_DELAYS_MS", "200,400"), ("TAMIS_RETRY_ATTEMPTS", "3")];
    assert!(run(&ns, &retry, &["topology"]).0);
    let mut tap = ns.event_tap().await;
    // The audit store cannot be written: a file stands where its folder must be created.
    let audit = ns.blobs.path().join("audit");
    std::fs::write(&audit, b"in the way").unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("worker.log");
    let mut c = tamis();
    c.envs(retry);
    ns.apply(&mut c).args(["worker", "route"]).stdout(Stdio::null()).stderr(std::fs::File::create(&log).unwrap());
    let worker = Worker(c.spawn().unwrap());

    let mut decision: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/examples/review_decision.v1.json")).unwrap(),
    )
    .unwrap();
    let id = uuid::Uuid::new_v4().to_string();
    decision["document_id"] = json!(id);
    decision["item"]["document_id"] = json!(id);
    decision["decision_id"] = json!(uuid::Uuid::new_v4());
    let (_conn, ch) = confirming_channel().await;
    let route = ("review", "decision", "tamis.review_decision.v1");
    publish_about(&ch, &ns, route, Some(&id), decision.to_string().as_bytes()).await;
    let parked = wait_depth(&ns, "parking", 1, Duration::from_secs(30)).await;
    assert_eq!(parked, 1, "parked after its attempts:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
    let (ok, listed, _) = run(&ns, &retry, &["parked", "list", "--json"]);
    assert!(ok);
    let entry: Value = serde_json::from_str(listed.trim()).unwrap();
    assert_eq!((entry["reason"].as_str(), entry["stage"].as_str()), (Some("audit_unavailable"), Some("decision")));

    // Beside it, a message whose stage header names nowhere (parked by hand, as a worker would).
    let mut h = lapin::types::FieldTable::default();
    for (k, v) in [
        ("document_id", "doc-nowhere"),
        ("tamis-stage", "nowhere"),
        ("tamis-reason", "blob_unavailable"),
        ("tamis-attempts", "5"),
        ("tamis-parked-at", "2026-01-01T00:00:00Z"),
    ] {
        h.insert(k.into(), lapin::types::AMQPValue::LongString(v.into()));
    }
    ch.basic_publish(
        format!("{}.dlx", ns.prefix).as_str().into(),
        "nowhere".into(),
        lapin::options::BasicPublishOptions::default(),
        b"{}",
        lapin::BasicProperties::default().with_delivery_mode(2).with_headers(h),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    assert_eq!(wait_depth(&ns, "parking", 2, Duration::from_secs(10)).await, 2);

    // The cause is fixed; the replay sends the decision back to the decisions queue, and fails
    // on the other, naming it and why.
    std::fs::remove_file(&audit).unwrap();
    let (ok, out, err) = run(&ns, &retry, &["parked", "replay", "--all"]);
    assert!(!ok, "a replay that leaves a message behind fails:\n{out}\n{err}");
    assert_eq!(out.trim(), format!("{id}\tdecision"));
    assert!(err.contains("1 selected parked message(s) could not be replayed"), "{err}");
    assert!(err.contains("document doc-nowhere, stage \"nowhere\", reason blob_unavailable"), "{err}");
    tap.collect_until(Duration::from_secs(30), |evs| evs.iter().any(|(_, e)| e["subject"] == id.as_str())).await;
    let reviewed: Vec<&String> =
        tap.events.iter().filter(|(_, e)| e["subject"] == id.as_str()).map(|(k, _)| k).collect();
    assert_eq!(reviewed.len(), 1, "{reviewed:?}");
    assert!(reviewed[0].starts_with("document.reviewed"), "{reviewed:?}");
    assert!(std::fs::read_dir(ns.blobs.path().join("audit").join(&id)).unwrap().count() == 1, "audit record written");
    assert_eq!(ns.depth("parking").await, 1, "only the unreplayable one stays");
    assert_eq!(worker.stop(), Some(0));
    ns.cleanup_with_delays(&[200, 400]).await;
}
