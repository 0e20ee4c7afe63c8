//! Extraction on real OCR dumps of the dev corpus (snapshots), and a type added in configuration.

use serde_json::{json, Value};
use std::sync::Arc;
use tamis_classify::Classifier;
use tamis_extract::Extractor;
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::{DocumentType, Work};

fn load(name: &str) -> Work {
    let p = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Type, fields and findings, with confidences rounded so that the snapshot reads well.
fn view(work: &Work) -> Value {
    let r = |x: f32| ((x as f64) * 100.0).round() / 100.0;
    Value::Array(
        work.documents
            .iter()
            .map(|d| {
                let fields: serde_json::Map<String, Value> = d
                    .fields
                    .iter()
                    .map(|(k, f)| (k.clone(), json!({"value": f.value, "confidence": r(f.confidence), "valid": f.valid})))
                    .collect();
                json!({"type": d.doc_type.as_str(), "type_confidence": r(d.confidence), "pages": d.pages, "fields": fields,
                       "findings": d.findings.iter().map(|f| f.code.clone()).collect::<Vec<_>>()})
            })
            .collect(),
    )
}

fn run(name: &str) -> Value {
    let mut w = load(name);
    Classifier::new().process(&mut w);
    Extractor::new().process(&mut w);
    view(&w)
}

#[test]
fn payslip_text_layer() {
    insta::assert_json_snapshot!(run("payslip_text_layer"));
}

#[test]
fn tax_notice_text_layer() {
    insta::assert_json_snapshot!(run("tax_notice_text_layer"));
}

#[test]
fn id_card_scan() {
    insta::assert_json_snapshot!(run("id_card_scan"));
}

/// Another issuer's layout: "Adresse du point de livraison", "Montant total … TTC" and "Total TTC".
#[test]
fn energy_bill_photo() {
    insta::assert_json_snapshot!(run("energy_bill_photo"));
}

#[test]
fn bank_details_photo() {
    insta::assert_json_snapshot!(run("bank_details_photo"));
}

const CUSTOM: &str = r#"
[[type]]
name = "caf_payment"
titles = ["attestation de paiement"]
keywords = ["caisse d allocations familiales", "allocataire", "prestations", "montant verse"]
[[type.fields]]
name = "beneficiary"
kind = "person"
labels = ["allocataire", "nom de l allocataire"]
[[type.fields]]
name = "caf_number"
kind = "reference"
labels = ["numero allocataire", "n allocataire"]
[[type.fields]]
name = "paid_amount"
kind = "amount"
labels = ["montant verse", "montant paye"]
[[type.fields]]
name = "paid_on"
kind = "date"
labels = ["verse le", "date de paiement"]
"#;

#[test]
fn a_type_added_in_configuration_is_classified_and_its_labelled_fields_extracted() {
    let mut tax = Taxonomy::builtin();
    tax.types.extend(Taxonomy::from_toml_str(CUSTOM).unwrap().types);
    let tax = Arc::new(tax);
    let mut w = load("id_card_scan");
    let lines = [
        "CAISSE D'ALLOCATIONS FAMILIALES DU RHÔNE",
        "ATTESTATION DE PAIEMENT",
        "Allocataire : Mme Nadia BERGER",
        "Numéro allocataire : 7364521",
        "Prestations versées au titre de mars 2025",
        "Montant versé : 412,37 €",
        "Versé le 05/04/2025 sur votre compte",
    ];
    let page = json!({"number": 1, "width": 0, "height": 0, "rotation": 0, "source": "text_layer", "confidence": 1.0,
        "lines": lines.iter().map(|t| json!({"text": t, "words": []})).collect::<Vec<_>>()});
    w.pages = vec![serde_json::from_value(page).unwrap()];
    Classifier::with_taxonomy(tax.clone()).process(&mut w);
    Extractor::with_taxonomy(tax).process(&mut w);
    let d = &w.documents[0];
    assert_eq!(d.doc_type, DocumentType::Custom("caf_payment".into()));
    let v = |k: &str| d.fields.get(k).map(|f| f.value.as_str());
    assert_eq!(v("beneficiary"), Some("Nadia BERGER"));
    assert_eq!(v("caf_number"), Some("7364521"));
    assert_eq!(v("paid_amount"), Some("412.37"));
    assert_eq!(v("paid_on"), Some("2025-04-05"));
    assert!(d.findings.iter().all(|f| !f.code.starts_with("missing:")), "{:?}", d.findings);
}
