//! The stage fills `Page.symbols` with the 2D-Doc of a born-digital PDF (text layer, barcode as an
//! embedded image) and of a scan. Run with `OMP_THREAD_LIMIT=1 cargo test -p tamis-ocr`.

mod common;

use common::{corpus_dir, work_for};
use tamis_ocr::{Ocr, OcrConfig};
use tamis_shared::TextSource;

#[test]
fn two_d_doc_symbols_are_found_on_text_layer_and_scanned_pages() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not found (set TAMIS_CORPUS_DIR): skipping");
        return;
    };
    let dd = dir.join("2ddoc");
    let Ok(truth) = std::fs::read_to_string(dd.join("truth.jsonl")) else {
        eprintln!("no 2ddoc corpus: skipping");
        return;
    };
    let payload = |file: &str| -> String {
        let line = truth.lines().find(|l| l.contains(&format!("\"{file}\""))).expect("truth line");
        let t: serde_json::Value = serde_json::from_str(line).expect("json");
        t["twoddoc"]["payload"].as_str().expect("payload").replace("<GS>", "\u{1d}").replace("<US>", "\u{1f}")
    };
    let ocr = Ocr::new(OcrConfig::default());
    let without = Ocr::new(OcrConfig { find_symbols: false, ..OcrConfig::default() });
    for file in ["dd0002.pdf", "dd0003.jpg"] {
        let bytes = std::fs::read(dd.join(file)).expect("read");
        let mut work = work_for(file, &bytes);
        let t = std::time::Instant::now();
        ocr.process(&mut work, &bytes);
        let with_ms = t.elapsed().as_millis();
        assert!(work.failure.is_none(), "{file}: {:?}", work.failure);
        let page = &work.pages[0];
        assert_eq!(page.symbols.len(), 1, "{file}: one symbol on page 1");
        assert_eq!(page.symbols[0].text, payload(file), "{file}: decoded text");
        assert!(work.pages.iter().skip(1).all(|p| p.symbols.is_empty()));
        let mut plain = work_for(file, &bytes);
        let t = std::time::Instant::now();
        without.process(&mut plain, &bytes);
        eprintln!(
            "{file} ({:?}): {with_ms} ms with symbol search, {} ms without",
            page.source,
            t.elapsed().as_millis()
        );
        if file.ends_with(".pdf") {
            assert_eq!(page.source, TextSource::TextLayer, "the PDF's text still comes from its layer");
        }
    }
}
