//! The parser of `pdftotext -bbox-layout` output (the PDF text layer with word boxes), on any
//! text: poppler runs sandboxed on untrusted PDFs, so what it prints is untrusted too (a PDF
//! chooses its words, and a crafted one can make poppler print odd numbers and entities). No
//! input may panic, hang or blow memory up; what comes out must be usable by the next steps
//! (finite sizes, boxes inside u32). Seeds in corpus/bbox_layout, dictionary bbox_layout.dict.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for page in tamis_ocr::fuzzing::parse_bbox_layout(&text) {
        // Sizes in points are kept as magnitudes (a negative width would flip every box).
        assert!(!(page.points.0 < 0.0) && !(page.points.1 < 0.0), "{:?}", page.points);
        for line in &page.lines {
            assert!(!line.words.is_empty(), "a kept line has words");
            // The text of a line is its words joined: never longer than them plus the spaces.
            let words: usize = line.words.iter().map(|w| w.text.len() + 1).sum();
            assert!(line.text.len() <= words);
        }
    }
});
