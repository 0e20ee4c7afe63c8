//! The integrator's view: docs/examples/consumer.py (a real pika client parsing with the
//! official CloudEvents Python SDK) consumes every event of a pipeline run over several document
//! types and a rejected bad input; each event validates against schemas/, and a duplicate
//! delivery is recognised by its event id.

mod common;

use common::*;
use lapin::options::*;
use lapin::types::{AMQPValue, FieldTable};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_consumer_parses_and_validates_every_event() {
    let ns = Namespace::new("integrator");
    let input = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("samples")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), input.path().join(e.file_name())).unwrap();
    }
    std::fs::write(input.path().join("page.html"), b"<!DOCTYPE html><html><body>not a document</body></html>").unwrap();
    let n = std::fs::read_dir(input.path()).unwrap().count();

    // The integrator's durable queue exists before anything is published, as in production.
    let exchange = format!("{}.events", ns.prefix);
    let queue = format!("{}.integrator", ns.prefix);
    let conn = lapin::Connection::connect(AMQP_URL, lapin::ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.exchange_declare(
        exchange.as_str().into(),
        lapin::ExchangeKind::Topic,
        ExchangeDeclareOptions { durable: true, ..Default::default() },
        FieldTable::default(),
    )
    .await
    .unwrap();
    let mut args = FieldTable::default();
    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    ch.queue_declare(queue.as_str().into(), QueueDeclareOptions { durable: true, ..Default::default() }, args)
        .await
        .unwrap();
    ch.queue_bind(
        queue.as_str().into(),
        exchange.as_str().into(),
        "document.#".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();

    let mut tap = ns.event_tap().await;
    let logs = tempfile::tempdir().unwrap();
    let worker = Worker::start(&ns, "all", &logs.path().join("worker.log"));
    let mut submit = tamis();
    let out = ns.apply(&mut submit).arg("submit").arg(input.path()).output().unwrap();
    let submitted = submitted(&out);
    tap.collect_until(Duration::from_secs(300), |evs| evs.len() >= 2 * n).await;
    assert_eq!(tap.events.len(), 2 * n, "a received and an outcome event per file");

    // A duplicate delivery (what a redelivered input produces): same body, same event id.
    let (dup_key, dup) = tap
        .events
        .iter()
        .find(|(k, _)| k.starts_with("document.accepted.") || k.starts_with("document.review_requested."))
        .unwrap()
        .clone();
    ch.basic_publish(
        exchange.as_str().into(),
        dup_key.as_str().into(),
        BasicPublishOptions::default(),
        &serde_json::to_vec(&dup).unwrap(),
        lapin::BasicProperties::default()
            .with_content_type("application/cloudevents+json".into())
            .with_delivery_mode(2),
    )
    .await
    .unwrap()
    .await
    .unwrap();

    let consumer = std::process::Command::new("python3")
        .arg(root().join("docs/examples/consumer.py"))
        .args(["--url", AMQP_URL, "--exchange", &exchange, "--queue", &queue, "--idle-timeout", "5"])
        .output()
        .expect("python3 with pika and cloudevents (scripts/system-deps --tests)");
    assert!(consumer.status.success(), "consumer.py failed: {}", String::from_utf8_lossy(&consumer.stderr));
    let events: Vec<Value> = String::from_utf8(consumer.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("consumer.py printed a non-JSON line {l:?}: {e}")))
        .collect();

    assert_eq!(events.len(), 2 * n, "every event once: the duplicate was recognised by its id");
    let ids: BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), events.len());
    let mut transitions = BTreeSet::new();
    for ev in &events {
        // The SDK's rendering of the event is still exactly what its dataschema describes.
        validate_event(ev);
        assert!(submitted.contains_key(ev["subject"].as_str().unwrap()), "an event about a submitted file");
        assert!(ev.get("caseid").is_none(), "submitted without a case id: no caseid attribute");
        assert!(ev["data"].get("case_id").is_none(), "submitted without a case id: no case_id in data");
        transitions.insert(ev["type"].as_str().unwrap().to_string());
    }
    assert!(transitions.contains("fr.tamis.document.received.v1"));
    assert!(transitions.contains("fr.tamis.document.rejected.v1"), "the bad input is rejected");
    assert!(transitions.len() >= 3, "the samples reach more than one outcome: {transitions:?}");
    let html_id = submitted.iter().find(|(_, f)| *f == "page.html").unwrap().0;
    let rejected = events
        .iter()
        .find(|e| e["subject"] == html_id.as_str() && e["type"] == "fr.tamis.document.rejected.v1")
        .unwrap();
    assert_eq!(rejected["data"]["reasons"][0]["code"], "unsupported_format");
    let doc_types: BTreeSet<&str> =
        events.iter().filter_map(|e| e["data"]["documents"].get(0)).map(|d| d["type"].as_str().unwrap()).collect();
    assert!(doc_types.len() >= 4, "several document types: {doc_types:?}");

    assert_eq!(worker.stop(), Some(0));
    let _ = ch.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await;
    let _ = conn.close(0, "done".into()).await;
    ns.cleanup().await;
}
