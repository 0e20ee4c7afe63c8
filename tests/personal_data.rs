//! Personal data never leaves in telemetry. Documents of every type (born-digital PDFs and a few
//! photos) go through `tamis submit` and `tamis worker all` with debug logs captured, spans
//! exported and metrics pushed to a real OTLP/HTTP receiver and the Prometheus endpoint scraped; no NIR, IBAN,
//! person's name or amount from the truth file appears in any of them, in any usual spelling, nor
//! in the journal stream of the documents' moves.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// Fields whose values are personal data in the sense of this test.
const NAME_FIELDS: [&str; 10] = [
    "holder_name",
    "landlord_name",
    "tenant_name",
    "student_name",
    "employee_name",
    "account_holder",
    "surname",
    "given_names",
    "patient_name",
    "taxpayer_name",
];
const AMOUNT_FIELDS: [&str; 7] =
    ["amount_due", "charges_amount", "rent_amount", "total_amount", "gross_pay", "net_pay", "reference_tax_income"];

/// Groups of `n` characters joined by spaces (IBANs print in fours).
fn grouped(s: &str, n: usize) -> String {
    s.chars().collect::<Vec<_>>().chunks(n).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Every spelling of a truth value worth searching for (lowercase).
fn variants(field: &str, value: &str) -> Vec<String> {
    let v = value.trim().to_lowercase();
    let mut out = BTreeSet::new();
    if field == "iban" || field == "nir" {
        let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
        out.insert(grouped(&compact, 4));
        if field == "nir" {
            // 1 85 05 78 006 084 36: how a NIR is printed.
            let c: Vec<char> = compact.chars().collect();
            if c.len() == 15 {
                let parts = [&c[0..1], &c[1..3], &c[3..5], &c[5..7], &c[7..10], &c[10..13], &c[13..15]];
                out.insert(parts.iter().map(|p| p.iter().collect::<String>()).collect::<Vec<_>>().join(" "));
            }
            out.insert(compact[..13.min(compact.len())].to_string());
        }
        out.insert(compact);
    } else if AMOUNT_FIELDS.contains(&field) {
        if let Some((units, cents)) = v.split_once('.') {
            let thousands = {
                let digits: Vec<char> = units.chars().collect();
                let mut groups = Vec::new();
                let mut end = digits.len();
                while end > 3 {
                    groups.insert(0, digits[end - 3..end].iter().collect::<String>());
                    end -= 3;
                }
                groups.insert(0, digits[..end].iter().collect::<String>());
                groups.join(" ")
            };
            for u in
                [units.to_string(), thousands.clone(), thousands.replace(' ', "."), thousands.replace(' ', "\u{a0}")]
            {
                out.insert(format!("{u},{cents}"));
                out.insert(format!("{u}.{cents}"));
            }
        }
    } else {
        out.insert(v.clone());
        let tokens: Vec<&str> = v.split_whitespace().collect();
        if tokens.len() > 1 {
            out.insert(tokens.iter().rev().copied().collect::<Vec<_>>().join(" "));
        }
        for t in tokens.iter().filter(|t| t.chars().count() >= 4) {
            out.insert(t.to_string());
        }
    }
    let folded: Vec<String> =
        out.iter().map(|s| s.chars().map(tamis_shared::taxonomy::strip_accent).collect()).collect();
    out.extend(folded);
    out.into_iter().filter(|s| s.chars().count() >= 4).collect()
}

#[test]
fn the_matcher_finds_what_it_must() {
    assert!(find_leak(r#"{"holder":"Luc PERON"}"#, "luc peron").is_some());
    assert!(
        find_leak("iban FR76 1437 8937 9067 5477 7525 017 ok", &grouped("fr7614378937906754777525017", 4)).is_some()
    );
    assert!(variants("net_pay", "1908.14").contains(&"1 908,14".to_string()));
    assert!(find_leak("net 1 908,14 EUR", "1 908,14").is_some());
    assert!(variants("nir", "192128130309474").contains(&"1 92 12 81 303 094 74".to_string()));
    assert!(variants("employee_name", "Amélie GONCALVES").contains(&"amelie".to_string()));
    // Not inside a longer number or word.
    assert!(find_leak("took 21908,145 s", "1908,14").is_none());
    assert!(find_leak("perona", "peron").is_none());
}

/// The documents to run: one born-digital PDF per type, a photo for the types that only come
/// as photos, and two more photos; with their truth lines.
fn corpus_subset() -> Vec<(PathBuf, Value)> {
    let dev = shared_dir().join("corpus/dev");
    let (dir, truth) = (dev.clone(), dev.join("truth.jsonl"));
    let rows: Vec<Value> =
        std::fs::read_to_string(&truth).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut picked: Vec<&Value> = Vec::new();
    let mut types = BTreeSet::new();
    for kind in ["pdf_text", "jpeg", "png", "pdf_scan"] {
        for r in &rows {
            if r["render"]["kind"] == kind && types.insert(r["type"].as_str().unwrap().to_string()) {
                picked.push(r);
            }
        }
    }
    for t in ["payslip", "bank_details"] {
        if let Some(r) = rows.iter().find(|r| r["type"] == t && r["render"]["kind"] == "jpeg" && !picked.contains(r)) {
            picked.push(r);
        }
    }
    picked.into_iter().map(|r| (dir.join(r["file"].as_str().unwrap()), r.clone())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_value_reaches_logs_traces_or_metrics() {
    let docs = corpus_subset();
    let input = tempfile::tempdir().unwrap();
    for (p, _) in &docs {
        std::fs::copy(p, input.path().join(p.file_name().unwrap())).unwrap();
    }
    let mut needles: BTreeSet<(String, String)> = BTreeSet::new();
    for (_, truth) in &docs {
        for (field, value) in truth["fields"].as_object().unwrap() {
            let Some(value) = value.as_str() else { continue };
            if field == "iban"
                || field == "nir"
                || NAME_FIELDS.contains(&field.as_str())
                || AMOUNT_FIELDS.contains(&field.as_str())
            {
                for v in variants(field, value) {
                    needles.insert((field.clone(), v));
                }
            }
        }
    }
    let fields: BTreeSet<&str> = needles.iter().map(|(f, _)| f.as_str()).collect();
    assert!(
        fields.contains("iban") && fields.contains("nir") && fields.contains("net_pay"),
        "the subset holds IBANs, NIRs and amounts: {fields:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let otlp = OtlpReceiver::start(dir.path());
    let mut env: Vec<(&str, String)> = otlp.env();
    env.push(("RUST_LOG", "debug".into()));
    env.push(("TAMIS_LOG_FORMAT", "json".into()));
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ns = Namespace::new("pii");
    let mut tap = ns.event_tap().await;
    let log = dir.path().join("worker.log");
    let worker = Worker::start_with(&ns, "all", &log, &env_ref);
    let ops = ops_addr(&log, Duration::from_secs(30));
    let mut submit = tamis();
    submit.envs(env_ref.iter().copied());
    let out = ns.apply(&mut submit).arg("submit").arg(input.path()).output().unwrap();
    assert!(out.status.success(), "submit failed: {}", String::from_utf8_lossy(&out.stderr));
    let n = docs.len();
    let outcomes = |evs: &[(String, Value)]| evs.iter().filter(|(k, _)| !k.starts_with("document.received.")).count();
    tap.collect_until(Duration::from_secs(900), |evs| outcomes(evs) >= n).await;
    assert_eq!(
        outcomes(&tap.events),
        n,
        "every document routed; worker log tail:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default().lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    let (status, metrics) = http_get(ops, "/metrics");
    assert_eq!(status, 200);
    assert_eq!(worker.stop(), Some(0));
    std::thread::sleep(Duration::from_millis(500));

    // The events do carry the values (they are meant to): proof the needles are the right ones.
    let events_text: String = tap.events.iter().map(|(_, e)| e.to_string()).collect();
    for field in ["iban", "nir", "net_pay", "employee_name"] {
        assert!(
            needles.iter().any(|(f, v)| f == field && find_leak(&events_text, v).is_some()),
            "no {field} value of the truth even reaches the events: the needles are wrong"
        );
    }

    // The journal (document moves) is searched too, and holds only ids, places and times.
    let journal = ns.journal().await;
    assert!(journal.len() >= n * 5, "every document's moves were journaled ({} entries)", journal.len());
    for (_, entry) in &journal {
        let mut keys: Vec<&str> = entry.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert!(
            keys == ["at", "document_id", "queue"] || keys == ["at", "document_id", "outcome"],
            "a journal entry with {keys:?}"
        );
    }
    let journal_text: String = journal.iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("\n");
    let worker_log = std::fs::read_to_string(&log).unwrap();
    let submit_log = String::from_utf8_lossy(&out.stderr).into_owned();
    let spans = otlp.spans();
    let spans_text: String = spans.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("\n");
    let raw = otlp.raw_text();
    assert!(worker_log.lines().count() > 50 && worker_log.contains("\"level\":\"DEBUG\""), "debug logs were captured");
    assert!(spans.len() >= n * 10, "spans were captured ({})", spans.len());
    assert!(metrics.contains("tamis_decisions_total"), "metrics were scraped");
    let pushed = otlp.metric_points();
    assert!(
        pushed.iter().any(|p| p["name"] == "tamis.decisions"),
        "metrics were pushed over OTLP too (their bodies are in the raw text searched below)"
    );
    let pushed_text: String = pushed.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n");

    let mut leaks = Vec::new();
    for (what, text) in [
        ("worker log", &worker_log),
        ("submit log", &submit_log),
        ("exported spans", &spans_text),
        ("raw OTLP bodies", &raw),
        ("/metrics", &metrics),
        ("OTLP metrics", &pushed_text),
        ("journal", &journal_text),
    ] {
        for (field, needle) in &needles {
            if let Some(at) = find_leak(text, needle) {
                let lower = text.to_lowercase();
                let (mut start, mut end) = (at.saturating_sub(80), (at + needle.len() + 80).min(lower.len()));
                while !lower.is_char_boundary(start) {
                    start -= 1;
                }
                while !lower.is_char_boundary(end) {
                    end += 1;
                }
                leaks.push(format!("{what}: {field} value {needle:?} in …{}…", &lower[start..end]));
            }
        }
    }
    assert!(leaks.is_empty(), "personal data in telemetry:\n{}", leaks.join("\n"));
    ns.cleanup().await;
}
