//! Runs the MRZ parser on OCR dumps (`tamis-ocr`'s `dump` example output) and prints what each
//! page's lines give: for engineers tuning the parser without re-running OCR. Prints document
//! text: run it on public specimens only, never on real documents.
//!
//! `cargo run --release -p tamis-shared --example mrzcheck -- DUMP_DIR`

use tamis_shared::ids::Mrz;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: mrzcheck DUMP_DIR");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for f in files {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let lines: Vec<String> = v["pages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["lines"].as_array().unwrap().iter().map(|l| l["text"].as_str().unwrap().to_string()))
            .collect();
        let raw: Vec<&str> = lines.iter().map(|s| s.as_str()).collect();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        match Mrz::find(&raw) {
            Some(m) => println!("{name}: FIND {m:?}"),
            None => match Mrz::reread(&raw) {
                Some(r) => println!("{name}: REREAD cost={} alt={:?} {:?}", r.cost, r.alternatives, r.mrz),
                None => println!("{name}: NONE"),
            },
        }
    }
}
