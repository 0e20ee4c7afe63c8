//! The extract stage: reads, normalises and validates the key fields of each classified document.

mod corroborate;
mod doc;
mod generic;
mod norm;
mod parts;
mod types;
mod values;

use doc::Doc;
// The parser every field value goes through: public so that workers/extract/fuzz runs it.
use std::collections::BTreeMap;
use std::sync::Arc;
use tamis_shared::taxonomy::{FieldDef, FieldKind, Taxonomy};
use tamis_shared::{DocumentResult, Field, FieldSource, Finding, Work};
pub use values::{parse as parse_value, Parsed};

/// The extractor. `Send + Sync`, cheap to share.
#[derive(Clone)]
pub struct Extractor {
    tax: Arc<Taxonomy>,
    /// Every label and title word of the taxonomy: no name is made of them alone.
    labels: Arc<std::collections::BTreeSet<String>>,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

/// What the per-type code builds: fields and findings of one document.
pub(crate) struct Out {
    pub fields: BTreeMap<String, Field>,
    pub findings: Vec<Finding>,
}

impl Out {
    pub(crate) fn finding(&mut self, code: String, message: &str) {
        if !self.findings.iter().any(|f| f.code == code) {
            self.findings.push(Finding { code, message: message.to_string() });
        }
    }
}

impl Extractor {
    /// Builds the extractor from the default taxonomy.
    pub fn new() -> Self {
        Self::with_taxonomy(Arc::new(Taxonomy::builtin()))
    }

    /// Builds the extractor from a taxonomy (for types and labels added in configuration).
    pub fn with_taxonomy(t: Arc<Taxonomy>) -> Self {
        let labels = Arc::new(corroborate::label_words(&t));
        Extractor { tax: t, labels }
    }

    /// Fills the fields and findings of every document in `work`. Leaves a failed `work` untouched.
    pub fn process(&self, work: &mut Work) {
        if work.failure.is_some() {
            return;
        }
        let pages = &work.pages;
        for d in work.documents.iter_mut() {
            let doc = Doc::new(pages.iter().filter(|p| d.pages.contains(&p.number)));
            self.extract(&doc, d);
        }
    }

    fn extract(&self, doc: &Doc, d: &mut DocumentResult) {
        let name = d.doc_type.as_str().to_string();
        let Some(def) = self.tax.get(&name) else { return };
        let source = if doc.lines.iter().any(|l| l.ocr) { FieldSource::Ocr } else { FieldSource::TextLayer };
        let mut out = Out { fields: BTreeMap::new(), findings: vec![] };
        for f in &def.fields {
            let cands = generic::by_label_in(doc, f, &self.labels);
            if let Some(best) = cands.first() {
                let conf = generic::confidence(best, &cands);
                out.fields.insert(
                    f.name.clone(),
                    Field {
                        value: best.p.value.clone(),
                        confidence: conf,
                        page: Some(best.page),
                        bbox: best.bbox,
                        source,
                        valid: best.p.valid,
                    },
                );
                if best.p.corrected {
                    out.finding(
                        format!("corrected:{}", f.name),
                        "An OCR letter/digit confusion was repaired so that the check key passes.",
                    );
                }
            }
        }
        types::specific(&name, doc, source, &self.labels, &mut out);
        // The person a document is about, printed as surname and given-names cells: the type's
        // one person field (identity documents have two, and their zone).
        let persons: Vec<&FieldDef> = def.fields.iter().filter(|f| f.kind == FieldKind::Person).collect();
        if let [person] = persons.as_slice() {
            if !out.fields.contains_key(&person.name) {
                if let Some((i, value, conf)) = parts::name_in_parts(doc) {
                    let l = &doc.lines[i];
                    out.fields.insert(
                        person.name.clone(),
                        Field {
                            value,
                            confidence: 0.88 * (0.4 + 0.6 * conf),
                            page: Some(l.page),
                            bbox: l.bbox,
                            source,
                            valid: None,
                        },
                    );
                }
            }
        }
        for f in &def.fields {
            match out.fields.get(&f.name) {
                None => out.finding(format!("missing:{}", f.name), "This field was not found on the document."),
                Some(v) if v.valid == Some(false) => out.finding(
                    format!("invalid:{}", f.name),
                    "The value read does not pass its check (key, checksum or date).",
                ),
                _ => {}
            }
            if f.kind == FieldKind::Date {
                if let Some(v) = out.fields.get_mut(&f.name) {
                    v.valid = Some(norm::date(&v.value).is_some());
                }
            }
        }
        // Identity documents are settled by their machine-readable zone (types/id.rs).
        if !d.doc_type.is_identity() {
            corroborate::check(def, doc, &self.labels, &mut out);
        }
        d.fields = out.fields;
        d.findings = out.findings;
    }
}
