//! Every barcode of shared/corpus/2ddoc decodes from its rendered page, verifies as truth.jsonl
//! says (valid / tampered / unknown_cert), and valid ones map to the expected Tamis fields.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tamis_shared::{
    BlobRef, DocumentId, DocumentResult, DocumentType, Envelope, Field, FieldSource, MediaType, Page, Symbol,
    TextSource, Work,
};
use tamis_twoddoc::{apply, find_symbols, parse, Outcome, TrustList};

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
        let payload =
            t["twoddoc"]["payload"].as_str().expect("payload").replace("<GS>", "\u{1d}").replace("<US>", "\u{1f}");
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
        if let Err(e) = check_apply(&t, sym, &trust) {
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

/// Runs `apply` on a work whose extracted fields are what the page prints, and checks the result
/// against truth `fields` and the findings the scenario calls for.
fn check_apply(t: &serde_json::Value, sym: &Symbol, trust: &TrustList) -> Result<(), String> {
    let doc_type: DocumentType = t["type"].as_str().ok_or("type")?.parse().map_err(|_| "bad type")?;
    let truth = t["fields"].as_object().ok_or("fields")?;
    let mut printed: BTreeMap<String, String> =
        truth.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
    if let Some(p) = t["printed_fields"].as_object() {
        for (k, v) in p {
            printed.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
        }
    }
    let mut work = Work::new(Envelope {
        document_id: DocumentId::derived("2ddoc", None),
        case_id: None,
        case_persons: vec![],
        file_name: "x".into(),
        blob: BlobRef { key: "k".into(), sha256: String::new(), media_type: MediaType::Pdf, size: 0 },
        submitted_at: time::OffsetDateTime::UNIX_EPOCH,
        trace: Default::default(),
    });
    work.pages.push(Page {
        number: 1,
        width: 0,
        height: 0,
        rotation: 0,
        skew: 0.0,
        source: TextSource::Ocr,
        confidence: 0.9,
        lines: vec![],
        symbols: vec![sym.clone()],
    });
    let fields = printed
        .iter()
        .map(|(k, v)| {
            let f = Field {
                value: v.clone(),
                confidence: 0.8,
                page: Some(1),
                bbox: None,
                source: FieldSource::Ocr,
                valid: None,
            };
            (k.clone(), f)
        })
        .collect();
    work.documents.push(DocumentResult { doc_type, confidence: 0.9, pages: vec![1], fields, findings: vec![] });
    apply(&mut work, trust);
    let d = &work.documents[0];
    for (k, v) in truth {
        let got = d.fields.get(k).map(|f| f.value.as_str());
        if got != v.as_str() {
            return Err(format!("field {k}: got {got:?} after apply"));
        }
    }
    let mut codes: Vec<&str> = d.findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort();
    let mut want: Vec<String> = match t["twoddoc"]["signature"].as_str() {
        Some("tampered") => vec!["twoddoc_invalid".into()],
        Some("unknown_cert") => vec!["twoddoc_untrusted".into()],
        _ => t["printed_fields"]
            .as_object()
            .map(|p| p.keys().map(|k| format!("twoddoc_mismatch:{k}")).collect())
            .unwrap_or_default(),
    };
    want.sort();
    if codes != want {
        return Err(format!("findings {codes:?}, expected {want:?}"));
    }
    let trusted = t["twoddoc"]["signature"].as_str() == Some("valid");
    if trusted {
        // With nothing printed to lean on, the signed values alone give the truth (names and
        // addresses up to accents and case, which the barcode cannot carry).
        let dd = parse(&sym.text).map_err(|e| e.to_string())?;
        let mapped = tamis_twoddoc::map_fields(&dd);
        if mapped.len() != truth.len() {
            return Err(format!("{} fields mapped, truth has {}", mapped.len(), truth.len()));
        }
        for m in mapped {
            let want = truth.get(m.name).and_then(|v| v.as_str()).unwrap_or_default();
            if tamis_twoddoc::map::fold(&m.value) != tamis_twoddoc::map::fold(want) {
                return Err(format!("mapped {} differs from truth", m.name));
            }
        }
    }
    if trusted
        && !d.fields.values().all(|f| f.source == FieldSource::TwoDDoc && f.confidence == 1.0 && f.valid == Some(true))
    {
        return Err("a verified field is not marked as 2D-Doc".into());
    }
    if !trusted && d.fields.values().any(|f| f.source == FieldSource::TwoDDoc) {
        return Err("an unverified 2D-Doc changed a field".into());
    }
    Ok(())
}
