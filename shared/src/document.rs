//! The document as Tamis knows it from the moment it is submitted: its identity, its bytes (by
//! reference) and the type the later stages give it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;
use uuid::Uuid;

/// Identifies one submitted file through every stage and event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocumentId(pub Uuid);

/// Namespace for the ids Tamis derives (document ids of embedded runs, event ids).
pub const TAMIS_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_9a52_3b2e_4d1f_9a7e_7a4d_2c6b_1e11);

impl DocumentId {
    /// A fresh random id, for a new submission.
    pub fn new() -> Self {
        DocumentId(Uuid::new_v4())
    }

    /// An id derived from the content hash and the case, so that resubmitting the same file for
    /// the same case gives the same id (used by the embedded run, which has no submit step).
    pub fn derived(sha256: &str, case_id: Option<&str>) -> Self {
        let name = format!("{}|{}", sha256, case_id.unwrap_or(""));
        DocumentId(Uuid::new_v5(&TAMIS_NAMESPACE, name.as_bytes()))
    }

    /// A deterministic id for a transition of this document (an event id): a redelivered message
    /// yields the same id, so consumers can deduplicate.
    pub fn transition_id(&self, transition: &str) -> Uuid {
        Uuid::new_v5(&self.0, transition.as_bytes())
    }
}

impl Default for DocumentId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The kinds of supporting document Tamis knows, plus the ones a back office adds in configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentType {
    Payslip,
    TaxNotice,
    BankDetails,
    IdCard,
    Passport,
    ResidencePermit,
    RentReceipt,
    EnergyBill,
    EmployerCertificate,
    SchoolCertificate,
    SickLeave,
    /// Anything else: always goes to a person.
    Other,
    /// A type declared in the taxonomy configuration (lower-case snake_case name).
    Custom(String),
}

impl DocumentType {
    /// The built-in types, in the order of FORMAT.md.
    pub const BUILT_IN: [DocumentType; 12] = [
        DocumentType::Payslip,
        DocumentType::TaxNotice,
        DocumentType::BankDetails,
        DocumentType::IdCard,
        DocumentType::Passport,
        DocumentType::ResidencePermit,
        DocumentType::RentReceipt,
        DocumentType::EnergyBill,
        DocumentType::EmployerCertificate,
        DocumentType::SchoolCertificate,
        DocumentType::SickLeave,
        DocumentType::Other,
    ];

    /// Identity documents: their machine-readable zone, not their layout, settles their fields.
    pub fn is_identity(&self) -> bool {
        matches!(self, DocumentType::IdCard | DocumentType::Passport | DocumentType::ResidencePermit)
    }

    /// The snake_case name used in messages, events, routing keys and predictions.
    pub fn as_str(&self) -> &str {
        match self {
            DocumentType::Payslip => "payslip",
            DocumentType::TaxNotice => "tax_notice",
            DocumentType::BankDetails => "bank_details",
            DocumentType::IdCard => "id_card",
            DocumentType::Passport => "passport",
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::RentReceipt => "rent_receipt",
            DocumentType::EnergyBill => "energy_bill",
            DocumentType::EmployerCertificate => "employer_certificate",
            DocumentType::SchoolCertificate => "school_certificate",
            DocumentType::SickLeave => "sick_leave",
            DocumentType::Other => "other",
            DocumentType::Custom(name) => name,
        }
    }
}

/// A type name that is not snake_case ASCII (it would break routing keys and queue names).
#[derive(Debug, thiserror::Error)]
#[error("invalid document type name {0:?}: use lower-case letters, digits and underscores")]
pub struct InvalidTypeName(pub String);

impl FromStr for DocumentType {
    type Err = InvalidTypeName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(t) = DocumentType::BUILT_IN.iter().find(|t| t.as_str() == s) {
            return Ok(t.clone());
        }
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && s.as_bytes()[0].is_ascii_lowercase();
        if ok {
            Ok(DocumentType::Custom(s.to_string()))
        } else {
            Err(InvalidTypeName(s.to_string()))
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DocumentType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DocumentType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What the bytes of a file are, decided from its magic bytes, never from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
    Tiff,
    Webp,
    Bmp,
    Gif,
    /// Recognised, but not a format Tamis reads (HTML, ZIP, office files...).
    Unsupported,
    /// Nothing recognisable.
    Unknown,
}

impl MediaType {
    /// Sniffs the magic bytes at the start of a file.
    pub fn sniff(bytes: &[u8]) -> MediaType {
        let b = bytes;
        let starts = |m: &[u8]| b.len() >= m.len() && &b[..m.len()] == m;
        // Archives first: an uncompressed ZIP holding a PDF shows `%PDF-` in its first KiB.
        if starts(b"PK\x03\x04")
            || starts(b"PK\x05\x06")
            || starts(b"\x1f\x8b")
            || starts(b"Rar!")
            || starts(b"7z\xBC\xAF")
        {
            return MediaType::Unsupported;
        }
        // A PDF header may follow a little junk; readers accept it within the first KiB.
        let head = &b[..b.len().min(1024)];
        if starts(b"%PDF-") || head.windows(5).any(|w| w == b"%PDF-") {
            return MediaType::Pdf;
        }
        if starts(&[0xFF, 0xD8, 0xFF]) {
            return MediaType::Jpeg;
        }
        if starts(b"\x89PNG\r\n\x1a\n") {
            return MediaType::Png;
        }
        if starts(b"II*\0") || starts(b"MM\0*") {
            return MediaType::Tiff;
        }
        if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            return MediaType::Webp;
        }
        if starts(b"BM") && b.len() > 26 {
            return MediaType::Bmp;
        }
        if starts(b"GIF87a") || starts(b"GIF89a") {
            return MediaType::Gif;
        }
        let text_head = String::from_utf8_lossy(&b[..b.len().min(512)]).to_ascii_lowercase();
        let trimmed = text_head.trim_start_matches('\u{feff}').trim_start();
        if starts(b"PK\x03\x04")
            || starts(b"PK\x05\x06")
            || starts(b"\xD0\xCF\x11\xE0")
            || starts(b"\x1f\x8b")
            || starts(b"Rar!")
            || starts(b"7z\xBC\xAF")
            || trimmed.starts_with("<!doctype html")
            || trimmed.starts_with("<html")
            || trimmed.starts_with("<?xml")
            || trimmed.starts_with("{\\rtf")
        {
            return MediaType::Unsupported;
        }
        MediaType::Unknown
    }

    /// The IANA media type, for envelopes and blob metadata.
    pub fn mime(&self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Tiff => "image/tiff",
            MediaType::Webp => "image/webp",
            MediaType::Bmp => "image/bmp",
            MediaType::Gif => "image/gif",
            MediaType::Unsupported | MediaType::Unknown => "application/octet-stream",
        }
    }

    /// True for the raster formats the `image` crate decodes.
    pub fn is_image(&self) -> bool {
        matches!(
            self,
            MediaType::Jpeg | MediaType::Png | MediaType::Tiff | MediaType::Webp | MediaType::Bmp | MediaType::Gif
        )
    }
}

/// Where a document's bytes are kept (claim-check): messages carry this, never the bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    /// Key in the blob store, derived from the content hash.
    pub key: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Media type sniffed from the bytes at submission.
    pub media_type: MediaType,
    /// Size in bytes.
    pub size: u64,
}

/// A person's full name as the case system knows it (`Jeanne MARTIN épouse DUPONT`).
///
/// Personal data: its `Debug` prints no letter of it and it has no `Display`, so a `{:?}` of an
/// envelope in a log line cannot leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

/// Longest person name a submission may carry (characters).
pub const MAX_PERSON_NAME: usize = 200;

/// A person name that cannot be used (the message never repeats the name).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidPersonName {
    #[error("a case person's name is empty: give the full name, e.g. \"Jeanne DUPONT\"")]
    Empty,
    #[error("a case person's name is longer than {MAX_PERSON_NAME} characters")]
    TooLong,
    #[error("a case person's name contains a control character")]
    Control,
}

impl PersonName {
    /// The name, trimmed; refused when empty, over `MAX_PERSON_NAME` or holding control characters.
    pub fn new(s: &str) -> Result<PersonName, InvalidPersonName> {
        let s = s.trim();
        if s.is_empty() {
            Err(InvalidPersonName::Empty)
        } else if s.chars().count() > MAX_PERSON_NAME {
            Err(InvalidPersonName::TooLong)
        } else if s.chars().any(char::is_control) {
            Err(InvalidPersonName::Control)
        } else {
            Ok(PersonName(s.to_string()))
        }
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

impl FromStr for PersonName {
    type Err = InvalidPersonName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PersonName::new(s)
    }
}

impl TryFrom<String> for PersonName {
    type Error = InvalidPersonName;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PersonName::new(&s)
    }
}

impl From<PersonName> for String {
    fn from(p: PersonName) -> String {
        p.0
    }
}

/// What travels with a document from submission to its outcome.
///
/// Its `Debug` keeps what an operator needs (document id, media type, size, submission time)
/// and redacts what may be personal (case id, persons, file name): see the impl below.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub document_id: DocumentId,
    /// The beneficiary's case the document was submitted for, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// The persons of that case (holder, partner, children...) as the case system names them, so
    /// route can check that the document is about one of them; empty when not given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub case_persons: Vec<PersonName>,
    /// The file name as submitted (relative to the submitted folder); for display only.
    pub file_name: String,
    pub blob: BlobRef,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// W3C trace context (`traceparent`, `tracestate`) of the submission.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub trace: std::collections::BTreeMap<String, String>,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The case id may be a beneficiary number, the file name a person's name
        // (`MARTIN Jeanne RIB.pdf`): only their presence and sizes are shown.
        f.debug_struct("Envelope")
            .field("document_id", &self.document_id)
            .field("case_id", &self.case_id.as_ref().map(|_| Redacted))
            .field("case_persons", &format_args!("<{} redacted>", self.case_persons.len()))
            .field("file_name", &Redacted)
            .field("media_type", &self.blob.media_type)
            .field("size", &self.blob.size)
            .field("submitted_at", &self.submitted_at)
            .finish_non_exhaustive()
    }
}

/// Stands for a value `Debug` must not print.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_type_round_trips_through_its_name() {
        for t in DocumentType::BUILT_IN {
            let parsed: DocumentType = t.as_str().parse().unwrap();
            assert_eq!(parsed, t);
        }
        assert_eq!("pay_stub_2".parse::<DocumentType>().unwrap(), DocumentType::Custom("pay_stub_2".into()));
        assert!("Pay Stub".parse::<DocumentType>().is_err());
        assert!("".parse::<DocumentType>().is_err());
    }

    #[test]
    fn sniffing_uses_magic_bytes() {
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n"), MediaType::Pdf);
        assert_eq!(MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), MediaType::Jpeg);
        assert_eq!(MediaType::sniff(b"PK\x03\x04rest"), MediaType::Unsupported);
        assert_eq!(MediaType::sniff(b"PK\x03\x04name.pdf%PDF-1.4"), MediaType::Unsupported);
        assert_eq!(MediaType::sniff(b"<!DOCTYPE html><html>"), MediaType::Unsupported);
        assert_eq!(MediaType::sniff(b"\x00\x01\x02garbage"), MediaType::Unknown);
        assert_eq!(MediaType::sniff(b""), MediaType::Unknown);
    }

    #[test]
    fn person_names_are_checked_and_never_debug_printed() {
        let p = PersonName::new("  Jeanne DUPONT ").unwrap();
        assert_eq!(p.as_str(), "Jeanne DUPONT");
        assert!(!format!("{p:?}").contains("DUPONT"));
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"Jeanne DUPONT\"");
        assert_eq!(PersonName::new(" "), Err(InvalidPersonName::Empty));
        assert_eq!(PersonName::new(&"a".repeat(MAX_PERSON_NAME + 1)), Err(InvalidPersonName::TooLong));
        assert_eq!(PersonName::new("a\nb"), Err(InvalidPersonName::Control));
        assert!(serde_json::from_str::<PersonName>("\"\"").is_err());
    }

    #[test]
    fn derived_ids_are_stable_and_case_scoped() {
        let a = DocumentId::derived("abc", Some("case-1"));
        assert_eq!(a, DocumentId::derived("abc", Some("case-1")));
        assert_ne!(a, DocumentId::derived("abc", Some("case-2")));
        assert_eq!(a.transition_id("accepted"), a.transition_id("accepted"));
        assert_ne!(a.transition_id("accepted"), a.transition_id("received"));
    }
}
