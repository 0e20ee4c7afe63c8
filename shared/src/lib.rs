//! What two or more Tamis workers share: the document envelope and the pipeline message that flows
//! between stages, the outcome, configuration, the AMQP topology and broker adapter, the blob store
//! (claim-check), telemetry set-up and the error types.

pub mod blob;
pub mod broker;
pub mod config;
pub mod document;
pub mod error;
pub mod ids;
pub mod journal;
pub mod metrics;
pub mod ops;
pub mod outcome;
pub mod records;
pub mod retention;
pub mod retry;
pub mod taxonomy;
pub mod telemetry;
pub mod tls;
pub mod topology;
pub mod work;

pub use document::{BlobRef, DocumentId, DocumentType, Envelope, MediaType, PersonName};
pub use error::{ErrorCode, Failure};
pub use outcome::{Decision, Outcome, Reason};
pub use work::{BBox, DocumentResult, Field, FieldSource, Finding, Line, Page, Symbol, TextSource, Word, Work};
