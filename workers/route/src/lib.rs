//! The route stage: applies the routing policy to a fully read file and decides whether each of
//! its documents is accepted automatically, sent to a person (with reasons), or rejected.

pub mod names;
pub mod review;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tamis_shared::outcome::DocumentOutcome;
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::{Decision, DocumentId, DocumentResult, DocumentType, Outcome, PersonName, Reason, Work};

/// The built-in policy.
pub const DEFAULT_POLICY: &str = include_str!("../../../config/policy.toml");

/// The built-in calibration: how often a reading that nothing independent confirms was wrong, per
/// type and field, measured on corpus families (`scripts/calibrate` writes it).
pub const DEFAULT_CALIBRATION: &str = include_str!("../../../config/calibration.toml");

/// Fewer readings than this say nothing about a field's error rate: it is not waived.
const MIN_CALIBRATION_READS: u32 = 30;

/// How often uncorroborated readings of one field were wrong.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measured {
    /// Readings at or above the field threshold that nothing independent confirmed.
    pub read: u32,
    /// Of those, how many were wrong.
    pub wrong: u32,
}

/// Type -> field -> what was measured.
pub type Calibration = BTreeMap<String, BTreeMap<String, Measured>>;

/// Parses a calibration table.
pub fn calibration_from_toml_str(s: &str) -> Result<Calibration, PolicyError> {
    let c: Calibration = toml::from_str(s)?;
    if c.values().flat_map(|f| f.values()).any(|m| m.wrong > m.read) {
        return Err(PolicyError::Invalid("calibration: a field has more wrong readings than readings".into()));
    }
    Ok(c)
}

/// Thresholds and rules of one type (or the defaults).
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TypePolicy {
    pub type_threshold: Option<f32>,
    pub field_threshold: Option<f32>,
    /// Per-field thresholds overriding `field_threshold`.
    #[serde(default)]
    pub fields: BTreeMap<String, f32>,
    /// This type's own target, overriding the default `target_auto_error`.
    pub target_auto_error: Option<f32>,
    /// The fields naming the person a document of this type is about, overriding the default's.
    pub name_fields: Option<Vec<String>>,
}

/// The fields that name the person a document is about, when a policy file does not say (the
/// built-in policy lists the same; a test keeps them equal).
pub const NAME_FIELDS: [&str; 9] = [
    "employee_name",
    "taxpayer_name",
    "account_holder",
    "tenant_name",
    "holder_name",
    "student_name",
    "patient_name",
    "given_names",
    "surname",
];

fn name_fields() -> Vec<String> {
    NAME_FIELDS.iter().map(|f| f.to_string()).collect()
}

fn yes() -> bool {
    true
}

/// The default section.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultPolicy {
    pub type_threshold: f32,
    pub field_threshold: f32,
    #[serde(default)]
    pub blocking_findings: Vec<String>,
    #[serde(default)]
    pub always_review: Vec<String>,
    /// Whether a document naming none of the case's persons goes to a person (`name_mismatch`);
    /// applies only to submissions that name the case's persons.
    #[serde(default = "yes")]
    pub name_check: bool,
    /// The fields naming the person a document is about; those a document has are read together
    /// as one name (`given_names` and `surname`).
    #[serde(default = "name_fields")]
    pub name_fields: Vec<String>,
    /// The share of automatically accepted documents that may carry a wrong value which the back
    /// office accepts. With it, an `uncorroborated:<field>` finding does not block when the
    /// calibration measured that field's unconfirmed readings wrong at most this often (the share
    /// divided among the type's required fields). Without it, every such finding blocks.
    pub target_auto_error: Option<f32>,
}

/// The routing policy file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub default: DefaultPolicy,
    #[serde(default)]
    pub types: BTreeMap<String, TypePolicy>,
}

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read routing policy {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("routing policy is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("routing policy: {0}")]
    Invalid(String),
}

impl Policy {
    /// Parses and checks a policy.
    pub fn from_toml_str(s: &str) -> Result<Policy, PolicyError> {
        let p: Policy = toml::from_str(s)?;
        let in_range = |x: f32| (0.0..=1.0).contains(&x);
        let mut all = vec![p.default.type_threshold, p.default.field_threshold];
        all.extend(p.default.target_auto_error);
        for t in p.types.values() {
            all.extend(t.type_threshold);
            all.extend(t.field_threshold);
            all.extend(t.target_auto_error);
            all.extend(t.fields.values().copied());
        }
        if !all.into_iter().all(in_range) {
            return Err(PolicyError::Invalid("every threshold must lie between 0 and 1".into()));
        }
        let lists =
            std::iter::once(&p.default.name_fields).chain(p.types.values().filter_map(|t| t.name_fields.as_ref()));
        if lists.flatten().any(|f| f.trim().is_empty()) {
            return Err(PolicyError::Invalid("name_fields lists a field with an empty name".into()));
        }
        Ok(p)
    }

    /// Reads a policy file.
    pub fn from_path(path: &Path) -> Result<Policy, PolicyError> {
        let s = std::fs::read_to_string(path)
            .map_err(|source| PolicyError::Io { path: path.display().to_string(), source })?;
        Policy::from_toml_str(&s)
    }

    /// The built-in policy.
    pub fn builtin() -> Policy {
        // Tested below; cannot fail at run time.
        Policy::from_toml_str(DEFAULT_POLICY).expect("built-in policy is valid")
    }

    fn type_threshold(&self, t: &str) -> f32 {
        self.types.get(t).and_then(|p| p.type_threshold).unwrap_or(self.default.type_threshold)
    }

    fn target_auto_error(&self, t: &str) -> Option<f32> {
        self.types.get(t).and_then(|p| p.target_auto_error).or(self.default.target_auto_error)
    }

    fn name_fields(&self, t: &str) -> &[String] {
        self.types.get(t).and_then(|p| p.name_fields.as_deref()).unwrap_or(&self.default.name_fields)
    }

    fn field_threshold(&self, t: &str, field: &str) -> f32 {
        let tp = self.types.get(t);
        tp.and_then(|p| p.fields.get(field).copied())
            .or_else(|| tp.and_then(|p| p.field_threshold))
            .unwrap_or(self.default.field_threshold)
    }
}

/// The router. `Sync`, cheap to share.
pub struct Router {
    policy: Policy,
    taxonomy: Arc<Taxonomy>,
    calibration: Calibration,
}

impl Default for Router {
    fn default() -> Self {
        Router::new(Policy::builtin(), Arc::new(Taxonomy::builtin()))
    }
}

impl Router {
    /// A router applying `policy`, with the required fields of `taxonomy` and the built-in
    /// calibration.
    pub fn new(policy: Policy, taxonomy: Arc<Taxonomy>) -> Self {
        // Tested below; cannot fail at run time.
        let calibration = calibration_from_toml_str(DEFAULT_CALIBRATION).expect("built-in calibration is valid");
        Router::with_calibration(policy, taxonomy, calibration)
    }

    /// A router with a calibration of its own (measured on a back office's own documents).
    pub fn with_calibration(policy: Policy, taxonomy: Arc<Taxonomy>, calibration: Calibration) -> Self {
        Router { policy, taxonomy, calibration }
    }

    /// Whether the policy's target lets an unconfirmed reading of `field` pass: its measured
    /// error rate, over enough readings, fits the type's target shared among its required fields.
    fn waived(&self, t: &str, field: &str) -> bool {
        let Some(target) = self.policy.target_auto_error(t) else { return false };
        let Some(m) = self.calibration.get(t).and_then(|f| f.get(field)) else { return false };
        let required = self.taxonomy.get(t).map_or(1, |d| d.fields.iter().filter(|f| f.required).count().max(1));
        m.read >= MIN_CALIBRATION_READS && (m.wrong as f32 / m.read as f32) <= target / required as f32
    }

    /// Decides the file's outcome. Every input ends here in exactly one decision.
    pub fn decide(&self, work: &Work) -> Outcome {
        let env = &work.envelope;
        let mut outcome = Outcome {
            document_id: env.document_id,
            case_id: env.case_id.clone(),
            file_name: env.file_name.clone(),
            sha256: env.blob.sha256.clone(),
            decision: Decision::Error,
            reasons: vec![],
            documents: vec![],
        };
        if let Some(f) = &work.failure {
            outcome.reasons.push(Reason::new(f.code.as_str(), f.message.clone()));
            return outcome;
        }
        if work.documents.is_empty() {
            outcome.decision = Decision::Review;
            outcome.reasons.push(Reason::new("unclassified", "No document type could be decided for this file."));
            return outcome;
        }
        let several = work.documents.len() > 1;
        for doc in &work.documents {
            let mut reasons = self.reasons_for(doc);
            let by_case = self.confirmed_by_case(doc, &env.case_persons);
            reasons.retain(|r| !r.code.strip_prefix("uncorroborated:").is_some_and(|f| by_case.contains(&f)));
            reasons.extend(self.name_reason(doc, &env.case_persons));
            if several {
                reasons.push(Reason::new(
                    "multiple_documents",
                    format!("The file holds {} documents; check that it was split right.", work.documents.len()),
                ));
            }
            let decision = if reasons.is_empty() { Decision::Auto } else { Decision::Review };
            outcome.documents.push(DocumentOutcome { document: doc.clone(), decision, reasons });
        }
        outcome.decision = if outcome.documents.iter().all(|d| d.decision == Decision::Auto) {
            Decision::Auto
        } else {
            Decision::Review
        };
        let mut seen = std::collections::BTreeSet::new();
        for d in &outcome.documents {
            for r in &d.reasons {
                if seen.insert(r.code.clone()) {
                    outcome.reasons.push(r.clone());
                }
            }
        }
        outcome
    }

    /// Decides like `decide`, knowing that the same file (same sha256) was already submitted for
    /// the same case as `duplicate_of`: such a file always goes to a person.
    pub fn decide_with(&self, work: &Work, duplicate_of: Option<DocumentId>) -> Outcome {
        let mut outcome = self.decide(work);
        let Some(first) = duplicate_of else { return outcome };
        if outcome.decision == Decision::Error {
            return outcome;
        }
        let reason = Reason::new(
            "duplicate",
            format!("The same file was already submitted for this case (document {first}); check whether it is a resubmission."),
        );
        for d in &mut outcome.documents {
            d.decision = Decision::Review;
            d.reasons.push(reason.clone());
        }
        outcome.decision = Decision::Review;
        outcome.reasons.push(reason);
        outcome
    }

    /// `name_mismatch` when the case's persons are known, the document names someone, and that is
    /// none of them. The sentence names the fields, never their value nor the case's names.
    fn name_reason(&self, doc: &DocumentResult, persons: &[PersonName]) -> Option<Reason> {
        if !self.policy.default.name_check || persons.is_empty() {
            return None;
        }
        let read = self.names_read(doc);
        let printed = read.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(" ");
        if names::matches_any(&printed, persons) != Some(false) {
            return None;
        }
        let fields = read.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ");
        Some(Reason::new(
            "name_mismatch",
            format!(
                "The name read in {fields} is none of the persons of the case; check that the document is about someone in this case."
            ),
        ))
    }

    /// The name fields the document has, with their values.
    fn names_read<'a>(&'a self, doc: &'a DocumentResult) -> Vec<(&'a str, &'a str)> {
        self.policy
            .name_fields(doc.doc_type.as_str())
            .iter()
            .filter_map(|f| doc.fields.get(f).map(|v| (f.as_str(), v.value.as_str())))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect()
    }

    /// The name fields that one of the case's persons confirms: the case system's own record of who
    /// the case is about is evidence independent of the page.
    fn confirmed_by_case<'a>(&'a self, doc: &'a DocumentResult, persons: &[PersonName]) -> Vec<&'a str> {
        let read = self.names_read(doc);
        let printed = read.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(" ");
        if persons.is_empty() || names::matches_any(&printed, persons) != Some(true) {
            return vec![];
        }
        read.into_iter().map(|(f, _)| f).collect()
    }

    fn reasons_for(&self, doc: &DocumentResult) -> Vec<Reason> {
        let t = doc.doc_type.as_str();
        let mut reasons = Vec::new();
        if self.policy.default.always_review.iter().any(|x| x == t) {
            let msg = if doc.doc_type == DocumentType::Other {
                "The document is not one of the known types; a person must decide what it is."
            } else {
                "The policy sends every document of this type to a person."
            };
            reasons.push(Reason::new(format!("type_{t}"), msg));
            return reasons;
        }
        let tt = self.policy.type_threshold(t);
        if doc.confidence < tt {
            reasons.push(Reason::new(
                "low_confidence:type",
                format!(
                    "The type was recognised with confidence {:.2}, below the threshold {:.2}.",
                    doc.confidence, tt
                ),
            ));
        }
        if let Some(def) = self.taxonomy.get(t) {
            for f in def.fields.iter().filter(|f| f.required) {
                match doc.fields.get(&f.name) {
                    None => {
                        // Extract usually says so itself; do not repeat its finding.
                        let code = format!("missing:{}", f.name);
                        if !doc.findings.iter().any(|x| x.code == code) {
                            reasons.push(Reason::new(code, format!("The field {} was not found.", f.name)));
                        }
                    }
                    Some(v) if v.valid == Some(false) => {
                        let code = format!("invalid:{}", f.name);
                        if !doc.findings.iter().any(|x| x.code == code) {
                            reasons.push(Reason::new(code, format!("The field {} failed its check.", f.name)));
                        }
                    }
                    Some(v) => {
                        let ft = self.policy.field_threshold(t, &f.name);
                        if v.confidence < ft {
                            reasons.push(Reason::new(
                                format!("low_confidence:{}", f.name),
                                format!(
                                    "The field {} was read with confidence {:.2}, below the threshold {:.2}.",
                                    f.name, v.confidence, ft
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for finding in &doc.findings {
            if let Some(field) = finding.code.strip_prefix("uncorroborated:") {
                if self.waived(t, field) {
                    continue;
                }
            }
            if self.policy.default.blocking_findings.iter().any(|p| finding.code.starts_with(p.as_str())) {
                reasons.push(Reason::new(finding.code.clone(), finding.message.clone()));
            }
        }
        reasons
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::document::{BlobRef, DocumentId, Envelope, MediaType};
    use tamis_shared::{ErrorCode, Failure, Field, FieldSource, Finding};

    fn work_with(doc: Option<DocumentResult>) -> Work {
        let env = Envelope {
            document_id: DocumentId::new(),
            case_id: None,
            case_persons: vec![],
            file_name: "a.pdf".into(),
            blob: BlobRef { key: "k".into(), sha256: "0".repeat(64), media_type: MediaType::Pdf, size: 1 },
            submitted_at: time::OffsetDateTime::UNIX_EPOCH,
            trace: Default::default(),
        };
        let mut w = Work::new(env);
        w.documents.extend(doc);
        w
    }

    fn field(v: &str, c: f32, valid: Option<bool>) -> Field {
        Field { value: v.into(), confidence: c, page: Some(1), bbox: None, source: FieldSource::Ocr, valid }
    }

    fn rib(conf: f32, iban_conf: f32) -> DocumentResult {
        let mut fields = BTreeMap::new();
        fields.insert("account_holder".into(), field("A B", 0.95, None));
        fields.insert("iban".into(), field("FR76...", iban_conf, Some(true)));
        fields.insert("bic".into(), field("BNPAFRPP", 0.95, Some(true)));
        fields.insert("bank_name".into(), field("Banque", 0.95, None));
        DocumentResult {
            doc_type: DocumentType::BankDetails,
            confidence: conf,
            pages: vec![1],
            fields,
            findings: vec![],
        }
    }

    #[test]
    fn confident_complete_documents_are_accepted() {
        let o = Router::default().decide(&work_with(Some(rib(0.97, 0.99))));
        assert_eq!(o.decision, Decision::Auto, "{:?}", o.reasons);
        assert!(o.reasons.is_empty());
    }

    #[test]
    fn each_shortfall_is_a_reason() {
        let r = Router::default();
        let o = r.decide(&work_with(Some(rib(0.5, 0.99))));
        assert_eq!(o.decision, Decision::Review);
        assert_eq!(o.reasons[0].code, "low_confidence:type");
        let o = r.decide(&work_with(Some(rib(0.97, 0.3))));
        assert_eq!(o.reasons[0].code, "low_confidence:iban");
        let mut d = rib(0.97, 0.99);
        d.fields.remove("bic");
        d.fields.get_mut("iban").unwrap().valid = Some(false);
        let codes: Vec<_> = r.decide(&work_with(Some(d))).reasons.into_iter().map(|r| r.code).collect();
        assert!(codes.contains(&"missing:bic".to_string()) && codes.contains(&"invalid:iban".to_string()), "{codes:?}");
        let mut d = rib(0.97, 0.99);
        d.findings.push(Finding { code: "mrz_mismatch:birth_date".into(), message: "m".into() });
        d.findings.push(Finding { code: "corrected:iban".into(), message: "m".into() });
        let codes: Vec<_> = r.decide(&work_with(Some(d))).reasons.into_iter().map(|r| r.code).collect();
        assert_eq!(codes, vec!["mrz_mismatch:birth_date"]);
    }

    #[test]
    fn other_failures_and_empty_files_never_pass() {
        let r = Router::default();
        let mut d = rib(0.99, 0.99);
        d.doc_type = DocumentType::Other;
        assert_eq!(r.decide(&work_with(Some(d))).reasons[0].code, "type_other");
        let o = r.decide(&work_with(None));
        assert_eq!(o.decision, Decision::Review);
        let mut w = work_with(None);
        w.failure = Some(Failure::new("ocr", ErrorCode::Encrypted, "needs a password"));
        let o = r.decide(&w);
        assert_eq!((o.decision, o.reasons[0].code.as_str()), (Decision::Error, "encrypted"));
    }

    #[test]
    fn duplicates_and_expired_documents_go_to_a_person() {
        let r = Router::default();
        let w = work_with(Some(rib(0.97, 0.99)));
        assert_eq!(r.decide_with(&w, None).decision, Decision::Auto);
        let o = r.decide_with(&w, Some(DocumentId::new()));
        assert_eq!(o.decision, Decision::Review);
        assert_eq!(o.reasons.last().unwrap().code, "duplicate");
        assert_eq!(o.documents[0].decision, Decision::Review);
        let mut d = rib(0.97, 0.99);
        d.findings.push(Finding { code: "expired".into(), message: "The document's expiry date has passed.".into() });
        let o = r.decide(&work_with(Some(d)));
        assert_eq!((o.decision, o.reasons[0].code.as_str()), (Decision::Review, "expired"));
    }

    fn for_case(doc: DocumentResult, persons: &[&str]) -> Work {
        let mut w = work_with(Some(doc));
        w.envelope.case_id = Some("CASE-1".into());
        w.envelope.case_persons = persons.iter().map(|p| PersonName::new(p).unwrap()).collect();
        w
    }

    fn rib_of(holder: &str) -> DocumentResult {
        let mut d = rib(0.97, 0.99);
        d.fields.get_mut("account_holder").unwrap().value = holder.into();
        d
    }

    #[test]
    fn a_name_that_is_none_of_the_cases_persons_goes_to_a_person() {
        let r = Router::default();
        let o = r.decide(&for_case(rib_of("DANIELLE JACOB"), &["Marc DURAND", "Léa DURAND"]));
        assert_eq!(o.decision, Decision::Review);
        assert_eq!(o.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["name_mismatch"]);
        let msg = &o.reasons[0].message;
        assert!(msg.contains("account_holder") && !msg.contains("JACOB") && !msg.contains("DURAND"), "{msg}");
        assert_eq!(o.documents[0].decision, Decision::Review);

        let o = r.decide(&for_case(rib_of("DANIELLE JACOB"), &["Marc DURAND", "Danielle Marie Jacob"]));
        assert_eq!(o.decision, Decision::Auto, "{:?}", o.reasons);
        // Unknown case persons: the rule does not apply.
        assert_eq!(r.decide(&for_case(rib_of("DANIELLE JACOB"), &[])).decision, Decision::Auto);
    }

    #[test]
    fn identity_documents_compare_given_names_and_surname_together() {
        let mut fields = BTreeMap::new();
        for (k, v) in [
            ("surname", "LE ROUX"),
            ("given_names", "Claudine Suzanne Jeanne"),
            ("birth_date", "1956-05-03"),
            ("document_number", "18YR16706"),
            ("expiry_date", "2099-07-12"),
            ("sex", "F"),
            ("nationality", "FRA"),
        ] {
            fields.insert(k.to_string(), field(v, 0.99, None));
        }
        let doc = DocumentResult {
            doc_type: DocumentType::Passport,
            confidence: 0.99,
            pages: vec![1],
            fields,
            findings: vec![],
        };
        let r = Router::default();
        assert_eq!(r.decide(&for_case(doc.clone(), &["Claudine DUPONT née LE ROUX"])).decision, Decision::Auto);
        let o = r.decide(&for_case(doc, &["Marie LE ROUX"]));
        assert!(
            o.reasons.iter().any(|r| r.code == "name_mismatch" && r.message.contains("given_names, surname")),
            "{:?}",
            o.reasons
        );
    }

    #[test]
    fn the_name_check_is_configured_by_the_policy() {
        let taxonomy = Arc::new(Taxonomy::builtin());
        let off = Policy::from_toml_str(&DEFAULT_POLICY.replace("name_check = true", "name_check = false")).unwrap();
        let w = for_case(rib_of("DANIELLE JACOB"), &["Marc DURAND"]);
        assert_eq!(Router::new(off, taxonomy.clone()).decide(&w).decision, Decision::Auto);
        let per_type = format!("{DEFAULT_POLICY}\n[types.bank_details]\nname_fields = []\n");
        assert_eq!(
            Router::new(Policy::from_toml_str(&per_type).unwrap(), taxonomy.clone()).decide(&w).decision,
            Decision::Auto
        );
        // A policy file written before the rule existed gets it, on.
        let old = "[default]\ntype_threshold = 0.9\nfield_threshold = 0.8\n";
        assert_eq!(Router::new(Policy::from_toml_str(old).unwrap(), taxonomy).decide(&w).decision, Decision::Review);
        assert_eq!(Policy::builtin().default.name_fields, NAME_FIELDS.map(String::from).to_vec());
        assert!(Policy::from_toml_str(&format!("{DEFAULT_POLICY}\n[types.payslip]\nname_fields = [\" \"]\n")).is_err());
    }

    #[test]
    fn thresholds_out_of_range_are_refused() {
        let bad = DEFAULT_POLICY.replace("type_threshold = 0.90", "type_threshold = 9");
        assert!(Policy::from_toml_str(&bad).is_err());
    }

    fn unconfirmed(holder: &str) -> DocumentResult {
        let mut d = rib_of(holder);
        d.findings.push(Finding { code: "uncorroborated:account_holder".into(), message: "m".into() });
        d
    }

    fn measured(read: u32, wrong: u32) -> Calibration {
        calibration_from_toml_str(&format!("[bank_details.account_holder]\nread = {read}\nwrong = {wrong}\n")).unwrap()
    }

    #[test]
    fn an_unconfirmed_field_passes_only_where_calibration_meets_the_target() {
        let tax = Arc::new(Taxonomy::builtin());
        let decide = |policy: &str, c: Calibration| {
            let r = Router::with_calibration(Policy::from_toml_str(policy).unwrap(), tax.clone(), c);
            let o = r.decide(&work_with(Some(unconfirmed("DANIELLE JACOB"))));
            (o.decision, o.reasons.iter().map(|r| r.code.clone()).collect::<Vec<_>>())
        };
        assert_eq!(decide(DEFAULT_POLICY, Calibration::new()).1, vec!["uncorroborated:account_holder"]);
        assert_eq!(decide(DEFAULT_POLICY, measured(40, 0)).0, Decision::Auto);
        // One wrong in forty is 2.5 %, far over 0.5 % shared among four required fields.
        assert_eq!(decide(DEFAULT_POLICY, measured(40, 1)).0, Decision::Review);
        // Too few readings say nothing.
        assert_eq!(decide(DEFAULT_POLICY, measured(12, 0)).0, Decision::Review);
        // Without a target, nothing unconfirmed passes.
        let strict = DEFAULT_POLICY.replace("target_auto_error = 0.005", "");
        assert_eq!(decide(&strict, measured(40, 0)).0, Decision::Review);
        // A type's own target overrides the default one.
        let lax = format!("{DEFAULT_POLICY}\n[types.bank_details]\ntarget_auto_error = 0.2\n");
        assert_eq!(decide(&lax, measured(40, 1)).0, Decision::Auto);
        assert!(calibration_from_toml_str("[a.b]\nread = 1\nwrong = 2\n").is_err());
        assert!(Policy::from_toml_str(&DEFAULT_POLICY.replace("target_auto_error = 0.005", "target_auto_error = 5"))
            .is_err());
    }

    #[test]
    fn the_cases_persons_confirm_a_name_nothing_on_the_page_does() {
        let r = Router::with_calibration(Policy::builtin(), Arc::new(Taxonomy::builtin()), Calibration::new());
        let w = |persons: &[&str]| {
            let mut w = for_case(unconfirmed("DANIELLE JACOB"), persons);
            if persons.is_empty() {
                w.envelope.case_persons.clear();
            }
            r.decide(&w)
        };
        assert_eq!(w(&["Marc DURAND", "Danielle Marie Jacob"]).decision, Decision::Auto);
        let codes = |o: Outcome| o.reasons.into_iter().map(|r| r.code).collect::<Vec<_>>();
        assert_eq!(codes(w(&["Marc DURAND"])), vec!["uncorroborated:account_holder", "name_mismatch"]);
        assert_eq!(codes(w(&[])), vec!["uncorroborated:account_holder"]);
    }

    #[test]
    fn the_built_in_calibration_is_valid() {
        calibration_from_toml_str(DEFAULT_CALIBRATION).unwrap();
    }
}
