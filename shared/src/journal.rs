//! The journal: one small entry each time a document is put into a queue or reaches its outcome,
//! appended to the `{prefix}.journal` stream, from which the console tells how long the oldest
//! item of every queue has waited (quorum queues do not say, and peeking at their head would
//! count as a delivery against the delivery limit).
//!
//! Entries are written by `Broker::publish`, derived from where the published message goes
//! (`entry_for`), so no publisher can forget one; each is confirmed before the message it
//! describes is published. An entry holds the document id, the place (a queue name without the
//! prefix, or an outcome) and the time: never a case id, a name, a field or a file name.
//! Schema: `schemas/journal.v1.json`.

use crate::broker::OutMessage;
use crate::document::DocumentId;
use crate::topology::{Stage, Topology};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// AMQP `type` property of a journal entry.
pub const JOURNAL_TYPE: &str = "tamis.journal.v1";
/// AMQP `type` property of a reader's mark: an empty message a reader (the console) appends when
/// it starts reading, so that it knows it has read everything written before once it sees its mark.
pub const MARK_TYPE: &str = "tamis.journal_mark.v1";

/// How a document's journey ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// Accepted without a person (`document.accepted`).
    Accepted,
    /// Unusable input (`document.rejected`).
    Rejected,
    /// A person decided (`document.reviewed`).
    Reviewed,
}

impl Finish {
    /// The name in entries and event routing keys.
    pub fn as_str(&self) -> &'static str {
        match self {
            Finish::Accepted => "accepted",
            Finish::Rejected => "rejected",
            Finish::Reviewed => "reviewed",
        }
    }
}

/// Where a document is after the publish an entry records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// It waits in this queue (its name without the prefix: `ocr`, `review.payslip`, `decisions`,
    /// `parking`...). A message sent to a retry delay tier is recorded at the stage it returns to.
    #[serde(rename = "queue")]
    Queue(String),
    /// It has left the pipeline with this outcome.
    #[serde(rename = "outcome")]
    Outcome(Finish),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Queue(q) => write!(f, "{q}"),
            Place::Outcome(o) => write!(f, "outcome:{}", o.as_str()),
        }
    }
}

/// One journal entry (`tamis.journal.v1`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub document_id: DocumentId,
    #[serde(flatten)]
    pub place: Place,
    /// When the publisher put the document there (its clock, millisecond precision).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Now, to the millisecond (entries need no more, and stay short).
pub fn now_ms() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_millisecond(now.millisecond()).unwrap_or(now)
}

impl Entry {
    /// The message that appends this entry to the journal.
    pub fn message(&self, topology: &Topology) -> OutMessage {
        let at_ms = (self.at.unix_timestamp_nanos() / 1_000_000) as i64;
        OutMessage {
            exchange: topology.journal_queue(),
            routing_key: String::new(),
            body: serde_json::to_vec(self).unwrap_or_default(),
            content_type: "application/json".into(),
            message_id: self.document_id.transition_id(&format!("journal:{}:{at_ms}", self.place)).to_string(),
            kind: JOURNAL_TYPE.into(),
            headers: BTreeMap::from([(crate::retry::DOCUMENT_ID.to_string(), self.document_id.to_string())]),
        }
    }

    /// Milliseconds since the Unix epoch of `at`.
    pub fn at_ms(&self) -> i64 {
        (self.at.unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// A reader's mark (see `MARK_TYPE`), told apart by its message id.
pub fn mark_message(topology: &Topology, mark: &uuid::Uuid) -> OutMessage {
    OutMessage {
        exchange: topology.journal_queue(),
        routing_key: String::new(),
        body: Vec::new(),
        content_type: "application/json".into(),
        message_id: mark.to_string(),
        kind: MARK_TYPE.into(),
        headers: BTreeMap::new(),
    }
}

/// Where a message published to `exchange` with `routing_key` puts the document it carries, if
/// anywhere: a stage queue, a review queue, the decisions queue, parking, or an outcome. Received
/// and review-requested events move nothing (the work and review item messages beside them do).
pub fn place_of(topology: &Topology, exchange: &str, routing_key: &str) -> Option<Place> {
    let queue = |q: &str| Some(Place::Queue(q.to_string()));
    let pipeline_key = |key: &str| {
        if key == Topology::DECISION_KEY {
            return queue("decisions");
        }
        key.parse::<Stage>().ok().and_then(|s| queue(s.as_str()))
    };
    if exchange == topology.pipeline_exchange() || topology.is_retry_exchange(exchange) {
        // A delay tier dead-letters back to the pipeline exchange with the same key: the entry
        // names the queue the document returns to, where it is waited for.
        pipeline_key(routing_key)
    } else if exchange == topology.review_exchange() {
        if routing_key == Topology::DECISION_KEY {
            queue("decisions")
        } else {
            queue(&format!("review.{routing_key}"))
        }
    } else if exchange == topology.dead_letter_exchange() {
        queue("parking")
    } else if exchange == topology.events_exchange() {
        let mut parts = routing_key.split('.');
        match (parts.next(), parts.next()) {
            (Some("document"), Some("accepted")) => Some(Place::Outcome(Finish::Accepted)),
            (Some("document"), Some("rejected")) => Some(Place::Outcome(Finish::Rejected)),
            (Some("document"), Some("reviewed")) => Some(Place::Outcome(Finish::Reviewed)),
            _ => None,
        }
    } else {
        None
    }
}

/// The journal entry of publishing `m` now, if it moves a document (its `document_id` header
/// names it; a message without one is about no document).
pub fn entry_for(topology: &Topology, m: &OutMessage) -> Option<Entry> {
    let id: uuid::Uuid = m.headers.get(crate::retry::DOCUMENT_ID)?.parse().ok()?;
    let place = place_of(topology, &m.exchange, &m.routing_key)?;
    Some(Entry { document_id: DocumentId(id), place, at: now_ms() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(exchange: &str, key: &str, doc: Option<&str>) -> OutMessage {
        OutMessage {
            exchange: exchange.into(),
            routing_key: key.into(),
            body: b"{}".to_vec(),
            content_type: "application/json".into(),
            message_id: "m".into(),
            kind: "k".into(),
            headers: doc.map(|d| BTreeMap::from([("document_id".to_string(), d.to_string())])).unwrap_or_default(),
        }
    }

    #[test]
    fn every_move_of_a_document_has_its_place() {
        let t = Topology::new("tamis", 5);
        let d = "0b7e2f0a-4c1d-4e5f-8a9b-1c2d3e4f5a6b";
        let place = |ex: &str, key: &str| entry_for(&t, &msg(ex, key, Some(d))).map(|e| e.place.to_string());
        assert_eq!(place("tamis.pipeline", "ocr").as_deref(), Some("ocr"));
        assert_eq!(place("tamis.pipeline", "route").as_deref(), Some("route"));
        assert_eq!(place("tamis.pipeline", "decision").as_deref(), Some("decisions"), "a decision on its retry path");
        assert_eq!(place("tamis.retry.5s", "classify").as_deref(), Some("classify"), "a retry returns to its stage");
        assert_eq!(place("tamis.review", "passport").as_deref(), Some("review.passport"));
        assert_eq!(place("tamis.review", "decision").as_deref(), Some("decisions"));
        assert_eq!(place("tamis.dlx", "extract").as_deref(), Some("parking"));
        assert_eq!(place("tamis.events", "document.accepted.payslip").as_deref(), Some("outcome:accepted"));
        assert_eq!(place("tamis.events", "document.rejected.none").as_deref(), Some("outcome:rejected"));
        assert_eq!(place("tamis.events", "document.reviewed.tax_notice").as_deref(), Some("outcome:reviewed"));
        // Events beside a move, and what is not Tamis's, record nothing.
        assert_eq!(place("tamis.events", "document.received.none"), None);
        assert_eq!(place("tamis.events", "document.review_requested.payslip"), None);
        assert_eq!(place("tamis.pipeline", "unknown"), None);
        assert_eq!(place("tamis.journal", ""), None, "an entry has no entry");
        assert_eq!(place("other.pipeline", "ocr"), None);
        assert_eq!(entry_for(&t, &msg("tamis.pipeline", "ocr", None)), None, "no document id, no entry");
        assert_eq!(entry_for(&t, &msg("tamis.pipeline", "ocr", Some("not-a-uuid"))), None);
    }

    #[test]
    fn an_entry_is_small_json_without_personal_data() {
        let t = Topology::new("tamis", 5);
        let mut m = msg("tamis.review", "payslip", Some("0b7e2f0a-4c1d-4e5f-8a9b-1c2d3e4f5a6b"));
        m.headers.insert("traceparent".into(), "00-abc-def-01".into());
        m.body = br#"{"case_id": "CAF-1", "file_name": "bulletin DUPONT.pdf"}"#.to_vec();
        let e = entry_for(&t, &m).unwrap();
        let j = e.message(&t);
        assert_eq!((j.exchange.as_str(), j.kind.as_str()), ("tamis.journal", JOURNAL_TYPE));
        let v: serde_json::Value = serde_json::from_slice(&j.body).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["at", "document_id", "queue"]);
        assert_eq!(v["queue"], "review.payslip");
        assert_eq!(j.headers.keys().collect::<Vec<_>>(), ["document_id"], "no trace or other header copied");
        let back: Entry = serde_json::from_slice(&j.body).unwrap();
        assert_eq!(back, e);
        let done: Entry = serde_json::from_str(
            r#"{"document_id": "0b7e2f0a-4c1d-4e5f-8a9b-1c2d3e4f5a6b", "outcome": "reviewed", "at": "2025-03-14T09:26:53.589Z"}"#,
        )
        .unwrap();
        assert_eq!(done.place, Place::Outcome(Finish::Reviewed));
        assert_eq!(done.at_ms() % 1000, 589);
    }
}
