//! France's identity card of 1988-2021, whose 2x36 zone is not ICAO's and which no corpus holds:
//! read end to end by `tamis process` (real tesseract) from the fixtures drawn by
//! `tests/fixtures/make_fra_id_1988.py` (the public specimen's zone, Christiane Douel).

mod common;

use common::*;

#[test]
fn a_french_card_of_1988_to_2021_is_read_from_its_own_zone() {
    let got = process(&[&root().join("tests/fixtures/fra_id_1988")]);
    let value = |file: &str, field: &str| got[file]["fields"][field]["value"].as_str().map(str::to_string);

    // A clean scan: every field, the names confirmed by the printed zone; the card has expired.
    let scan = &got["scan.png"];
    assert_eq!(scan["type"], "id_card", "{scan}");
    for (field, want) in [
        ("surname", "DOUEL"),
        ("given_names", "CHRISTIANE NICOLE"),
        ("birth_date", "1929-06-20"),
        ("document_number", "050693202043"),
        ("expiry_date", "2015-05-31"),
        ("sex", "F"),
        ("nationality", "FRA"),
    ] {
        assert_eq!(value("scan.png", field).as_deref(), Some(want), "{field}: {scan}");
    }
    assert_eq!(scan["fields"]["document_number"]["valid"], true, "{scan}");
    assert_eq!(scan["decision"], "review", "{scan}");
    assert_eq!(scan["reasons"], serde_json::json!(["expired"]), "{scan}");

    // A worn photocopy: the zone's check digits still give the number, birth date and sex,
    // but what was read only there goes to a person.
    let copy = &got["photocopy.jpg"];
    assert_eq!(copy["type"], "id_card", "{copy}");
    for (field, want) in [("document_number", "050693202043"), ("birth_date", "1929-06-20"), ("sex", "F")] {
        assert_eq!(value("photocopy.jpg", field).as_deref(), Some(want), "{field}: {copy}");
    }
    assert_eq!(copy["decision"], "review", "{copy}");
}
