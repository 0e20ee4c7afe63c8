//! The JSON Schemas of `schemas/` hold: every example validates and a broken one does not, the
//! examples are exactly what the Rust types serialise (so schemas, examples and types cannot
//! drift apart), and what the real stages produce from the samples validates too.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use tamis_shared::{
    BBox, Decision, DocumentType, ErrorCode, Failure, Field, FieldSource, MediaType, Outcome, TextSource, Work,
};

/// The schema files, which must each have one example (and the examples one schema).
const SCHEMAS: [&str; 10] = [
    "work.v1.json",
    "outcome.v1.json",
    "review_item.v1.json",
    "review_decision.v1.json",
    "document.reviewed.v1.json",
    "document.received.v1.json",
    "document.accepted.v1.json",
    "document.review_requested.v1.json",
    "document.rejected.v1.json",
    "journal.v1.json",
];

fn example(name: &str) -> Value {
    let p = root().join("schemas/examples").join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()))
}

fn file_names(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect()
}

/// Panics unless the published (open) schema rejects `v`.
fn assert_rejected(name: &str, v: &Value, why: &str) {
    assert!(!schema_errors(name, false, v).is_empty(), "schemas/{name} accepts an instance with {why}");
}

/// `v` must be exactly what serde makes of it through the Rust type `T`: parse, serialise to text
/// (as the workers do) and compare as JSON values.
fn assert_round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value, what: &str) -> T {
    let typed: T = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{what} does not parse as {}: {e}", std::any::type_name::<T>()));
    let back: Value = serde_json::from_str(&serde_json::to_string(&typed).unwrap()).unwrap();
    assert_eq!(&back, v, "{what}: serde writes something else than the example (left: serde, right: example)");
    typed
}

#[test]
fn every_schema_has_one_example_and_compiles() {
    let want: BTreeSet<String> = SCHEMAS.iter().map(|s| s.to_string()).collect();
    assert_eq!(file_names("schemas"), want, "schemas/ holds exactly the listed schemas");
    assert_eq!(file_names("schemas/examples"), want, "schemas/examples/ holds one example per schema");
    for name in SCHEMAS {
        let s = &load_schemas(false)[name];
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema", "{name}");
        // Compiling checks the schema against the draft 2020-12 meta-schema and resolves its $refs offline.
        schema_validator(name, false);
        schema_validator(name, true);
    }
}

#[test]
fn the_events_share_one_cloudevents_envelope() {
    let schemas = load_schemas(false);
    let envelope = |name: &str| {
        let mut s = schemas[name].clone();
        let props = s["properties"].as_object_mut().unwrap();
        for k in ["type", "dataschema", "data"] {
            props.remove(k);
        }
        (s["required"].clone(), s["properties"].clone())
    };
    let first = envelope("document.received.v1.json");
    for t in ["accepted", "review_requested", "rejected", "reviewed"] {
        assert_eq!(
            envelope(&format!("document.{t}.v1.json")),
            first,
            "document.{t}: envelope differs from document.received's"
        );
    }
}

#[test]
fn every_example_validates_strictly() {
    for name in SCHEMAS {
        assert_valid(name, &example(name), &format!("schemas/examples/{name}"));
        let ev = example(name);
        if name.starts_with("document.") {
            validate_event(&ev);
            let t = name.trim_start_matches("document.").trim_end_matches(".v1.json");
            assert_eq!(ev["type"], format!("fr.tamis.document.{t}.v1"));
            assert_eq!(ev["dataschema"], format!("{SCHEMA_BASE}{name}"));
        }
    }
}

#[test]
fn mutated_examples_are_rejected() {
    // A missing required key, at the top and nested.
    for name in SCHEMAS {
        let ex = example(name);
        let schema = &load_schemas(false)[name];
        for key in schema["required"].as_array().unwrap() {
            let mut m = ex.clone();
            m.as_object_mut().unwrap().remove(key.as_str().unwrap());
            assert_rejected(name, &m, &format!("no {key}"));
        }
    }
    let mutate = |name: &str, f: &dyn Fn(&mut Value), why: &str| {
        let mut m = example(name);
        f(&mut m);
        assert_rejected(name, &m, why);
    };
    let w = "work.v1.json";
    mutate(w, &|v| drop(v["envelope"]["blob"].as_object_mut().unwrap().remove("sha256")), "a blob without sha256");
    mutate(w, &|v| v["envelope"]["blob"]["sha256"] = json!("ABC"), "a sha256 that is not hex");
    mutate(
        w,
        &|v| v["envelope"]["blob"]["media_type"] = json!("application/pdf"),
        "a MIME media_type (the message uses snake_case)",
    );
    mutate(w, &|v| v["envelope"]["document_id"] = json!("doc-1"), "a document id that is not a UUID");
    mutate(w, &|v| v["envelope"]["submitted_at"] = json!("14/03/2025"), "a non-RFC 3339 time");
    mutate(w, &|v| v["pages"][0]["source"] = json!("tesseract"), "an unknown text source");
    mutate(w, &|v| v["pages"][0]["rotation"] = json!(45), "a rotation that is not a quarter turn");
    mutate(w, &|v| drop(v["pages"][0]["lines"][0]["bbox"].as_object_mut().unwrap().remove("h")), "a bbox without h");
    mutate(w, &|v| v["pages"][0]["lines"][0]["bbox"] = json!([180, 240, 690, 52]), "a bbox as an array");
    mutate(w, &|v| v["documents"][0]["type"] = json!("Pay Stub"), "a type that is not snake_case");
    mutate(w, &|v| v["documents"][0]["confidence"] = json!(1.5), "a confidence over 1");
    mutate(w, &|v| v["documents"][0]["fields"]["amount_due"]["source"] = json!("twoddoc"), "an unknown field source");
    mutate(w, &|v| v["failure"] = json!({"code": "password", "stage": "ocr", "message": "m"}), "an unknown error code");
    mutate(w, &|v| v["envelope"]["case_persons"] = json!([]), "an empty case_persons (absent when unknown)");
    mutate(w, &|v| v["envelope"]["case_persons"] = json!([""]), "an empty case person's name");
    mutate(w, &|v| v["envelope"]["case_persons"] = json!("Jeanne DUPONT"), "case_persons as one string");
    let o = "outcome.v1.json";
    mutate(o, &|v| v["decision"] = json!("accepted"), "an unknown decision");
    mutate(o, &|v| drop(v["reasons"][0].as_object_mut().unwrap().remove("message")), "a reason without message");
    mutate(o, &|v| v["documents"][0]["decision"] = json!("error"), "a document decided `error`");
    mutate(o, &|v| drop(v["documents"][0].as_object_mut().unwrap().remove("fields")), "a document without fields");
    let a = "document.accepted.v1.json";
    mutate(a, &|v| v["specversion"] = json!("0.3"), "another CloudEvents version");
    mutate(a, &|v| v["type"] = json!("fr.tamis.document.accepted.v2"), "another event type");
    mutate(a, &|v| v["dataschema"] = json!(format!("{SCHEMA_BASE}document.rejected.v1.json")), "another dataschema");
    mutate(a, &|v| v["data"]["decision"] = json!("review"), "an accepted event whose decision is not auto");
    mutate(a, &|v| v["data"]["documents"] = json!([]), "an accepted event without documents");
    mutate(a, &|v| v["traceparent"] = json!("not-a-traceparent"), "a malformed traceparent");
    mutate(a, &|v| v["caseid"] = json!(42), "a numeric caseid");
    let r = "document.review_requested.v1.json";
    mutate(r, &|v| v["data"]["decision"] = json!("auto"), "a review event whose decision is not review");
    mutate(r, &|v| v["data"]["reasons"] = json!([]), "a review event without reasons");
    let x = "document.rejected.v1.json";
    mutate(x, &|v| v["data"]["decision"] = json!("review"), "a rejected event whose decision is not error");
    mutate(
        x,
        &|v| v["data"]["reasons"][0]["code"] = json!("low_confidence:type"),
        "a rejection whose first reason is no ErrorCode",
    );
    let rc = "document.received.v1.json";
    mutate(rc, &|v| v["data"]["media_type"] = json!("pdf"), "a snake_case media_type (events use MIME)");
    mutate(rc, &|v| v["data"]["size"] = json!(-1), "a negative size");
    let ri = "review_item.v1.json";
    mutate(ri, &|v| v["outcome"]["decision"] = json!("auto"), "a review item whose outcome is not review");
    mutate(ri, &|v| v["blob"]["media_type"] = json!("docx"), "an unknown media type");
    mutate(ri, &|v| v["pages"][0]["rotation"] = json!(45), "a page rotation that is not a quarter turn");
    let rd = "review_decision.v1.json";
    mutate(rd, &|v| v["action"] = json!("approve"), "an unknown action");
    mutate(rd, &|v| drop(v.as_object_mut().unwrap().remove("corrections")), "a correction without corrections");
    mutate(rd, &|v| v["action"] = json!("reject"), "a rejection without a reason");
    mutate(rd, &|v| v["action"] = json!("retype"), "a re-type without the new type");
    mutate(rd, &|v| v["reviewer"] = json!(""), "an anonymous reviewer");
    let rv = "document.reviewed.v1.json";
    mutate(rv, &|v| v["data"]["changes"] = json!([]), "a correction that changed nothing");
    mutate(
        rv,
        &|v| drop(v["data"]["changes"][0].as_object_mut().unwrap().remove("before")),
        "a change without its before value",
    );
    mutate(rv, &|v| v["data"]["action"] = json!("reject"), "a rejection without a reason");
    mutate(rv, &|v| v["data"]["decided_at"] = json!("yesterday"), "a decision time that is not RFC 3339");
    let j = "journal.v1.json";
    mutate(j, &|v| v["outcome"] = json!("accepted"), "both a queue and an outcome");
    mutate(j, &|v| drop(v.as_object_mut().unwrap().remove("queue")), "neither a queue nor an outcome");
    mutate(j, &|v| v["queue"] = json!("tamis.review.payslip"), "a queue name with its prefix");
    mutate(j, &|v| v["queue"] = json!("review.Pay Slip"), "a review queue that is no type");
    mutate(j, &|v| v["queue"] = json!("retry.5s"), "a delay tier (recorded at the stage it returns to)");
    mutate(
        j,
        &|v| {
            v.as_object_mut().unwrap().remove("queue");
            v["outcome"] = json!("review_requested");
        },
        "review_requested as an outcome (the document still waits)",
    );
    mutate(j, &|v| v["at"] = json!(1741944413589u64), "a time in milliseconds instead of RFC 3339");
    // Strict mode (used on Tamis's own output) catches an undocumented key the open schema allows.
    let mut extra = example(w);
    extra["documents"][0]["fields"]["amount_due"]["currency"] = json!("EUR");
    assert!(schema_errors(w, false, &extra).is_empty(), "the published schema lets consumers ignore unknown keys");
    assert!(!schema_errors(w, true, &extra).is_empty(), "strict mode rejects an undocumented key");
}

#[test]
fn examples_are_exactly_what_the_rust_types_serialise() {
    let work: Work = assert_round_trip(&example("work.v1.json"), "examples/work.v1.json");
    assert!(
        work.documents[0].fields.values().any(|f| f.source == FieldSource::TwoDDoc),
        "the example shows a 2d-doc field"
    );
    assert_round_trip::<Outcome>(&example("outcome.v1.json"), "examples/outcome.v1.json");
    for t in ["accepted", "review_requested", "rejected"] {
        let ev = example(&format!("document.{t}.v1.json"));
        let o: Outcome = assert_round_trip(&ev["data"], &format!("examples/document.{t}.v1.json data"));
        assert_eq!(ev["subject"], o.document_id.to_string(), "{t}: subject is the document id");
        assert_eq!(ev.get("caseid").and_then(Value::as_str), o.case_id.as_deref(), "{t}: caseid is the case id");
    }
    let item = example("review_item.v1.json");
    let o: Outcome = assert_round_trip(&item["outcome"], "examples/review_item.v1.json outcome");
    assert_eq!(o.decision, Decision::Review);
    let blob: tamis_shared::BlobRef = assert_round_trip(&item["blob"], "examples/review_item.v1.json blob");
    assert_eq!(blob.sha256, o.sha256);
    assert_round_trip::<tamis_route::review::ReviewItem>(&item, "examples/review_item.v1.json");
    // The reviewed event's data is exactly what the decision example makes of its item.
    let decision: tamis_route::review::ReviewDecision =
        assert_round_trip(&example("review_decision.v1.json"), "examples/review_decision.v1.json");
    let reviewed = example("document.reviewed.v1.json");
    let from_decision: Value =
        serde_json::from_str(&serde_json::to_string(&decision.apply().unwrap()).unwrap()).unwrap();
    assert_eq!(
        from_decision, reviewed["data"],
        "examples/document.reviewed.v1.json data is not what the decision example gives"
    );
    assert_eq!(reviewed["subject"], json!(decision.document_id));
    let entry: tamis_shared::journal::Entry =
        assert_round_trip(&example("journal.v1.json"), "examples/journal.v1.json");
    assert_eq!(entry.place, tamis_shared::journal::Place::Queue("review.payslip".into()));
    let mut done = example("journal.v1.json");
    done.as_object_mut().unwrap().remove("queue");
    done["outcome"] = json!("reviewed");
    assert_valid("journal.v1.json", &done, "an outcome entry");
    assert_round_trip::<tamis_shared::journal::Entry>(&done, "an outcome entry");
    let received = example("document.received.v1.json");
    assert_eq!(received["data"]["document_id"], json!(work.envelope.document_id));
    assert_eq!(received["data"]["sha256"], json!(work.envelope.blob.sha256));
    assert_eq!(received["data"]["media_type"], json!(work.envelope.blob.media_type.mime()));
}

// Every variant of the wire enums. The exhaustive matches stop compiling when a variant is added,
// so a new value cannot reach the wire without this test (and then the schema) seeing it.
fn error_codes() -> Vec<ErrorCode> {
    use ErrorCode::*;
    let all = vec![
        Empty,
        Truncated,
        NotADocument,
        UnsupportedFormat,
        Encrypted,
        Blank,
        TooLarge,
        TooSmall,
        TooManyPages,
        Corrupt,
        Timeout,
        InternalError,
    ];
    for c in &all {
        match c {
            Empty | Truncated | NotADocument | UnsupportedFormat | Encrypted | Blank | TooLarge | TooSmall
            | TooManyPages | Corrupt | Timeout | InternalError => {}
        }
    }
    all
}

fn media_types() -> Vec<MediaType> {
    use MediaType::*;
    let all = vec![Pdf, Jpeg, Png, Tiff, Webp, Bmp, Gif, Unsupported, Unknown];
    for m in &all {
        match m {
            Pdf | Jpeg | Png | Tiff | Webp | Bmp | Gif | Unsupported | Unknown => {}
        }
    }
    all
}

fn field_sources() -> Vec<FieldSource> {
    use FieldSource::*;
    let all = vec![Ocr, TextLayer, Mrz, TwoDDoc, Reviewer];
    for s in &all {
        match s {
            Ocr | TextLayer | Mrz | TwoDDoc | Reviewer => {}
        }
    }
    all
}

fn text_sources() -> Vec<TextSource> {
    let all = vec![TextSource::TextLayer, TextSource::Ocr];
    for s in &all {
        match s {
            TextSource::TextLayer | TextSource::Ocr => {}
        }
    }
    all
}

#[test]
fn every_enum_value_the_types_can_write_validates() {
    let base: Work = serde_json::from_value(example("work.v1.json")).unwrap();
    let mut variants = Vec::new();
    for m in media_types() {
        let mut w = base.clone();
        w.envelope.blob.media_type = m;
        variants.push((format!("media type {m:?}"), w));
    }
    for c in error_codes() {
        let mut w = base.clone();
        w.failure = Some(Failure::new("ocr", c, "synthetic"));
        variants.push((format!("error code {c:?}"), w));
    }
    for s in field_sources() {
        let mut w = base.clone();
        w.documents[0].fields.insert(
            "x".into(),
            Field { value: "v".into(), confidence: 0.5, page: None, bbox: None, source: s, valid: None },
        );
        variants.push((format!("field source {s:?}"), w));
    }
    for s in text_sources() {
        let mut w = base.clone();
        w.pages[0].source = s;
        variants.push((format!("text source {s:?}"), w));
    }
    for t in DocumentType::BUILT_IN.into_iter().chain(["pay_stub_2".parse().unwrap()]) {
        let mut w = base.clone();
        w.documents[0].doc_type = t.clone();
        variants.push((format!("document type {t}"), w));
    }
    for r in [0u16, 90, 180, 270] {
        let mut w = base.clone();
        w.pages[0].rotation = r;
        variants.push((format!("rotation {r}"), w));
    }
    // The optionals left out: a fresh message as submit makes it.
    let mut bare = Work::new(base.envelope.clone());
    bare.envelope.case_id = None;
    bare.envelope.trace.clear();
    variants.push(("a fresh message".into(), bare));
    let mut edges = base.clone();
    edges.pages[0].symbols.clear();
    edges.pages[0].lines[0].bbox = None;
    edges.pages[0].lines[0].words[0].bbox = None;
    edges.documents[0].findings.clear();
    edges.documents[0].fields.values_mut().for_each(|f| (f.page, f.bbox, f.valid) = (None, None, None));
    edges.pages[0].lines[0].words[1].bbox = Some(BBox::default());
    variants.push(("optionals left out".into(), edges));
    for (what, w) in variants {
        let v: Value = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_valid("work.v1.json", &v, &format!("a Work with {what}"));
    }
    for d in [Decision::Auto, Decision::Review, Decision::Error] {
        let mut o: Outcome = serde_json::from_value(example("outcome.v1.json")).unwrap();
        o.decision = d;
        let v: Value = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        assert_valid("outcome.v1.json", &v, &format!("an Outcome decided {d:?}"));
    }
}

/// What the real stages make of the samples (and of broken inputs): every intermediate message
/// validates against work.v1.json and round-trips through `Work`; every outcome validates against
/// outcome.v1.json and against the data constraints of the event its decision publishes.
#[test]
fn real_stage_output_on_the_samples_validates() {
    std::env::set_var("OMP_THREAD_LIMIT", "1");
    let taxonomy = Arc::new(tamis_shared::taxonomy::Taxonomy::from_path(&root().join("config/taxonomy.toml")).unwrap());
    let policy = tamis_route::Policy::from_path(&root().join("config/policy.toml")).unwrap();
    let ocr = tamis_ocr::Ocr::new(tamis_ocr::OcrConfig { engines: 1, ..Default::default() });
    let classifier = tamis_classify::Classifier::with_taxonomy(taxonomy.clone());
    let extractor = tamis_extract::Extractor::with_taxonomy(taxonomy.clone());
    let router = tamis_route::Router::new(policy, taxonomy);
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = tamis_shared::blob::BlobStore::open(blob_dir.path().to_str().unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    inputs.sort();
    let sample = std::fs::read(root().join("samples/doc-0001.pdf")).unwrap();
    inputs.push(("empty.pdf".into(), Vec::new()));
    inputs.push(("page.html".into(), b"<!DOCTYPE html><html><body>not a document</body></html>".to_vec()));
    inputs.push(("cut.pdf".into(), sample[..sample.len() / 2].to_vec()));

    let check_work = |w: &Work, what: &str| {
        let v: Value = serde_json::from_str(&serde_json::to_string(w).unwrap()).unwrap();
        assert_valid("work.v1.json", &v, what);
        let back: Work = serde_json::from_value(v).unwrap();
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(w).unwrap(),
            "{what}: Work does not round-trip"
        );
    };
    let mut decisions = BTreeSet::new();
    for (i, (name, bytes)) in inputs.iter().enumerate() {
        let blob = rt.block_on(blobs.put(bytes::Bytes::from(bytes.clone()))).unwrap();
        let envelope = tamis_shared::Envelope {
            document_id: tamis_shared::DocumentId::derived(&blob.sha256, Some("case-42")),
            case_id: (i % 2 == 0).then(|| "case-42".to_string()),
            // Half the files name the case's persons, so route's name check runs on real output.
            case_persons: if i % 2 == 0 {
                vec!["Timothée PASQUIER".parse().unwrap(), "Alfred DANIEL".parse().unwrap()]
            } else {
                vec![]
            },
            file_name: name.clone(),
            blob,
            submitted_at: time::OffsetDateTime::now_utc(),
            trace: Default::default(),
        };
        let mut work = Work::new(envelope);
        check_work(&work, &format!("{name}: the submitted message"));
        ocr.process(&mut work, bytes);
        check_work(&work, &format!("{name}: after OCR"));
        classifier.process(&mut work);
        check_work(&work, &format!("{name}: after classify"));
        extractor.process(&mut work);
        check_work(&work, &format!("{name}: after extract"));
        let outcome = router.decide(&work);
        let data: Value = serde_json::from_str(&serde_json::to_string(&outcome).unwrap()).unwrap();
        assert_valid("outcome.v1.json", &data, &format!("{name}: the outcome"));
        assert_round_trip::<Outcome>(&data, &format!("{name}: the outcome"));
        // The event this decision publishes, with the real outcome as its data.
        let t = match outcome.decision {
            Decision::Auto => "accepted",
            Decision::Review => "review_requested",
            Decision::Error => "rejected",
        };
        let mut ev = example(&format!("document.{t}.v1.json"));
        ev["subject"] = json!(outcome.document_id);
        match &outcome.case_id {
            Some(c) => ev["caseid"] = json!(c),
            None => drop(ev.as_object_mut().unwrap().remove("caseid")),
        }
        ev["data"] = data.clone();
        validate_event(&ev);
        decisions.insert(t);
    }
    assert!(decisions.contains("rejected"), "the broken inputs are rejected");
    assert!(decisions.len() >= 2, "the samples reach more than one decision: {decisions:?}");
}
