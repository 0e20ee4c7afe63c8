//! Helpers shared by the corpus tests.
#![allow(dead_code)]

use std::path::PathBuf;
use tamis_shared::{BlobRef, DocumentId, Envelope, MediaType, Work};

/// The corpus folder: TAMIS_CORPUS_DIR, else /work/shared/corpus relative to this crate.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TAMIS_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    dir.join("bad").is_dir().then_some(dir)
}

/// A Work with a dummy envelope.
pub fn work_for(name: &str, bytes: &[u8]) -> Work {
    Work::new(Envelope {
        document_id: DocumentId::derived(name, None),
        case_id: None,
        case_persons: vec![],
        file_name: name.to_string(),
        blob: BlobRef {
            key: name.into(),
            sha256: String::new(),
            media_type: MediaType::sniff(bytes),
            size: bytes.len() as u64,
        },
        submitted_at: time::OffsetDateTime::UNIX_EPOCH,
        trace: Default::default(),
    })
}

/// Loose normalisation for "is this value in the text": digits only when the value is mostly
/// digits, else lower-case letters and digits without accents.
pub fn norm(s: &str) -> String {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    let alnum = s.chars().filter(|c| c.is_alphanumeric()).count();
    if alnum > 0 && digits * 2 >= alnum {
        return s.chars().filter(|c| c.is_ascii_digit()).collect();
    }
    fold(s)
}

/// Lower-case letters and digits, accents stripped.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(|c| c.to_lowercase())
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// How many of the truth values (of every fields object) appear in the text, loosely. Amounts
/// like `1234.56` are also looked for without their decimal point, dates also as dd/mm/yyyy.
pub fn fields_found(fields: &[serde_json::Value], text: &str) -> (usize, usize) {
    let letters = fold(text);
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let (mut found, mut total) = (0, 0);
    for f in fields {
        let Some(obj) = f.as_object() else { continue };
        for v in obj.values() {
            let Some(v) = v.as_str() else { continue };
            total += 1;
            let mut candidates = vec![v.to_string()];
            // ISO dates are printed dd/mm/yyyy; amounts without trailing .00 sometimes.
            if v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' {
                candidates.push(format!("{}{}{}", &v[8..10], &v[5..7], &v[0..4]));
            }
            if let Some(stripped) = v.strip_suffix(".00") {
                candidates.push(stripped.to_string());
            }
            if v.len() == 7 && v.as_bytes()[4] == b'-' {
                candidates.push(format!("{}{}", &v[5..7], &v[0..4]));
            }
            let hit = candidates.iter().any(|c| {
                let n = norm(c);
                if n.is_empty() {
                    return false;
                }
                if n.chars().all(|c| c.is_ascii_digit()) {
                    digits.contains(&n)
                } else {
                    letters.contains(&n)
                }
            });
            if hit {
                found += 1;
            }
        }
    }
    (found, total)
}
