//! The blob store (claim-check): document bytes are kept here, keyed by their SHA-256, and
//! messages carry only a `BlobRef`. Backed by `object_store`, so a local folder, memory or an
//! S3-compatible bucket is a configuration change.
//!
//! What the store holds (docs/retention.md): `sha256/…` document bytes (page images are rendered
//! from them, never stored), `seen/…` the duplicate index, `outcome/…` the route stage's outcome
//! record, `audit/…` reviewers' decisions.

use crate::document::{BlobRef, MediaType};
use bytes::Bytes;
use object_store::{aws::AmazonS3Builder, prefix::PrefixStore};
use object_store::{local::LocalFileSystem, memory::InMemory, path::Path as StorePath, ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Why the blob store could not serve a request.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob store URL {url:?} is not usable: {message}")]
    Config { url: String, message: String },
    #[error("blob store failed on {key}: {source}")]
    Store { key: String, source: object_store::Error },
    #[error("blob {key} does not match its hash: the store is damaged; resubmit the document")]
    HashMismatch { key: String },
    #[error("blob key {key:?} is not a content hash key")]
    BadKey { key: String },
}

/// One object as listed: its key and when it was last written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub key: String,
    pub last_modified: time::OffsetDateTime,
}

/// Stores and fetches document bytes by content hash.
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
}

/// Lower-case hex SHA-256 of the bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl BlobStore {
    /// Opens the store named by `url`: a folder path, `file:///abs/path`, `memory://`, or
    /// `s3://bucket/prefix` (endpoint, region, credentials and path style from the `AWS_*`
    /// environment variables, see docs/configuration.md).
    pub fn open(url: &str) -> Result<BlobStore, BlobError> {
        let store: Arc<dyn ObjectStore> = if url == "memory://" {
            Arc::new(InMemory::new())
        } else if let Some(rest) = url.strip_prefix("s3://") {
            open_s3(url, rest)?
        } else {
            let path = url.strip_prefix("file://").unwrap_or(url);
            if path.contains("://") {
                return Err(BlobError::Config {
                    url: crate::config::redact_url(url),
                    message: "only folders, file://, memory:// and s3:// are built in".into(),
                });
            }
            std::fs::create_dir_all(path)
                .map_err(|e| BlobError::Config { url: url.into(), message: format!("cannot create folder: {e}") })?;
            let fs = LocalFileSystem::new_with_prefix(path)
                .map_err(|e| BlobError::Config { url: url.into(), message: e.to_string() })?;
            Arc::new(fs)
        };
        Ok(BlobStore { store })
    }

    /// The key of a content hash. Only hex goes into it, so no key can escape the store.
    fn key_of(sha256: &str) -> Result<StorePath, BlobError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err(BlobError::BadKey { key: sha256.into() });
        }
        Ok(StorePath::from(format!("sha256/{}/{}", &sha256[..2], sha256)))
    }

    /// Stores the bytes (idempotent: the same bytes land on the same key) and returns their reference.
    /// The write is unconditional on purpose: each submission renews the object's last-modified
    /// time, which `tamis purge` reads as "submitted again since" (retention.rs).
    pub async fn put(&self, bytes: Bytes) -> Result<BlobRef, BlobError> {
        let sha256 = sha256_hex(&bytes);
        let key = Self::key_of(&sha256)?;
        let blob =
            BlobRef { key: key.to_string(), sha256, media_type: MediaType::sniff(&bytes), size: bytes.len() as u64 };
        self.store
            .put(&key, bytes.into())
            .await
            .map_err(|source| BlobError::Store { key: blob.key.clone(), source })?;
        Ok(blob)
    }

    /// Fetches the bytes of a reference and checks them against its hash.
    pub async fn get(&self, blob: &BlobRef) -> Result<Bytes, BlobError> {
        let key = Self::key_of(&blob.sha256)?;
        let bytes = self
            .store
            .get(&key)
            .await
            .map_err(|source| BlobError::Store { key: blob.key.clone(), source })?
            .bytes()
            .await
            .map_err(|source| BlobError::Store { key: blob.key.clone(), source })?;
        if sha256_hex(&bytes) != blob.sha256 {
            return Err(BlobError::HashMismatch { key: blob.key.clone() });
        }
        Ok(bytes)
    }

    /// Writes a record under `key` only if nothing is there yet, so records are never overwritten
    /// (the audit trail, the seen-files index). Returns the bytes already stored when there were
    /// some, None when these were written. `key` must be built by Tamis (segments of ids and hex).
    pub async fn put_once(&self, key: &str, bytes: Bytes) -> Result<Option<Bytes>, BlobError> {
        use object_store::{PutMode, PutOptions};
        let path = StorePath::from(key);
        let err = |source| BlobError::Store { key: key.to_string(), source };
        let opts = PutOptions { mode: PutMode::Create, ..Default::default() };
        match self.store.put_opts(&path, bytes.into(), opts).await {
            Ok(_) => Ok(None),
            Err(object_store::Error::AlreadyExists { .. }) => {
                let existing = self.store.get(&path).await.map_err(err)?.bytes().await.map_err(err)?;
                Ok(Some(existing))
            }
            Err(e) => Err(err(e)),
        }
    }

    /// Every record whose key starts with `prefix/`, as (key, bytes), in key order.
    pub async fn records(&self, prefix: &str) -> Result<Vec<(String, Bytes)>, BlobError> {
        use futures::TryStreamExt;
        let err = |source| BlobError::Store { key: prefix.to_string(), source };
        let mut metas: Vec<_> = self.store.list(Some(&StorePath::from(prefix))).try_collect().await.map_err(err)?;
        metas.sort_by(|a, b| a.location.cmp(&b.location));
        let mut out = Vec::new();
        for m in metas {
            let bytes = self.store.get(&m.location).await.map_err(err)?.bytes().await.map_err(err)?;
            out.push((m.location.to_string(), bytes));
        }
        Ok(out)
    }

    /// Every object whose key starts with `prefix/`, with its last-modified time, in key order;
    /// nothing is read but the listing.
    pub async fn list(&self, prefix: &str) -> Result<Vec<Listed>, BlobError> {
        use futures::TryStreamExt;
        let err = |source| BlobError::Store { key: prefix.to_string(), source };
        let metas: Vec<_> = self.store.list(Some(&StorePath::from(prefix))).try_collect().await.map_err(err)?;
        let mut out: Vec<Listed> = metas
            .into_iter()
            .map(|m| Listed { key: m.location.to_string(), last_modified: to_time(m.last_modified) })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// When the object at `key` was last written; None when there is none.
    pub async fn last_modified(&self, key: &str) -> Result<Option<time::OffsetDateTime>, BlobError> {
        match self.store.head(&StorePath::from(key)).await {
            Ok(m) => Ok(Some(to_time(m.last_modified))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(BlobError::Store { key: key.to_string(), source }),
        }
    }

    /// Deletes the object at `key` (no error when it is already gone).
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self.store.delete(&StorePath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(source) => Err(BlobError::Store { key: key.to_string(), source }),
        }
    }
}

/// object_store's time (chrono) as the `time` crate's, which the rest of Tamis uses.
fn to_time(t: chrono::DateTime<chrono::Utc>) -> time::OffsetDateTime {
    let nanos = i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos());
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// An `s3://bucket/prefix` store. Credentials never come from the URL: only from the `AWS_*`
/// environment (or the instance's role), so no error or log line that names the URL carries them.
fn open_s3(url: &str, rest: &str) -> Result<Arc<dyn ObjectStore>, BlobError> {
    let bad = |message: &str| BlobError::Config { url: crate::config::redact_url(url), message: message.into() };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.contains('@') {
        return Err(bad("credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
    }
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if !bucket_ok {
        return Err(bad("the bucket name must be 3 to 63 lower-case letters, digits, dots or hyphens"));
    }
    let prefix = prefix.trim_matches('/');
    if prefix.contains(['?', '#'])
        || prefix.split('/').any(|s| s == "." || s == ".." || (s.is_empty() && !prefix.is_empty()))
    {
        return Err(bad("the prefix must be plain path segments, without '.', '..', '?' or '#'"));
    }
    crate::tls::install_crypto_provider();
    // The builder's own errors name a setting, never a credential's value.
    let s3 = AmazonS3Builder::from_env().with_bucket_name(bucket).build().map_err(|e| bad(&e.to_string()))?;
    Ok(if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_then_get_round_trips_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().to_str().unwrap()).unwrap();
        let r = store.put(Bytes::from_static(b"%PDF-1.4 hello")).await.unwrap();
        assert_eq!(r.media_type, MediaType::Pdf);
        assert_eq!(store.get(&r).await.unwrap(), Bytes::from_static(b"%PDF-1.4 hello"));
        // Same bytes, same key.
        assert_eq!(store.put(Bytes::from_static(b"%PDF-1.4 hello")).await.unwrap(), r);
        let on_disk = dir.path().join(&r.key);
        std::fs::write(on_disk, b"%PDF-1.4 HELLO").unwrap();
        assert!(matches!(store.get(&r).await, Err(BlobError::HashMismatch { .. })));
    }

    #[tokio::test]
    async fn records_are_written_once_and_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(store.put_once("audit/d1/a.json", Bytes::from_static(b"first")).await.unwrap(), None);
        let again = store.put_once("audit/d1/a.json", Bytes::from_static(b"second")).await.unwrap();
        assert_eq!(again, Some(Bytes::from_static(b"first")), "an existing record is kept, not overwritten");
        store.put_once("audit/d1/b.json", Bytes::from_static(b"other")).await.unwrap();
        store.put_once("audit/d2/a.json", Bytes::from_static(b"elsewhere")).await.unwrap();
        let keys: Vec<String> = store.records("audit/d1").await.unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["audit/d1/a.json", "audit/d1/b.json"]);
    }

    #[tokio::test]
    async fn keys_cannot_escape_the_store() {
        let store = BlobStore::open("memory://").unwrap();
        let evil = BlobRef {
            key: "../../etc/passwd".into(),
            sha256: "../../etc/passwd".into(),
            media_type: MediaType::Pdf,
            size: 1,
        };
        assert!(matches!(store.get(&evil).await, Err(BlobError::BadKey { .. })));
    }
}
