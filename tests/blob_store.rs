//! The blob store's contract on both backends, the folder and a real S3-compatible server (moto):
//! bytes by content hash, records written once, listings with times, deletion; and retention
//! (`retention::purge`) deleting what is past its time and keeping the rest. The pipeline itself
//! runs on both in tests/pipeline.rs.

mod common;

use bytes::Bytes;
use common::*;
use tamis_shared::blob::{BlobError, BlobStore};
use tamis_shared::retention::{outcome_key, purge, Retention};
use tamis_shared::{Decision, DocumentId};
use time::{Duration, OffsetDateTime};

/// Points the S3 client of this process at `s3` (this file's only test sets them, before any store opens).
fn set_aws_env(s3: &S3Endpoint) {
    for (k, v) in s3.env() {
        std::env::set_var(k, v);
    }
}

async fn contract(store: &BlobStore, what: &str) {
    let r = store.put(Bytes::from_static(b"%PDF-1.4 hello")).await.unwrap();
    assert_eq!(store.get(&r).await.unwrap(), Bytes::from_static(b"%PDF-1.4 hello"), "{what}");
    assert_eq!(store.put_once("audit/d1/a.json", Bytes::from_static(b"first")).await.unwrap(), None, "{what}");
    let again = store.put_once("audit/d1/a.json", Bytes::from_static(b"second")).await.unwrap();
    assert_eq!(again, Some(Bytes::from_static(b"first")), "{what}: a record is never overwritten");
    let listed = store.list("audit").await.unwrap();
    assert_eq!(listed.len(), 1, "{what}");
    let age = OffsetDateTime::now_utc() - listed[0].last_modified;
    assert!(age.abs() < Duration::minutes(5), "{what}: last-modified {} is now", listed[0].last_modified);
    store.delete("audit/d1/a.json").await.unwrap();
    store.delete("audit/d1/a.json").await.unwrap();
    assert!(store.list("audit").await.unwrap().is_empty(), "{what}");
    assert!(store.last_modified(&r.key).await.unwrap().is_some(), "{what}");
    store.delete(&r.key).await.unwrap();
    assert!(matches!(store.get(&r).await, Err(BlobError::Store { .. })), "{what}");
}

/// Three documents: one accepted, one rejected, one waiting for a person; purged as of 31 days
/// later (bytes of the first two go, records stay), then 366 days later (their records go too).
async fn retention(store: &BlobStore, what: &str) {
    let periods = Retention { documents: Duration::days(30), audit: Duration::days(365) };
    let (accepted, rejected, waiting) = (DocumentId::new(), DocumentId::new(), DocumentId::new());
    let mut refs = Vec::new();
    for (id, decision, body) in [
        (accepted, Decision::Auto, &b"%PDF-1.4 accepted"[..]),
        (rejected, Decision::Error, b"%PDF-1.4 rejected"),
        (waiting, Decision::Review, b"%PDF-1.4 waiting"),
    ] {
        let r = store.put(Bytes::copy_from_slice(body)).await.unwrap();
        store.put_once(&format!("seen/case/{}", r.sha256), Bytes::from(id.to_string())).await.unwrap();
        store.put_once(&outcome_key(&id, decision, &r.sha256), Bytes::from_static(b"{}")).await.unwrap();
        refs.push(r);
    }
    let now = OffsetDateTime::now_utc();
    // Within the period: nothing goes.
    let r = purge(store, periods, now + Duration::days(29), false).await.unwrap();
    assert!(r.plan.blobs.is_empty() && r.plan.records.is_empty(), "{what}: {r:?}");
    // A dry run past it deletes nothing.
    let dry = purge(store, periods, now + Duration::days(31), true).await.unwrap();
    assert_eq!(dry.plan.blobs.len(), 2, "{what}: {dry:?}");
    assert!(store.get(&refs[0]).await.is_ok(), "{what}: a dry run deleted");
    let r = purge(store, periods, now + Duration::days(31), false).await.unwrap();
    assert_eq!((r.plan.blobs.len(), r.plan.kept_not_final, r.plan.records.len()), (2, 1, 0), "{what}: {r:?}");
    assert!(store.get(&refs[0]).await.is_err() && store.get(&refs[1]).await.is_err(), "{what}: final bytes stay");
    assert!(store.get(&refs[2]).await.is_ok(), "{what}: the bytes of a document waiting for a person went");
    let seen: Vec<String> = store.list("seen").await.unwrap().into_iter().map(|l| l.key).collect();
    assert_eq!(seen, vec![format!("seen/case/{}", refs[2].sha256)], "{what}: seen entries go with their bytes");
    assert_eq!(store.list("outcome").await.unwrap().len(), 3, "{what}: records stay for the audit period");
    let r = purge(store, periods, now + Duration::days(366), false).await.unwrap();
    assert_eq!(r.plan.records.len(), 2, "{what}: {r:?}");
    let left: Vec<String> = store.list("outcome").await.unwrap().into_iter().map(|l| l.key).collect();
    assert_eq!(left, vec![outcome_key(&waiting, Decision::Review, &refs[2].sha256)], "{what}");
    assert!(store.get(&refs[2]).await.is_ok(), "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_folder_and_s3_stores_keep_the_same_contract_and_retention() {
    let dir = tempfile::tempdir().unwrap();
    let folder = BlobStore::open(dir.path().to_str().unwrap()).unwrap();
    contract(&folder, "folder").await;
    retention(&folder, "folder").await;

    let s3 = S3Server::start();
    set_aws_env(&s3.endpoint);
    let url = format!("s3://{}/contract", s3.endpoint.bucket);
    let bucket = BlobStore::open(&url).unwrap();
    contract(&bucket, "s3").await;
    retention(&bucket, "s3").await;
    // Everything went under the prefix, nothing beside it.
    let keys = s3.endpoint.list("");
    assert!(!keys.is_empty() && keys.iter().all(|k| k.starts_with("contract/")), "{keys:?}");

    // Errors name what failed, never a credential or the URL's secrets.
    let refused = BlobStore::open("s3://AKIA:hunter2@tamis-test/x").err().expect("credentials in the URL are refused");
    assert!(!refused.to_string().contains("hunter2"), "{refused}");
    let missing = tamis_shared::BlobRef {
        key: "sha256/00/x".into(),
        sha256: "0".repeat(64),
        media_type: tamis_shared::MediaType::Pdf,
        size: 1,
    };
    let e = bucket.get(&missing).await.expect_err("no such object");
    let text = format!("{e} {e:?}");
    assert!(!text.contains("testing-secret"), "the secret key leaked: {text}");
}
