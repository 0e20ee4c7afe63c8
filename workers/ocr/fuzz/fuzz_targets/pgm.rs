//! The decoder of the binary PGM `pdftoppm -gray` writes for a page, on any bytes: poppler runs
//! sandboxed on untrusted PDFs and its output is read like any untrusted input. No input may
//! panic, hang or allocate more than the bytes it gives (the header's size is checked against
//! the data before any buffer is made). Seeds in corpus/pgm, dictionary pgm.dict.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(img) = tamis_ocr::fuzzing::decode_pgm(data) {
        assert!(img.width() as usize * img.height() as usize <= data.len(), "no more pixels than bytes");
    }
});
