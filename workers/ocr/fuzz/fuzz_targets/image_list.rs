//! The parser of `pdfimages -list` output (which pages of a PDF hold images, to decide which to
//! OCR), on any text: poppler's output on an untrusted PDF is untrusted. No input may panic or
//! hang; the pages come out in the order listed, without adjacent repeats.
//! Seeds in corpus/image_list, dictionary image_list.dict.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pages = tamis_ocr::fuzzing::parse_image_list(&text);
    assert!(pages.windows(2).all(|w| w[0] != w[1]), "adjacent repeats are removed");
    assert!(pages.len() <= text.lines().count());
});
