//! Builds the message the extract stage receives from fuzz input: one OCR page whose lines are
//! the input's lines, classified as the given types.

use tamis_shared::{
    BBox, BlobRef, DocumentId, DocumentResult, DocumentType, Envelope, Line, MediaType, Page, TextSource, Word, Work,
};

/// Pixel geometry of the synthetic page: a character cell, a row pitch, a column gap.
const CHAR_W: u32 = 24;
const ROW_H: u32 = 40;
const COLUMN_GAP: u32 = 200;

/// One page of `text`'s lines with word boxes laid out left to right. A line that starts with a
/// tab is a second fragment of the row above, one column to its right, so the stage's row
/// merging (a label and its value printed in two columns) is exercised too.
pub fn page(text: &str) -> Page {
    let mut lines = Vec::new();
    let (mut row, mut x) = (0u32, 0u32);
    for (i, raw) in text.split('\n').enumerate() {
        if let Some(rest) = raw.strip_prefix('\t') {
            x += COLUMN_GAP;
            lines.push(line(rest, x, row, &mut x));
        } else {
            row = i as u32 * ROW_H;
            x = 0;
            lines.push(line(raw, 0, row, &mut x));
        }
    }
    Page {
        number: 1,
        width: 2480,
        height: 3508,
        rotation: 0,
        skew: 0.0,
        source: TextSource::Ocr,
        confidence: 0.9,
        lines,
        symbols: vec![],
    }
}

fn line(text: &str, x0: u32, y: u32, end: &mut u32) -> Line {
    let mut x = x0;
    let mut words = Vec::new();
    for w in text.split_whitespace() {
        let width = w.chars().count() as u32 * CHAR_W;
        words.push(Word { text: w.to_string(), confidence: 0.9, bbox: Some(BBox { x, y, w: width, h: ROW_H - 10 }) });
        x += width + CHAR_W;
    }
    *end = x;
    let bbox = Some(BBox { x: x0, y, w: x.saturating_sub(x0).max(1), h: ROW_H - 10 });
    Line { text: text.to_string(), bbox, words }
}

/// A message holding `page`, classified as each of `types` in turn (one document per type).
pub fn work(page: Page, types: &[DocumentType]) -> Work {
    let mut w = Work::new(Envelope {
        document_id: DocumentId::derived("fuzz", None),
        case_id: None,
        case_persons: vec![],
        file_name: "fuzz".into(),
        blob: BlobRef { key: "fuzz".into(), sha256: String::new(), media_type: MediaType::Png, size: 0 },
        submitted_at: time::OffsetDateTime::UNIX_EPOCH,
        trace: Default::default(),
    });
    w.pages.push(page);
    w.documents = types
        .iter()
        .map(|t| DocumentResult {
            doc_type: t.clone(),
            confidence: 0.9,
            pages: vec![1],
            fields: Default::default(),
            findings: vec![],
        })
        .collect();
    w
}
