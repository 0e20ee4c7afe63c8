//! End to end through real RabbitMQ, real tesseract and a real browser: a document below
//! threshold lands in its review queue; a reviewer signs in to `tamis console` with Chromium,
//! corrects a field with the keyboard alone and validates; the `document.reviewed` event carries
//! the correction and the audit record exists. The same file submitted again for the same case
//! goes to a person as a duplicate, and the dashboard shows how long it has waited. axe-core
//! checks the login, review and dashboard pages against WCAG 2 A/AA. Screenshots and
//! accessibility reports land in target/test-artifacts/.

mod common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const CORRECTED: &str = "VALEUR CORRIGÉE 42";

fn browser_dir() -> PathBuf {
    root().join("tests/browser")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn event_for<'a>(events: &'a [(String, Value)], transition: &str, id: &str) -> Option<&'a Value> {
    events.iter().find(|(k, e)| k.starts_with(&format!("document.{transition}.")) && e["subject"] == id).map(|(_, e)| e)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reviewer_corrects_a_field_in_the_browser_and_the_outcome_follows() {
    assert!(
        ["playwright-core", "axe-core"].iter().all(|m| browser_dir().join("node_modules").join(m).is_dir())
            && std::path::Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Debian's chromium and tests/browser/node_modules: run scripts/system-deps --tests"
    );
    let ns = Namespace::new("console");
    let logs = tempfile::tempdir().unwrap();
    let users = logs.path().join("users.toml");
    std::fs::write(
        &users,
        format!(
            "[[users]]\nname = \"rita\"\nrole = \"reviewer\"\npassword_hash = \"{}\"\n\n[[users]]\nname = \"vera\"\nrole = \"viewer\"\npassword_hash = \"{}\"\n",
            hash_password("s3cret review"),
            hash_password("s3cret view")
        ),
    )
    .unwrap();
    let mut tap = ns.event_tap().await;
    let worker = Worker::start(&ns, "all", &logs.path().join("worker.log"));
    let port = free_port();
    let mut c = tamis();
    ns.apply(&mut c)
        .env("TAMIS_CONSOLE_USERS", &users)
        .args(["console", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(logs.path().join("console.log")).unwrap());
    let console = Worker(c.spawn().unwrap());

    // A heavily degraded photo of an energy bill: read, but not well enough to pass without a
    // person (type and several fields below their thresholds).
    let sample = root().join("samples/doc-0168.jpg");
    let submit = |case: &str| {
        let mut c = tamis();
        ns.apply(&mut c).args(["submit", sample.to_str().unwrap(), "--case-id", case]);
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().split('\t').next().unwrap().to_string()
    };
    let id = submit("CASE-7");
    tap.collect_until(Duration::from_secs(180), |e| event_for(e, "review_requested", &id).is_some()).await;
    let requested = event_for(&tap.events, "review_requested", &id).unwrap_or_else(|| {
        panic!("no review_requested event for {id}: {:?}", tap.events.iter().map(|(k, _)| k).collect::<Vec<_>>())
    });
    let doc_type = requested["data"]["documents"][0]["type"].as_str().unwrap().to_string();
    assert!(!requested["data"]["reasons"].as_array().unwrap().is_empty(), "the review item carries its reasons");

    // The reviewer's session, in Chromium.
    let artifacts = root().join("target/test-artifacts");
    let out = Command::new("node")
        .arg("review.mjs")
        .current_dir(browser_dir())
        .env("CONSOLE_URL", format!("http://localhost:{port}"))
        .env("CONSOLE_USER", "rita")
        .env("CONSOLE_PASSWORD", "s3cret review")
        .env("CORRECTED_VALUE", CORRECTED)
        .env("ARTIFACTS", &artifacts)
        .output()
        .unwrap();
    let console_log = std::fs::read_to_string(logs.path().join("console.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "browser script failed:\n{}\nconsole log:\n{console_log}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').find(|l| l.starts_with(b"{")).unwrap()).unwrap();
    assert_eq!(run["document_id"], id.as_str(), "the reviewer was shown the submitted document");
    let field = run["field"].as_str().unwrap().to_string();
    // axe-core ran on each page (the script fails on a serious or critical violation).
    for page in ["login", "login-error", "review", "review-fr", "review-done", "dashboard"] {
        assert!(run["axe"][page].is_array(), "no accessibility audit of the {page} page: {run}");
        assert!(artifacts.join(format!("axe-{page}.json")).is_file());
    }

    // Types, fields and reasons are named for people in the reader's language (the taxonomy's
    // display names), never by their codes; dates and amounts read in French on the French page.
    let tax = tamis_shared::taxonomy::Taxonomy::builtin();
    let def = tax.get(&doc_type).expect("a taxonomy type");
    for (lang, shown) in [("en", &run["shown"]["en"]), ("fr", &run["shown"]["fr"])] {
        let display = |fr: &str, en: &str| if lang == "fr" { fr.to_string() } else { en.to_string() };
        let title = shown["title"].as_str().unwrap();
        assert!(title.ends_with(&display(&def.display_fr, &def.display_en)), "{lang}: {title}");
        let fields = shown["fields"].as_array().unwrap();
        assert!(!fields.is_empty(), "{lang}: {shown}");
        for f in fields {
            let name = f["name"].as_str().unwrap();
            let d = tax.field(&doc_type, name).unwrap_or_else(|| panic!("{name} is a field of {doc_type}"));
            assert_eq!(f["label"], display(&d.display_fr, &d.display_en).as_str(), "{lang}: {name}");
            let value = f["value"].as_str().unwrap();
            let canonical_date = value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
            if lang == "fr" && d.kind == tamis_shared::taxonomy::FieldKind::Date {
                assert!(!canonical_date, "a date in ISO form on the French page: {name} = {value}");
            }
            if lang == "fr" && d.kind == tamis_shared::taxonomy::FieldKind::Amount && !value.is_empty() {
                assert!(value.ends_with('€') && !value.contains('.'), "an amount not in French form: {name} = {value}");
            }
        }
        for (code, text) in shown["types"].as_array().unwrap().iter().map(|t| (t[0].as_str().unwrap(), &t[1])) {
            assert_ne!(text.as_str(), Some(code), "{lang}: the type {code} is shown by its code");
        }
        let reasons = shown["reasons"].as_array().unwrap();
        assert!(!reasons.is_empty() && reasons.iter().all(|r| r["lang"].is_null()), "{lang}: {reasons:?}");
    }

    // The outcome, seen by a real AMQP consumer.
    tap.collect_until(Duration::from_secs(60), |e| event_for(e, "reviewed", &id).is_some()).await;
    let reviewed = event_for(&tap.events, "reviewed", &id).expect("a document.reviewed event").clone();
    validate_event(&reviewed);
    let data = &reviewed["data"];
    assert_eq!(data["reviewer"], "rita");
    assert!(matches!(data["action"].as_str(), Some("correct")), "{data}");
    let change =
        data["changes"].as_array().unwrap().iter().find(|c| c["field"] == field.as_str()).expect("the corrected field");
    assert_eq!(change["after"], CORRECTED);
    assert_ne!(change["before"], CORRECTED);
    assert_eq!(data["fields"][&field]["value"], CORRECTED);
    assert_eq!(data["fields"][&field]["source"], "reviewer");
    assert_eq!(reviewed["caseid"], "CASE-7");

    // The audit record, written once under the decision's id.
    let audit_dir = ns.blobs.path().join("audit").join(&id);
    let records: Vec<PathBuf> =
        std::fs::read_dir(&audit_dir).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    assert_eq!(records.len(), 1, "one audit record in {}", audit_dir.display());
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&records[0]).unwrap()).unwrap();
    assert_eq!(record["decision_id"], data["decision_id"]);
    assert_eq!(record["changes"], data["changes"]);
    assert!(record["recorded_at"].is_string());
    assert_eq!(ns.depth(&format!("review.{doc_type}")).await, 0, "the decided item left its queue");
    assert_eq!(ns.depth("decisions").await, 0, "the decision was consumed");

    // The same file again for the same case: a duplicate, for a person.
    let again = submit("CASE-7");
    tap.collect_until(Duration::from_secs(180), |e| event_for(e, "review_requested", &again).is_some()).await;
    let dup = event_for(&tap.events, "review_requested", &again).expect("the resubmission goes to review");
    assert!(
        dup["data"]["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "duplicate"),
        "{}",
        dup["data"]["reasons"]
    );
    // The dashboard, while the resubmission waits for a person: its review queue shows how long.
    let dup_type = dup["data"]["documents"][0]["type"].as_str().unwrap_or("other");
    let out = Command::new("node")
        .arg("review.mjs")
        .current_dir(browser_dir())
        .env("ONLY", "dashboard")
        .env("AGED_QUEUE", format!("{}.review.{dup_type}", ns.prefix))
        .env("CONSOLE_URL", format!("http://localhost:{port}"))
        .env("CONSOLE_USER", "vera")
        .env("CONSOLE_PASSWORD", "s3cret view")
        .env("ARTIFACTS", &artifacts)
        .output()
        .unwrap();
    assert!(out.status.success(), "dashboard script failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let run: Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').find(|l| l.starts_with(b"{")).unwrap()).unwrap();
    let age = run["age"].as_str().unwrap();
    assert!(age.ends_with(" s") || age.ends_with(" min"), "the waiting item's age is shown: {run}");
    assert!(run["axe"]["dashboard-ages"].is_array(), "{run}");

    // The journal saw the first document through review to its end: sent to a person, decided,
    // recorded (the route worker's `reviewed` entry).
    let journal = ns.journal().await;
    let first: Vec<&str> = journal
        .iter()
        .filter(|(_, e)| e["document_id"] == id.as_str())
        .filter_map(|(_, e)| e.get("queue").or(e.get("outcome")).and_then(Value::as_str))
        .collect();
    let tail: Vec<&str> = first.iter().rev().take(3).rev().copied().collect();
    assert_eq!(tail, [format!("review.{doc_type}").as_str(), "decisions", "reviewed"], "{first:?}");
    for shot in ["review.png", "dashboard.png"] {
        assert!(
            std::fs::metadata(artifacts.join(shot)).map(|m| m.len() > 10_000).unwrap_or(false),
            "screenshot {shot}"
        );
    }
    console.stop();
    worker.stop();
    ns.cleanup().await;
}

/// `method path` over HTTP/1.1 with extra headers, connection closed after: (status, body).
fn http(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the console");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0), body.to_string())
}

fn wait_exit(child: &mut std::process::Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_stops_gracefully_on_sigterm_and_ctrl_c() {
    use std::io::{Read, Write};
    let ns = Namespace::new("console-stop");
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    // Signed in by a trusted proxy header: no password round trip needed here.
    std::fs::write(&users, "[[users]]\nname = \"rita\"\nrole = \"reviewer\"\n").unwrap();
    let start = |log: &str| {
        let port = free_port();
        let mut c = tamis();
        ns.apply(&mut c)
            .env("TAMIS_CONSOLE_USERS", &users)
            .env("TAMIS_CONSOLE_TRUSTED_HEADER", "X-Forwarded-User")
            .args(["console", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join(log)).unwrap());
        let child = c.spawn().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the console never listened");
            std::thread::sleep(Duration::from_millis(100));
        }
        (child, port)
    };
    let (mut console, port) = start("console.log");

    // A reviewer holds an item (unacknowledged on the console's channel).
    let conn = lapin::Connection::connect(AMQP_URL, lapin::ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(lapin::options::ConfirmSelectOptions::default()).await.unwrap();
    let item = std::fs::read(root().join("schemas/examples/review_item.v1.json")).unwrap();
    ch.basic_publish(
        format!("{}.review", ns.prefix).as_str().into(),
        "payslip".into(),
        lapin::options::BasicPublishOptions::default(),
        &item,
        lapin::BasicProperties::default().with_delivery_mode(2),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let (status, body) = http(port, "/api/review/next", &[("X-Forwarded-User", "rita")]);
    assert_eq!(status, 200, "{body}");
    let next: Value = serde_json::from_str(&body).unwrap();
    assert!(next["lease_id"].is_string(), "the reviewer got the item: {next}");
    assert_eq!(ns.depth("review.payslip").await, 0, "the held item is not ready in its queue");

    // An idle keep-alive connection must not hold the shutdown, and a request whose head is
    // still arriving when the signal comes is answered.
    let mut idle = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(idle, "GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let mut in_flight = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(in_flight, "GET /login HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));

    // SAFETY: kill(2) on our own child's pid has no memory effects.
    unsafe { libc::kill(console.id() as i32, libc::SIGTERM) };
    std::thread::sleep(Duration::from_millis(200));
    write!(in_flight, "Connection: close\r\n\r\n").unwrap();
    in_flight.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = String::new();
    let _ = in_flight.read_to_string(&mut answer);
    let status = wait_exit(&mut console, Duration::from_secs(15));
    let log = std::fs::read_to_string(dir.path().join("console.log")).unwrap_or_default();
    assert_eq!(status.and_then(|s| s.code()), Some(0), "exit status {status:?} after SIGTERM; log:\n{log}");
    assert!(answer.starts_with("HTTP/1.1 200"), "the request in flight was answered: {answer:.80}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "nothing listens any more");
    assert_eq!(ns.depth("review.payslip").await, 1, "the held item was put back in its queue; log:\n{log}");
    let back = ch
        .basic_get(
            format!("{}.review.payslip", ns.prefix).as_str().into(),
            lapin::options::BasicGetOptions { no_ack: true },
        )
        .await
        .unwrap()
        .unwrap();
    let back: Value = serde_json::from_slice(&back.delivery.data).unwrap();
    assert_eq!(back["document_id"], next["item"]["document_id"]);
    drop(idle);

    // Ctrl-C (SIGINT) stops it the same way.
    let (mut console, _) = start("console2.log");
    // SAFETY: as above.
    unsafe { libc::kill(console.id() as i32, libc::SIGINT) };
    let status = wait_exit(&mut console, Duration::from_secs(15));
    assert_eq!(status.and_then(|s| s.code()), Some(0), "exit status {status:?} after Ctrl-C");
    let _ = conn.close(0, "done".into()).await;
    ns.cleanup().await;
}

/// Starts `tamis console` in trusted-proxy mode (`X-Forwarded-User`) for `users`, logging to
/// `log`; returns it with its page port once it listens.
fn start_proxy_console(ns: &Namespace, users: &std::path::Path, log: &std::path::Path) -> (Worker, u16) {
    let port = free_port();
    let mut c = tamis();
    ns.apply(&mut c)
        .env("TAMIS_CONSOLE_USERS", users)
        .env("TAMIS_CONSOLE_TRUSTED_HEADER", "X-Forwarded-User")
        .args(["console", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    let console = Worker(c.spawn().unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the console never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
    (console, port)
}

/// `GET path` with extra headers: (status, `Set-Cookie` values, body).
fn get_with_cookies(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<String>, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the console");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.trim().to_string())
        .collect();
    (status, cookies, body.to_string())
}

/// Review items put in their queues as the route stage does (through `Broker::publish`, which
/// journals each move): the console's ops port exports how many wait per type and how long the
/// oldest has waited; an item a reviewer holds still counts. In trusted-proxy mode the JSON API
/// sends its session back, so a client that keeps cookies opens one session, not one per request.
#[tokio::test(flavor = "multi_thread")]
async fn the_console_exports_the_review_delay_per_type_and_its_api_keeps_one_session() {
    let ns = Namespace::new("console-metrics");
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    std::fs::write(&users, "[[users]]\nname = \"rita\"\nrole = \"reviewer\"\n").unwrap();

    let mut config = tamis_shared::config::Config::default();
    config.amqp.url = AMQP_URL.to_string();
    config.amqp.prefix = ns.prefix.clone();
    let broker = tamis_shared::broker::Broker::connect(&config.amqp, "console-metrics-test", Duration::from_secs(30))
        .await
        .unwrap();
    broker.declare_topology(&[]).await.unwrap();
    let example: Value =
        serde_json::from_slice(&std::fs::read(root().join("schemas/examples/review_item.v1.json")).unwrap()).unwrap();
    let published = std::time::Instant::now();
    let mut ids = Vec::new();
    for doc_type in ["payslip", "payslip", "passport"] {
        let id = uuid::Uuid::new_v4().to_string();
        ids.push(id.clone());
        let mut item = example.clone();
        item["document_id"] = Value::from(id.as_str());
        item["outcome"]["document_id"] = Value::from(id.as_str());
        let m = tamis_shared::broker::OutMessage {
            exchange: format!("{}.review", ns.prefix),
            routing_key: doc_type.to_string(),
            body: serde_json::to_vec(&item).unwrap(),
            content_type: "application/json".into(),
            message_id: format!("{id}.review"),
            kind: "tamis.review_item.v1".into(),
            headers: [("document_id".to_string(), id.clone())].into_iter().collect(),
        };
        broker.publish(&m).await.unwrap();
    }

    let log = dir.path().join("console.log");
    let (console, port) = start_proxy_console(&ns, &users, &log);
    let ops = ops_addr(&log, Duration::from_secs(30));
    let value = |metrics: &str, series: &str| -> Option<f64> {
        metrics.lines().find_map(|l| l.strip_prefix(series)).and_then(|v| v.trim().parse().ok())
    };
    let (payslip_items, payslip_age, passport_items) = (
        r#"tamis_review_items{type="payslip"} "#,
        r#"tamis_review_oldest_age_seconds{type="payslip"} "#,
        r#"tamis_review_items{type="passport"} "#,
    );
    let scrape_until = |ok: &dyn Fn(&str) -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(45);
        loop {
            let (status, metrics) = http_get(ops, "/metrics");
            assert_eq!(status, 200);
            if ok(&metrics) || std::time::Instant::now() > deadline {
                return metrics;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    };
    let metrics = scrape_until(&|m| value(m, payslip_items) == Some(2.0) && value(m, payslip_age).is_some());
    assert_eq!(value(&metrics, payslip_items), Some(2.0), "{metrics}");
    assert_eq!(value(&metrics, passport_items), Some(1.0), "{metrics}");
    let age = value(&metrics, payslip_age).unwrap_or_else(|| panic!("no payslip age:\n{metrics}"));
    let since = published.elapsed().as_secs_f64();
    assert!((0.0..=since + 1.0).contains(&age), "the oldest payslip waited {age} s, published {since} s ago");
    assert!(ids.iter().all(|id| !metrics.contains(id.as_str())), "no document id in metrics");

    // A reviewer, through the JSON API, behind the proxy: the session comes back as a cookie...
    let (status, cookies, body) =
        get_with_cookies(port, "/api/review/next?type=payslip", &[("X-Forwarded-User", "rita")]);
    assert_eq!(status, 200, "{body}");
    assert!(serde_json::from_str::<Value>(&body).unwrap()["lease_id"].is_string(), "{body}");
    let session = cookies
        .iter()
        .find_map(|c| c.strip_prefix("tamis_session=").map(|v| v.split(';').next().unwrap().to_string()))
        .unwrap_or_else(|| panic!("the API sent no session cookie back: {cookies:?}"));
    // ... and, sent back, it is the same session: none is opened, the held item is still hers.
    let cookie = format!("tamis_session={session}");
    let (status, cookies, body) =
        get_with_cookies(port, "/api/review/next?type=payslip", &[("X-Forwarded-User", "rita"), ("Cookie", &cookie)]);
    assert_eq!(status, 200, "{body}");
    assert!(!cookies.iter().any(|c| c.starts_with("tamis_session=")), "a second session was opened: {cookies:?}");
    let (status, _, _) = get_with_cookies(port, "/api/dashboard", &[("X-Forwarded-User", "rita"), ("Cookie", &cookie)]);
    assert_eq!(status, 200);

    // The item she holds still waits for a person: it still counts, and so does its age.
    let metrics = scrape_until(&|m| value(m, payslip_items) == Some(2.0));
    assert_eq!(value(&metrics, payslip_items), Some(2.0), "a held item counts:\n{metrics}");
    assert!(value(&metrics, payslip_age).is_some_and(|a| a >= age), "{metrics}");
    assert_eq!(ns.depth("review.payslip").await, 1, "one payslip held, one ready");

    console.stop();
    broker.close().await;
    ns.cleanup().await;
}
