//! Parsing against real payloads (the corpus truth and ANTS's specification examples), a
//! serialise/parse round trip, and tampering that must never verify.

use data_encoding::BASE32_NOPAD;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use tamis_twoddoc::parse::{encode, encode_message, field_length, Header, GS, US};
use tamis_twoddoc::{parse, Outcome, TrustList};
use time::{Date, Month};

fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TAMIS_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    dir.is_dir().then_some(dir)
}

/// Truth writes the separators as `<GS>`/`<US>`.
fn unescape(s: &str) -> String {
    s.replace("<GS>", "\u{1d}").replace("<US>", "\u{1f}")
}

fn date(y: i32, m: Month, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, m, d).ok()
}

// dd0001 (invoice), dd0002 (tax notice 04), dd0011 (invoice with 11/12/13) and dd0004 (type 28),
// from shared/corpus/2ddoc/truth.jsonl.
const DD0001: &str = "DC04ZZ010001249924990101FR243500026FR10MME/KLEIN/CHRISTELLE<GS>21RESIDENCE LES TILLEULS<GS>22102 IMPASSE DES ACACIAS<GS>25RENNES<GS>189840065536<GS>197511504876<GS>1D90,97<GS><US>PATGT4RNA6U35NABYX65POTXFIJ4JPWN7MWRANAOBHAN3D2W62B5CG5LOZL24LUBNETMYCTZYPUWCVP5K4SZSONMROK3ZIE47UO3CEA";
const DD0002: &str = "DC04ZZ010001FFFF247B0401FR432,5<GS>442544M5478674545202446MEUNIER ALFRED<GS>4A3107202547387681517223041100798<GS>48MEUNIER CHANTAL<GS>491618671593399<US>XFCRWGEMSGSVI5NVLGLA5PJMHJXAMNTHHXPLC5JT32R5LCYNWLZMTG5TW4XMZSGAKRVETGQ3QXMB376UMEWP4MO7QAB7USDFZQGGKMI";
const DD0011: &str = "DC04ZZ01000123F723F70101FR244400026FR11M<GS>12WILLIAM<GS>13NORMAND<GS>22130 RUE VICTOR HUGO<GS>25NANTES<GS>182470013941<GS>194656327719<GS>1D383,38<GS><US>C35GZIQDO634EWYIOCUUCBZVLJBNN2SJFGZW5ATIBOK25JBWCGOFOZKR7F4RXWNKLJPF6OSQ75W6RWNXWUAE3VGOF2E7YBCSQQBIYFY";

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn parses_an_invoice_payload() {
    let d = parse(&unescape(DD0001)).expect("parses");
    assert_eq!(
        d.header,
        Header {
            version: 4,
            ca_id: "ZZ01".into(),
            cert_id: "0001".into(),
            issue_date: date(2025, Month::August, 26),
            signature_date: date(2025, Month::August, 26),
            doc_type: "01".into(),
            perimeter: Some("01".into()),
            country: Some("FR".into()),
        }
    );
    assert_eq!(
        d.fields,
        pairs(&[
            ("24", "35000"),
            ("26", "FR"),
            ("10", "MME/KLEIN/CHRISTELLE"),
            ("21", "RESIDENCE LES TILLEULS"),
            ("22", "102 IMPASSE DES ACACIAS"),
            ("25", "RENNES"),
            ("18", "9840065536"),
            ("19", "7511504876"),
            ("1D", "90,97"),
        ])
    );
    assert_eq!(d.signature.len(), 64, "P-256 r||s");
    assert_eq!(d.signed_bytes, unescape(DD0001).split('\u{1f}').next().unwrap().as_bytes());
}

#[test]
fn parses_a_tax_notice_payload_with_fixed_fields_back_to_back() {
    let d = parse(&unescape(DD0002)).expect("parses");
    assert_eq!(d.header.issue_date, None, "FFFF is no date");
    assert_eq!(d.header.signature_date, date(2025, Month::July, 27));
    assert_eq!(d.header.doc_type, "04");
    assert_eq!(
        d.fields,
        pairs(&[
            ("43", "2,5"),
            ("44", "2544M54786745"),
            ("45", "2024"),
            ("46", "MEUNIER ALFRED"),
            ("4A", "31072025"),
            ("47", "3876815172230"),
            ("41", "100798"),
            ("48", "MEUNIER CHANTAL"),
            ("49", "1618671593399"),
        ])
    );
}

#[test]
fn parses_an_invoice_with_separate_name_fields() {
    let d = parse(&unescape(DD0011)).expect("parses");
    assert_eq!(d.field("11"), Some("M"));
    assert_eq!(d.field("12"), Some("WILLIAM"));
    assert_eq!(d.field("13"), Some("NORMAND"));
    assert_eq!(d.field("1D"), Some("383,38"));
}

#[test]
fn every_truth_payload_parses_to_its_raw_fields() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipped: no shared dir");
        return;
    };
    let Ok(truth) = std::fs::read_to_string(shared.join("corpus/2ddoc/truth.jsonl")) else {
        eprintln!("skipped: no 2ddoc truth");
        return;
    };
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let t: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = t["file"].as_str().unwrap();
        let d = parse(&unescape(t["twoddoc"]["payload"].as_str().unwrap())).unwrap_or_else(|e| panic!("{file}: {e}"));
        let raw = t["twoddoc"]["fields"].as_object().unwrap();
        assert_eq!(d.fields.len(), raw.len(), "{file}");
        for (k, v) in raw {
            assert_eq!(d.field(k), v.as_str(), "{file} field {k}");
        }
    }
}

/// ANTS's examples annotate values ("21112017 (ce qui correspond au ...)", "<vide>").
fn ants_value(v: &str) -> String {
    let v = v.split(" (").next().unwrap_or(v);
    if v == "<vide>" {
        String::new()
    } else {
        v.trim().to_string()
    }
}

#[test]
fn parses_the_ants_specification_examples() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipped: no shared dir");
        return;
    };
    let Ok(text) = std::fs::read_to_string(shared.join("realdata/fr/2ddoc/ants_spec_examples_test_list.json")) else {
        eprintln!("skipped: no ANTS examples");
        return;
    };
    let examples: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(examples.len() >= 20);
    for e in &examples {
        let ty = e["documentTypeId"].as_str().unwrap();
        let d = parse(&unescape(e["message"].as_str().unwrap())).unwrap_or_else(|err| panic!("type {ty}: {err}"));
        assert_eq!(d.header.doc_type, ty);
        assert_eq!(d.header.ca_id, "FR00");
        let mut want: Vec<(String, String)> = ["mandatoryData", "facultativeData"]
            .iter()
            .filter_map(|k| e[*k].as_array())
            .flatten()
            .map(|kv| (kv["key"].as_str().unwrap().to_string(), ants_value(kv["value"].as_str().unwrap())))
            .collect();
        let mut got: Vec<(String, String)> = d.fields.iter().map(|(k, v)| (k.clone(), v.trim().to_string())).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "type {ty}");
        if let Some(hex) = e["signature"].as_str() {
            let sig: String = d.signature.iter().map(|b| format!("{b:02X}")).collect();
            // The examples give it in hex (one with a copy artefact after it) or, once, in Base32.
            let as_b32 = BASE32_NOPAD.encode(&d.signature);
            assert!(hex.to_uppercase().starts_with(&sig) || hex == as_b32, "type {ty}: Base32 signature");
            assert_eq!(sig.len(), 128, "type {ty}: P-256 r||s");
        }
    }
}

fn test_trust() -> Option<(TrustList, String)> {
    let shared = shared_dir()?;
    let trust = TrustList::from_path(&shared.join("corpus/2ddoc/trust/trust_list.json")).ok()?;
    Some((trust, unescape(DD0001)))
}

#[test]
fn the_genuine_barcode_verifies_and_no_single_changed_byte_does() {
    let Some((trust, text)) = test_trust() else {
        eprintln!("skipped: no test trust list");
        return;
    };
    assert_eq!(trust.verify(&parse(&text).unwrap()), Outcome::Verified);
    let bytes = text.as_bytes();
    let mut checked = 0;
    for i in 0..bytes.len() {
        for replacement in [b'0', b'A', b'7', b' '] {
            if bytes[i] == replacement {
                continue;
            }
            let mut forged = bytes.to_vec();
            forged[i] = replacement;
            let forged = String::from_utf8(forged).unwrap();
            if let Ok(d) = parse(&forged) {
                assert_ne!(trust.verify(&d), Outcome::Verified, "byte {i} changed to {replacement}");
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "most forgeries still parse ({checked})");
}

#[test]
fn without_a_trust_list_nothing_verifies() {
    let d = parse(&unescape(DD0001)).unwrap();
    assert_eq!(tamis_twoddoc::verify(&d, None), Outcome::NoTrustList);
    assert_eq!(TrustList::default().verify(&d), Outcome::UnknownCertificate);
}

const IDS: [&str; 24] = [
    "10", "11", "12", "13", "18", "19", "1D", "20", "21", "22", "24", "25", "26", "41", "43", "44", "45", "46", "47",
    "48", "49", "4A", "4Y", "0C",
];

fn field_strategy() -> impl Strategy<Value = (String, String)> {
    prop::sample::select(IDS.to_vec()).prop_flat_map(|id| {
        let (min, max) = field_length(Some("01"), id);
        let max = max.unwrap_or(40);
        let len = if min == max { (min..=min).boxed() } else { (0..=max).boxed() };
        len.prop_flat_map(move |n| {
            prop::collection::vec(
                prop::sample::select("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /,-.".chars().collect::<Vec<_>>()),
                n,
            )
            .prop_map(move |cs| (id.to_string(), cs.into_iter().collect::<String>()))
        })
    })
}

fn header_strategy() -> impl Strategy<Value = Header> {
    let day = prop::option::of(0i64..0xFFFE);
    (2u8..=4, "[A-Z]{2}[0-9]{2}", "[A-Z0-9]{4}", day.clone(), day, "[0-9A-Z]{2}", "[A-Z]{2}").prop_map(
        |(version, ca_id, cert_id, issue, sig, doc_type, country)| {
            let epoch = Date::from_calendar_date(2000, Month::January, 1).unwrap();
            let d = |n: Option<i64>| n.map(|n| epoch + time::Duration::days(n));
            Header {
                version,
                ca_id,
                cert_id,
                issue_date: d(issue),
                signature_date: d(sig),
                doc_type,
                // Perimeter 01 so the ANTS length table applies; older versions have none.
                perimeter: (version >= 3).then(|| "01".to_string()),
                country: (version >= 4).then_some(country),
            }
        },
    )
}

proptest! {
    #[test]
    fn serialise_then_parse_gives_back_header_and_fields(
        header in header_strategy(),
        fields in prop::collection::vec(field_strategy(), 0..12),
        sig in prop::collection::vec(any::<u8>(), 64),
    ) {
        let text = encode(&header, &fields, &sig);
        let d = parse(&text).unwrap();
        prop_assert_eq!(&d.header, &header);
        prop_assert_eq!(&d.fields, &fields);
        prop_assert_eq!(&d.signature, &sig);
        prop_assert_eq!(d.signed_bytes, encode_message(&header, &fields).into_bytes());
    }

    #[test]
    fn garbage_never_panics(s in "DC0[1-4][ -~\u{1d}\u{1e}\u{1f}é]{0,120}") {
        let _ = parse(&s);
    }
}

#[test]
fn separators_are_the_control_characters() {
    assert_eq!(GS, '\u{1d}');
    assert_eq!(US, '\u{1f}');
    assert_eq!(BASE32_NOPAD.decode(b"AAAA").unwrap(), vec![0, 0]);
}
