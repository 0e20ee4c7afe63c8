//! Every barcode of shared/corpus/2ddoc decodes from its rendered page, verifies as truth.jsonl
//! says (valid / tampered / unknown_cert), and valid ones map to the expected Tamis fields.

use std::path::{Path, PathBuf};
use std::time::Instant;
use tamis_twoddoc::{find_symbols, parse, Outcome, TrustList};

fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TAMIS_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    dir.join("corpus/2ddoc/truth.jsonl").is_file().then_some(dir)
}

/// Page 1 as the OCR stage would see it: PDFs rendered at 300 DPI gray, images decoded.
fn page_one(path: &Path, tmp: &Path) -> image::GrayImage {
    if path.extension().is_some_and(|e| e == "pdf") {
        let out = tmp.join("page");
        let st = std::process::Command::new("pdftoppm")
            .args(["-r", "300", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile"])
            .arg(path)
            .arg(&out)
            .status()
            .expect("pdftoppm runs");
        assert!(st.success(), "pdftoppm failed on {}", path.display());
        image::open(out.with_extension("png")).expect("rendered page loads").to_luma8()
    } else {
        image::open(path).expect("image loads").to_luma8()
    }
}

#[test]
fn corpus_barcodes_decode_and_verify_as_truth_says() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipped: no shared corpus (set TAMIS_SHARED_DIR)");
        return;
    };
    let dir = shared.join("corpus/2ddoc");
    let trust = TrustList::from_path(&dir.join("trust/trust_list.json")).expect("test trust list loads");
    assert_eq!(trust.len(), 2, "both test certificates are trusted: {:?}", trust.rejected());
    let tmp = std::env::temp_dir().join(format!("tamis-twoddoc-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let truth = std::fs::read_to_string(dir.join("truth.jsonl")).expect("truth.jsonl");
    let (mut total, mut decoded, mut as_expected) = (0, 0, 0);
    let mut failures = Vec::new();
    let mut slowest = 0.0f64;
    let mut search_ms = 0.0f64;
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let t: serde_json::Value = serde_json::from_str(line).expect("truth line");
        let file = t["file"].as_str().expect("file");
        let expected = t["twoddoc"]["signature"].as_str().expect("signature");
        total += 1;
        let img = page_one(&dir.join(file), &tmp);
        let started = Instant::now();
        let symbols = find_symbols(&img);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        search_ms += ms;
        slowest = slowest.max(ms);
        let Some(sym) = symbols.first() else {
            failures.push(format!("{file}: no symbol found ({}x{}, {ms:.0} ms)", img.width(), img.height()));
            continue;
        };
        let payload = t["twoddoc"]["payload"].as_str().expect("payload").replace("<GS>", "\u{1d}").replace("<US>", "\u{1f}");
        if sym.text != payload {
            failures.push(format!("{file}: decoded text differs from the truth payload"));
            continue;
        }
        decoded += 1;
        let doc = match parse(&sym.text) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{file}: parse error {e}"));
                continue;
            }
        };
        let outcome = trust.verify(&doc);
        let want = match expected {
            "valid" => Outcome::Verified,
            "tampered" => Outcome::SignatureInvalid,
            "unknown_cert" => Outcome::UnknownCertificate,
            other => panic!("unknown truth signature {other}"),
        };
        if outcome != want {
            failures.push(format!("{file}: {outcome:?}, expected {want:?}"));
            continue;
        }
        if let Err(e) = check_fields(&t, &doc) {
            failures.push(format!("{file}: {e}"));
            continue;
        }
        as_expected += 1;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!(
        "2ddoc corpus: {decoded}/{total} decoded, {as_expected}/{total} as expected; symbol search mean {:.0} ms, max {slowest:.0} ms per page",
        search_ms / total.max(1) as f64
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Raw fields equal truth's `twoddoc.fields`; header agrees.
fn check_fields(t: &serde_json::Value, doc: &tamis_twoddoc::TwoDDoc) -> Result<(), String> {
    let tw = &t["twoddoc"];
    let raw = tw["fields"].as_object().ok_or("truth has no raw fields")?;
    for (k, v) in raw {
        let got = doc.field(k);
        if got != v.as_str() {
            return Err(format!("raw field {k} differs"));
        }
    }
    if doc.fields.len() != raw.len() {
        return Err(format!("{} raw fields, truth has {}", doc.fields.len(), raw.len()));
    }
    let iso = |d: Option<time::Date>| d.map(|d| d.to_string());
    if tw["doc_type"].as_str() != Some(doc.header.doc_type.as_str())
        || tw["ca_id"].as_str() != Some(doc.header.ca_id.as_str())
        || tw["cert_id"].as_str() != Some(doc.header.cert_id.as_str())
        || tw["issue_date"].as_str().map(str::to_string) != iso(doc.header.issue_date)
        || tw["signature_date"].as_str().map(str::to_string) != iso(doc.header.signature_date)
        || tw["perimeter"].as_str() != doc.header.perimeter.as_deref()
        || tw["country"].as_str() != doc.header.country.as_deref()
        || tw["version"].as_u64() != Some(u64::from(doc.header.version))
    {
        return Err("header differs from truth".into());
    }
    Ok(())
}
