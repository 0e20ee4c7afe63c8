//! Every hostile or broken input of corpus/bad gets its expected reason code, and the unusual but
//! valid ones are read. Run with `OMP_THREAD_LIMIT=1 cargo test -p tamis-ocr`.

mod common;

use common::{corpus_dir, work_for};
use tamis_ocr::{Ocr, OcrConfig};
use tamis_shared::TextSource;

#[test]
fn every_bad_file_gets_its_reason() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not found (set TAMIS_CORPUS_DIR): skipping");
        return;
    };
    let bad = dir.join("bad");
    let truth = std::fs::read_to_string(bad.join("truth.jsonl")).expect("bad/truth.jsonl");
    let ocr = Ocr::new(OcrConfig::default());
    let mut wrong = Vec::new();
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let t: serde_json::Value = serde_json::from_str(line).expect("truth line");
        let file = t["file"].as_str().expect("file");
        let expect = t["expect"].as_str().expect("expect");
        let bytes = std::fs::read(bad.join(file)).expect("read");
        let mut work = work_for(file, &bytes);
        let started = std::time::Instant::now();
        ocr.process(&mut work, &bytes);
        let took = started.elapsed();
        let got = work.failure.as_ref().map(|f| f.code.as_str()).unwrap_or("ok");
        eprintln!("{file}: {got} pages={} in {:?}", work.pages.len(), took);
        match expect {
            "error" => {
                let reason = t["reason"].as_str().expect("reason");
                if got != reason {
                    wrong.push(format!("{file}: expected {reason}, got {got}"));
                }
            }
            _ => {
                if work.failure.is_some() {
                    wrong.push(format!("{file}: expected a document, got {got}"));
                    continue;
                }
                let text: String = work.pages.iter().map(|p| p.text()).collect();
                let fields: Vec<serde_json::Value> = match t.get("documents") {
                    Some(docs) => {
                        docs.as_array().cloned().unwrap_or_default().iter().map(|d| d["fields"].clone()).collect()
                    }
                    None => vec![t["fields"].clone()],
                };
                let want_pages = fields.len();
                if work.pages.len() != want_pages.max(1) {
                    wrong.push(format!("{file}: expected {want_pages} pages, got {}", work.pages.len()));
                }
                let (found, total) = common::fields_found(&fields, &text);
                eprintln!("  {file}: {found}/{total} truth values found in the text");
                if found * 2 < total {
                    wrong.push(format!("{file}: only {found}/{total} truth values found in the text"));
                }
                if file == "texte_illisible.pdf" && work.pages.iter().any(|p| p.source == TextSource::TextLayer) {
                    wrong.push(format!("{file}: the garbage text layer was trusted"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
