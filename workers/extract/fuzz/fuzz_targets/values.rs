//! Amounts, dates and every other field value: the text after a label must parse as each field
//! kind or be refused without a panic, and the per-type rules that read amounts and dates across
//! lines (payslip totals, rent, energy bills, certificates) must not panic either.
//! Input: text, one OCR line per line (a line starting with a tab is a second column of the row
//! above). Seeds in corpus/values, dictionary values.dict.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tamis_extract::{parse_value, Extractor};
use tamis_shared::taxonomy::FieldKind;
use tamis_shared::DocumentType;

static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();

/// Every kind a field can have (FieldKind has no list of its variants).
const KINDS: [FieldKind; 20] = [
    FieldKind::Text,
    FieldKind::Person,
    FieldKind::Organisation,
    FieldKind::Address,
    FieldKind::Amount,
    FieldKind::Date,
    FieldKind::Period,
    FieldKind::Year,
    FieldKind::SchoolYear,
    FieldKind::Decimal,
    FieldKind::Nir,
    FieldKind::Siret,
    FieldKind::Iban,
    FieldKind::Bic,
    FieldKind::TaxNumber,
    FieldKind::NoticeReference,
    FieldKind::Reference,
    FieldKind::Sex,
    FieldKind::Nationality,
    FieldKind::ContractType,
];

/// The types whose own rules read amounts and dates (identity documents are the mrz target's).
const TYPES: [DocumentType; 8] = [
    DocumentType::Payslip,
    DocumentType::TaxNotice,
    DocumentType::BankDetails,
    DocumentType::RentReceipt,
    DocumentType::EnergyBill,
    DocumentType::EmployerCertificate,
    DocumentType::SchoolCertificate,
    DocumentType::SickLeave,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The stage parses the text after a label, which ends with its line.
    for line in text.split('\n') {
        for kind in KINDS {
            let parsed = parse_value(kind, line);
            // The stage re-checks a date field by parsing its normalised value: a date read from
            // the text must read back as itself, or a right date would be reported invalid.
            if let (FieldKind::Date, Some(p)) = (kind, parsed) {
                let again = parse_value(kind, &p.value).map(|q| q.value);
                assert_eq!(
                    again.as_deref(),
                    Some(p.value.as_str()),
                    "the date {:?} does not read back as itself",
                    p.value
                );
            }
        }
    }
    let mut work = common::work(common::page(&text), &TYPES);
    EXTRACTOR.get_or_init(Extractor::new).process(&mut work);
});
