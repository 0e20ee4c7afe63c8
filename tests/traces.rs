//! OpenTelemetry traces received over OTLP/HTTP by a real protobuf-decoding receiver: one trace
//! per document links `tamis submit`, every broker publish and consume, every stage and the
//! outcome event, whose `traceparent` carries that trace. The same receiver gets the worker's
//! metrics pushed over OTLP.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

fn attr<'a>(span: &'a Value, key: &str) -> &'a Value {
    &span["attributes"][key]
}

/// Submits `input` with the receiver's OTEL environment, waits for `n` outcome events, stops the
/// worker (which flushes its spans) and returns (document id -> file, the events).
async fn run_traced(
    ns: &Namespace,
    otlp: &OtlpReceiver,
    input: &std::path::Path,
    n: usize,
    log: &std::path::Path,
) -> (BTreeMap<String, String>, Vec<(String, Value)>) {
    let env = otlp.env();
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut tap = ns.event_tap().await;
    let worker = Worker::start_with(ns, "all", log, &env_ref);
    let mut submit = tamis();
    submit.envs(env_ref.iter().copied());
    let out = ns.apply(&mut submit).arg("submit").arg(input).output().unwrap();
    let submitted = submitted(&out);
    let outcomes = |evs: &[(String, Value)]| evs.iter().filter(|(k, _)| !k.starts_with("document.received.")).count();
    tap.collect_until(Duration::from_secs(600), |evs| outcomes(evs) >= n).await;
    assert_eq!(
        outcomes(&tap.events),
        n,
        "every document reached an outcome; worker log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
    assert_eq!(worker.stop(), Some(0), "the worker stops cleanly (and flushes its spans)");
    (submitted, tap.events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_links_submit_every_stage_and_the_outcome_event() {
    let dir = tempfile::tempdir().unwrap();
    let otlp = OtlpReceiver::start(dir.path());
    let ns = Namespace::new("otlp");
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("samples/doc-0001.pdf"), input.path().join("doc-0001.pdf")).unwrap();
    std::fs::write(input.path().join("empty.pdf"), b"").unwrap();
    let (submitted, events) = run_traced(&ns, &otlp, input.path(), 2, &dir.path().join("worker.log")).await;

    // Spans arrive in batches: the worker flushed on SIGTERM, the receiver may still be writing.
    let mut spans = otlp.spans();
    for _ in 0..50 {
        if spans.iter().any(|s| {
            s["name"] == format!("publish {}.events", ns.prefix)
                && attr(s, "messaging.rabbitmq.destination.routing_key")
                    .as_str()
                    .is_some_and(|k| !k.starts_with("document.received"))
        }) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        spans = otlp.spans();
    }
    assert!(!spans.is_empty(), "no span was exported");
    let by_id: BTreeMap<&str, &Value> = spans.iter().map(|s| (s["span_id"].as_str().unwrap(), s)).collect();

    for (id, file) in &submitted {
        let root_span = spans
            .iter()
            .find(|s| s["name"] == "tamis submit" && attr(s, "tamis.document.id") == id.as_str())
            .unwrap_or_else(|| panic!("{file}: no submit span"));
        assert_eq!(root_span["service"], "tamis-submit");
        assert_eq!(root_span["parent_span_id"], "", "{file}: the submit span starts the trace");
        let trace = root_span["trace_id"].as_str().unwrap();
        let in_trace: Vec<&Value> = spans.iter().filter(|s| s["trace_id"] == trace).collect();
        let named = |name: String| in_trace.iter().copied().filter(move |s| s["name"] == name.as_str());
        // Every span of the trace descends from the submit span.
        for s in &in_trace {
            let mut cur = *s;
            while cur["parent_span_id"] != "" {
                cur = by_id
                    .get(cur["parent_span_id"].as_str().unwrap())
                    .unwrap_or_else(|| panic!("{file}: span {} has a parent that was not exported", s["name"]));
            }
            assert_eq!(cur["span_id"], root_span["span_id"], "{file}: {} is not under the submit span", s["name"]);
        }
        for stage in ["ocr", "classify", "extract", "route"] {
            let st: Vec<&Value> = named(format!("stage {stage}")).collect();
            assert_eq!(st.len(), 1, "{file}: one {stage} stage span in the trace");
            assert_eq!(st[0]["service"], "tamis-worker-all");
            assert_eq!(attr(st[0], "tamis.document.id"), id.as_str());
            let parent = by_id[st[0]["parent_span_id"].as_str().unwrap()];
            assert_eq!(
                parent["name"],
                format!("process {}.{stage}", ns.prefix),
                "{file}: the {stage} stage runs in its consume span"
            );
            assert_eq!(parent["kind"], "consumer");
            assert_eq!(attr(parent, "messaging.system"), "rabbitmq");
            assert_eq!(attr(parent, "messaging.operation.type"), "process");
            assert_eq!(
                attr(parent, "messaging.destination.name").as_str(),
                Some(format!("{}.pipeline", ns.prefix).as_str())
            );
            assert_eq!(attr(parent, "messaging.rabbitmq.destination.routing_key"), stage);
            let publisher = by_id[parent["parent_span_id"].as_str().unwrap()];
            assert_eq!(
                publisher["name"],
                format!("publish {}.pipeline", ns.prefix),
                "{file}: {stage} consumed what was published"
            );
            assert_eq!(publisher["kind"], "producer");
            assert_eq!(attr(publisher, "messaging.operation.type"), "send");
            assert_eq!(attr(publisher, "messaging.message.id"), attr(parent, "messaging.message.id"));
        }
        // The outcome event: published by the route worker, its traceparent in this trace.
        let (key, event) = events
            .iter()
            .find(|(k, e)| !k.starts_with("document.received.") && e["subject"] == id.as_str())
            .unwrap_or_else(|| panic!("{file}: no outcome event"));
        let publish = named(format!("publish {}.events", ns.prefix))
            .find(|s| attr(s, "messaging.rabbitmq.destination.routing_key") == key.as_str())
            .unwrap_or_else(|| panic!("{file}: no publish span for its outcome event {key}"));
        assert_eq!(attr(publish, "messaging.message.id"), &event["id"], "{file}: the span names the event id");
        // The route worker publishes the outputs after its stage, still inside the consume span.
        assert_eq!(by_id[publish["parent_span_id"].as_str().unwrap()]["name"], format!("process {}.route", ns.prefix));
        let tp =
            event["traceparent"].as_str().unwrap_or_else(|| panic!("{file}: the outcome event has no traceparent"));
        let parts: Vec<&str> = tp.split('-').collect();
        assert_eq!(parts[1], trace, "{file}: the event's traceparent continues the document's trace");
        assert!(in_trace.iter().any(|s| s["span_id"] == parts[2]), "{file}: the traceparent names an exported span");
        // The received event belongs to the same trace.
        let received =
            events.iter().find(|(k, e)| k.starts_with("document.received.") && e["subject"] == id.as_str()).unwrap();
        assert_eq!(received.1["traceparent"].as_str().unwrap().split('-').nth(1), Some(trace));
    }
    assert_metrics_pushed(&otlp);
    ns.cleanup().await;
}

/// The worker pushed its metrics over OTLP: one good document through every stage, one empty file
/// refused by OCR. Counters are cumulative, so the last point of each series holds the total.
fn assert_metrics_pushed(otlp: &OtlpReceiver) {
    let points: Vec<Value> = otlp.metric_points().into_iter().filter(|p| p["service"] == "tamis-worker-all").collect();
    assert!(!points.is_empty(), "no metric was pushed over OTLP");
    let last = |name: &str, attrs: &[(&str, &str)]| -> Option<Value> {
        points.iter().rfind(|p| p["name"] == name && attrs.iter().all(|(k, v)| p["attributes"][*k] == *v)).cloned()
    };
    for stage in ["ocr", "classify", "extract", "route"] {
        let ok = last("tamis.stage.documents", &[("stage", stage), ("outcome", "ok")])
            .unwrap_or_else(|| panic!("no {stage} count"));
        assert_eq!(ok["kind"], "sum");
        assert_eq!(ok["monotonic"], true);
        assert_eq!(ok["temporality"], 2, "cumulative, like a Prometheus counter");
        assert!(ok["value"].as_i64().unwrap() >= 1, "{stage}: {ok}");
        let d = last("tamis.stage.duration", &[("stage", stage)]).unwrap_or_else(|| panic!("no {stage} duration"));
        assert_eq!((d["kind"].as_str(), d["unit"].as_str()), (Some("histogram"), Some("s")));
        assert!(d["count"].as_u64().unwrap() >= 1 && d["sum"].as_f64().unwrap() > 0.0, "{stage}: {d}");
    }
    let empty = last("tamis.stage.errors", &[("stage", "ocr"), ("code", "empty")])
        .expect("the empty file is counted as an OCR error");
    assert_eq!(empty["value"], 1);
    let decisions: i64 = ["auto", "review", "error"]
        .iter()
        .flat_map(|d| {
            points.iter().filter(move |p| p["name"] == "tamis.decisions" && p["attributes"]["decision"] == *d)
        })
        .fold(BTreeMap::new(), |mut m: BTreeMap<String, i64>, p| {
            m.insert(p["attributes"].to_string(), p["value"].as_i64().unwrap());
            m
        })
        .values()
        .sum();
    assert_eq!(decisions, 2, "two documents, two routing decisions");
    let conf = last("tamis.type_confidence", &[]).expect("type confidence histogram");
    assert_eq!(conf["bounds"].as_array().unwrap().last().unwrap(), 1.0);
    assert!(points.iter().any(|p| p["name"] == "tamis.queue.messages" && p["kind"] == "gauge"), "queue depth gauge");
}
