//! The pipeline message: one `Work` per submitted file, filled in stage by stage (OCR adds pages,
//! classify adds documents, extract adds their fields) and turned into an outcome by route.
//!
//! Embedded runs pass it over in-memory channels; workers pass it as the JSON body of an AMQP
//! message. It never carries the file's bytes, only the envelope's blob reference.

use crate::document::{DocumentType, Envelope};
use crate::error::Failure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Confidences leave Tamis as short decimals in 0..=1: an `f32` widened to JSON's f64 would read
/// 0.9300000071525574, and a NaN would become `null` and break the next stage's parse.
mod confidence {
    use serde::Serializer;

    fn clean(x: f32) -> f64 {
        if x.is_finite() {
            ((x.clamp(0.0, 1.0) as f64) * 10_000.0).round() / 10_000.0
        } else {
            // An undefined confidence must never look confident.
            0.0
        }
    }

    pub fn serialize<S: Serializer>(x: &f32, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(clean(*x))
    }

    pub fn serialize_opt<S: Serializer>(x: &Option<f32>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(v) => s.serialize_f64(clean(*v)),
            None => s.serialize_none(),
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn confidences_serialise_short_and_never_nan() {
            #[derive(serde::Serialize)]
            struct C(#[serde(serialize_with = "super::serialize")] f32);
            assert_eq!(serde_json::to_string(&C(0.93)).unwrap(), "0.93");
            assert_eq!(serde_json::to_string(&C(f32::NAN)).unwrap(), "0.0");
            assert_eq!(serde_json::to_string(&C(1.5)).unwrap(), "1.0");
        }
    }
}

/// An axis-aligned box in page pixels (origin top-left) of the page image OCR read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BBox {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl BBox {
    /// The smallest box holding both.
    pub fn union(&self, o: &BBox) -> BBox {
        let x0 = self.x.min(o.x);
        let y0 = self.y.min(o.y);
        let x1 = (self.x + self.w).max(o.x + o.w);
        let y1 = (self.y + self.h).max(o.y + o.h);
        BBox { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }
    }
}

/// One recognised word.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    /// 0..=1 (tesseract's 0..100 scaled); 1.0 for a text layer.
    #[serde(serialize_with = "confidence::serialize")]
    pub confidence: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
}

/// One line of text, in reading order, with its words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
    pub words: Vec<Word>,
}

impl Line {
    /// Mean word confidence (1.0 when there are no words).
    pub fn confidence(&self) -> f32 {
        if self.words.is_empty() {
            return 1.0;
        }
        self.words.iter().map(|w| w.confidence).sum::<f32>() / self.words.len() as f32
    }
}

/// Where a page's text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// The PDF's own text layer, judged usable.
    TextLayer,
    /// Tesseract on the page image.
    Ocr,
}

/// The text of one page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number in the file.
    pub number: u32,
    /// Size in pixels of the image the boxes refer to (0 for a text layer without geometry).
    pub width: u32,
    pub height: u32,
    /// Clockwise quarter turn applied to read the page upright (0, 90, 180, 270).
    pub rotation: u16,
    /// Small-angle deskew applied, in degrees.
    #[serde(default)]
    pub skew: f32,
    pub source: TextSource,
    /// Mean word confidence of the page, 0..=1.
    #[serde(serialize_with = "confidence::serialize")]
    pub confidence: f32,
    pub lines: Vec<Line>,
    /// Machine-readable symbols found on the page (2D-Doc DataMatrix...), as decoded text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<Symbol>,
}

/// A barcode found on a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Symbol {
    /// `datamatrix`, `qr`...
    pub kind: String,
    /// The decoded payload, as text (2D-Doc separators GS/RS/US kept as control characters).
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
}

impl Page {
    /// The page's text, one line per line.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }
}

/// Where a field's value was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    Ocr,
    TextLayer,
    Mrz,
    #[serde(rename = "2d-doc")]
    TwoDDoc,
    /// Set by a human reviewer.
    Reviewer,
}

/// One extracted field. Its `Debug` redacts the value.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Normalised as FORMAT.md says (ISO dates, dot decimals, no spaces in identifiers...).
    pub value: String,
    /// 0..=1: how sure Tamis is that the value is right.
    #[serde(serialize_with = "confidence::serialize")]
    pub confidence: f32,
    /// 1-based page it was read on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
    pub source: FieldSource,
    /// Some(true) when a check (key, checksum, date existence) passed, Some(false) when it failed,
    /// None when the field has no check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
}

/// Something a stage noticed that a reviewer must know (a machine code and a sentence).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Machine-readable, e.g. `invalid:nir`, `corrected:iban`, `mrz_mismatch:birth_date`.
    pub code: String,
    /// A sentence a person understands; never contains the field's value.
    pub message: String,
}

/// One document found in the file (a file may hold several; pages of one document stay together).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentResult {
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    /// Calibrated probability that the type is right.
    #[serde(serialize_with = "confidence::serialize")]
    pub confidence: f32,
    /// 1-based page numbers of the file that belong to this document.
    pub pages: Vec<u32>,
    #[serde(default)]
    pub fields: BTreeMap<String, Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

/// The pipeline message.
///
/// Its `Debug` shows the envelope (redacted, see `Envelope`), counts, types, confidences, field
/// names and finding codes, and the failure's stage and code: never a word of text, a field's
/// value or a failure's message.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Work {
    pub envelope: Envelope,
    /// Filled by OCR.
    #[serde(default)]
    pub pages: Vec<Page>,
    /// Text-quality confidence of the whole file, 0..=1, filled by OCR.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "confidence::serialize_opt")]
    pub text_quality: Option<f32>,
    /// Filled by classify (type, pages), completed by extract (fields, findings).
    #[serde(default)]
    pub documents: Vec<DocumentResult>,
    /// Set by the first stage that finds the input unusable; later stages pass it on untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("value", &crate::document::Redacted)
            .field("confidence", &self.confidence)
            .field("page", &self.page)
            .field("bbox", &self.bbox)
            .field("source", &self.source)
            .field("valid", &self.valid)
            .finish()
    }
}

impl std::fmt::Debug for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Documents<'a>(&'a [DocumentResult]);
        impl std::fmt::Debug for Documents<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|d| {
                        format!(
                            "{} ({:.3}) pages {:?} fields [{}] findings [{}]",
                            d.doc_type.as_str(),
                            d.confidence,
                            d.pages,
                            d.fields.keys().map(String::as_str).collect::<Vec<_>>().join(", "),
                            d.findings.iter().map(|x| x.code.as_str()).collect::<Vec<_>>().join(", ")
                        )
                    }))
                    .finish()
            }
        }
        f.debug_struct("Work")
            .field("envelope", &self.envelope)
            .field("pages", &self.pages.len())
            .field("text_quality", &self.text_quality)
            .field("documents", &Documents(&self.documents))
            .field("failure", &self.failure.as_ref().map(|x| format!("{}: {}", x.stage, x.code)))
            .finish()
    }
}

impl Work {
    /// A new message for a submitted file.
    pub fn new(envelope: Envelope) -> Self {
        Work { envelope, pages: Vec::new(), text_quality: None, documents: Vec::new(), failure: None }
    }

    /// The pages with the given 1-based numbers, in order.
    pub fn pages_of<'a>(&'a self, numbers: &'a [u32]) -> impl Iterator<Item = &'a Page> + 'a {
        self.pages.iter().filter(move |p| numbers.contains(&p.number))
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;
    use crate::document::{BlobRef, DocumentId, MediaType, PersonName};

    #[test]
    fn work_and_envelope_debug_keep_ids_and_types_and_redact_values() {
        let envelope = Envelope {
            document_id: DocumentId::derived("abc", None),
            case_id: Some("185057800608436".into()),
            case_persons: vec![PersonName::new("Jeanne MARTIN epouse DUPONT").unwrap()],
            file_name: "RIB Jeanne MARTIN.pdf".into(),
            blob: BlobRef { key: "k".into(), sha256: "s".into(), media_type: MediaType::Pdf, size: 42 },
            submitted_at: time::OffsetDateTime::UNIX_EPOCH,
            trace: Default::default(),
        };
        let mut w = Work::new(envelope);
        w.pages.push(Page {
            number: 1,
            width: 10,
            height: 10,
            rotation: 0,
            skew: 0.0,
            source: TextSource::TextLayer,
            confidence: 1.0,
            lines: vec![Line { text: "IBAN FR7630006000011234567890189".into(), bbox: None, words: vec![] }],
            symbols: vec![],
        });
        let field = Field {
            value: "FR7630006000011234567890189".into(),
            confidence: 0.9,
            page: Some(1),
            bbox: None,
            source: FieldSource::Ocr,
            valid: Some(true),
        };
        w.documents.push(DocumentResult {
            doc_type: DocumentType::BankDetails,
            confidence: 0.99,
            pages: vec![1],
            fields: [("iban".to_string(), field.clone())].into(),
            findings: vec![Finding { code: "corrected:iban".into(), message: "Jeanne MARTIN".into() }],
        });
        w.failure = Some(Failure::new("extract", crate::ErrorCode::Corrupt, "Jeanne MARTIN"));
        let shown = format!("{w:?} {w:#?} {field:?} {:?}", w.envelope);
        for value in ["185057800608436", "Jeanne", "MARTIN", "DUPONT", "FR76", "30006000011234567890189"] {
            assert!(!shown.contains(value), "{value} in {shown}");
        }
        for kept in [&w.envelope.document_id.to_string(), "bank_details", "iban", "corrected:iban", "extract: corrupt"]
        {
            assert!(shown.contains(kept), "{kept} missing from {shown}");
        }
    }
}
