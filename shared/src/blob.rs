//! The blob store (claim-check): document bytes are kept here, keyed by their SHA-256, and
//! messages carry only a `BlobRef`. Backed by `object_store`, so a local folder, memory or an
//! object store is a configuration change.

use crate::document::{BlobRef, MediaType};
use bytes::Bytes;
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
    /// Opens the store named by `url`: a folder path, `file:///abs/path`, or `memory://`.
    pub fn open(url: &str) -> Result<BlobStore, BlobError> {
        let store: Arc<dyn ObjectStore> = if url == "memory://" {
            Arc::new(InMemory::new())
        } else {
            let path = url.strip_prefix("file://").unwrap_or(url);
            if path.contains("://") {
                return Err(BlobError::Config {
                    url: url.into(),
                    message: "only folders, file:// and memory:// are built in".into(),
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
    pub async fn put(&self, bytes: Bytes) -> Result<BlobRef, BlobError> {
        let sha256 = sha256_hex(&bytes);
        let key = Self::key_of(&sha256)?;
        let blob = BlobRef {
            key: key.to_string(),
            sha256,
            media_type: MediaType::sniff(&bytes),
            size: bytes.len() as u64,
        };
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
    async fn keys_cannot_escape_the_store() {
        let store = BlobStore::open("memory://").unwrap();
        let evil = BlobRef { key: "../../etc/passwd".into(), sha256: "../../etc/passwd".into(), media_type: MediaType::Pdf, size: 1 };
        assert!(matches!(store.get(&evil).await, Err(BlobError::BadKey { .. })));
    }
}
