//! Quality gates on the shared corpus (`../shared`, or `TAMIS_SHARED_DIR`): the referee's scores
//! must not fall below what was measured, and every hostile file gets what its truth expects.
//! Skipped, loudly, when the corpus is not beside the repository.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn truth(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn score(shared: &Path, truth: &Path, predictions: &Path) -> Value {
    let out = Command::new("python3")
        .arg(shared.join("tools/score.py"))
        .arg(truth)
        .arg(predictions)
        .arg("--json")
        .output()
        .expect("python3 runs score.py");
    assert!(out.status.success(), "score.py failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn hostile_and_unusual_files_get_what_their_truth_expects() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED: no shared corpus beside the repository");
        return;
    };
    let bad = shared.join("corpus/bad");
    let got = process(&[&bad]);
    for t in truth(&bad.join("truth.jsonl")) {
        let file = t["file"].as_str().unwrap();
        let p = got.get(file).unwrap_or_else(|| panic!("{file}: no prediction"));
        match t["expect"].as_str().unwrap() {
            "error" => {
                assert_eq!(p["decision"], "error", "{file}: {p}");
                assert_eq!(p["reason"], t["reason"], "{file}: wrong reason code");
            }
            "split" => {
                let types: Vec<&Value> = p["documents"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{file}: not split: {p}"))
                    .iter()
                    .map(|d| &d["type"])
                    .collect();
                let want: Vec<&Value> = t["page_types"].as_array().unwrap().iter().collect();
                assert_eq!(types, want, "{file}");
                assert_ne!(p["decision"], "auto", "{file}: a split file goes to a person");
            }
            "document" => {
                assert_eq!(p["type"], t["type"], "{file}");
                assert_ne!(p["decision"], "error", "{file}");
            }
            other => panic!("unknown expectation {other}"),
        }
    }
}

#[test]
fn dev_corpus_scores_hold() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED: no shared corpus beside the repository");
        return;
    };
    let dev = shared.join("corpus/dev");
    let out = tempfile::NamedTempFile::new().unwrap();
    process_to(&[&dev], &[], out.path());
    let s = score(&shared, &dev.join("truth.jsonl"), out.path());
    println!("{}", s["summary"].as_str().unwrap());
    assert_eq!(s["missing_predictions"], 0);
    let f = |v: &Value| v.as_f64().unwrap();
    // Floors at the figures measured when this gate was set; raise them as the stages improve.
    assert!(f(&s["classification"]["accuracy"]) >= 0.98, "type accuracy fell: {}", s["summary"]);
    assert!(f(&s["fields"]["overall"]["f1"]) >= 0.97, "field F1 fell: {}", s["summary"]);
    assert!(f(&s["auto_accept_error_rate"]) <= 0.005, "auto-accept errors rose: {}", s["summary"]);
    // Measured 0.761 (F1 0.985) on 2 Dec 2026; a little room for a slower machine's timing.
    assert!(f(&s["straight_through_rate"]) >= 0.72, "straight-through fell: {}", s["summary"]);
    assert_eq!(s["errors_on_valid_documents"], 0, "a valid document was rejected as unusable");
    // Issue #3: scans and photos read within 3 points of the born-digital documents, in type
    // accuracy and in field F1 (measured: jpeg 0.974, pdf_scan 0.988, png and tiff 1.000
    // against 1.000 on 2 Dec 2026).
    let kinds = &s["by_render_kind"];
    for k in ["pdf_scan", "jpeg", "png", "tiff"] {
        for m in ["type_accuracy", "field_f1"] {
            let (got, born) = (f(&kinds[k][m]), f(&kinds["pdf_text"][m]));
            assert!(
                got >= born - 0.03,
                "{k} {m} {got} is more than 3 points under born-digital {born}: {}",
                s["summary"]
            );
        }
    }
}

#[test]
fn real_receipts_and_pdfs_never_auto_accept_wrongly_or_crash() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED: no shared corpus beside the repository");
        return;
    };
    let real = shared.join("realdata");
    let got = process(&[&real.join("receipts_sroie"), &real.join("pdf")]);
    assert!(got.len() >= 60, "every real file gets a line ({} did)", got.len());
    for (file, p) in &got {
        if file.ends_with(".jpg") || file.ends_with(".png") {
            assert_eq!(p["decision"], "review", "{file}: a shop receipt is for a person: {p}");
        }
        assert!(["auto", "review", "error"].contains(&p["decision"].as_str().unwrap()));
    }
}

#[test]
fn signed_2d_docs_are_trusted_and_forgeries_go_to_a_person() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED: no shared corpus beside the repository");
        return;
    };
    let dir = shared.join("corpus/2ddoc");
    let out = tempfile::NamedTempFile::new().unwrap();
    let trust = dir.join("trust/trust_list.json");
    let got = process_to(&[&dir], &[("TAMIS_2DDOC_TRUST_LIST", &trust)], out.path());
    for t in truth(&dir.join("truth.jsonl")) {
        let file = t["file"].as_str().unwrap();
        let p = &got[file];
        let signature = t["twoddoc"]["signature"].as_str().unwrap();
        if signature != "valid" {
            assert_eq!(p["decision"], "review", "{file}: a {signature} 2D-Doc must not be trusted");
            let code = if signature == "tampered" { "twoddoc_invalid" } else { "twoddoc_untrusted" };
            assert!(
                p["reasons"].as_array().unwrap().iter().any(|r| r == code),
                "{file}: {code} expected in {}",
                p["reasons"]
            );
        } else {
            // Every signed value is read as signed, with certainty.
            for (name, value) in t["fields"].as_object().unwrap() {
                let f = &p["fields"][name];
                assert_eq!(f["source"], "2d-doc", "{file}: {name} not taken from the verified barcode");
                assert_eq!(f["confidence"], 1.0, "{file}: {name}");
                assert!(!f["value"].is_null(), "{file}: {name} (signed {value}) missing");
            }
        }
    }
    let s = score(&shared, &dir.join("truth.jsonl"), out.path());
    println!("2D-Doc corpus: {}", s["summary"].as_str().unwrap());
    assert_eq!(s["classification"]["accuracy"].as_f64().unwrap(), 1.0);
    assert!(s["fields"]["overall"]["f1"].as_f64().unwrap() >= 0.97, "{}", s["summary"]);
}

/// The person fields of an identity document, as score.py compares them (names as a set of
/// tokens, identifiers without separators, the rest trimmed and upper-cased). The issuing state
/// is in the real-data truth but not a field Tamis returns.
fn id_fields_same(field: &str, truth: &str, got: &str) -> bool {
    let norm = |s: &str| -> String {
        let s = s.trim().to_uppercase();
        match field {
            "surname" | "given_names" => {
                let s = s.replace('\'', "").replace(['-', ',', '.', ';'], " ");
                let mut t: Vec<&str> = s.split_whitespace().collect();
                t.sort_unstable();
                t.join(" ")
            }
            "document_number" => s.replace([' ', '.', '-'], ""),
            _ => s,
        }
    };
    norm(truth) == norm(got)
}

#[test]
fn real_mrz_specimens_give_their_fields_exactly() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED: no shared corpus beside the repository");
        return;
    };
    let real = shared.join("realdata");
    let got = process(&[&real.join("mrz")]);
    let fields = ["surname", "given_names", "document_number", "birth_date", "expiry_date", "sex", "nationality"];
    let mut exact = 0;
    let mut total = 0;
    for t in truth(&real.join("truth.jsonl")) {
        let Some(file) = t["file"].as_str().unwrap().strip_prefix("mrz/") else { continue };
        total += 1;
        let p = got.get(file).unwrap_or_else(|| panic!("{file}: no prediction"));
        let wrong: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|f| {
                let want = t["fields"][*f].as_str();
                let have = p["fields"][*f]["value"].as_str();
                match (want, have) {
                    (Some(w), Some(h)) => !id_fields_same(f, w, h),
                    (None, None) => false,
                    _ => true,
                }
            })
            .collect();
        if wrong.is_empty() {
            exact += 1;
        } else {
            // Field names only: the values are a specimen's, but logs carry no document text.
            eprintln!("{file}: differs on {wrong:?}");
        }
        assert!(wrong.is_empty() || p["decision"] != "auto", "{file}: accepted automatically with wrong {wrong:?}");
    }
    println!("real MRZ specimens: {exact}/{total} give every field exactly");
    assert_eq!(total, 24, "the real-data MRZ set changed");
    // Measured when this gate was set (6 before the MRZ repairs of issue #4, 16 before the band
    // was searched for in the pixels, 22 before glyphs were cut on strokes); raise it as it
    // improves. The one left, id-esp, is a non-compliant card PassportEye itself scores 0.
    assert!(exact >= 23, "only {exact}/{total} MRZ specimens give every field exactly");
}
