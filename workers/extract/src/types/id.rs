//! Identity documents: the MRZ, when its check digits pass, is the strongest source; the printed
//! zone fills what it truncates (long given names) and must agree with it.

use crate::doc::Doc;
use crate::Out;
use tamis_shared::ids::Mrz;
use tamis_shared::taxonomy::fold;
use tamis_shared::FieldSource;

fn name_tokens(s: &str) -> Vec<String> {
    fold(&s.replace(['-', '\'', '’'], " ")).split(' ').filter(|t| !t.is_empty()).map(String::from).collect()
}

pub(crate) fn extract(doc: &Doc, out: &mut Out) {
    let raw: Vec<&str> = doc.lines.iter().map(|l| l.text.as_str()).collect();
    let Some(m) = Mrz::find(&raw) else {
        // Without an MRZ the printed zone alone is not certain enough to accept automatically.
        for f in out.fields.values_mut() {
            f.confidence = f.confidence.min(0.75);
        }
        out.finding("missing:mrz".into(), "No machine-readable zone with valid check digits was found.");
        return;
    };
    let page = doc.lines.iter().rev().find(|l| l.text.contains("<<")).map_or(1, |l| l.page);
    let conf = if m.corrected { 0.9 } else { 0.985 };
    let mk = |v: String, valid: Option<bool>| super::field(v, conf, page, None, FieldSource::Mrz, valid);
    if m.corrected {
        out.finding("corrected:mrz".into(), "OCR confusions in the machine-readable zone were repaired to pass its check digits.");
    }
    let mut set = |out: &mut Out, name: &str, v: Option<String>, valid: Option<bool>| {
        let Some(v) = v else { return };
        if let Some(printed) = out.fields.get(name) {
            if printed.value != v && name != "surname" && name != "given_names" {
                out.finding(format!("mrz_mismatch:{name}"), "The printed zone and the machine-readable zone disagree on this field.");
            }
        }
        out.fields.insert(name.to_string(), mk(v, valid));
    };
    set(out, "document_number", Some(m.document_number.clone()), Some(true));
    set(out, "birth_date", m.birth_date.map(|d| d.to_string()), Some(true));
    set(out, "expiry_date", m.expiry_date.map(|d| d.to_string()), Some(true));
    set(out, "sex", (m.sex != 'X').then(|| m.sex.to_string()), None);
    set(out, "nationality", m.nationality.clone(), None);
    // Names: the MRZ drops accents and truncates; keep the printed form when it extends the MRZ's.
    for (name, mrz_v) in [("surname", &m.surname), ("given_names", &m.given_names)] {
        // OCR reads trailing fillers as K, S, E or L: names are not covered by check digits.
        let clean: Vec<String> = mrz_v
            .split(' ')
            .enumerate()
            .take_while(|(i, t)| {
                *i == 0 || (!t.chars().any(|c| c.is_ascii_digit()) && t.len() >= 2 && !t.chars().all(|c| "KSELC".contains(c)))
            })
            .map(|(_, t)| t.to_string())
            .collect();
        let suspicious = clean.len() != mrz_v.split(' ').count();
        let mrz_v = &clean.join(" ");
        let mt = name_tokens(mrz_v);
        let keep_printed = out.fields.get(name).is_some_and(|p| {
            let pt = name_tokens(&p.value);
            !mt.is_empty() && pt.first() == mt.first() && pt.len() >= mt.len()
        });
        if keep_printed {
            if let Some(p) = out.fields.get_mut(name) {
                p.confidence = p.confidence.max(0.95);
                p.valid = Some(true);
            }
        } else if !mt.is_empty() {
            let mut f = mk(mrz_v.clone(), None);
            // Names carry no check digit: without the printed zone agreeing, a person must look.
            f.confidence = if suspicious { 0.6 } else { 0.78 };
            out.fields.insert(name.to_string(), f);
        }
    }
    if let Some(e) = m.expiry_date {
        if e < time::OffsetDateTime::now_utc().date() {
            out.finding("expired".into(), "The document's expiry date has passed.");
        }
    }
}
