//! Runs classify and extract over OCR dumps (one `Work` JSON per file) and writes prediction lines
//! for `score.py`, with a stand-in routing that applies the route stage's rule: auto iff the type is
//! not `other` and has confidence >= 0.90, every field of the type is present, not invalid and has
//! confidence >= 0.80, and no finding starts with a blocking prefix (`invalid:`, `missing:`,
//! `mrz_mismatch:`, `inconsistent:`, `ambiguous:`). `expired` does not block: expiry is policy.
//!
//! `cargo run --release -p tamis-extract --example eval -- DUMP_DIR OUT.jsonl`

use serde_json::{json, Map, Value};
use std::io::Write;
use tamis_classify::Classifier;
use tamis_extract::Extractor;
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::{DocumentResult, DocumentType, Work};

/// Finding prefixes that send a document to a person.
const BLOCKING: [&str; 5] = ["invalid:", "missing:", "mrz_mismatch:", "inconsistent:", "ambiguous:"];

fn decide(d: &DocumentResult, tax: &Taxonomy) -> (&'static str, Vec<String>) {
    let mut reasons = vec![];
    if d.doc_type == DocumentType::Other {
        return ("review", vec!["type_other".into()]);
    }
    if d.confidence < 0.9 {
        reasons.push("low_confidence:type".into());
    }
    if let Some(def) = tax.get(d.doc_type.as_str()) {
        for f in &def.fields {
            match d.fields.get(&f.name) {
                None => reasons.push(format!("missing:{}", f.name)),
                Some(v) if v.valid == Some(false) => reasons.push(format!("invalid:{}", f.name)),
                Some(v) if v.confidence < 0.8 => reasons.push(format!("low_confidence:{}", f.name)),
                _ => {}
            }
        }
    }
    for f in &d.findings {
        if BLOCKING.iter().any(|p| f.code.starts_with(p)) && !reasons.contains(&f.code) {
            reasons.push(f.code.clone());
        }
    }
    (if reasons.is_empty() { "auto" } else { "review" }, reasons)
}

fn fields(d: &DocumentResult) -> Value {
    let mut m = Map::new();
    for (k, f) in &d.fields {
        m.insert(k.clone(), json!({"value": f.value, "confidence": (f.confidence * 1000.0).round() / 1000.0}));
    }
    Value::Object(m)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (dir, out) = (args.get(1).ok_or("DUMP_DIR")?, args.get(2).ok_or("OUT")?);
    let tax = std::sync::Arc::new(Taxonomy::from_env_or_builtin()?);
    let c = Classifier::with_taxonomy(tax.clone());
    let e = Extractor::with_taxonomy(tax.clone());
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    for p in files {
        let mut work: Work = serde_json::from_str(&std::fs::read_to_string(&p)?)?;
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").trim_end_matches(".json").to_string();
        c.process(&mut work);
        e.process(&mut work);
        let line = if let Some(f) = &work.failure {
            json!({"file": name, "type": null, "confidence": 0.0, "decision": "error", "fields": {}, "reasons": [f.code.as_str()]})
        } else {
            let docs: Vec<(Value, &str, Vec<String>)> = work
                .documents
                .iter()
                .map(|d| {
                    let (dec, r) = decide(d, &tax);
                    (json!({"type": d.doc_type.as_str(), "confidence": d.confidence, "pages": d.pages, "fields": fields(d), "decision": dec, "reasons": r,
                            "findings": d.findings.iter().map(|f| f.code.clone()).collect::<Vec<_>>()}), dec, r)
                })
                .collect();
            let primary = &work.documents[0];
            let all_auto = docs.iter().all(|d| d.1 == "auto");
            let reasons: Vec<String> = docs.iter().flat_map(|d| d.2.clone()).collect();
            let mut o = json!({"file": name, "type": primary.doc_type.as_str(), "confidence": primary.confidence,
                "decision": if all_auto { "auto" } else { "review" }, "fields": fields(primary), "reasons": reasons,
                "findings": primary.findings.iter().map(|f| f.code.clone()).collect::<Vec<_>>()});
            if docs.len() > 1 {
                o["documents"] = Value::Array(docs.into_iter().map(|d| d.0).collect());
            }
            o
        };
        writeln!(w, "{line}")?;
    }
    Ok(())
}
