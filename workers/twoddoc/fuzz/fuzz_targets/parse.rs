//! Any barcode text must parse or be refused cleanly, and verifying whatever parses must not
//! panic: barcodes come from documents anyone can print. Run with the test trust list so the
//! signature path is exercised too:
//! `TAMIS_2DDOC_TRUST_LIST=../../../../shared/corpus/2ddoc/trust/trust_list.json cargo fuzz run parse`
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tamis_twoddoc::TrustList;

static TRUST: OnceLock<Option<TrustList>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let trust = TRUST.get_or_init(TrustList::from_env).as_ref();
    let text = String::from_utf8_lossy(data);
    if let Ok(doc) = tamis_twoddoc::parse(&text) {
        let _ = tamis_twoddoc::map_fields(&doc);
        let _ = tamis_twoddoc::verify(&doc, trust);
    }
});
