//! Every identifier test vector of realdata/identifiers.csv must be judged right.

use super::*;

fn csv_path() -> Option<std::path::PathBuf> {
    let p = std::env::var("TAMIS_REALDATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from("/work/shared/realdata"))
        .join("identifiers.csv");
    p.exists().then_some(p)
}

/// Splits one CSV line on commas outside quotes.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}

#[test]
fn identifiers_csv_vectors_are_all_judged_right() {
    let Some(path) = csv_path() else {
        eprintln!("identifiers.csv not found; skipped");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut wrong = vec![];
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f = fields(line);
        if f.len() < 3 {
            continue;
        }
        let (kind, value, expected) = (&f[0], &f[1], f[2] == "true");
        let got = match kind.as_str() {
            "siren" => Siren::parse(value).is_ok(),
            "siret" => Siret::parse(value).is_ok(),
            "nir" => Nir::parse(value).is_ok(),
            "iban" => Iban::parse(value).is_ok(),
            "fr_tva" => TvaFr::parse(value).is_ok(),
            _ => continue,
        };
        n += 1;
        if got != expected {
            wrong.push(format!("{kind} {value} expected {expected}"));
        }
    }
    assert!(n > 300, "only {n} vectors read");
    assert!(wrong.is_empty(), "{} wrong: {:#?}", wrong.len(), wrong);
}

#[test]
fn realdata_mrz_truth_lines_give_their_fields() {
    let p = std::path::PathBuf::from("/work/shared/realdata/truth.jsonl");
    let Ok(text) = std::fs::read_to_string(p) else { return };
    let mut bad = vec![];
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(f) = v.get("fields") else { continue };
        let Some(mrz) = f.get("mrz").and_then(|m| m.as_array()) else { continue };
        let lines: Vec<&str> = mrz.iter().filter_map(|l| l.as_str()).collect();
        let file = v["file"].as_str().unwrap_or("");
        let valid = f.get("mrz_check_digits_valid").and_then(|b| b.as_bool()).unwrap_or(true);
        match Mrz::parse(&lines) {
            Err(_) if !valid => {}
            Err(e) => bad.push(format!("{file}: {e}")),
            Ok(_) if !valid => bad.push(format!("{file}: accepted")),
            Ok(m) => {
                let s = |k: &str| f.get(k).and_then(|x| x.as_str()).map(|x| x.to_string());
                let checks = [
                    ("surname", Some(m.surname.clone())),
                    ("given_names", Some(m.given_names.clone())),
                    ("document_number", Some(m.document_number.clone())),
                    ("birth_date", m.birth_date.map(|d| d.to_string())),
                    ("expiry_date", m.expiry_date.map(|d| d.to_string())),
                    ("sex", Some(m.sex.to_string())),
                    ("nationality", m.nationality.clone()),
                ];
                for (k, got) in checks {
                    if s(k) != got {
                        bad.push(format!("{file}: {k} {:?} != {:?}", got, s(k)));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}
