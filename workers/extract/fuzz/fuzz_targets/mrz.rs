//! Machine-readable zones (ICAO 9303) as OCR reads them: any lines must parse, re-read or be
//! refused without a panic, and the identity-document extraction built on them (full parse,
//! tolerant re-read, partial zone, comparison with the printed names) must not panic either.
//! Input: text, one OCR line per line (a line starting with a tab is a second column of the row
//! above). Seeds in corpus/mrz, dictionary mrz.dict.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tamis_extract::Extractor;
use tamis_shared::ids::Mrz;
use tamis_shared::DocumentType;

static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let _ = Mrz::find(&lines);
    let _ = Mrz::reread(&lines);
    let mut work = common::work(
        common::page(&text),
        &[DocumentType::IdCard, DocumentType::Passport, DocumentType::ResidencePermit],
    );
    EXTRACTOR.get_or_init(Extractor::new).process(&mut work);
});
