//! Helpers for the end-to-end tests: the built binary, a unique broker namespace per test, and
//! an AMQP client that sees what Tamis publishes.

#![allow(dead_code)]

pub mod node;

use futures::StreamExt;
use lapin::options::*;
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// The `tamis` binary cargo built for these tests.
pub fn tamis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tamis"));
    c.env("OMP_THREAD_LIMIT", "1").env("TAMIS_LOG_FORMAT", "json").env("RUST_LOG", "info");
    // Workers of concurrent tests must not fight over the default ops port 9090.
    c.env("TAMIS_HEALTH_ADDR", "127.0.0.1:0");
    c
}

/// The repository root.
/// An argon2id hash of `password`, made by the binary itself (`tamis console hash-password`), for
/// the console's users files.
pub fn hash_password(password: &str) -> String {
    use std::io::Write;
    let mut c = tamis()
        .args(["console", "hash-password"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus folder, if present beside the repository.
pub fn shared_dir() -> PathBuf {
    let p = std::env::var_os("TAMIS_SHARED_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("../shared"));
    // A gate that passes because its data is missing proves nothing: fail, and say where to put it.
    assert!(
        p.join("corpus").is_dir(),
        "no shared corpus at {}: put the shared material beside the repository (../shared) or set TAMIS_SHARED_DIR",
        p.display()
    );
    p
}

/// An isolated set of exchanges and queues (`prefix`) plus a blob folder, removed on drop; or,
/// with `on_s3`, a prefix of an S3 bucket instead of the folder.
pub struct Namespace {
    pub prefix: String,
    pub blobs: tempfile::TempDir,
    /// The S3 server and bucket prefix of the blob store, when not the folder.
    pub s3: Option<(S3Endpoint, String)>,
}

impl Namespace {
    pub fn new(name: &str) -> Namespace {
        Namespace {
            prefix: format!("tamis-test-{}-{}", name, uuid::Uuid::new_v4().simple()),
            blobs: tempfile::tempdir().unwrap(),
            s3: None,
        }
    }

    /// As `new`, with the blob store under `s3://{bucket}/{prefix}` of `server`.
    pub fn on_s3(name: &str, server: &S3Server) -> Namespace {
        let mut ns = Namespace::new(name);
        ns.s3 = Some((server.endpoint.clone(), ns.prefix.clone()));
        ns
    }

    /// `TAMIS_BLOB_URL` of this namespace.
    pub fn blob_url(&self) -> String {
        match &self.s3 {
            Some((s3, prefix)) => format!("s3://{}/{prefix}", s3.bucket),
            None => self.blobs.path().to_string_lossy().into_owned(),
        }
    }

    /// Applies this namespace to a command.
    pub fn apply<'a>(&self, c: &'a mut Command) -> &'a mut Command {
        if let Some((s3, _)) = &self.s3 {
            c.envs(s3.env());
        }
        c.env("TAMIS_AMQP_URL", AMQP_URL).env("TAMIS_AMQP_PREFIX", &self.prefix).env("TAMIS_BLOB_URL", self.blob_url())
    }

    /// Every key of the blob store, relative to it (`sha256/ab/ab…`, `audit/…`), sorted: listed
    /// from the bucket over S3, or walked in the folder.
    pub fn blob_keys(&self) -> Vec<String> {
        match &self.s3 {
            Some((s3, prefix)) => s3
                .list(&format!("{prefix}/"))
                .into_iter()
                .map(|k| k.strip_prefix(&format!("{prefix}/")).unwrap_or(&k).to_string())
                .collect(),
            None => {
                fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
                    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                        let p = e.path();
                        if p.is_dir() {
                            walk(&p, base, out);
                        } else if !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('#')) {
                            out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
                        }
                    }
                }
                let mut out = Vec::new();
                walk(self.blobs.path(), self.blobs.path(), &mut out);
                out.sort();
                out
            }
        }
    }

    /// Binds a fresh server-named queue to every event, before anything is published.
    pub async fn event_tap(&self) -> EventTap {
        let conn = Connection::connect(AMQP_URL, ConnectionProperties::default())
            .await
            .expect("RabbitMQ must run on 127.0.0.1:5672");
        let ch = conn.create_channel().await.unwrap();
        let ex = format!("{}.events", self.prefix);
        ch.exchange_declare(
            ex.as_str().into(),
            lapin::ExchangeKind::Topic,
            ExchangeDeclareOptions { durable: true, ..Default::default() },
            FieldTable::default(),
        )
        .await
        .unwrap();
        let q = ch
            .queue_declare(
                "".into(),
                QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() },
                FieldTable::default(),
            )
            .await
            .unwrap();
        ch.queue_bind(
            q.name().clone(),
            ex.as_str().into(),
            "document.#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
        let consumer = ch
            .basic_consume(
                q.name().clone(),
                "tap".into(),
                BasicConsumeOptions { no_ack: true, ..Default::default() },
                FieldTable::default(),
            )
            .await
            .unwrap();
        EventTap { _conn: conn, consumer, events: Vec::new() }
    }

    /// Number of messages waiting in one of this namespace's queues.
    pub async fn depth(&self, queue_suffix: &str) -> u32 {
        let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        let name = format!("{}.{}", self.prefix, queue_suffix);
        let q = ch
            .queue_declare(
                name.as_str().into(),
                QueueDeclareOptions { passive: true, ..Default::default() },
                FieldTable::default(),
            )
            .await
            .unwrap();
        q.message_count()
    }

    /// Every message of this namespace's journal stream, oldest first: (AMQP `type`, body as
    /// JSON, `Null` when empty). Read from the first entry until none comes for 2 s (entries are
    /// confirmed before the messages they describe, so those already seen are all there).
    pub async fn journal(&self) -> Vec<(String, Value)> {
        let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        ch.basic_qos(500, BasicQosOptions::default()).await.unwrap();
        let mut args = FieldTable::default();
        args.insert("x-stream-offset".into(), lapin::types::AMQPValue::LongString("first".into()));
        let queue = format!("{}.journal", self.prefix);
        let mut consumer = ch
            .basic_consume(queue.as_str().into(), "journal-reader".into(), BasicConsumeOptions::default(), args)
            .await
            .unwrap();
        let mut out = Vec::new();
        while let Ok(Some(Ok(d))) = tokio::time::timeout(Duration::from_secs(2), consumer.next()).await {
            let kind = d.properties.kind().as_ref().map(|k| k.to_string()).unwrap_or_default();
            d.ack(BasicAckOptions::default()).await.unwrap();
            // Every topology declare probes the stream with a reader's mark (broker.rs).
            if kind == tamis_shared::journal::MARK_TYPE {
                continue;
            }
            let body = if d.data.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&d.data).expect("journal entries are JSON")
            };
            out.push((kind, body));
        }
        let _ = conn.close(0, "journal read".into()).await;
        out
    }

    /// Removes this namespace's exchanges and queues.
    pub async fn cleanup(&self) {
        self.cleanup_with_delays(&[]).await
    }

    /// Removes this namespace's exchanges and queues, with the retry tiers of `delays_ms` (the
    /// default tiers when empty).
    pub async fn cleanup_with_delays(&self, delays_ms: &[u64]) {
        let Ok(conn) = Connection::connect(AMQP_URL, ConnectionProperties::default()).await else { return };
        let Ok(ch) = conn.create_channel().await else { return };
        let delays: Vec<Duration> = delays_ms.iter().map(|ms| Duration::from_millis(*ms)).collect();
        let t = tamis_shared::topology::Topology::new(&self.prefix, 5).with_retry_delays(&delays);
        for q in t.queues(&[]) {
            let _ = ch.queue_delete(q.name.as_str().into(), QueueDeleteOptions::default()).await;
        }
        for e in t.exchanges() {
            let _ = ch.exchange_delete(e.name.as_str().into(), ExchangeDeleteOptions::default()).await;
        }
    }
}

/// Sees every event published under a namespace.
pub struct EventTap {
    _conn: Connection,
    consumer: lapin::Consumer,
    pub events: Vec<(String, Value)>,
}

impl EventTap {
    /// Collects events until `done` says enough or `timeout` passes.
    pub async fn collect_until(&mut self, timeout: Duration, done: impl Fn(&[(String, Value)]) -> bool) {
        let deadline = Instant::now() + timeout;
        while !done(&self.events) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            match tokio::time::timeout(left, self.consumer.next()).await {
                Ok(Some(Ok(d))) => {
                    let v: Value = serde_json::from_slice(&d.data).expect("events are JSON");
                    self.events.push((d.routing_key.to_string(), v));
                }
                _ => return,
            }
        }
    }
}

/// A background `tamis worker`, stopped with SIGTERM on drop.
pub struct Worker(pub Child);

impl Worker {
    pub fn start(ns: &Namespace, stage: &str, log: &Path) -> Worker {
        Self::start_with(ns, stage, log, &[])
    }

    /// As `start`, with extra environment (OTEL_*, RUST_LOG...).
    pub fn start_with(ns: &Namespace, stage: &str, log: &Path, env: &[(&str, &str)]) -> Worker {
        let mut c = tamis();
        c.envs(env.iter().copied());
        ns.apply(&mut c).args(["worker", stage]).stdout(Stdio::null()).stderr(std::fs::File::create(log).unwrap());
        Worker(c.spawn().expect("start tamis worker"))
    }

    /// Sends SIGTERM and waits; returns the exit status code.
    pub fn stop(mut self) -> Option<i32> {
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(s)) = self.0.try_wait() {
                return s.code();
            }
            if Instant::now() > deadline {
                let _ = self.0.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

/// Runs `tamis process` on paths and returns its prediction lines by file.
pub fn process(paths: &[&Path]) -> BTreeMap<String, Value> {
    let out = tempfile::NamedTempFile::new().unwrap();
    process_to(paths, &[], out.path())
}

/// Runs `tamis process` with extra environment, keeping the prediction file at `out` (for score.py).
pub fn process_to(paths: &[&Path], env: &[(&str, &Path)], out: &Path) -> BTreeMap<String, Value> {
    let mut c = tamis();
    for (k, v) in env {
        c.env(k, v);
    }
    let status = c.arg("process").args(paths).arg("--out").arg(out).stderr(Stdio::inherit()).status().unwrap();
    assert!(status.success(), "tamis process failed: {status}");
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["file"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// Where the JSON Schemas' `$id`s live (src/events.rs's `SCHEMA_BASE`); the files are in `schemas/`.
pub const SCHEMA_BASE: &str = "https://tamis.example/schemas/";

/// The local file of a schema URL (`https://tamis.example/schemas/<name>.json` -> `schemas/<name>.json`).
pub fn schema_file(url: &str) -> Option<PathBuf> {
    let name = url.strip_prefix(SCHEMA_BASE)?;
    let ok = name.ends_with(".json") && !name.contains('/') && !name.contains("..");
    ok.then(|| root().join("schemas").join(name))
}

/// Every schema in `schemas/`, by file name (`work.v1.json`...). With `strict`, every object
/// schema that lists its `properties` also gets `unevaluatedProperties: false`: the published
/// schemas let consumers ignore unknown keys (additive v1 changes), while Tamis's own output must
/// not carry a key its schema does not document.
pub fn load_schemas(strict: bool) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(root().join("schemas")).expect("schemas/ folder") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(&p).unwrap();
            let mut v: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
            if strict {
                make_strict(&mut v);
            }
            out.insert(p.file_name().unwrap().to_string_lossy().into_owned(), v);
        }
    }
    out
}

/// Adds `unevaluatedProperties: false` to every `type: object` schema with `properties`.
pub fn make_strict(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("type") == Some(&Value::String("object".into()))
                && m.contains_key("properties")
                && !m.contains_key("additionalProperties")
            {
                m.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            m.values_mut().for_each(make_strict);
        }
        Value::Array(a) => a.iter_mut().for_each(make_strict),
        _ => {}
    }
}

/// A validator for one schema file, with every other schema file registered under its `$id` so
/// `$ref`s between them resolve offline (no retrieval, no network). Formats (uuid, date-time)
/// are asserted.
pub fn schema_validator(name: &str, strict: bool) -> jsonschema::Validator {
    let schemas = load_schemas(strict);
    let schema = schemas.get(name).unwrap_or_else(|| panic!("no schema schemas/{name}"));
    let mut builder = jsonschema::Registry::new();
    for (file, s) in &schemas {
        let id = s["$id"].as_str().unwrap_or_else(|| panic!("schemas/{file} has no $id"));
        assert_eq!(id, format!("{SCHEMA_BASE}{file}"), "schemas/{file}: $id must be its published URL");
        builder = builder.add(id, s.clone()).unwrap_or_else(|e| panic!("schemas/{file}: {e}"));
    }
    let registry = builder.prepare().unwrap_or_else(|e| panic!("schema registry: {e}"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("schemas/{name} does not compile: {e}"))
}

/// The validation errors of `instance` against schema file `name`, one line each (empty: valid).
pub fn schema_errors(name: &str, strict: bool, instance: &Value) -> Vec<String> {
    let v = schema_validator(name, strict);
    v.iter_errors(instance).map(|e| format!("at {}: {e}", e.instance_path())).collect()
}

/// Panics unless `instance` is valid against schema file `name` (strict: no undocumented key).
pub fn assert_valid(name: &str, instance: &Value, what: &str) {
    let errors = schema_errors(name, true, instance);
    assert!(
        errors.is_empty(),
        "{what} does not match schemas/{name}:\n  {}\n{}",
        errors.join("\n  "),
        serde_json::to_string_pretty(instance).unwrap_or_default()
    );
}

/// Panics, saying why, unless the event is valid against the schema its `dataschema` names (the
/// URL mapped to the local file in `schemas/`), in strict mode.
pub fn validate_event(ev: &Value) {
    let what = format!("event {} (type {}, subject {})", ev["id"], ev["type"], ev["subject"]);
    let url = ev["dataschema"].as_str().unwrap_or_else(|| panic!("{what} has no dataschema"));
    let file = schema_file(url).unwrap_or_else(|| panic!("{what}: dataschema {url} is not under {SCHEMA_BASE}"));
    assert!(file.is_file(), "{what}: dataschema {url} has no file {}", file.display());
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert_valid(&name, ev, &what);
}

/// The address a worker's ops server bound (read from its JSON log), waiting up to `timeout`.
pub fn ops_addr(log: &Path, timeout: Duration) -> std::net::SocketAddr {
    let deadline = Instant::now() + timeout;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<Value>(line) {
                if v["message"].as_str().is_some_and(|m| m.starts_with("ops server listening")) {
                    return v["addr"].as_str().unwrap().parse().unwrap();
                }
            }
        }
        assert!(Instant::now() < deadline, "the worker never said where its ops server listens; log:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET path` over plain HTTP/1.1: (status, body).
pub fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the ops server");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    // Bodies here are small; a chunked one is de-chunked by dropping the size lines.
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 || tail.len() < n {
                break;
            }
            out.push_str(&tail[..n]);
            rest = tail[n..].trim_start_matches("\r\n");
        }
        out
    } else {
        body.to_string()
    };
    (status, body)
}

/// A capturing OTLP/HTTP trace receiver (tests/otlp_receiver.py, real protobuf decoding with the
/// opentelemetry-proto package), killed on drop.
pub struct OtlpReceiver {
    child: Child,
    /// `http://127.0.0.1:<port>`: the value for OTEL_EXPORTER_OTLP_ENDPOINT.
    pub endpoint: String,
    /// One JSON line per received span.
    pub spans_file: PathBuf,
}

impl OtlpReceiver {
    /// Starts the receiver, writing under `dir`.
    pub fn start(dir: &Path) -> OtlpReceiver {
        use std::io::BufRead;
        let spans_file = dir.join("spans.jsonl");
        let mut child = Command::new("python3")
            .arg(root().join("tests/otlp_receiver.py"))
            .arg(&spans_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 must be installed (scripts/system-deps --tests)");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let port: u16 = first.trim().parse().unwrap_or_else(|_| {
            panic!("the OTLP receiver did not start (is opentelemetry-proto installed? scripts/system-deps --tests): {first:?}")
        });
        OtlpReceiver { child, endpoint: format!("http://127.0.0.1:{port}"), spans_file }
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.spans_file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("the receiver writes JSON lines"))
            .collect()
    }

    /// Every metric data point received so far (one JSON object each: name, unit, service, kind,
    /// attributes, and value or count/sum/buckets).
    #[allow(dead_code)]
    pub fn metric_points(&self) -> Vec<Value> {
        let mut p = self.spans_file.clone().into_os_string();
        p.push(".metrics");
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("the receiver writes JSON lines"))
            .collect()
    }

    /// The raw protobuf bodies received, as (lossy) text, for searching.
    pub fn raw_text(&self) -> String {
        let mut p = self.spans_file.clone().into_os_string();
        p.push(".raw");
        String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()
    }

    /// Environment that makes a `tamis` process export to this receiver, flushing quickly.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OTEL_EXPORTER_OTLP_ENDPOINT", self.endpoint.clone()),
            ("OTEL_BSP_SCHEDULE_DELAY", "200".into()),
            ("OTEL_METRIC_EXPORT_INTERVAL", "500".into()),
        ]
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The documents `tamis submit` reported (document id -> file), after checking it succeeded.
#[allow(dead_code)]
pub fn submitted(out: &std::process::Output) -> BTreeMap<String, String> {
    assert!(out.status.success(), "submit failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| l.split_once('\t').map(|(id, f)| (id.to_string(), f.to_string())).unwrap())
        .collect()
}

/// Where `needle` (lowercase) occurs in `haystack` as a whole token (not inside a longer word or
/// number), case-insensitively.
pub fn find_leak(haystack: &str, needle: &str) -> Option<usize> {
    let hay = haystack.to_lowercase();
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let at = from + pos;
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        if !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric()) {
            return Some(at);
        }
        from = at + needle.len().max(1);
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// Where an S3-compatible server answers and the bucket the tests use.
#[derive(Clone, Debug)]
pub struct S3Endpoint {
    pub url: String,
    pub bucket: String,
}

impl S3Endpoint {
    /// The `AWS_*` environment that points Tamis's S3 client at this server (path-style requests,
    /// plain HTTP on the loopback, moto's test credentials).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing-secret".into()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
    }

    /// Every key of the bucket under `prefix` (ListObjectsV2, following continuation tokens).
    pub fn list(&self, prefix: &str) -> Vec<String> {
        let addr: std::net::SocketAddr = self.url.trim_start_matches("http://").parse().unwrap();
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("/{}?list-type=2&prefix={}", self.bucket, prefix);
            if let Some(t) = &token {
                path.push_str(&format!(
                    "&continuation-token={}",
                    t.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
                ));
            }
            let (status, body) = http_get(addr, &path);
            assert_eq!(status, 200, "listing the bucket: {body}");
            keys.extend(xml_values(&body, "Key"));
            token = xml_values(&body, "NextContinuationToken").into_iter().next();
            if token.is_none() {
                break;
            }
        }
        keys.sort();
        keys
    }
}

/// The text of every `<tag>…</tag>` of an XML answer.
fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open).skip(1).filter_map(|s| s.split_once(&close).map(|(v, _)| v.replace("&amp;", "&"))).collect()
}

/// A real S3-compatible server for the tests: moto in server mode (`pip install 'moto[server]'`,
/// scripts/system-deps --tests) on a free port, with one bucket; killed on drop.
pub struct S3Server {
    child: Child,
    pub endpoint: S3Endpoint,
}

impl S3Server {
    pub fn start() -> S3Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 must be installed (scripts/system-deps --tests)");
        let mut server = S3Server {
            child,
            endpoint: S3Endpoint { url: format!("http://127.0.0.1:{port}"), bucket: "tamis-test".into() },
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(s)) = server.child.try_wait() {
                panic!("moto did not start ({s}): is 'moto[server]' installed? scripts/system-deps --tests");
            }
            assert!(Instant::now() < deadline, "moto never listened on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        // CreateBucket: moto takes unsigned requests.
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "PUT /{} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            server.endpoint.bucket
        )
        .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "creating the bucket: {answer}");
        server
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
