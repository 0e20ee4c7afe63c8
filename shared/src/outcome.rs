//! What Tamis decided about one submitted file: accepted automatically, sent to a person, or
//! rejected as unusable. Route makes it; the embedded run prints it as a prediction line, the
//! workers publish it as events.

use crate::document::{DocumentId, DocumentType};
use crate::work::{DocumentResult, Field};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The three ways a document can end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Accepted without a person.
    Auto,
    /// Sent to a person.
    Review,
    /// Unreadable or invalid input.
    Error,
}

impl Decision {
    /// The decision as written in predictions.
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Auto => "auto",
            Decision::Review => "review",
            Decision::Error => "error",
        }
    }
}

/// Why a document went to a person or was rejected: a code for machines, a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// e.g. `low_confidence:net_pay`, `invalid:nir`, `type_other`, `encrypted`.
    pub code: String,
    /// Explains the code to a reviewer; never contains a field's value.
    pub message: String,
}

impl Reason {
    /// A reason with its sentence.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Reason { code: code.into(), message: message.into() }
    }
}

/// The decision about one document inside a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentOutcome {
    #[serde(flatten)]
    pub document: DocumentResult,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
}

/// The decision about one submitted file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub document_id: DocumentId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    pub file_name: String,
    pub sha256: String,
    /// The file's decision: `error` if unusable, `auto` only if every document in it is `auto`.
    pub decision: Decision,
    /// Reasons of the file as a whole (every document's reasons included).
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// One entry per document found in the file (empty for an error).
    #[serde(default)]
    pub documents: Vec<DocumentOutcome>,
}

impl Outcome {
    /// The main document: the first one (files usually hold exactly one).
    pub fn primary(&self) -> Option<&DocumentOutcome> {
        self.documents.first()
    }

    /// The file's type as predictions report it.
    pub fn doc_type(&self) -> Option<&DocumentType> {
        self.primary().map(|d| &d.document.doc_type)
    }

    /// The line `tamis process` writes, in the prediction format of FORMAT.md, with `file`
    /// relative to the folder that was given.
    pub fn to_prediction(&self, file: &str) -> Value {
        let mut o = Map::new();
        o.insert("file".into(), json!(file));
        o.insert("document_id".into(), json!(self.document_id.to_string()));
        if let Some(p) = self.primary() {
            o.insert("type".into(), json!(p.document.doc_type.as_str()));
            o.insert("confidence".into(), json!(round3(p.document.confidence)));
            o.insert("pages".into(), json!(p.document.pages));
            o.insert("fields".into(), fields_json(&p.document.fields));
        } else {
            o.insert("type".into(), Value::Null);
            o.insert("confidence".into(), json!(0.0));
            o.insert("fields".into(), json!({}));
        }
        o.insert("decision".into(), json!(self.decision.as_str()));
        if let (Decision::Error, Some(first)) = (self.decision, self.reasons.first()) {
            // FORMAT.md's readers take the single reason code of an error from `reason`.
            o.insert("reason".into(), json!(first.code));
        }
        o.insert("reasons".into(), json!(self.reasons.iter().map(|r| r.code.clone()).collect::<Vec<_>>()));
        o.insert("reason_messages".into(), json!(self.reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>()));
        if self.documents.len() > 1 {
            let docs: Vec<Value> = self
                .documents
                .iter()
                .map(|d| {
                    json!({
                        "type": d.document.doc_type.as_str(),
                        "confidence": round3(d.document.confidence),
                        "pages": d.document.pages,
                        "fields": fields_json(&d.document.fields),
                        "decision": d.decision.as_str(),
                        "reasons": d.reasons.iter().map(|r| r.code.clone()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            o.insert("documents".into(), Value::Array(docs));
        }
        Value::Object(o)
    }
}

fn round3(x: f32) -> f64 {
    ((x as f64) * 1000.0).round() / 1000.0
}

fn fields_json(fields: &BTreeMap<String, Field>) -> Value {
    let mut m = Map::new();
    for (k, f) in fields {
        let mut e = Map::new();
        e.insert("value".into(), json!(f.value));
        e.insert("confidence".into(), json!(round3(f.confidence)));
        e.insert("source".into(), serde_json::to_value(f.source).unwrap_or(Value::Null));
        if let Some(p) = f.page {
            e.insert("page".into(), json!(p));
        }
        if let Some(b) = f.bbox {
            e.insert("bbox".into(), json!([b.x, b.y, b.w, b.h]));
        }
        if let Some(v) = f.valid {
            e.insert("valid".into(), json!(v));
        }
        m.insert(k.clone(), Value::Object(e));
    }
    Value::Object(m)
}
