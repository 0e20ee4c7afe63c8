//! The 2D-Doc message: header (versions 01 to 04), data fields, signature and annex.
//!
//! Parsing only cuts the text where the ANTS specification says; it never judges the values
//! (that is verification's and mapping's job), so a forged barcode parses as well as a real one.

use data_encoding::BASE32_NOPAD;
use thiserror::Error;
use time::{Date, Duration, Month};

/// Group separator: ends a variable-length field shorter than its maximum.
pub const GS: char = '\u{1D}';
/// Record separator: ends a variable-length field that was truncated to fit.
pub const RS: char = '\u{1E}';
/// Unit separator: ends the signed part; the signature follows.
pub const US: char = '\u{1F}';

/// Why a text is not a 2D-Doc.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("not a 2D-Doc (no DC marker)")]
    NotTwoDDoc,
    #[error("unsupported 2D-Doc version {0:?}")]
    UnsupportedVersion(String),
    #[error("2D-Doc header too short for version {0}")]
    ShortHeader(u8),
    #[error("2D-Doc header field {0} is not valid")]
    BadHeader(&'static str),
    #[error("2D-Doc data field {0:?} is cut short")]
    ShortField(String),
    #[error("2D-Doc has no signature (no unit separator)")]
    NoSignature,
    #[error("2D-Doc signature is not Base32")]
    BadSignature,
}

/// The fixed-layout header at the start of every 2D-Doc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// 1 to 4; decides the header's length.
    pub version: u8,
    /// Certification authority id, e.g. `FR01` (chars 4..8).
    pub ca_id: String,
    /// Signing certificate id within that authority (chars 8..12).
    pub cert_id: String,
    /// Issue date of the document; `FFFF` in the barcode means none.
    pub issue_date: Option<Date>,
    /// Date the barcode was signed; `FFFF` means none.
    pub signature_date: Option<Date>,
    /// Document type id, e.g. `01` (invoice), `04`/`28` (tax notice).
    pub doc_type: String,
    /// Perimeter id (v03+); `01` is the ANTS perimeter whose identifiers this crate knows.
    pub perimeter: Option<String>,
    /// Issuing country (v04), ISO 3166 alpha-2.
    pub country: Option<String>,
}

impl Header {
    /// Header length in characters for a version.
    pub fn len_for(version: u8) -> usize {
        match version {
            1 | 2 => 22,
            3 => 24,
            _ => 26,
        }
    }
}

/// A parsed (not verified) 2D-Doc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoDDoc {
    pub header: Header,
    /// Data fields in barcode order: (identifier, raw value).
    pub fields: Vec<(String, String)>,
    /// Identifiers of fields the issuer marked as truncated (ended by RS).
    pub truncated: Vec<String>,
    /// The exact bytes the signature covers: header and message, before the unit separator.
    pub signed_bytes: Vec<u8>,
    /// Raw signature bytes (r || s) decoded from Base32.
    pub signature: Vec<u8>,
    /// Annex fields after the signature (not signed), same encoding as the message.
    pub annex: Vec<(String, String)>,
}

impl TwoDDoc {
    /// The raw value of a data field, if present.
    pub fn field(&self, id: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str())
    }
}

/// Length rule of a data identifier: `(min, max)`; `max = None` means unbounded.
/// Fixed when `min == max`: such a field never has a terminator.
pub fn field_length(perimeter: Option<&str>, id: &str) -> (usize, Option<usize>) {
    // Only perimeter 01 (ANTS) identifiers are known; versions before 03 have no perimeter and
    // share the ANTS table. Other perimeters fall back to "variable, terminated".
    if !matches!(perimeter, None | Some("01")) {
        return (0, None);
    }
    let fixed = |n| (n, Some(n));
    let var = |n| (0, Some(n));
    match id {
        "06" | "08" => fixed(4),
        "07" => fixed(6),
        "09" => fixed(4),
        "0A" | "0B" => fixed(9),
        "0D" => fixed(36),
        "10" | "11" | "12" | "13" | "14" | "15" | "16" | "17" => var(38),
        "1C" => fixed(8),
        "1D" => var(16),
        "1E" | "1F" => var(30),
        "1G" | "1H" => fixed(1),
        "1I" | "1J" | "1K" | "1L" | "1M" | "1N" | "1O" | "1P" => var(38),
        "20" | "21" | "22" | "23" => var(38),
        "24" => fixed(5),
        "25" => var(32),
        "26" => fixed(2),
        "27" | "28" | "29" | "2A" => var(38),
        "2B" => fixed(5),
        "2C" => var(32),
        "2D" => fixed(2),
        "30" => var(140),
        "31" => (14, Some(38)),
        "32" => (8, Some(11)),
        "33" => var(30),
        "34" => fixed(2),
        "35" => (14, Some(34)),
        "36" | "37" => fixed(4),
        "38" | "39" => var(11),
        "40" => fixed(13),
        "41" => var(12),
        "43" => var(5),
        "44" => fixed(13),
        "45" => fixed(4),
        "46" | "48" => var(38),
        "47" | "49" => fixed(13),
        "4A" | "4B" | "4C" => fixed(8),
        "4D" | "4E" => var(12),
        "4F" => fixed(15),
        "4G" => var(38),
        "4H" => var(77),
        "4I" | "4J" => var(12),
        "4K" | "4L" => var(38),
        "4M" => var(3),
        "4N" | "4O" => var(38),
        "4P" => fixed(5),
        "4Q" => var(32),
        "4R" => var(30),
        "4S" => fixed(4),
        "4T" => var(30),
        "4U" => var(38),
        "50" => fixed(14),
        "51" => fixed(6),
        "52" => fixed(7),
        "53" | "54" => fixed(4),
        "55" | "56" | "57" => fixed(8),
        "58" | "5A" | "5C" => var(11),
        "59" | "5B" => var(12),
        "5D" | "5E" | "5F" | "5G" => var(38),
        "5H" => fixed(5),
        "5I" => var(32),
        "5J" => fixed(2),
        "5K" => var(50),
        "5L" => (9, Some(14)),
        "5M" | "5O" | "5P" | "5Q" | "5R" => var(38),
        "5N" => fixed(21),
        "5S" => var(40),
        "5T" => fixed(1),
        "5U" => var(12),
        "60" => var(60),
        "61" => var(20),
        "62" | "63" | "64" => var(38),
        "65" => fixed(2),
        "66" => var(20),
        "67" => fixed(2),
        "68" => fixed(1),
        "69" => fixed(8),
        "6A" => var(32),
        "6B" => fixed(3),
        "6C" => fixed(2),
        "6D" | "6E" => var(60),
        "6F" => var(90),
        "6G" => (1, Some(38)),
        "6H" => (1, Some(10)),
        "6I" => fixed(2),
        "6J" => fixed(1),
        "6K" => fixed(19),
        "6L" | "6N" | "6O" => fixed(8),
        "6M" | "6P" => var(40),
        "6Q" => var(10),
        "6R" => fixed(12),
        "6S" | "6T" | "6U" | "6V" => var(38),
        "6W" => fixed(5),
        "6X" => var(32),
        "6Y" => fixed(2),
        "6Z" => (9, Some(11)),
        "70" | "71" => fixed(12),
        "72" => (1, Some(38)),
        "73" => var(60),
        "74" => var(38),
        "75" => fixed(8),
        "76" => fixed(1),
        "77" => var(45),
        "78" => fixed(5),
        "79" => var(114),
        "7A" => fixed(5),
        "7B" => var(45),
        "7C" | "7D" | "7E" | "7F" | "7G" | "7I" | "7J" | "7O" => fixed(1),
        "7H" => fixed(2),
        "7K" => fixed(13),
        "7L" => fixed(9),
        "7M" => var(64),
        "7N" => var(128),
        "7P" => fixed(16),
        "80" => var(38),
        "81" => var(60),
        "82" => var(20),
        "83" | "84" => var(40),
        "85" => fixed(17),
        "86" => fixed(12),
        "90" | "91" | "92" | "93" | "94" => var(38),
        "95" => var(18),
        "96" => fixed(8),
        "A0" => fixed(2),
        "A1" | "A2" | "A3" => var(17),
        "A4" => fixed(17),
        "A5" => fixed(3),
        "A6" => fixed(2),
        "A7" => fixed(3),
        "A8" => var(12),
        "A9" => fixed(3),
        "AA" => fixed(8),
        "AB" => var(8),
        "AC" => var(19),
        "AD" | "AE" => fixed(4),
        "AF" | "AG" => fixed(1),
        "AH" => var(30),
        "AI" => fixed(8),
        "AJ" => fixed(13),
        "AK" => fixed(7),
        "AL" => fixed(11),
        "AM" => var(5),
        "B0" => var(60),
        "B1" => var(20),
        "B2" | "B3" | "B4" => var(38),
        "B5" => fixed(2),
        "B6" => fixed(1),
        "B7" => fixed(8),
        "B8" => var(32),
        "B9" => fixed(2),
        "BA" => fixed(1),
        "BB" => var(50),
        "BC" => var(20),
        "BD" => fixed(1),
        "BE" => fixed(3),
        "BF" => fixed(3),
        "BG" => fixed(2),
        "BH" | "BI" | "BJ" => var(30),
        "BK" => fixed(14),
        // Unknown or unbounded (01-05, 0C, 18, 19, 1A, 1B, 42, 4V-4Y...): read to the next separator.
        _ => (0, None),
    }
}

/// Days since 2000-01-01 written as 4 hex digits; `FFFF` is "no date".
fn hex_date(s: &str, what: &'static str) -> Result<Option<Date>, ParseError> {
    if s.eq_ignore_ascii_case("FFFF") {
        return Ok(None);
    }
    let days = u16::from_str_radix(s, 16).map_err(|_| ParseError::BadHeader(what))?;
    let epoch = Date::from_calendar_date(2000, Month::January, 1).map_err(|_| ParseError::BadHeader(what))?;
    epoch.checked_add(Duration::days(days.into())).map(Some).ok_or(ParseError::BadHeader(what))
}

/// Writes a date as the header's 4 hex digits (`FFFF` for none).
pub fn encode_date(d: Option<Date>) -> String {
    match d.and_then(|d| Date::from_calendar_date(2000, Month::January, 1).ok().map(|e| (d - e).whole_days())) {
        Some(n) if (0..0xFFFF).contains(&n) => format!("{n:04X}"),
        _ => "FFFF".into(),
    }
}

fn slice<'a>(s: &'a str, a: usize, b: usize, what: &'static str) -> Result<&'a str, ParseError> {
    s.get(a..b).ok_or(ParseError::BadHeader(what))
}

fn is_id(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// Parses a header at the start of `text`; returns it and its length.
pub fn parse_header(text: &str) -> Result<(Header, usize), ParseError> {
    if !text.starts_with("DC") {
        return Err(ParseError::NotTwoDDoc);
    }
    let v = text.get(2..4).ok_or(ParseError::NotTwoDDoc)?;
    let version = match v {
        "01" => 1,
        "02" => 2,
        "03" => 3,
        "04" => 4,
        _ => return Err(ParseError::UnsupportedVersion(v.chars().filter(|c| !c.is_control()).collect())),
    };
    let len = Header::len_for(version);
    if text.len() < len || !text.is_char_boundary(len) {
        return Err(ParseError::ShortHeader(version));
    }
    let h = &text[..len];
    if !h.is_ascii() {
        return Err(ParseError::BadHeader("characters"));
    }
    let header = Header {
        version,
        ca_id: slice(h, 4, 8, "ca_id")?.to_string(),
        cert_id: slice(h, 8, 12, "cert_id")?.to_string(),
        issue_date: hex_date(slice(h, 12, 16, "issue_date")?, "issue_date")?,
        signature_date: hex_date(slice(h, 16, 20, "signature_date")?, "signature_date")?,
        doc_type: slice(h, 20, 22, "doc_type")?.to_string(),
        perimeter: if version >= 3 { Some(slice(h, 22, 24, "perimeter")?.to_string()) } else { None },
        country: if version >= 4 { Some(slice(h, 24, 26, "country")?.to_string()) } else { None },
    };
    if !is_id(&header.doc_type) {
        return Err(ParseError::BadHeader("doc_type"));
    }
    Ok((header, len))
}

/// Cuts a message (no header, no signature) into fields; `truncated` collects RS-ended ids.
fn parse_fields(
    msg: &str,
    perimeter: Option<&str>,
    truncated: &mut Vec<String>,
) -> Result<Vec<(String, String)>, ParseError> {
    let chars: Vec<char> = msg.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // A stray separator (e.g. GS after a fixed field, as some issuers write) carries nothing.
        if chars[i] == GS || chars[i] == RS {
            i += 1;
            continue;
        }
        if i + 2 > chars.len() {
            return Err(ParseError::ShortField(chars[i..].iter().collect()));
        }
        let id: String = chars[i..i + 2].iter().collect();
        i += 2;
        let (min, max) = field_length(perimeter, &id);
        if Some(min) == max {
            if i + min > chars.len() {
                return Err(ParseError::ShortField(id));
            }
            out.push((id, chars[i..i + min].iter().collect()));
            i += min;
            continue;
        }
        // Variable: up to a separator, or up to the maximum length when the value fills it
        // (the specification leaves out the GS then).
        let start = i;
        while i < chars.len() && chars[i] != GS && chars[i] != RS && max.is_none_or(|m| i - start < m) {
            i += 1;
        }
        let value: String = chars[start..i].iter().collect();
        if i < chars.len() {
            if chars[i] == RS {
                truncated.push(id.clone());
                i += 1;
            } else if chars[i] == GS {
                i += 1;
            }
        }
        out.push((id, value));
    }
    Ok(out)
}

/// Parses a decoded barcode text into a 2D-Doc (structure only, nothing is verified).
pub fn parse(text: &str) -> Result<TwoDDoc, ParseError> {
    let (header, hlen) = parse_header(text)?;
    let us = text.find(US).ok_or(ParseError::NoSignature)?;
    if us < hlen {
        return Err(ParseError::ShortHeader(header.version));
    }
    let mut truncated = Vec::new();
    let fields = parse_fields(&text[hlen..us], header.perimeter.as_deref(), &mut truncated)?;
    let tail = &text[us + US.len_utf8()..];
    // The annex (v04) follows the signature after a GS; the signature itself is Base32 only.
    let (sig_text, annex_text) = match tail.find(GS) {
        Some(g) => (&tail[..g], Some(&tail[g + GS.len_utf8()..])),
        None => (tail, None),
    };
    let sig_text = sig_text.trim_end_matches(['=', '\r', '\n']);
    let signature = BASE32_NOPAD.decode(sig_text.as_bytes()).map_err(|_| ParseError::BadSignature)?;
    let annex = match annex_text {
        Some(a) => parse_fields(a, header.perimeter.as_deref(), &mut truncated)?,
        None => Vec::new(),
    };
    Ok(TwoDDoc { signed_bytes: text.as_bytes()[..us].to_vec(), header, fields, truncated, signature, annex })
}

/// Writes a header as the barcode does.
pub fn encode_header(h: &Header) -> String {
    let mut s = format!(
        "DC{:02}{}{}{}{}{}",
        h.version,
        h.ca_id,
        h.cert_id,
        encode_date(h.issue_date),
        encode_date(h.signature_date),
        h.doc_type
    );
    if h.version >= 3 {
        s.push_str(h.perimeter.as_deref().unwrap_or("01"));
    }
    if h.version >= 4 {
        s.push_str(h.country.as_deref().unwrap_or("FR"));
    }
    s
}

/// Writes header and fields as the signed part of a barcode (used by tests and tools).
pub fn encode_message(h: &Header, fields: &[(String, String)]) -> String {
    let mut s = encode_header(h);
    for (id, value) in fields {
        s.push_str(id);
        s.push_str(value);
        let (min, max) = field_length(h.perimeter.as_deref(), id);
        let fixed = Some(min) == max;
        let full = max.is_some_and(|m| value.chars().count() >= m);
        if !fixed && !full {
            s.push(GS);
        }
    }
    s
}

/// Writes a complete barcode text: message, unit separator, Base32 signature.
pub fn encode(h: &Header, fields: &[(String, String)], signature: &[u8]) -> String {
    let mut s = encode_message(h, fields);
    s.push(US);
    s.push_str(&BASE32_NOPAD.encode(signature));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_since_2000() {
        assert_eq!(hex_date("0000", "x").unwrap(), Some(Date::from_calendar_date(2000, Month::January, 1).unwrap()));
        assert_eq!(hex_date("FFFF", "x").unwrap(), None);
        // The ANTS example: 1985 is 20 November 2017.
        assert_eq!(hex_date("1985", "x").unwrap(), Some(Date::from_calendar_date(2017, Month::November, 20).unwrap()));
        assert!(hex_date("ZZZZ", "x").is_err());
    }

    #[test]
    fn rejects_what_is_not_a_2ddoc() {
        assert_eq!(parse("hello").unwrap_err(), ParseError::NotTwoDDoc);
        assert!(matches!(parse("DC09xxxx").unwrap_err(), ParseError::UnsupportedVersion(_)));
        assert_eq!(parse("DC04ZZ01").unwrap_err(), ParseError::ShortHeader(4));
        assert_eq!(parse("DC04ZZ010001FFFF247B0401FR432,5").unwrap_err(), ParseError::NoSignature);
        // A field cut in the middle of a fixed value.
        assert!(matches!(parse("DC04ZZ010001FFFF247B0401FR4412\u{1f}AAAA").unwrap_err(), ParseError::ShortField(_)));
        // Multi-byte characters where the header should be must not panic.
        assert!(parse("DC04éééééééééééééééééééééééééé").is_err());
    }

    #[test]
    fn v02_header_has_no_perimeter() {
        let (h, n) = parse_header("DC02FR000001125E125B0126").unwrap();
        assert_eq!(n, 22);
        assert_eq!(h.doc_type, "01");
        assert_eq!(h.perimeter, None);
        assert_eq!(h.country, None);
    }

    #[test]
    fn rs_marks_a_truncated_field() {
        let d = parse("DC04ZZ010001FFFF24790401FR46DUPONT JEAN\u{1e}452024\u{1f}AAAA").unwrap();
        assert_eq!(d.field("46"), Some("DUPONT JEAN"));
        assert_eq!(d.field("45"), Some("2024"));
        assert_eq!(d.truncated, vec!["46".to_string()]);
    }

    #[test]
    fn annex_follows_the_signature() {
        let d = parse("DC04ZZ010001FFFF24790401FR452024\u{1f}AAAA\u{1d}46ANNEXE").unwrap();
        assert_eq!(d.signature, BASE32_NOPAD.decode(b"AAAA").unwrap());
        assert_eq!(d.annex, vec![("46".to_string(), "ANNEXE".to_string())]);
    }
}
