//! The review side of the workers: the index of files already seen per case (duplicates go to a
//! person), and the consumer that turns a reviewer's decision into the document's outcome — an
//! audit record written once, then the `document.reviewed` event.

use crate::events;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use tamis_route::review::ReviewDecision;
use tamis_shared::blob::BlobStore;
use tamis_shared::broker::{Handled, InMessage};
use tamis_shared::error::{parse_message, StageError, INTERNAL_ERROR};
use tamis_shared::records::Records;
use tamis_shared::topology::Topology;
use tamis_shared::{DocumentId, Work};

/// Where the audit record of one decision is kept in the blob store (one object per decision,
/// written once: see docs/review.md).
pub fn audit_key(document_id: &DocumentId, decision_id: &uuid::Uuid) -> String {
    format!("audit/{document_id}/{decision_id}.json")
}

/// The document first submitted with the same bytes for the same case, if it is another one.
/// The first submission claims `seen/<hash of case>/<sha256>` in the blob store; a redelivery of
/// that same document finds its own id there and is not a duplicate.
pub async fn earlier_submission(blobs: &BlobStore, work: &Work) -> Result<Option<DocumentId>, StageError> {
    let env = &work.envelope;
    let Some(case) = env.case_id.as_deref() else { return Ok(None) };
    // The case id is hashed: it may be personal and is not a safe path segment.
    let key = format!("seen/{}/{}", hex::encode(Sha256::digest(case.as_bytes())), env.blob.sha256);
    let transient = |e: tamis_shared::blob::BlobError| StageError::Transient {
        stage: "route",
        reason: "seen_index_unavailable",
        document_id: env.document_id.to_string(),
        message: format!("cannot read or write the seen-files index: {e}"),
    };
    let existing = blobs.put_once(&key, Bytes::from(env.document_id.to_string())).await.map_err(transient)?;
    Ok(existing
        .and_then(|b| String::from_utf8_lossy(&b).trim().parse::<uuid::Uuid>().ok())
        .map(DocumentId)
        .filter(|first| *first != env.document_id))
}

/// Applies one decision: records it in the audit trail (once, even if redelivered), then returns
/// the `document.reviewed` event to publish before the decision is acknowledged.
pub async fn handle_decision(blobs: &BlobStore, topology: &Topology, msg: InMessage) -> Result<Handled, StageError> {
    let decision: ReviewDecision = match parse_message(&msg.body) {
        Ok(d) => d,
        // The error names a category and a path, never a value of the decision.
        Err(e) => return Ok(Handled::Poison(format!("not a review decision: {e}"))),
    };
    // A panic while applying it parks the decision with `internal_error` (replayed to this queue
    // by `tamis parked replay` once the bug is fixed); `guarded` logs the document id.
    let applied = crate::pipeline::guarded("decision", &decision.document_id, || {
        crate::pipeline::test_panic("decision");
        decision.apply()
    });
    let reviewed = match applied {
        Ok(Ok(r)) => r,
        // The console validates before publishing; an invalid decision here was not sent by it.
        Ok(Err(e)) => return Ok(Handled::Poison(e.to_string())),
        Err(_) => return Ok(Handled::Park(INTERNAL_ERROR)),
    };
    let mut record = serde_json::to_value(&reviewed).unwrap_or_default();
    record["recorded_at"] = serde_json::json!(time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default());
    let key = audit_key(&reviewed.document_id, &reviewed.decision_id);
    let mut line = serde_json::to_vec(&record).unwrap_or_default();
    line.push(b'\n');
    blobs.put_once(&key, Bytes::from(line)).await.map_err(|e| StageError::Transient {
        stage: "review",
        reason: "audit_unavailable",
        document_id: reviewed.document_id.to_string(),
        message: format!("cannot write the audit record: {e}"),
    })?;
    // The document's record (`GET /v1/documents/{id}`), written once per decision like the audit.
    let data = serde_json::to_value(&reviewed).unwrap_or_default();
    Records::new(blobs.clone()).put_reviewed(&reviewed.document_id, &reviewed.decision_id, data).await.map_err(
        |e| StageError::Transient {
            stage: "review",
            reason: "records_unavailable",
            document_id: reviewed.document_id.to_string(),
            message: format!("cannot write the reviewed record: {e}"),
        },
    )?;
    tracing::info!(document_id = %reviewed.document_id, action = reviewed.action.as_str(),
        changes = reviewed.changes.len(), "review decision recorded");
    Ok(Handled::Publish(vec![events::reviewed(topology, &reviewed)]))
}
