//! A document's history for people: the audit records the route worker wrote for each review
//! decision (`audit/{document}/{decision}.json`, in the blob store), in the order they were made,
//! with what each reviewer changed; and the record of who looked at that history
//! (`console/views/{document}/...`), written before anything is shown, so that no look goes
//! unrecorded.
//!
//! Case search will come from the case records another part of Tamis writes (#22): [`Search`]
//! is where a case id is told from a document id, and a case lookup slots in beside
//! [`Search::Document`]; the console builds no case index of its own.

use bytes::Bytes;
use serde::Serialize;
use tamis_route::review::{Change, Reviewed};
use tamis_shared::blob::{BlobError, BlobStore};
use tamis_shared::{DocumentId, DocumentType};
use time::OffsetDateTime;

/// What the search box was given.
#[derive(Debug, PartialEq, Eq)]
pub enum Search {
    /// A document id: its history page.
    Document(DocumentId),
    /// Anything else is taken for a case id; case search is not there yet.
    Case(String),
    /// Nothing typed.
    Empty,
}

impl Search {
    /// Reads what was typed (surrounding blanks ignored).
    pub fn parse(q: &str) -> Search {
        let q = q.trim();
        if q.is_empty() {
            return Search::Empty;
        }
        match q.parse::<uuid::Uuid>() {
            Ok(u) => Search::Document(DocumentId(u)),
            Err(_) => Search::Case(q.to_string()),
        }
    }
}

/// One review decision, as the history shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub decision_id: uuid::Uuid,
    pub action: &'static str,
    pub reviewer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// When the route worker wrote the record (absent in records from before it was kept).
    pub recorded_at: Option<String>,
    pub doc_type: Option<DocumentType>,
    /// The machine's type, when the reviewer changed it.
    pub previous_type: Option<DocumentType>,
    /// Field, before, after.
    pub changes: Vec<Change>,
    pub reject_reason: Option<String>,
    /// Codes of the reasons the machine sent it to a person.
    pub review_reasons: Vec<String>,
    pub case_id: Option<String>,
}

/// Someone who looked at the history.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct View {
    pub user: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A document's history.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub document_id: DocumentId,
    pub entries: Vec<Entry>,
    /// Records that could not be read (their keys stay in the blob store for an operator).
    pub unreadable: usize,
    /// Earlier looks at this history, oldest first (this one included).
    pub views: Vec<View>,
}

impl History {
    /// Every type the document had in its records: the types a reviewer's scope is checked against.
    pub fn types(&self) -> impl Iterator<Item = &DocumentType> {
        self.entries.iter().flat_map(|e| e.doc_type.iter().chain(e.previous_type.iter()))
    }
}

fn audit_prefix(id: &DocumentId) -> String {
    format!("audit/{id}")
}

fn views_prefix(id: &DocumentId) -> String {
    format!("console/views/{id}")
}

/// Turns audit records into entries, in the order the decisions were made; records that do not
/// parse are counted, never guessed at.
pub fn entries(records: &[(String, Bytes)]) -> (Vec<Entry>, usize) {
    let mut out = Vec::new();
    let mut unreadable = 0;
    for (_, bytes) in records {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
            unreadable += 1;
            continue;
        };
        let recorded_at = value.get("recorded_at").and_then(|v| v.as_str()).map(str::to_string);
        let Ok(r) = serde_json::from_value::<Reviewed>(value) else {
            unreadable += 1;
            continue;
        };
        out.push(Entry {
            decision_id: r.decision_id,
            action: r.action.as_str(),
            reviewer: r.reviewer,
            decided_at: r.decided_at,
            recorded_at,
            doc_type: r.doc_type,
            previous_type: r.previous_type,
            changes: r.changes,
            reject_reason: r.reject_reason,
            review_reasons: r.review_reasons.into_iter().map(|x| x.code.to_string()).collect(),
            case_id: r.case_id,
        });
    }
    out.sort_by(|a, b| a.decided_at.cmp(&b.decided_at).then(a.decision_id.cmp(&b.decision_id)));
    (out, unreadable)
}

/// Reads the audit records of a document.
pub async fn load(blobs: &BlobStore, id: &DocumentId) -> Result<History, BlobError> {
    let (entries, unreadable) = entries(&blobs.records(&audit_prefix(id)).await?);
    Ok(History { document_id: *id, entries, unreadable, views: Vec::new() })
}

/// Records that `user` looked at the history of `id` (a new object each time, never
/// overwritten), then returns every look so far, oldest first.
pub async fn record_view(blobs: &BlobStore, id: &DocumentId, user: &str) -> Result<Vec<View>, BlobError> {
    let view = View { user: user.to_string(), at: OffsetDateTime::now_utc() };
    let key = format!("{}/{}-{}.json", views_prefix(id), view.at.unix_timestamp_nanos(), uuid::Uuid::new_v4().simple());
    blobs.put_once(&key, Bytes::from(serde_json::to_vec(&view).unwrap_or_default())).await?;
    let mut views: Vec<View> =
        blobs.records(&views_prefix(id)).await?.iter().filter_map(|(_, b)| serde_json::from_slice(b).ok()).collect();
    views.sort_by_key(|v| v.at);
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_box_tells_a_document_id_from_a_case_id() {
        let id = uuid::Uuid::new_v4();
        assert_eq!(Search::parse(&format!("  {id} ")), Search::Document(DocumentId(id)));
        assert_eq!(Search::parse("CAF-75-2025-004187"), Search::Case("CAF-75-2025-004187".into()));
        assert_eq!(Search::parse("  "), Search::Empty);
    }

    #[test]
    fn records_come_in_decision_order_and_unreadable_ones_are_counted() {
        let example: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/examples/review_item.v1.json"))
                .unwrap(),
        )
        .unwrap();
        let item: tamis_route::review::ReviewItem = serde_json::from_value(example).unwrap();
        let decision = |action, at: i64, corrections: &[(&str, &str)]| tamis_route::review::ReviewDecision {
            decision_id: uuid::Uuid::new_v4(),
            document_id: item.document_id,
            action,
            reviewer: format!("r{at}"),
            decided_at: OffsetDateTime::from_unix_timestamp(1_750_000_000 + at).unwrap(),
            corrections: corrections.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            new_type: None,
            reject_reason: None,
            item: item.clone(),
        };
        use tamis_route::review::Action;
        let later = decision(Action::Accept, 60, &[]).apply().unwrap();
        let first = decision(Action::Correct, 0, &[("net_pay", "1987.45")]).apply().unwrap();
        let mut first_json = serde_json::to_value(&first).unwrap();
        first_json["recorded_at"] = "2025-06-15T15:06:41Z".into();
        let records = vec![
            ("audit/x/a.json".to_string(), Bytes::from(serde_json::to_vec(&later).unwrap())),
            ("audit/x/b.json".to_string(), Bytes::from("{not json")),
            ("audit/x/c.json".to_string(), Bytes::from(serde_json::to_vec(&first_json).unwrap())),
        ];
        let (entries, unreadable) = entries(&records);
        assert_eq!(unreadable, 1);
        assert_eq!(entries.iter().map(|e| e.reviewer.as_str()).collect::<Vec<_>>(), ["r0", "r60"]);
        assert_eq!((entries[0].action, entries[0].recorded_at.as_deref()), ("correct", Some("2025-06-15T15:06:41Z")));
        let c = &entries[0].changes[0];
        assert_eq!((c.field.as_str(), c.after.as_str()), ("net_pay", "1987.45"));
        assert_ne!(c.before.as_deref(), Some("1987.45"));
        assert!(!entries[0].review_reasons.is_empty());
    }
}
