//! The blob store (claim-check): document bytes are kept here, keyed by content hash, and messages
//! carry only a `BlobRef`.
