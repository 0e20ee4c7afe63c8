//! Quality gates on the shared corpus (`../shared`, or `TAMIS_SHARED_DIR`): the referee's scores
//! must not fall below what was measured, and every hostile file gets what its truth expects.
//! A missing corpus fails the gate (`common::shared_dir`): a gate without its data proves nothing.

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
    let shared = shared_dir();
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
    let shared = shared_dir();
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
    // Measured 0.761 (F1 0.985) on 2 Dec 2026. Since a required field needs evidence independent
    // of where it was read (issue #20), family A's names, dates and figures without a check key
    // go to a person unless the calibration measured them safe: 0.44 on 7 Dec 2026.
    assert!(f(&s["straight_through_rate"]) >= 0.42, "straight-through fell: {}", s["summary"]);
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
    let shared = shared_dir();
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
    let shared = shared_dir();
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
    let shared = shared_dir();
    let real = shared.join("realdata");
    let got = process(&[&real.join("mrz")]);
    let fields = ["surname", "given_names", "document_number", "birth_date", "expiry_date", "sex", "nationality"];
    let mut exact = 0;
    let mut total = 0;
    let mut visas = 0;
    for t in truth(&real.join("truth.jsonl")) {
        let Some(file) = t["file"].as_str().unwrap().strip_prefix("mrz/") else { continue };
        let p = got.get(file).unwrap_or_else(|| panic!("{file}: no prediction"));
        // A visa (zone code V) is none of the identity types Tamis reads (issue #20): typed
        // `other`, it goes to a person, and its zone's fields are not a passport's.
        if t["type"] == "visa" {
            visas += 1;
            assert!(
                !["passport", "id_card", "residence_permit"].contains(&p["type"].as_str().unwrap_or("")),
                "{file}: a visa typed {}",
                p["type"]
            );
            assert_ne!(p["decision"], "auto", "{file}: a visa accepted automatically");
            continue;
        }
        total += 1;
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
    println!("real MRZ specimens: {exact}/{total} identity documents give every field exactly");
    assert_eq!((total, visas), (23, 1), "the real-data MRZ set changed");
    // Measured when this gate was set (6 before the MRZ repairs of issue #4, 16 before the band
    // was searched for in the pixels, 22 before glyphs were cut on strokes, of 24 with the visa,
    // whose zone was then read as a passport's); raise it as it improves. The one left, id-esp,
    // is a non-compliant card PassportEye itself scores 0.
    assert!(exact >= 22, "only {exact}/{total} MRZ specimens give every field exactly");
}

/// How much of each family the test command draws: enough documents of every type (about 70 per
/// family) to catch a wrong acceptance, little enough that five families keep the suite well
/// inside CI's time.
const FAMILY_SCALE: &str = "0.3";

/// Draws family `letter` with the shared generator (`scripts/corpus-families`) and returns its
/// folder. The generator and the referee must be there: a missing corpus fails, loudly.
fn draw_family(letter: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let shared = shared_dir();
    let out = root().join("target/corpus-tests");
    let status = Command::new(root().join("scripts/corpus-families"))
        .args(["--scale", FAMILY_SCALE, "--out"])
        .arg(&out)
        .arg(letter)
        .env("TAMIS_SHARED_DIR", &shared)
        .status()
        .expect("scripts/corpus-families runs");
    assert!(status.success(), "drawing family {letter} failed: {status}");
    (shared, out.join(format!("fam-{}", letter.to_lowercase())))
}

/// What a family must keep. The auto-accept error is the product's promise and the same for every
/// family: the policy's target. The others are floors at what was measured when the gate was set
/// (issue #20 asks for 0.97 / 0.93 / 0.60 on every family: raise them as the reading improves).
struct Floors {
    type_accuracy: f64,
    field_f1: f64,
    straight_through: f64,
}

fn family_scores_hold(letter: &str, floors: Floors) {
    let (shared, dir) = draw_family(letter);
    let out = tempfile::NamedTempFile::new().unwrap();
    process_to(&[&dir], &[], out.path());
    let s = score(&shared, &dir.join("truth.jsonl"), out.path());
    println!("family {letter}: {}", s["summary"].as_str().unwrap());
    assert_eq!(s["missing_predictions"], 0);
    let f = |v: &Value| v.as_f64().unwrap();
    assert!(f(&s["auto_accept_error_rate"]) <= 0.005, "family {letter}: wrong values accepted: {}", s["summary"]);
    assert!(f(&s["classification"]["accuracy"]) >= floors.type_accuracy, "family {letter}: {}", s["summary"]);
    assert!(f(&s["fields"]["overall"]["f1"]) >= floors.field_f1, "family {letter}: {}", s["summary"]);
    assert!(f(&s["straight_through_rate"]) >= floors.straight_through, "family {letter}: {}", s["summary"]);
}

// Floors at what the families at test scale 0.3 measured on 7 Dec 2026, third session (C
// 0.956/0.921/0.25, D 0.956/0.895/0.13, E 0.956/0.879/0.10, F 0.956/0.859/0.07, G
// 0.985/0.879/0.21), less two to three points for another machine's OCR; the auto-accept error
// is the target everywhere.
#[test]
fn family_c_scores_hold() {
    family_scores_hold("C", Floors { type_accuracy: 0.93, field_f1: 0.89, straight_through: 0.20 });
}

#[test]
fn family_d_scores_hold() {
    family_scores_hold("D", Floors { type_accuracy: 0.93, field_f1: 0.87, straight_through: 0.10 });
}

#[test]
fn family_e_scores_hold() {
    family_scores_hold("E", Floors { type_accuracy: 0.93, field_f1: 0.85, straight_through: 0.07 });
}

#[test]
fn family_f_scores_hold() {
    family_scores_hold("F", Floors { type_accuracy: 0.93, field_f1: 0.83, straight_through: 0.04 });
}

/// The blind family: its floors were set from its scores alone (corpus/README.md).
#[test]
fn family_g_blind_scores_hold() {
    family_scores_hold("G", Floors { type_accuracy: 0.95, field_f1: 0.85, straight_through: 0.16 });
}
