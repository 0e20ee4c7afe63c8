//! Human review: the item a reviewer works on, the decision they send back through RabbitMQ, and
//! what that decision makes of the document (the `document.reviewed` outcome and its audit
//! record). The console builds decisions and the review worker applies them with the same code,
//! so both agree on what a valid decision is.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tamis_shared::{BlobRef, DocumentId, DocumentType, Field, FieldSource, Outcome, PersonName, Reason};
use time::OffsetDateTime;
use uuid::Uuid;

/// AMQP `type` of a review item.
pub const REVIEW_ITEM_TYPE: &str = "tamis.review_item.v1";
/// AMQP `type` of a review decision.
pub const REVIEW_DECISION_TYPE: &str = "tamis.review_decision.v1";
/// Longest reject reason or corrected value a decision may carry (characters).
pub const MAX_TEXT: usize = 500;

/// Geometry of one page as OCR read it, so the console can place field boxes on the page image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageGeometry {
    /// 1-based page number.
    pub number: u32,
    /// Size in pixels of the image the boxes refer to.
    pub width: u32,
    pub height: u32,
    /// Clockwise quarter turn OCR applied to read the page upright.
    pub rotation: u16,
    /// Small-angle deskew OCR applied after the quarter turn, in degrees (content turned
    /// counter-clockwise by this much was straightened about the image's centre): the boxes
    /// refer to the straightened image, so the console turns them back onto the page image.
    #[serde(default)]
    pub skew: f32,
}

/// The body of a message on a review queue (schemas/review_item.v1.json).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub document_id: DocumentId,
    /// The case the document belongs to; absent (never null) when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// The case's persons as the submission named them, for the reviewer to compare (a
    /// `name_mismatch`); absent when not given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub case_persons: Vec<PersonName>,
    pub blob: BlobRef,
    pub file_name: String,
    pub outcome: Outcome,
    /// Page geometry (absent in items queued before it was added).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<PageGeometry>,
}

/// What a reviewer decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The fields are right as read.
    Accept,
    /// Some fields were wrong; `corrections` holds their right values.
    Correct,
    /// The type was wrong; `new_type` holds the right one (corrections may come with it).
    Retype,
    /// The document cannot be used; `reject_reason` says why.
    Reject,
}

impl Action {
    /// The action as written on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Correct => "correct",
            Action::Retype => "retype",
            Action::Reject => "reject",
        }
    }
}

/// The message a console publishes when a reviewer decides (schemas/review_decision.v1.json).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewDecision {
    /// Unique per decision: the audit record's key and the reviewed event's id derive from it.
    pub decision_id: Uuid,
    pub document_id: DocumentId,
    pub action: Action,
    /// Login of the person who decided.
    pub reviewer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// Field name -> the value the reviewer typed (only fields they changed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub corrections: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_type: Option<DocumentType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    /// The item as the reviewer saw it, so the decision is self-contained.
    pub item: ReviewItem,
}

/// One field a reviewer changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    /// The value as read (None when the machine found nothing).
    pub before: Option<String>,
    pub after: String,
}

/// The human outcome of a document: the data of `document.reviewed` and the audit record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reviewed {
    pub document_id: DocumentId,
    /// The case the document belongs to; absent (never null) when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    pub decision_id: Uuid,
    pub action: Action,
    pub reviewer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    pub file_name: String,
    pub sha256: String,
    /// The type after review (None when nothing was classified and the item was rejected).
    pub doc_type: Option<DocumentType>,
    /// The type the machine gave, when the reviewer changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_type: Option<DocumentType>,
    /// Every field changed, before and after.
    pub changes: Vec<Change>,
    /// The fields as they stand after review (empty for a rejection).
    pub fields: BTreeMap<String, Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    /// Why the machine had sent the document to a person.
    pub review_reasons: Vec<Reason>,
}

/// A decision that cannot be applied.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("decision {decision_id} names document {named} but carries the item of {item}; it is discarded")]
    WrongDocument { decision_id: Uuid, named: DocumentId, item: DocumentId },
    #[error("a {action} decision on document {document_id} {problem}")]
    Incomplete { action: &'static str, document_id: DocumentId, problem: &'static str },
    #[error("a decision on document {document_id} carries a value longer than {MAX_TEXT} characters")]
    TooLong { document_id: DocumentId },
    #[error("a decision on document {document_id} has no reviewer")]
    NoReviewer { document_id: DocumentId },
}

impl ReviewDecision {
    /// Checks the decision is complete and consistent (what `apply` requires).
    pub fn validate(&self) -> Result<(), DecisionError> {
        let id = self.document_id;
        if id != self.item.document_id {
            return Err(DecisionError::WrongDocument {
                decision_id: self.decision_id,
                named: id,
                item: self.item.document_id,
            });
        }
        if self.reviewer.trim().is_empty() {
            return Err(DecisionError::NoReviewer { document_id: id });
        }
        let texts = self.corrections.iter().flat_map(|(k, v)| [k, v]).chain(self.reject_reason.as_ref());
        if texts.into_iter().any(|s| s.chars().count() > MAX_TEXT) {
            return Err(DecisionError::TooLong { document_id: id });
        }
        let incomplete =
            |problem| Err(DecisionError::Incomplete { action: self.action.as_str(), document_id: id, problem });
        match self.action {
            Action::Accept if !self.corrections.is_empty() => incomplete("must not carry corrections (use correct)"),
            Action::Correct if self.corrections.is_empty() => incomplete("must carry at least one corrected field"),
            Action::Retype if self.new_type.is_none() => incomplete("must name the new type"),
            Action::Reject if self.reject_reason.as_deref().map(str::trim).unwrap_or("").is_empty() => {
                incomplete("must give a reason")
            }
            Action::Reject if !self.corrections.is_empty() => incomplete("must not carry corrections"),
            _ => Ok(()),
        }
    }

    /// What the decision makes of the document.
    pub fn apply(&self) -> Result<Reviewed, DecisionError> {
        self.validate()?;
        let o = &self.item.outcome;
        let primary = o.primary();
        let machine_type = primary.map(|d| d.document.doc_type.clone());
        let mut fields = primary.map(|d| d.document.fields.clone()).unwrap_or_default();
        let mut changes = Vec::new();
        for (name, after) in &self.corrections {
            let after = after.trim().to_string();
            let before = fields.get(name).map(|f| f.value.clone());
            if before.as_deref() == Some(after.as_str()) {
                continue;
            }
            let field = fields.entry(name.clone()).or_insert_with(|| Field {
                value: String::new(),
                confidence: 1.0,
                page: None,
                bbox: None,
                source: FieldSource::Reviewer,
                valid: None,
            });
            // A person vouches for the value now; the box still shows where it was read.
            field.value = after.clone();
            field.confidence = 1.0;
            field.source = FieldSource::Reviewer;
            field.valid = None;
            changes.push(Change { field: name.clone(), before, after });
        }
        let (doc_type, previous_type) = match (&self.action, &self.new_type) {
            (Action::Retype, Some(t)) if Some(t) != machine_type.as_ref() => (Some(t.clone()), machine_type.clone()),
            _ => (machine_type.clone(), None),
        };
        if self.action == Action::Reject {
            fields.clear();
        }
        Ok(Reviewed {
            document_id: self.document_id,
            case_id: self.item.case_id.clone(),
            decision_id: self.decision_id,
            action: self.action,
            reviewer: self.reviewer.clone(),
            decided_at: self.decided_at,
            file_name: self.item.file_name.clone(),
            sha256: o.sha256.clone(),
            doc_type,
            previous_type,
            changes,
            fields,
            reject_reason: self.reject_reason.clone().filter(|_| self.action == Action::Reject),
            review_reasons: o.reasons.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::outcome::DocumentOutcome;
    use tamis_shared::{Decision, DocumentResult, MediaType};

    fn item() -> ReviewItem {
        let mut fields = BTreeMap::new();
        fields.insert(
            "iban".to_string(),
            Field {
                value: "FR7600".into(),
                confidence: 0.5,
                page: Some(1),
                bbox: None,
                source: FieldSource::Ocr,
                valid: Some(false),
            },
        );
        let doc = DocumentResult {
            doc_type: DocumentType::BankDetails,
            confidence: 0.95,
            pages: vec![1],
            fields,
            findings: vec![],
        };
        let id = DocumentId::new();
        ReviewItem {
            document_id: id,
            case_id: Some("c1".into()),
            case_persons: vec![],
            blob: BlobRef { key: "k".into(), sha256: "0".repeat(64), media_type: MediaType::Pdf, size: 1 },
            file_name: "rib.pdf".into(),
            outcome: Outcome {
                document_id: id,
                case_id: Some("c1".into()),
                file_name: "rib.pdf".into(),
                sha256: "0".repeat(64),
                decision: Decision::Review,
                reasons: vec![Reason::new("invalid:iban", "The field iban failed its check.")],
                documents: vec![DocumentOutcome { document: doc, decision: Decision::Review, reasons: vec![] }],
            },
            pages: vec![],
        }
    }

    fn decision(action: Action) -> ReviewDecision {
        let item = item();
        ReviewDecision {
            decision_id: Uuid::new_v4(),
            document_id: item.document_id,
            action,
            reviewer: "alice".into(),
            decided_at: OffsetDateTime::UNIX_EPOCH,
            corrections: BTreeMap::new(),
            new_type: None,
            reject_reason: None,
            item,
        }
    }

    #[test]
    fn a_correction_records_before_and_after_and_vouches_for_the_value() {
        let mut d = decision(Action::Correct);
        d.corrections.insert("iban".into(), " FR7630006000011234567890189 ".into());
        d.corrections.insert("bic".into(), "AGRIFRPP".into());
        let r = d.apply().unwrap();
        assert_eq!(r.changes.len(), 2);
        let iban = r.changes.iter().find(|c| c.field == "iban").unwrap();
        assert_eq!((iban.before.as_deref(), iban.after.as_str()), (Some("FR7600"), "FR7630006000011234567890189"));
        assert_eq!(r.changes.iter().find(|c| c.field == "bic").unwrap().before, None);
        assert_eq!(r.fields["iban"].source, FieldSource::Reviewer);
        assert_eq!(r.fields["iban"].confidence, 1.0);
        assert_eq!(r.review_reasons[0].code, "invalid:iban");
    }

    #[test]
    fn incomplete_decisions_are_refused() {
        assert!(decision(Action::Correct).apply().is_err(), "a correction without fields");
        assert!(decision(Action::Retype).apply().is_err(), "a re-type without type");
        assert!(decision(Action::Reject).apply().is_err(), "a rejection without reason");
        let mut d = decision(Action::Accept);
        d.corrections.insert("iban".into(), "x".into());
        assert!(d.apply().is_err(), "an accept with corrections");
        let mut d = decision(Action::Accept);
        d.document_id = DocumentId::new();
        assert!(matches!(d.apply(), Err(DecisionError::WrongDocument { .. })));
        let mut d = decision(Action::Reject);
        d.reject_reason = Some("x".repeat(MAX_TEXT + 1));
        assert!(matches!(d.apply(), Err(DecisionError::TooLong { .. })));
    }

    #[test]
    fn retype_and_reject_say_what_changed() {
        let mut d = decision(Action::Retype);
        d.new_type = Some(DocumentType::Payslip);
        let r = d.apply().unwrap();
        assert_eq!((r.doc_type, r.previous_type), (Some(DocumentType::Payslip), Some(DocumentType::BankDetails)));
        let mut d = decision(Action::Reject);
        d.reject_reason = Some("illegible".into());
        let r = d.apply().unwrap();
        assert!(r.fields.is_empty());
        assert_eq!(r.reject_reason.as_deref(), Some("illegible"));
        let r = decision(Action::Accept).apply().unwrap();
        assert!(r.changes.is_empty() && r.reject_reason.is_none() && r.fields.contains_key("iban"));
    }
}
