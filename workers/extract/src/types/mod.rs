//! What labels alone cannot do, per type: the MRZ of identity documents, IBANs anywhere in a RIB,
//! names in address blocks and sentences, amounts that must add up.

mod id;
mod others;

pub(crate) use others::has_legal_form;

use crate::doc::Doc;
use crate::Out;
use tamis_shared::{BBox, Field, FieldSource};

/// Runs the type's own rules over what the labels gave.
/// `labels` holds every label and title word of the taxonomy (a heading made of them alone is
/// no name).
pub(crate) fn specific(name: &str, doc: &Doc, source: FieldSource, labels: &Labels, out: &mut Out) {
    match name {
        "id_card" | "passport" | "residence_permit" => id::extract(doc, out),
        "bank_details" => others::bank(doc, source, labels, out),
        "payslip" => others::payslip(doc, source, labels, out),
        "tax_notice" => others::tax(doc, source, out),
        "rent_receipt" => others::rent(doc, source, out),
        "energy_bill" => others::energy(doc, source, out),
        "employer_certificate" => others::employer(doc, source, labels, out),
        "school_certificate" => others::school(doc, source, labels, out),
        "sick_leave" => others::sick(doc, source, labels, out),
        _ => {}
    }
}

/// Every label and title word of the taxonomy, folded.
pub(crate) type Labels = std::collections::BTreeSet<String>;

/// A field found by a rule, with its confidence.
pub(crate) fn field(
    value: String,
    conf: f32,
    page: u32,
    bbox: Option<BBox>,
    source: FieldSource,
    valid: Option<bool>,
) -> Field {
    Field { value, confidence: conf.clamp(0.0, 0.999), page: Some(page), bbox, source, valid }
}
