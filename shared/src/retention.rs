//! Retention (`tamis purge`): document bytes are deleted a set time after the document's final
//! outcome, its records (outcome and reviewers' decisions) a longer time after it. GDPR
//! minimisation: the back office's case system, not Tamis, is the record (docs/retention.md).
//!
//! What is read, and why it is enough, from listings alone (no object is downloaded):
//! - `outcome/{document}/{decision}/{sha256}.json`, written once by the route stage: which bytes
//!   the document is, and whether the machine's outcome was final (`auto`, `error`) or sent to a
//!   person (`review`). Written once, so its last-modified time is when the outcome was decided.
//! - `audit/{document}/{decision id}.json`, written once per reviewer's decision: the earliest one
//!   is when a `review` document got its final (human) outcome.
//! - `sha256/{xx}/{sha256}`: the bytes. Every submission rewrites them, so their last-modified
//!   time is the latest submission of these bytes: bytes submitted again since the cut-off may
//!   belong to a document still under way that has no outcome record yet, and are kept.
//! - `seen/{hash of case}/{sha256}`: the duplicate index; deleted with the bytes it names.
//! - `records/{document}/…` and `cases/{hash of case}/{document}` (crate::records, what `GET
//!   /v1/documents/{id}` answers from): the outcome there carries the fields read, so they go with
//!   the bytes, `retention.documents_days` after the final outcome, not with the audit trail.

use crate::blob::{BlobError, BlobStore, Listed};
use crate::document::DocumentId;
use crate::outcome::Decision;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Where the route stage records a document's outcome (written once).
pub fn outcome_key(document_id: &DocumentId, decision: Decision, sha256: &str) -> String {
    format!("outcome/{document_id}/{}/{sha256}.json", decision.as_str())
}

/// How long things are kept after a document's final outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub documents: time::Duration,
    pub audit: time::Duration,
}

/// The store's keys that matter to retention, as listed.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub outcomes: Vec<Listed>,
    pub audits: Vec<Listed>,
    pub blobs: Vec<Listed>,
    pub seen: Vec<Listed>,
    /// The API's per-document records (`records/{document}/…`).
    pub api_records: Vec<Listed>,
    /// The API's case index (`cases/{hash of case}/{document}`).
    pub cases: Vec<Listed>,
}

impl Inventory {
    /// Lists the prefixes retention reads.
    pub async fn read(store: &BlobStore) -> Result<Inventory, BlobError> {
        Ok(Inventory {
            outcomes: store.list("outcome").await?,
            audits: store.list("audit").await?,
            blobs: store.list("sha256").await?,
            seen: store.list("seen").await?,
            api_records: store.list("records").await?,
            cases: store.list("cases").await?,
        })
    }
}

/// What one purge deletes, and what it keeps and why (counts only: no key names a person, but
/// operators need numbers, not lists).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Document bytes to delete (`sha256/…` keys), each with the seen-index keys that name it.
    pub blobs: Vec<(String, Vec<String>)>,
    /// Documents whose records (`outcome/…`, `audit/…`) are past the audit period, with those keys.
    pub records: Vec<(DocumentId, Vec<String>)>,
    /// The API's records and case-index entries of documents past the documents period: they
    /// carry the fields read, the case and the client.
    pub api_records: Vec<String>,
    /// Stored files kept because a document with these bytes has no final outcome yet.
    pub kept_not_final: usize,
    /// Stored files kept because their documents' final outcome (or a later submission of the
    /// same bytes) is within the period.
    pub kept_recent: usize,
    /// Stored files no outcome record names (submitted before outcome records existed, or whose
    /// document never reached the route stage, e.g. parked): kept, never guessed at.
    pub kept_unknown: usize,
}

/// One document as its records tell it.
#[derive(Default)]
struct Doc {
    /// (decision, sha256, when recorded) from each outcome record.
    outcomes: Vec<(String, String, OffsetDateTime)>,
    /// When the first reviewer's decision was recorded.
    reviewed: Option<OffsetDateTime>,
    keys: Vec<String>,
}

impl Doc {
    /// When the document's outcome became final: the machine's, unless it went to a person; then
    /// the first reviewer's decision. None while it waits for a person.
    fn final_at(&self) -> Option<OffsetDateTime> {
        let machine = self.outcomes.iter().filter(|(d, _, _)| d == "auto" || d == "error").map(|(_, _, t)| *t).min();
        match (machine, self.reviewed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Decides what a purge at `now` deletes. Pure: the caller lists and deletes.
pub fn plan(inventory: &Inventory, retention: Retention, now: OffsetDateTime) -> Plan {
    let documents_cut = now - retention.documents;
    let audit_cut = now - retention.audit;
    let mut docs: BTreeMap<DocumentId, Doc> = BTreeMap::new();
    for l in &inventory.outcomes {
        // outcome/{document}/{decision}/{sha256}.json; anything else there is not Tamis's: left alone.
        let parts: Vec<&str> = l.key.split('/').collect();
        let [_, doc, decision, file] = parts[..] else { continue };
        let (Some(doc), Some(sha)) = (parse_doc(doc), file.strip_suffix(".json")) else { continue };
        let d = docs.entry(doc).or_default();
        d.outcomes.push((decision.to_string(), sha.to_string(), l.last_modified));
        d.keys.push(l.key.clone());
    }
    for l in &inventory.audits {
        let parts: Vec<&str> = l.key.split('/').collect();
        let [_, doc, _] = parts[..] else { continue };
        let Some(doc) = parse_doc(doc) else { continue };
        let d = docs.entry(doc).or_default();
        d.reviewed = Some(d.reviewed.map_or(l.last_modified, |t| t.min(l.last_modified)));
        d.keys.push(l.key.clone());
    }
    // Per content hash: the final-outcome times of the documents with these bytes (None: not final).
    let mut by_sha: BTreeMap<&str, Vec<Option<OffsetDateTime>>> = BTreeMap::new();
    for d in docs.values() {
        let final_at = d.final_at();
        for (_, sha, _) in &d.outcomes {
            by_sha.entry(sha.as_str()).or_default().push(final_at);
        }
    }
    let mut seen_by_sha: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for l in &inventory.seen {
        if let Some(sha) = l.key.rsplit('/').next() {
            seen_by_sha.entry(sha).or_default().push(l.key.clone());
        }
    }
    let mut plan = Plan::default();
    for b in &inventory.blobs {
        let sha = b.key.rsplit('/').next().unwrap_or_default();
        match by_sha.get(sha) {
            None => plan.kept_unknown += 1,
            Some(finals) if finals.iter().any(Option::is_none) => plan.kept_not_final += 1,
            Some(finals) if finals.iter().flatten().any(|t| *t > documents_cut) || b.last_modified > documents_cut => {
                plan.kept_recent += 1
            }
            Some(_) => plan.blobs.push((b.key.clone(), seen_by_sha.remove(sha).unwrap_or_default())),
        }
    }
    // records/{document}/… and cases/{hash}/{document}: the document id is the second part of
    // the one and the last of the other.
    let api_keys = inventory
        .api_records
        .iter()
        .filter_map(|l| Some((parse_doc(l.key.split('/').nth(1)?)?, &l.key)))
        .chain(inventory.cases.iter().filter_map(|l| Some((parse_doc(l.key.rsplit('/').next()?)?, &l.key))));
    for (id, key) in api_keys {
        if docs.get(&id).and_then(Doc::final_at).is_some_and(|t| t <= documents_cut) {
            plan.api_records.push(key.clone());
        }
    }
    for (id, d) in &docs {
        let Some(final_at) = d.final_at() else { continue };
        if final_at > audit_cut {
            continue;
        }
        // The records of a document past the audit period go, whatever happens to its bytes: a
        // file still shared with a newer document stays, named by that document's own record.
        plan.records.push((*id, d.keys.clone()));
    }
    plan
}

fn parse_doc(s: &str) -> Option<DocumentId> {
    s.parse::<uuid::Uuid>().ok().map(DocumentId)
}

/// What a purge did (or, dry, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub plan: Plan,
    /// Files found submitted again between the listing and their deletion: kept.
    pub resubmitted: usize,
}

/// Lists the store, plans at `now` and, unless `dry_run`, deletes: bytes and their seen entries
/// first, records last, so that a purge stopped half-way leaves no bytes without the record that
/// lets the next purge find them.
pub async fn purge(
    store: &BlobStore,
    retention: Retention,
    now: OffsetDateTime,
    dry_run: bool,
) -> Result<Report, BlobError> {
    let inventory = Inventory::read(store).await?;
    let plan = plan(&inventory, retention, now);
    let mut report = Report { plan: plan.clone(), resubmitted: 0 };
    if dry_run {
        return Ok(report);
    }
    let documents_cut = now - retention.documents;
    for (blob, seen) in &plan.blobs {
        // Submitted again since it was listed: a document under way may need it.
        if store.last_modified(blob).await?.is_some_and(|t| t > documents_cut) {
            report.resubmitted += 1;
            continue;
        }
        store.delete(blob).await?;
        for k in seen {
            store.delete(k).await?;
        }
    }
    for k in &plan.api_records {
        store.delete(k).await?;
    }
    for (_, keys) in &plan.records {
        for k in keys {
            store.delete(k).await?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    const D: &str = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";

    fn at(key: String, t: OffsetDateTime) -> Listed {
        Listed { key, last_modified: t }
    }
    fn doc(n: u128) -> DocumentId {
        DocumentId(uuid::Uuid::from_u128(n))
    }
    fn blob(sha: &str, t: OffsetDateTime) -> Listed {
        at(format!("sha256/{}/{sha}", &sha[..2]), t)
    }
    const KEEP: Retention = Retention { documents: Duration::days(30), audit: Duration::days(365) };

    #[test]
    fn bytes_go_after_the_final_outcome_and_records_after_the_audit_period() {
        let now = datetime!(2027-06-01 00:00 UTC);
        let old = now - Duration::days(40);
        let ancient = now - Duration::days(400);
        let recent = now - Duration::days(2);
        let inv = Inventory {
            outcomes: vec![
                // 1: accepted 40 days ago: bytes go, records stay.
                at(outcome_key(&doc(1), Decision::Auto, A), old),
                // 2: sent to a person 400 days ago, reviewed 399 days ago: bytes and records go.
                at(outcome_key(&doc(2), Decision::Review, B), ancient),
                // 3: sent to a person 400 days ago, never reviewed: nothing goes.
                at(outcome_key(&doc(3), Decision::Review, C), ancient),
                // 4: rejected 2 days ago: kept.
                at(outcome_key(&doc(4), Decision::Error, D), recent),
            ],
            audits: vec![at(format!("audit/{}/d1.json", doc(2)), ancient + Duration::days(1))],
            blobs: vec![blob(A, old), blob(B, ancient), blob(C, ancient), blob(D, recent)],
            seen: vec![at(format!("seen/case1/{A}"), old), at(format!("seen/case1/{C}"), ancient)],
            api_records: vec![
                at(format!("records/{}/received.json", doc(1)), old),
                at(format!("records/{}/outcome.json", doc(1)), old),
                at(format!("records/{}/received.json", doc(3)), ancient),
                at(format!("records/{}/outcome.json", doc(4)), recent),
            ],
            cases: vec![at(format!("cases/h1/{}", doc(1)), old), at(format!("cases/h1/{}", doc(3)), ancient)],
        };
        let p = plan(&inv, KEEP, now);
        // The API's records go with the bytes: 1's (final 40 days ago), not 3's (waiting for a
        // person) nor 4's (final 2 days ago).
        assert_eq!(
            p.api_records,
            vec![
                format!("records/{}/received.json", doc(1)),
                format!("records/{}/outcome.json", doc(1)),
                format!("cases/h1/{}", doc(1)),
            ]
        );
        assert_eq!(
            p.blobs,
            vec![(format!("sha256/aa/{A}"), vec![format!("seen/case1/{A}")]), (format!("sha256/bb/{B}"), vec![])]
        );
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].0, doc(2));
        assert_eq!(p.records[0].1.len(), 2, "its outcome record and its reviewer's decision");
        assert_eq!((p.kept_not_final, p.kept_recent, p.kept_unknown), (1, 1, 0));
    }

    #[test]
    fn shared_bytes_wait_for_every_document_and_for_the_last_submission() {
        let now = datetime!(2027-06-01 00:00 UTC);
        let old = now - Duration::days(40);
        // The same file in two documents: one accepted long ago, one still waiting for a person.
        let inv = Inventory {
            outcomes: vec![
                at(outcome_key(&doc(1), Decision::Auto, A), old),
                at(outcome_key(&doc(2), Decision::Review, A), old),
            ],
            blobs: vec![blob(A, old)],
            ..Default::default()
        };
        let p = plan(&inv, KEEP, now);
        assert!(p.blobs.is_empty());
        assert_eq!(p.kept_not_final, 1);
        // Both final long ago, but the bytes were submitted again yesterday (a third document
        // not yet routed): kept.
        let inv = Inventory {
            outcomes: vec![
                at(outcome_key(&doc(1), Decision::Auto, A), old),
                at(outcome_key(&doc(2), Decision::Error, A), old),
            ],
            blobs: vec![blob(A, now - Duration::days(1))],
            ..Default::default()
        };
        let p = plan(&inv, KEEP, now);
        assert!(p.blobs.is_empty());
        assert_eq!(p.kept_recent, 1);
        // Bytes no record names are kept, whatever their age.
        let inv = Inventory { blobs: vec![blob(B, old - Duration::days(900))], ..Default::default() };
        assert_eq!(plan(&inv, KEEP, now).kept_unknown, 1);
    }

    #[test]
    fn the_cut_off_is_inclusive_and_foreign_keys_are_ignored() {
        let now = datetime!(2027-06-01 00:00 UTC);
        let exactly = now - Duration::days(30);
        let inv = Inventory {
            outcomes: vec![
                at(outcome_key(&doc(1), Decision::Auto, A), exactly),
                at("outcome/not-a-uuid/auto/x.json".into(), exactly - Duration::days(999)),
                at("outcome/README".into(), exactly - Duration::days(999)),
            ],
            blobs: vec![blob(A, exactly)],
            ..Default::default()
        };
        let p = plan(&inv, KEEP, now);
        assert_eq!(p.blobs.len(), 1);
        assert!(p.records.is_empty());
    }

    #[tokio::test]
    async fn purge_deletes_what_the_plan_says_and_a_dry_run_nothing() {
        let store = BlobStore::open("memory://").unwrap();
        let kept = store.put(bytes::Bytes::from_static(b"%PDF-1.4 waiting")).await.unwrap();
        let gone = store.put(bytes::Bytes::from_static(b"%PDF-1.4 accepted")).await.unwrap();
        store.put_once(&outcome_key(&doc(1), Decision::Auto, &gone.sha256), "{}".into()).await.unwrap();
        store.put_once(&outcome_key(&doc(2), Decision::Review, &kept.sha256), "{}".into()).await.unwrap();
        // Everything was written just now: as of 31 days from now, doc 1's bytes are past.
        let later = OffsetDateTime::now_utc() + Duration::days(31);
        let dry = purge(&store, KEEP, later, true).await.unwrap();
        assert_eq!(dry.plan.blobs.len(), 1);
        assert!(store.get(&gone).await.is_ok(), "a dry run deletes nothing");
        let done = purge(&store, KEEP, later, false).await.unwrap();
        assert_eq!(done.plan, dry.plan);
        assert!(store.get(&gone).await.is_err());
        assert!(store.get(&kept).await.is_ok(), "a document waiting for a person keeps its bytes");
        assert_eq!(store.list("outcome").await.unwrap().len(), 2, "records stay for the audit period");
        let much_later = OffsetDateTime::now_utc() + Duration::days(366);
        purge(&store, KEEP, much_later, false).await.unwrap();
        let left: Vec<String> = store.list("outcome").await.unwrap().into_iter().map(|l| l.key).collect();
        assert_eq!(left, vec![outcome_key(&doc(2), Decision::Review, &kept.sha256)]);
    }
}
