//! Per-document records in the blob store: what `tamis api` answers `GET /v1/documents/{id}` from,
//! and what the console's case search reads. They live beside the documents (no database) so
//! that they survive restarts and every replica sees the same ones; each record is written once
//! (`BlobStore::put_once`) by the process that knows it, never updated.
//!
//! Key layout (no personal data in a key: case ids are hashed, the rest are ids and hex):
//!
//! | key | written by | holds |
//! | --- | --- | --- |
//! | `records/{document_id}/received.json` | submission (`tamis submit`, `tamis api`), after the document was published | [`Received`]: submitting client, case id, file name, hash, media type, size, time |
//! | `records/{document_id}/processing.json` | the OCR stage, when it first takes the document | [`Processing`]: time |
//! | `records/{document_id}/outcome.json` | the route stage, before it publishes the outcome event | [`OutcomeRecord`]: the event's `data` (an `Outcome`) and time |
//! | `records/{document_id}/reviewed/{decision_id}.json` | the decisions consumer, before it publishes `document.reviewed` | [`ReviewedRecord`]: the event's `data` and time |
//! | `cases/{sha256(case_id)}/{document_id}` | submission | the document id (the case's documents, listed by prefix) |
//! | `idempotency/{sha256(client, key)}` | `tamis api` | the document id an `Idempotency-Key` of a client was first used for |
//!
//! `sha256(case_id)` is the lower-case hex SHA-256 of the case id's UTF-8 bytes (as in the
//! seen-files index `seen/{sha256(case_id)}/{sha256 of the file}`).

use crate::blob::{sha256_hex, BlobError, BlobStore};
use crate::document::DocumentId;
use crate::outcome::{Decision, Outcome};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The folder of one document's records.
pub fn document_prefix(id: &DocumentId) -> String {
    format!("records/{id}")
}

/// Where the received record of a document is.
pub fn received_key(id: &DocumentId) -> String {
    format!("records/{id}/received.json")
}

/// Where the processing marker of a document is.
pub fn processing_key(id: &DocumentId) -> String {
    format!("records/{id}/processing.json")
}

/// Where the outcome record of a document is.
pub fn outcome_key(id: &DocumentId) -> String {
    format!("records/{id}/outcome.json")
}

/// Where the record of one review decision about a document is.
pub fn reviewed_key(id: &DocumentId, decision_id: &uuid::Uuid) -> String {
    format!("records/{id}/reviewed/{decision_id}.json")
}

/// The folder of a case's index: one key per document submitted for it.
pub fn case_prefix(case_id: &str) -> String {
    format!("cases/{}", sha256_hex(case_id.as_bytes()))
}

/// The index entry of one document of a case.
pub fn case_key(case_id: &str, id: &DocumentId) -> String {
    format!("{}/{id}", case_prefix(case_id))
}

/// Where the document id an idempotency key of a client was first used for is kept. The client
/// name and the key are hashed together (a key is the client's own string, unbounded in content).
pub fn idempotency_key(client: &str, key: &str) -> String {
    let mut joined = Vec::with_capacity(client.len() + key.len() + 1);
    joined.extend_from_slice(client.as_bytes());
    // A separator that can be in neither (names are checked, keys are visible ASCII).
    joined.push(b'\n');
    joined.extend_from_slice(key.as_bytes());
    format!("idempotency/{}", sha256_hex(&joined))
}

/// A document was submitted and published to the pipeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Received {
    pub document_id: DocumentId,
    /// The API client that submitted it; absent for `tamis submit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    pub file_name: String,
    pub sha256: String,
    /// IANA media type sniffed from the bytes.
    pub media_type: String,
    pub size: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

/// The OCR stage took the document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Processing {
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
}

/// The pipeline's decision, as in the outcome event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    pub outcome: Outcome,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

/// A person's decision, as in the `document.reviewed` event (kept as JSON: its type belongs to
/// the route crate, which this one does not know).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewedRecord {
    pub reviewed: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// Where a document is in its life, from the records found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Submitted; no stage took it yet.
    Received,
    /// In the pipeline.
    Processing,
    /// Sent to a person; not final (`reviewed` follows).
    Review,
    /// Accepted without a person: final.
    Accepted,
    /// Unusable input: final.
    Rejected,
    /// A person decided: final.
    Reviewed,
}

/// Everything recorded about one document.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentRecords {
    pub received: Option<Received>,
    pub processing: Option<Processing>,
    pub outcome: Option<OutcomeRecord>,
    /// Oldest first.
    pub reviewed: Vec<ReviewedRecord>,
}

impl DocumentRecords {
    /// The state these records show; None when nothing is recorded.
    pub fn state(&self) -> Option<State> {
        if !self.reviewed.is_empty() {
            return Some(State::Reviewed);
        }
        if let Some(o) = &self.outcome {
            return Some(match o.outcome.decision {
                Decision::Auto => State::Accepted,
                Decision::Review => State::Review,
                Decision::Error => State::Rejected,
            });
        }
        if self.processing.is_some() {
            return Some(State::Processing);
        }
        self.received.as_ref().map(|_| State::Received)
    }
}

/// Why the records could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] BlobError),
    #[error("record {key} of document {document_id} is not valid JSON of its kind ({message}): the store is damaged")]
    Damaged { key: String, document_id: DocumentId, message: String },
}

/// Reads and writes the records of the layout above.
#[derive(Clone)]
pub struct Records {
    blobs: BlobStore,
}

impl Records {
    pub fn new(blobs: BlobStore) -> Records {
        Records { blobs }
    }

    async fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), RecordError> {
        let mut bytes = serde_json::to_vec(value).unwrap_or_default();
        bytes.push(b'\n');
        self.blobs.put_once(key, Bytes::from(bytes)).await?;
        Ok(())
    }

    /// Records a submission and indexes it under its case (both idempotent).
    pub async fn put_received(&self, r: &Received) -> Result<(), RecordError> {
        self.put(&received_key(&r.document_id), r).await?;
        if let Some(case) = &r.case_id {
            self.blobs.put_once(&case_key(case, &r.document_id), Bytes::from(r.document_id.to_string())).await?;
        }
        Ok(())
    }

    /// Marks the document as taken by the pipeline (kept from the first time).
    pub async fn put_processing(&self, id: &DocumentId) -> Result<(), RecordError> {
        self.put(&processing_key(id), &Processing { started_at: OffsetDateTime::now_utc() }).await
    }

    /// Records the pipeline's outcome (the first one stays: a redelivery decides the same).
    pub async fn put_outcome(&self, outcome: &Outcome) -> Result<(), RecordError> {
        let r = OutcomeRecord { outcome: outcome.clone(), decided_at: OffsetDateTime::now_utc() };
        self.put(&outcome_key(&outcome.document_id), &r).await
    }

    /// Records one review decision (`reviewed` is the `document.reviewed` event's data).
    pub async fn put_reviewed(
        &self,
        id: &DocumentId,
        decision_id: &uuid::Uuid,
        reviewed: serde_json::Value,
    ) -> Result<(), RecordError> {
        let r = ReviewedRecord { reviewed, recorded_at: OffsetDateTime::now_utc() };
        self.put(&reviewed_key(id, decision_id), &r).await
    }

    /// Claims `key` of `client` for `document_id`; returns the document it was claimed for
    /// before when that is another one.
    pub async fn claim_idempotency_key(
        &self,
        client: &str,
        key: &str,
        document_id: &DocumentId,
    ) -> Result<Option<DocumentId>, RecordError> {
        let k = idempotency_key(client, key);
        let existing = self.blobs.put_once(&k, Bytes::from(document_id.to_string())).await?;
        let Some(bytes) = existing else { return Ok(None) };
        let first =
            String::from_utf8_lossy(&bytes).trim().parse::<uuid::Uuid>().map(DocumentId).map_err(|e| {
                RecordError::Damaged { key: k.clone(), document_id: *document_id, message: e.to_string() }
            })?;
        Ok(Some(first).filter(|f| f != document_id))
    }

    /// Every record of one document (one listing of its folder).
    pub async fn document(&self, id: &DocumentId) -> Result<DocumentRecords, RecordError> {
        let mut out = DocumentRecords { received: None, processing: None, outcome: None, reviewed: Vec::new() };
        for (key, bytes) in self.blobs.records(&document_prefix(id)).await? {
            let damaged = |e: serde_json::Error| RecordError::Damaged {
                key: key.clone(),
                document_id: *id,
                message: e.to_string(),
            };
            if key == received_key(id) {
                out.received = Some(serde_json::from_slice(&bytes).map_err(damaged)?);
            } else if key == processing_key(id) {
                out.processing = Some(serde_json::from_slice(&bytes).map_err(damaged)?);
            } else if key == outcome_key(id) {
                out.outcome = Some(serde_json::from_slice(&bytes).map_err(damaged)?);
            } else if key.starts_with(&format!("{}/reviewed/", document_prefix(id))) {
                out.reviewed.push(serde_json::from_slice(&bytes).map_err(damaged)?);
            }
        }
        out.reviewed.sort_by_key(|r| r.recorded_at);
        Ok(out)
    }

    /// The documents submitted for a case (any client), in id order.
    pub async fn case_documents(&self, case_id: &str) -> Result<Vec<DocumentId>, RecordError> {
        let prefix = case_prefix(case_id);
        Ok(self
            .blobs
            .records(&prefix)
            .await?
            .into_iter()
            .filter_map(|(k, _)| k.rsplit('/').next().and_then(|id| id.parse::<uuid::Uuid>().ok()).map(DocumentId))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Reason;

    fn received(id: DocumentId, case: &str) -> Received {
        Received {
            document_id: id,
            client: Some("caf".into()),
            case_id: Some(case.into()),
            file_name: "MARTIN Jeanne RIB.pdf".into(),
            sha256: "ab".repeat(32),
            media_type: "application/pdf".into(),
            size: 10,
            received_at: OffsetDateTime::now_utc(),
        }
    }

    #[tokio::test]
    async fn a_document_goes_through_its_states() {
        let records = Records::new(BlobStore::open("memory://").unwrap());
        let id = DocumentId::new();
        assert_eq!(records.document(&id).await.unwrap().state(), None);
        records.put_received(&received(id, "CASE-1")).await.unwrap();
        assert_eq!(records.document(&id).await.unwrap().state(), Some(State::Received));
        records.put_processing(&id).await.unwrap();
        assert_eq!(records.document(&id).await.unwrap().state(), Some(State::Processing));
        let outcome = Outcome {
            document_id: id,
            case_id: Some("CASE-1".into()),
            file_name: "x.pdf".into(),
            sha256: "ab".repeat(32),
            decision: Decision::Review,
            reasons: vec![Reason::new("duplicate", "seen before")],
            documents: vec![],
        };
        records.put_outcome(&outcome).await.unwrap();
        let r = records.document(&id).await.unwrap();
        assert_eq!(r.state(), Some(State::Review));
        assert_eq!(r.outcome.unwrap().outcome, outcome);
        records.put_reviewed(&id, &uuid::Uuid::new_v4(), serde_json::json!({"action": "accept"})).await.unwrap();
        let r = records.document(&id).await.unwrap();
        assert_eq!(r.state(), Some(State::Reviewed));
        assert_eq!(r.received.unwrap().client.as_deref(), Some("caf"));
        assert_eq!(records.case_documents("CASE-1").await.unwrap(), vec![id]);
        assert!(records.case_documents("CASE-2").await.unwrap().is_empty());
    }

    #[test]
    fn keys_hold_no_case_id_or_file_name() {
        let id = DocumentId::new();
        let key = case_key("CASE-0042 MARTIN", &id);
        assert!(!key.contains("CASE") && !key.contains("MARTIN"), "{key}");
        assert!(key.starts_with("cases/") && key.ends_with(&id.to_string()));
        assert_eq!(idempotency_key("caf", "k1"), idempotency_key("caf", "k1"));
        assert_ne!(idempotency_key("caf", "k1"), idempotency_key("msa", "k1"), "keys are per client");
    }

    #[tokio::test]
    async fn an_idempotency_key_is_bound_to_its_first_document() {
        let records = Records::new(BlobStore::open("memory://").unwrap());
        let (a, b) = (DocumentId::new(), DocumentId::new());
        assert_eq!(records.claim_idempotency_key("caf", "k1", &a).await.unwrap(), None);
        assert_eq!(records.claim_idempotency_key("caf", "k1", &a).await.unwrap(), None, "same document: fine");
        assert_eq!(records.claim_idempotency_key("caf", "k1", &b).await.unwrap(), Some(a));
        assert_eq!(records.claim_idempotency_key("msa", "k1", &b).await.unwrap(), None);
    }
}
