//! ICAO 9303 machine-readable zones: TD1 (3×30), TD2 (2×36), TD3 (2×44), with every check digit.

use super::IdError;
use time::{Date, Month};

/// The three MRZ layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MrzFormat {
    /// ID cards, 3 lines of 30.
    Td1,
    /// Older ID cards and some permits, 2 lines of 36.
    Td2,
    /// Passports and visas, 2 lines of 44.
    Td3,
    /// France's own identity-card zone (cards issued 1988-2021, valid into the 2030s), 2 lines
    /// of 36 that are not ICAO's TD2: surname and issuing office on the first line, a 12-digit
    /// card number, given names, birth date and sex on the second, and no expiry date.
    FraId,
}

/// An MRZ whose check digits all pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mrz {
    /// Layout.
    pub format: MrzFormat,
    /// `P`, `ID`, `IR`, `V`... (fillers removed).
    pub document_code: String,
    /// Issuing state as printed (3 letters, fillers removed).
    pub issuing_state: String,
    /// Primary identifier, fillers turned into spaces.
    pub surname: String,
    /// Secondary identifier, fillers turned into spaces.
    pub given_names: String,
    /// Document number without fillers.
    pub document_number: String,
    /// ISO alpha-3 nationality; None when the field is not a country code.
    pub nationality: Option<String>,
    /// Date of birth, None when printed as unknown.
    pub birth_date: Option<Date>,
    /// `F`, `M` or `X`.
    pub sex: char,
    /// Expiry date.
    pub expiry_date: Option<Date>,
    /// True when letters in numeric fields had to be repaired to pass the check digits.
    pub corrected: bool,
}

/// OCR repairs to try when the check digits fail: fillers read as K next to fillers, then single
/// look-alike substitutions in the data lines (the check digits keep false repairs out).
fn variants(ls: &[String]) -> Vec<Vec<String>> {
    let mut out = vec![ls.to_vec()];
    let name_line = if ls.len() == 3 { 2 } else { 0 };
    let mut fixed = ls.to_vec();
    for (i, l) in fixed.iter_mut().enumerate() {
        if i == name_line {
            continue;
        }
        let mut b = l.as_bytes().to_vec();
        for _ in 0..3 {
            for j in 0..b.len() {
                let near = (j > 0 && b[j - 1] == b'<') || (j + 1 < b.len() && b[j + 1] == b'<');
                if b[j] == b'K' && near {
                    b[j] = b'<';
                }
            }
        }
        *l = String::from_utf8_lossy(&b).to_string();
    }
    if fixed != ls {
        out.push(fixed.clone());
    }
    let alts = |c: u8| -> &'static [u8] {
        match c {
            b'T' => b"17",
            b'1' => b"IT7",
            b'I' => b"1",
            b'0' => b"OD",
            b'O' => b"0",
            b'D' => b"0",
            b'5' => b"S",
            b'S' => b"5",
            b'8' => b"B",
            b'B' => b"8",
            b'2' => b"Z",
            b'Z' => b"2",
            b'6' => b"G",
            b'G' => b"6",
            _ => b"",
        }
    };
    // 7 and Z only in the personal number, under its own check digit: in the document number,
    // where the composite is the only second check, the pair made false readings on the dev set.
    let alts_opt = |c: u8| -> &'static [u8] {
        match c {
            b'7' => b"Z",
            b'Z' => b"7",
            c => alts(c),
        }
    };
    let data_line = if ls.len() == 3 { 0 } else { 1 };
    // The document-number zone (number and its check digit), where letters and digits both occur.
    let zone = if ls.len() == 3 { 5..15 } else { 0..10 };
    // Digits first: a letter O in a number is rare and tesseract reads OCR-B zeros as O often; a
    // check digit read as a letter is its look-alike digit. Two O/0 swaps can cancel out in a
    // check digit (O is worth 24), so the zeros are tried before the number as read.
    let mut base = fixed.clone();
    {
        let mut b = base[data_line].as_bytes().to_vec();
        for j in zone.clone() {
            if j >= b.len() {
                break;
            }
            if j + 1 == zone.end {
                if b[j] != b'<' {
                    b[j] = as_digit(b[j]);
                }
            } else if matches!(b[j], b'O' | b'Q') {
                b[j] = b'0';
            }
        }
        let d = String::from_utf8_lossy(&b).to_string();
        let changed = d.bytes().zip(base[data_line].bytes()).filter(|(x, y)| x != y).count();
        if changed > 0 {
            base[data_line] = d;
            out.insert(0, base.clone());
        }
        // A look-alike swap on top of more than one such repair is a third guess that two check
        // digits no longer keep honest (a dev CNI read HWSLK74BOS passed as HW5LK74B0).
        if changed > 1 {
            base = fixed;
        }
    }
    let l = base[data_line].as_bytes();
    // Letters read for digits first, then digits read for letters: the first reading passing
    // every check digit wins, and OCR makes the first mistake more often in a number.
    for to_digit in [true, false] {
        for j in zone.clone() {
            if j >= l.len() {
                break;
            }
            for &a in alts(l[j]).iter().filter(|a| a.is_ascii_digit() == to_digit) {
                let mut b = l.to_vec();
                b[j] = a;
                let mut v = base.clone();
                v[data_line] = String::from_utf8_lossy(&b).to_string();
                out.push(v);
            }
        }
    }
    // TD3 optional data (personal number) carries its own check digit: a look-alike there is
    // repaired only when that digit then passes (and the composite, checked by the parser).
    if ls.len() == 2 && l.len() == 44 {
        let cd = if l[42] == b'<' { b'0' } else { as_digit(l[42]) };
        if !check(&l[28..42], cd) {
            for j in 28..42 {
                for &a in alts_opt(l[j]) {
                    let mut b = l.to_vec();
                    b[j] = a;
                    if check(&b[28..42], cd) {
                        let mut v = base.clone();
                        v[data_line] = String::from_utf8_lossy(&b).to_string();
                        out.push(v);
                    }
                }
            }
        }
    }
    out
}

fn char_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        b'A'..=b'Z' => (c - b'A') as u32 + 10,
        _ => 0,
    }
}

/// The ICAO check digit (weights 7, 3, 1) of a field.
pub fn check_digit(field: &[u8]) -> u8 {
    let w = [7u32, 3, 1];
    let s: u32 = field.iter().enumerate().map(|(i, &c)| char_value(c) * w[i % 3]).sum();
    b'0' + (s % 10) as u8
}

fn check(field: &[u8], digit: u8) -> bool {
    // A filler in the check position stands for 0 on some documents.
    let d = if digit == b'<' { b'0' } else { digit };
    check_digit(field) == d
}

/// Upper-cases, drops spaces and maps OCR variants of the filler to `<`.
pub fn clean_line(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        match c {
            ' ' | '\t' => {}
            '«' => out.push_str("<<"),
            'a'..='z' => out.push(c.to_ascii_uppercase()),
            'A'..='Z' | '0'..='9' | '<' => out.push(c),
            _ => out.push('<'),
        }
    }
    out
}

fn digits_fix(b: &mut [u8]) -> bool {
    let mut changed = false;
    for x in b.iter_mut() {
        let d = match *x {
            b'O' | b'Q' | b'D' => b'0',
            b'I' | b'L' => b'1',
            b'Z' => b'2',
            b'S' => b'5',
            b'G' => b'6',
            b'B' => b'8',
            _ => continue,
        };
        *x = d;
        changed = true;
    }
    changed
}

fn yymmdd(b: &[u8]) -> Option<(i32, u8, u8)> {
    if b.len() != 6 || !b.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |i: usize| ((b[i] - b'0') * 10 + (b[i + 1] - b'0')) as i32;
    Some((n(0), n(2) as u8, n(4) as u8))
}

fn date(y: i32, m: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

/// Where the padding of a name field starts when OCR read it as letters (`SARAHKKKKLEKLEE`,
/// `CHRISTOPHEKLELLELERECEE`): the first K, not followed by a filler, from which at least 8
/// characters remain, only letters OCR makes of fillers up to the first `<<<` and at most 15%
/// others after it, and that are dirty padding (a `KK`, a letter after `<<<`, or 12+ letters
/// without a filler). Clean padding after a name ending in K (`NOVAK<<<<`, `CELIK<<EMRE<<<`)
/// and names made of such letters (`<<KLEE<<<`) are left alone.
fn padding_start(b: &[u8], from: usize) -> Option<usize> {
    (from..b.len()).find(|&i| {
        let t = &b[i..];
        let run = t.windows(3).position(|w| w == b"<<<").unwrap_or(t.len());
        let dirty = t.windows(2).any(|w| w == b"KK")
            || t[run..].iter().any(|c| *c != b'<')
            || (t.len() >= 12 && !t.contains(&b'<'));
        // A K right before a filler is as often a name's last letter (CELIK<<BURAK<<<<K<<E).
        b[i] == b'K'
            && t.len() >= 8
            && t[1] != b'<'
            && t[..run].iter().all(|c| padding_like(*c))
            && t.iter().filter(|c| !padding_like(**c)).count() * 100 <= t.len() * 15
            && dirty
    })
}

/// A filler, or a letter OCR makes of the fillers padding a name field.
fn padding_like(c: u8) -> bool {
    matches!(c, b'<' | b'K' | b'S' | b'E' | b'L' | b'C' | b'R')
}

/// A name field's parts, fillers between them turned into single spaces.
fn spaced(field: &str) -> String {
    field.split('<').filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

fn names(field: &[u8]) -> (String, String) {
    let s = String::from_utf8_lossy(field).to_string();
    let s = match padding_start(s.as_bytes(), 0) {
        Some(p) => &s[..p],
        None => &s[..],
    };
    let s = s.trim_end_matches('<');
    let (sur, given) = match s.find("<<").map(|i| (i, 2)).or_else(|| k_separator(s)) {
        Some((i, len)) => (&s[..i], &s[i + len..]),
        None => (s, ""),
    };
    (spaced(sur), spaced(given))
}

/// Where the `<<` between primary and secondary identifiers sits when OCR read one of its fillers
/// as K (`SMITH<K<JOHN`, `SMITH<KJOHN`, `SMITHK<JOHN`), as (start, length) of what it replaces.
/// Only asked when no `<<` was read: a name field holding several parts without one is far
/// more often a misread separator than a compound surname without given names.
fn k_separator(s: &str) -> Option<(usize, usize)> {
    if let Some(i) = s.find("<K<") {
        return Some((i, 3));
    }
    if let Some(i) = s.find("<K").filter(|i| s.len() > i + 2) {
        return Some((i, 2));
    }
    s.find("K<").filter(|&i| i > 0).map(|i| (i, 2))
}

/// ICAO 9303 nationality and issuing-state codes: ISO 3166 alpha-3 and the codes ICAO adds.
const STATES: &str = "ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR \
BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW \
CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN \
GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR \
JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD \
MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN \
PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB \
SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA \
UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE GBD GBN GBO GBP GBS EUE UNO UNA UNK XOM XPO XCC XES XXA XXB XXC \
XXX RKS UTO";

fn known_state(s: &str) -> bool {
    s.len() == 3 && STATES.split_whitespace().any(|c| c == s)
}

fn nationality(field: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(field).trim_end_matches('<').to_string();
    // Germany and Slovenia print their two-letter forms padded with fillers (OCR-B's I read as 1).
    match s.as_str() {
        "D" => return Some("DEU".into()),
        "SI" | "S1" => return Some("SVN".into()),
        _ => {}
    }
    if s.len() != 3 || known_state(&s) {
        return (s.len() == 3).then_some(s);
    }
    // One digit among letters is OCR's reading of a letter (UT0, F1N, NL0); a code of digits is
    // not a country (some states print a numeric code) and stays unknown. A digit with several
    // look-alike letters (0: O, D, Q) takes the one making a known code.
    let digits = s.bytes().filter(|c| c.is_ascii_digit()).count();
    if digits == 1 {
        let letters = |c: u8| -> &'static [u8] {
            match c {
                b'0' => b"ODQ",
                b'1' => b"I",
                b'2' => b"Z",
                b'5' => b"S",
                b'6' => b"G",
                b'8' => b"B",
                _ => b"",
            }
        };
        let b = s.as_bytes();
        let j = b.iter().position(|c| c.is_ascii_digit())?;
        let cands: Vec<String> = letters(b[j])
            .iter()
            .map(|&l| {
                let mut x = b.to_vec();
                x[j] = l;
                String::from_utf8_lossy(&x).to_string()
            })
            .collect();
        let known: Vec<&String> = cands.iter().filter(|c| known_state(c)).collect();
        return match known.as_slice() {
            [one] => Some((*one).clone()),
            _ => cands.into_iter().next(),
        };
    }
    s.bytes().all(|c| c.is_ascii_uppercase()).then_some(s)
}

/// Document number and its check, extended into the optional field when longer than 9 (TD1).
fn doc_number(num: &[u8], cd: u8, optional: &[u8]) -> Option<String> {
    if cd == b'<' && num.iter().all(|c| *c != b'<') {
        let ext: Vec<u8> = optional.iter().copied().take_while(|c| *c != b'<').collect();
        if ext.is_empty() {
            return None;
        }
        let (tail, d) = ext.split_at(ext.len() - 1);
        let mut full = num.to_vec();
        full.extend_from_slice(tail);
        return check(&full, d[0]).then(|| String::from_utf8_lossy(&full).to_string());
    }
    // The number is left-aligned and padded with fillers: nothing follows a filler within it.
    let end = num.iter().position(|c| *c == b'<').unwrap_or(num.len());
    if num[end..].iter().any(|c| *c != b'<') {
        return None;
    }
    if check(num, cd) {
        return Some(String::from_utf8_lossy(num).trim_end_matches('<').replace('<', ""));
    }
    None
}

/// What the tolerant re-reader found: the MRZ with the best document number, and every other
/// number that also passed both its own check digit and the composite one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reread {
    /// The MRZ, with the document number read at the fewest repairs.
    pub mrz: Mrz,
    /// Repairs the best number needed (deleted noise, look-alike swaps).
    pub cost: u8,
    /// Other numbers that pass every check digit too, with the repairs each needed.
    pub alternatives: Vec<(String, u8)>,
}

/// Look-alikes tesseract swaps in MRZ fonts, both ways. Pairs whose values differ by a multiple
/// of 10 (G/6, U/0, L/1) are left out: no check digit can tell them apart, so trying them only
/// makes readings nothing verifies.
fn swaps(c: u8) -> &'static [u8] {
    match c {
        b'0' => b"ODQ",
        b'O' | b'D' | b'Q' => b"0",
        b'1' => b"IT",
        b'I' => b"1",
        b'T' => b"17",
        b'7' => b"T",
        b'/' => b"7",
        b'2' => b"Z",
        b'Z' => b"2",
        b'5' => b"S",
        b'S' => b"5",
        b'8' => b"B",
        b'B' => b"8",
        // A photo's OCR-B 0 read as 9 (a Croatian specimen's 007007007 read 907007007).
        b'9' => b"Y0",
        b'Y' => b"9",
        _ => b"",
    }
}

/// Every 10-character reading (9 characters and a check digit) of a damaged number zone within
/// `max` repairs: noise deleted, look-alikes swapped, one stray character dropped.
fn number_readings(seg: &[u8], max: u8) -> Vec<(Vec<u8>, u8)> {
    fn go(seg: &[u8], i: usize, cur: &mut Vec<u8>, cost: u8, max: u8, out: &mut Vec<(Vec<u8>, u8)>) {
        if cur.len() > 10 || cost > max {
            return;
        }
        if i == seg.len() {
            if cur.len() == 10 {
                out.push((cur.clone(), cost));
            }
            return;
        }
        let c = seg[i];
        // A number shorter than 9 is padded with fillers before its check digit (CA000000<4).
        if c.is_ascii_alphanumeric() || (c == b'<' && !cur.is_empty() && cur.len() < 9) {
            cur.push(c);
            go(seg, i + 1, cur, cost, max, out);
            cur.pop();
        }
        for &a in swaps(c) {
            cur.push(a);
            go(seg, i + 1, cur, cost + 1, max, out);
            cur.pop();
        }
        // Punctuation in an MRZ is noise; dropping a letter or digit is a repair.
        go(seg, i + 1, cur, cost + u8::from(c.is_ascii_alphanumeric() || !c.is_ascii()), max, out);
    }
    let mut out = vec![];
    go(seg, 0, &mut vec![], 0, max, &mut out);
    // Padding ends the number: nothing but fillers after the first one, and a digit to check it.
    out.retain(|(r, _)| {
        let end = r[..9].iter().position(|c| *c == b'<').unwrap_or(9);
        r[end..9].iter().all(|c| *c == b'<') && r[9].is_ascii_digit()
    });
    out
}

/// Upper-cases and drops spaces, keeping punctuation (unlike [`clean_line`]) so that noise can be
/// told from characters.
fn raw_line(l: &str) -> Vec<u8> {
    let mut out = vec![];
    for c in l.chars() {
        match c {
            ' ' | '\t' => {}
            '«' => out.extend_from_slice(b"<<"),
            c if c.is_ascii() => out.push(c.to_ascii_uppercase() as u8),
            _ => out.push(b'?'),
        }
    }
    // Noise before the first character (a card edge read as '|') would shift the header.
    let lead = out.iter().position(|c| c.is_ascii_alphanumeric() || *c == b'<').unwrap_or(out.len());
    out.split_off(lead)
}

/// Letters OCR reads in runs of fillers.
fn fillerish(c: u8) -> bool {
    matches!(c, b'<' | b'K' | b'S' | b'E' | b'L' | b'C' | b'?')
}

/// OCR look-alikes of digits, for the numeric zones of an MRZ (check digits guard every use).
pub fn as_digit(c: u8) -> u8 {
    match c {
        b'O' | b'Q' | b'D' | b'U' => b'0',
        b'I' | b'L' | b'T' => b'1',
        b'Z' => b'2',
        b'S' => b'5',
        b'G' => b'6',
        b'B' => b'8',
        _ => c,
    }
}

/// The date block (birth, check, sex, expiry, check) with both check digits passing.
fn date_block(b: &[u8]) -> Option<(usize, Vec<u8>)> {
    let dig = as_digit;
    for i in 0..b.len().saturating_sub(14) {
        let mut w = b[i..i + 15].to_vec();
        for j in (0..7).chain(8..15) {
            w[j] = dig(w[j]);
        }
        let ok = |f: &[u8], d: u8| f.iter().all(|c| c.is_ascii_digit()) && d.is_ascii_digit() && check_digit(f) == d;
        if matches!(w[7], b'M' | b'F' | b'<') && ok(&w[0..6], w[6]) && ok(&w[8..14], w[14]) {
            return Some((i, w));
        }
    }
    None
}

impl Mrz {
    /// Re-reads an MRZ too damaged for [`Mrz::find`]: finds the date block by its two check digits,
    /// then tries the usual OCR confusions (noise characters, look-alikes, a doubled character) in
    /// the document number and keeps only readings where the number's check digit AND the
    /// composite check digit pass. Names are taken as read (no check digit covers them).
    pub fn reread(lines: &[&str]) -> Option<Reread> {
        let raw: Vec<Vec<u8>> = lines.iter().map(|l| raw_line(l)).collect();
        for (li, b) in raw.iter().enumerate() {
            let Some((i, block)) = date_block(b) else { continue };
            // The tail after the block: nationality (TD1) or optional data, then the composite digit.
            let mut tail: Vec<u8> = b[i + 15..].to_vec();
            while tail.last().is_some_and(|c| !c.is_ascii_digit()) {
                tail.pop();
            }
            let Some(&composite) = tail.last() else { continue };
            let body = &tail[..tail.len() - 1];
            let optional = |part: &[u8], n: usize| -> Option<Vec<u8>> {
                // Only empty optional data is re-read (fillers and what OCR makes of them).
                (part.iter().all(|c| fillerish(*c)) && part.len() + 4 >= n && part.len() <= n + 4)
                    .then(|| vec![b'<'; n])
            };
            let letters = |x: &[u8]| x.len() == 3 && x.iter().all(|c| c.is_ascii_uppercase());
            // Germany's D<< and Slovenia's SI<: letters padded with fillers.
            let nat_like = |x: &[u8]| {
                x.len() == 3 && x[0].is_ascii_uppercase() && x.iter().all(|c| c.is_ascii_uppercase() || *c == b'<')
            };
            let td1 = i == 0 && body.len() >= 3 && letters(&body[..3]);
            let (seg, nat, comp_tail, l1_opt, names_line, code, state);
            if td1 {
                // TD1: line 1 is the nearest line above starting with a 5-character header.
                let Some(up) = (0..li).rev().map(|k| &raw[k]).find(|u| u.len() >= 20 && u.contains(&b'<')) else {
                    continue;
                };
                let end = up[5..].iter().position(|c| *c == b'<').map_or(up.len(), |p| p + 5);
                seg = up[5..end].to_vec();
                let Some(o1) = optional(&up[end..], 15) else { continue };
                l1_opt = o1;
                nat = body[..3].to_vec();
                let Some(o2) = optional(&body[3..], 11) else { continue };
                comp_tail = o2;
                // TD1: the name line is the next line that looks like one (letters and fillers,
                // most of a line long): OCR debris sorted between the lines is not it.
                names_line = raw[li + 1..]
                    .iter()
                    .take(2)
                    .find(|n| {
                        let alike = n.iter().filter(|c| c.is_ascii_uppercase() || **c == b'<').count();
                        n.len() >= 20 && n.contains(&b'<') && alike * 5 >= n.len() * 4
                    })
                    .cloned();
                code = up[0..2].to_vec();
                state = up[2..5].to_vec();
            } else if i >= 13 && nat_like(&b[i - 3..i]) {
                // TD2/TD3: number, check, nationality, then the block, on the same line.
                seg = b[..i - 3].to_vec();
                nat = b[i - 3..i].to_vec();
                if body.is_empty() {
                    continue;
                }
                let (o, ocd) = body.split_at(body.len() - 1);
                let n = if b.len() > 40 { 14 } else { 7 };
                let Some(mut o) = optional(o, n) else { continue };
                o.push(if ocd[0] == b'<' || fillerish(ocd[0]) { b'<' } else { ocd[0] });
                comp_tail = o;
                l1_opt = vec![];
                let up = (0..li).rev().map(|k| &raw[k]).find(|u| u.len() >= 20 && u.contains(&b'<')).cloned();
                code = up.as_ref().map(|u| u[0..2].to_vec()).unwrap_or_default();
                state = up.as_ref().map(|u| u[2..5].to_vec()).unwrap_or_default();
                names_line = up.map(|u| u[5..].to_vec());
            } else {
                continue;
            }
            let mut found: Vec<(Vec<u8>, u8)> = vec![];
            for (r, cost) in number_readings(&seg, 2) {
                let (num, cd) = r.split_at(9);
                if !check(num, cd[0]) {
                    continue;
                }
                let mut comp = r.clone();
                comp.extend_from_slice(&l1_opt);
                comp.extend_from_slice(&block[0..7]);
                comp.extend_from_slice(&block[8..15]);
                comp.extend_from_slice(&comp_tail);
                if !td1 {
                    // TD2/TD3 composite: number+check, birth+check, expiry+check, optional+check.
                    comp = r.clone();
                    comp.extend_from_slice(&block[0..7]);
                    comp.extend_from_slice(&block[8..15]);
                    comp.extend_from_slice(&comp_tail);
                }
                if check(&comp, composite) {
                    match found.iter_mut().find(|(n, _)| n.as_slice() == num) {
                        Some(f) => f.1 = f.1.min(cost),
                        None => found.push((num.to_vec(), cost)),
                    }
                }
            }
            found.sort_by_key(|f| f.1);
            let Some((best, cost)) = found.first().cloned() else { continue };
            let (surname, given_names) = names_line.map(|n| names(&n)).unwrap_or_default();
            let (birth_date, expiry_date) = Self::dates(&block[0..6], &block[8..14]);
            let text = |x: &[u8]| String::from_utf8_lossy(x).replace('<', "");
            let mrz = Mrz {
                format: if td1 {
                    MrzFormat::Td1
                } else if b.len() > 40 {
                    MrzFormat::Td3
                } else {
                    MrzFormat::Td2
                },
                document_code: if code.iter().any(|c| c.is_ascii_uppercase()) { text(&code) } else { "?".into() },
                issuing_state: text(&state),
                surname,
                given_names,
                document_number: text(&best),
                nationality: nationality(&nat),
                birth_date,
                sex: sex(block[7]),
                expiry_date,
                corrected: true,
            };
            return Some(Reread { mrz, cost, alternatives: found[1..].iter().map(|f| (text(&f.0), f.1)).collect() });
        }
        None
    }
}

impl Mrz {
    /// Parses MRZ lines already split (2 or 3). Letters read in numeric fields are repaired.
    pub fn parse(lines: &[&str]) -> Result<Mrz, IdError> {
        let ls: Vec<String> = lines.iter().map(|l| clean_line(l)).collect();
        match (ls.len(), ls.first().map(|l| l.len())) {
            (3, Some(30)) if ls.iter().all(|l| l.len() == 30) => Self::td1(&ls),
            (2, Some(36)) if ls[1].len() == 36 => {
                // France's old card ends its first line with the issuing office's six digits, which
                // no ICAO name field holds: read it as that card only, so that a misread letter
                // cannot make a TD2 whose check digits pass by chance (1 in 10 000; proptest found one).
                let office = ls[0].starts_with("IDFRA") && ls[0].bytes().skip(30).all(|c| c.is_ascii_digit());
                if office {
                    Self::fra_id(&ls)
                } else {
                    Self::td23(&ls, MrzFormat::Td2).or_else(|e| Self::fra_id(&ls).map_err(|_| e))
                }
            }
            (2, Some(44)) if ls[1].len() == 44 => Self::td23(&ls, MrzFormat::Td3),
            _ => Err(IdError::Format("mrz")),
        }
    }

    /// Looks for an MRZ among the lines of a page (OCR output), tolerating noise lines between.
    pub fn find(lines: &[&str]) -> Option<Mrz> {
        let cand: Vec<String> = lines
            .iter()
            .map(|l| clean_line(l))
            // A data line whose optional field is full holds no "<<": many digits mark it instead.
            // France's old card may show neither when its fillers are read as letters.
            .filter(|l| {
                l.len() >= 20
                    && l.len() <= 48
                    && (l.contains("<<")
                        || l.bytes().filter(|c| c.is_ascii_digit()).count() >= 14
                        || l.contains("DFRA"))
            })
            .collect();
        let fit = |l: &str, n: usize| -> Option<String> {
            // OCR often drops or adds a trailing filler; pad or trim fillers at the end only.
            if l.len() == n {
                return Some(l.to_string());
            }
            if l.len() < n && l.len() + 3 >= n {
                return Some(format!("{}{}", l, "<".repeat(n - l.len())));
            }
            if l.len() > n && l[n..].bytes().all(|c| c == b'<') {
                return Some(l[..n].to_string());
            }
            None
        };
        // Names never hold a run of three fillers: from the first such run the name line is
        // padding, which OCR reads as K, E, S or stray digits. No check digit covers names, so
        // only the padding is rewritten.
        let name_fix = |l: &str, n: usize| -> Option<String> {
            let run = l.get(5..)?.find("<<<").map(|p| p + 5);
            let p = match (run, padding_start(l.as_bytes(), 5)) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            };
            (p <= n).then(|| format!("{}{}", &l[..p], "<".repeat(n - p)))
        };
        for i in 0..cand.len() {
            for (n, k) in [(44usize, 2usize), (36, 2), (30, 3)] {
                if i + k > cand.len() {
                    continue;
                }
                let name_line = if k == 3 { 2 } else { 0 };
                let ls: Option<Vec<String>> = cand[i..i + k]
                    .iter()
                    .enumerate()
                    .map(|(j, l)| if j == name_line { name_fix(l, n).or_else(|| fit(l, n)) } else { fit(l, n) })
                    .collect();
                let french = if n == 36 { french_lines(&cand[i], &cand[i + 1], name_fix) } else { None };
                for ls in [ls, french].into_iter().flatten() {
                    for v in variants(&ls) {
                        let refs: Vec<&str> = v.iter().map(|s| s.as_str()).collect();
                        if let Ok(mut m) = Mrz::parse(&refs) {
                            m.corrected |= v != ls;
                            return Some(m);
                        }
                    }
                }
            }
        }
        None
    }

    fn dates(birth: &[u8], expiry: &[u8]) -> (Option<Date>, Option<Date>) {
        let e = yymmdd(expiry).and_then(|(y, m, d)| date(if y >= 70 { 1900 + y } else { 2000 + y }, m, d));
        let b = yymmdd(birth).and_then(|(y, m, d)| {
            let ey = e.map(|e| e.year()).unwrap_or(9999);
            // A holder cannot be born after the document was issued; documents last at most ~10
            // years (5 for children), so a 20yy birth later than expiry-5 means 19yy.
            let c = if 2000 + y <= this_year() && 2000 + y <= ey - 5 { 2000 + y } else { 1900 + y };
            date(c, m, d)
        });
        (b, e)
    }

    fn td1(ls: &[String]) -> Result<Mrz, IdError> {
        let mut l1 = ls[0].as_bytes().to_vec();
        let mut l2 = ls[1].as_bytes().to_vec();
        let l3 = ls[2].as_bytes();
        let mut corrected = false;
        // TD1 codes start with I, A or C; OCR-B's I is often read as 1.
        if l1[0] == b'1' {
            l1[0] = b'I';
            corrected = true;
        }
        if !l1[0].is_ascii_uppercase() {
            return Err(IdError::Format("mrz"));
        }
        for r in [0..7, 8..15, 29..30] {
            corrected |= digits_fix(&mut l2[r]);
        }
        if !check(&l2[0..6], l2[6]) || !check(&l2[8..14], l2[14]) {
            return Err(IdError::Checksum("mrz"));
        }
        let num = doc_number(&l1[5..14], l1[14], &l1[15..30]).ok_or(IdError::Checksum("mrz"))?;
        let mut comp = l1[5..30].to_vec();
        comp.extend_from_slice(&l2[0..7]);
        comp.extend_from_slice(&l2[8..15]);
        comp.extend_from_slice(&l2[18..29]);
        if !check(&comp, l2[29]) {
            return Err(IdError::Checksum("mrz"));
        }
        let (surname, given_names) = names(l3);
        let (birth_date, expiry_date) = Self::dates(&l2[0..6], &l2[8..14]);
        Ok(Mrz {
            format: MrzFormat::Td1,
            document_code: String::from_utf8_lossy(&l1[0..2]).replace('<', ""),
            issuing_state: String::from_utf8_lossy(&l1[2..5]).replace('<', ""),
            surname,
            given_names,
            document_number: num,
            nationality: nationality(&l2[15..18]),
            birth_date,
            sex: sex(l2[7]),
            expiry_date,
            corrected,
        })
    }

    fn td23(ls: &[String], format: MrzFormat) -> Result<Mrz, IdError> {
        let mut l1 = ls[0].as_bytes().to_vec();
        // The filler after a one-letter code dropped (`PUTOERIKSSON<<`): the state then sits one
        // place early, where it names a state that the place it should be does not.
        if l1[1] != b'<'
            && l1.last() == Some(&b'<')
            && known_state(&String::from_utf8_lossy(&l1[1..4]))
            && !known_state(&String::from_utf8_lossy(&l1[2..5]))
        {
            l1.pop();
            l1.insert(1, b'<');
        }
        let l1 = l1.as_slice();
        let mut l2 = ls[1].as_bytes().to_vec();
        let n = l2.len();
        if !l1[0].is_ascii_uppercase() {
            return Err(IdError::Format("mrz"));
        }
        let mut corrected = false;
        for r in [13..20, 21..28] {
            corrected |= digits_fix(&mut l2[r]);
        }
        if !check(&l2[13..19], l2[19]) || !check(&l2[21..27], l2[27]) {
            return Err(IdError::Checksum("mrz"));
        }
        let opt_end = if format == MrzFormat::Td3 { 43 } else { 35 };
        let num = doc_number(&l2[0..9], l2[9], &l2[28..opt_end]).ok_or(IdError::Checksum("mrz"))?;
        // Visas (MRV) carry no composite check digit.
        if l1[0] != b'V' {
            let mut comp = l2[0..10].to_vec();
            comp.extend_from_slice(&l2[13..20]);
            comp.extend_from_slice(&l2[21..n - 1]);
            if !check(&comp, l2[n - 1]) {
                return Err(IdError::Checksum("mrz"));
            }
        }
        let (surname, given_names) = names(&l1[5..]);
        let (birth_date, expiry_date) = Self::dates(&l2[13..19], &l2[21..27]);
        Ok(Mrz {
            format,
            document_code: String::from_utf8_lossy(&l1[0..2]).replace('<', ""),
            issuing_state: String::from_utf8_lossy(&l1[2..5]).replace('<', ""),
            surname,
            given_names,
            document_number: num,
            nationality: nationality(&l2[10..13]),
            birth_date,
            sex: sex(l2[20]),
            expiry_date,
            corrected,
        })
    }
}

/// The two lines of France's 1988-2021 card as read (`first` holding `IDFRA`), cut to 36 and
/// with the surname field's padding repaired, or None when they cannot be. Its first line ends
/// with the issuing office's digits, which the name-line repair of [`Mrz::find`] would wipe, and
/// a card's frame or a photocopy's edge leaves debris at both ends of its lines; the last check
/// digit covers both lines whole, so a wrong repair still fails.
fn french_lines(first: &str, second: &str, name_fix: impl Fn(&str, usize) -> Option<String>) -> Option<Vec<String>> {
    let start = first.find("DFRA")?.checked_sub(1)?;
    let l1 = first.get(start..start + 36)?;
    // The second line starts with the card number's digits and ends with a check digit.
    let l2 = second.trim_matches('<');
    if l2.len() != 36 {
        return None;
    }
    let field = &l1[..30];
    // Padding read as letters after a filler read right (`DOUEL<CCCEECEE`): the first filler
    // after the surname's first letters from which everything is padding-like.
    let after_filler = || {
        let p =
            (7..30).find(|&p| field.as_bytes()[p] == b'<' && field.as_bytes()[p..].iter().all(|c| padding_like(*c)))?;
        Some(format!("{}{}", &field[..p], "<".repeat(30 - p)))
    };
    let surname = name_fix(field, 30).or_else(after_filler).unwrap_or_else(|| field.to_string());
    Some(vec![format!("{surname}{}", &l1[30..]), l2.to_string()])
}

/// The year and month a French card of 1988-2021 was issued, from its number's first four
/// digits (YYMM; the card dates from 1988).
fn fra_issued(number: &[u8]) -> Option<(i32, u8)> {
    let (y, m, _) = yymmdd(&[number.get(..4)?, b"01"].concat())?;
    Some((if y >= 88 { 1900 + y } else { 2000 + y }, m))
}

impl Mrz {
    /// The year and month the document was issued, where its zone says: France's 1988-2021 card.
    pub fn issued(&self) -> Option<(i32, u8)> {
        (self.format == MrzFormat::FraId).then(|| fra_issued(self.document_number.as_bytes())).flatten()
    }

    /// France's identity-card zone of 1988-2021 ([`MrzFormat::FraId`]): the card number (issue
    /// year and month, department, sequence) and the birth date carry check digits, and the last
    /// digit covers both lines whole, names included.
    fn fra_id(ls: &[String]) -> Result<Mrz, IdError> {
        let mut l1 = ls[0].as_bytes().to_vec();
        let mut l2 = ls[1].as_bytes().to_vec();
        let mut corrected = false;
        if l1[0] == b'1' {
            l1[0] = b'I';
            corrected = true;
        }
        if &l1[0..5] != b"IDFRA" {
            return Err(IdError::Format("mrz"));
        }
        // The department (4..7) can hold Corsica's letters; every other number field is digits.
        for r in [0..4, 7..13, 27..34, 35..36] {
            corrected |= digits_fix(&mut l2[r]);
        }
        if !l2[0..4].iter().chain(&l2[7..12]).all(u8::is_ascii_digit)
            || !check(&l2[0..12], l2[12])
            || !check(&l2[27..33], l2[33])
        {
            return Err(IdError::Checksum("mrz"));
        }
        let mut comp = l1.clone();
        comp.extend_from_slice(&l2[0..35]);
        if !check(&comp, l2[35]) {
            return Err(IdError::Checksum("mrz"));
        }
        let tidy = |x: &[u8]| spaced(&String::from_utf8_lossy(x));
        // No birth after the card's issue.
        let (issued, _) = fra_issued(&l2[0..4]).ok_or(IdError::Format("mrz"))?;
        let birth_date =
            yymmdd(&l2[27..33]).and_then(|(y, m, d)| date(if 2000 + y <= issued { 2000 + y } else { 1900 + y }, m, d));
        Ok(Mrz {
            format: MrzFormat::FraId,
            document_code: "ID".into(),
            issuing_state: "FRA".into(),
            surname: tidy(&l1[5..30]),
            given_names: tidy(&l2[13..27]),
            document_number: String::from_utf8_lossy(&l2[0..12]).into_owned(),
            // Only French nationals hold the card.
            nationality: Some("FRA".into()),
            birth_date,
            sex: sex(l2[34]),
            // Printed on the card only.
            expiry_date: None,
            corrected,
        })
    }
}

fn sex(c: u8) -> char {
    match c {
        b'F' => 'F',
        b'M' => 'M',
        _ => 'X',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn padding_misread_in_the_name_line_and_a_digit_in_the_nationality_are_repaired() {
        let lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<KKKEKE6K<<", "L898902C36UT07408122F1204159ZE184226B<<<<<10"];
        let m = Mrz::find(&lines).expect("the check digits pass once the padding is restored");
        assert_eq!(m.surname, "ERIKSSON");
        assert_eq!(m.given_names, "ANNA MARIA");
        assert_eq!(m.nationality.as_deref(), Some("UTO"));
        // A numeric nationality is not a country code.
        assert_eq!(nationality(b"132"), None);
    }

    #[test]
    fn icao_specimen_td3() {
        let m = Mrz::parse(&[
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ])
        .unwrap();
        assert_eq!(m.surname, "ERIKSSON");
        assert_eq!(m.given_names, "ANNA MARIA");
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.birth_date.unwrap().to_string(), "1974-08-12");
        assert_eq!(m.sex, 'F');
    }

    #[test]
    fn a_td1_code_read_with_a_one_for_its_i_still_parses() {
        let m = Mrz::parse(&[
            "1<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ])
        .unwrap();
        assert_eq!(m.document_code, "I");
        assert_eq!(m.document_number, "D23145890");
        assert!(m.corrected);
        assert_eq!(nationality(b"S1<"), Some("SVN".into()));
    }

    #[test]
    fn a_td3_header_missing_its_filler_is_realigned() {
        let m = Mrz::parse(&[
            "PUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ])
        .unwrap();
        assert_eq!(m.issuing_state, "UTO");
        assert_eq!(m.surname, "ERIKSSON");
        assert_eq!(m.given_names, "ANNA MARIA");
    }

    #[test]
    fn french_cni_td1() {
        let m = Mrz::parse(&[
            "IDFRA4YCRH3J8J1<<<<<<<<<<<<<<<",
            "0508159F3406186FRA<<<<<<<<<<<4",
            "MARTINS<<CHRISTIANE<JACQUELINE",
        ])
        .unwrap();
        assert_eq!(m.document_number, "4YCRH3J8J");
        assert_eq!(m.birth_date.unwrap().to_string(), "2005-08-15");
        assert_eq!(m.expiry_date.unwrap().to_string(), "2034-06-18");
        assert_eq!(m.nationality.as_deref(), Some("FRA"));
    }

    #[test]
    fn french_card_of_1988_to_2021() {
        // The public specimen (Christiane Douel): every check digit as printed.
        let lines = ["IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013", "0506932020438CHRISTIANE<<NI2906209F3"];
        let m = Mrz::parse(&lines).unwrap();
        assert_eq!(m.format, MrzFormat::FraId);
        assert_eq!((m.surname.as_str(), m.given_names.as_str()), ("DOUEL", "CHRISTIANE NI"));
        assert_eq!(m.document_number, "050693202043");
        assert_eq!(m.birth_date.unwrap().to_string(), "1929-06-20");
        assert_eq!((m.sex, m.expiry_date, m.nationality.as_deref()), ('F', None, Some("FRA")));
        assert!(!m.corrected);
        // The last digit covers the names: one letter changed fails it.
        assert!(Mrz::parse(&["IDFRADOUEM<<<<<<<<<<<<<<<<<<<<932013", lines[1]]).is_err());
        // Among OCR lines, with the padding of the surname read as letters and an O for a 0.
        let m = Mrz::find(&[
            "REPUBLIQUE FRANCAISE",
            "IDFRADOUEL<<<<<<<<<<<<<<<KK<<<932013",
            "O506932020438CHRISTIANE<<NI2906209F3",
        ])
        .unwrap();
        assert_eq!((m.document_number.as_str(), m.corrected), ("050693202043", true));
        // A photocopy: the frame read at both ends, the padding as C and E after one filler.
        let m = Mrz::find(&["| IDFRADOUEL <ccceeccececeeeeéce<932013 |", "-0506932020438CHRISTIANE<<NI2906209F3 °"])
            .unwrap();
        assert_eq!((m.surname.as_str(), m.given_names.as_str()), ("DOUEL", "CHRISTIANE NI"));
        // The same padding read after a name whose letters the last digit does not confirm.
        assert!(Mrz::find(&["| IDFRADOUEX <ccceeccececeeeeéce<932013 |", "-0506932020438CHRISTIANE<<NI2906209F3 °"])
            .is_none());
        // A birth year after the card's issue belongs to the century before.
        let l2 = "8806075123457MARIE<<CLAIRE<6504120F3";
        let m = Mrz::parse(&["IDFRADUPONT<DURAND<<<<<<<<<<<<075123", l2]).unwrap();
        assert_eq!(
            (m.surname.as_str(), m.birth_date.unwrap().to_string()),
            ("DUPONT DURAND", "1965-04-12".to_string())
        );
    }

    #[test]
    fn failing_check_digit_is_rejected() {
        assert!(Mrz::parse(&[
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408132F1204159ZE184226B<<<<<10"
        ])
        .is_err());
    }

    fn td3(num: &str, birth: &str, expiry: &str) -> [String; 2] {
        let num = format!("{:<<9}", num);
        let nb = num.as_bytes();
        let mut l2 = format!(
            "{}{}UTO{}{}F{}{}{}",
            num,
            check_digit(nb) as char,
            birth,
            check_digit(birth.as_bytes()) as char,
            expiry,
            check_digit(expiry.as_bytes()) as char,
            "<".repeat(14)
        );
        l2.push('0'); // optional data check digit of an empty field
        let b = l2.as_bytes();
        let mut comp = b[0..10].to_vec();
        comp.extend_from_slice(&b[13..20]);
        comp.extend_from_slice(&b[21..43]);
        l2.push(check_digit(&comp) as char);
        ["P<UTODOE<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<".to_string(), l2]
    }

    #[test]
    fn reread_repairs_noise_and_lookalikes_under_both_checks() {
        // Check digit read as B, an ampersand inserted, O for 0: every check digit still passes.
        let r = Mrz::reread(&[
            "IDFRA2NPZEX3NKB<<<<<<<<<<<<<<<",
            "5910232M3201222FRA<<<<<<<<<<<4",
            "IMBERT<<ALAIN<<<<<<<<<<<<<<<<<",
        ])
        .unwrap();
        assert_eq!(r.mrz.document_number, "2NPZEX3NK");
        assert_eq!(r.mrz.surname, "IMBERT");
        let r = Mrz::reread(&[
            "P<FRACOUTURIER<<NOEL<ERIC<<<<<<<<<<<<<<<<<<<",
            "24&SP375365FRA0706298M3403048<<<<<<<<<<<<<<<8",
        ])
        .unwrap();
        assert_eq!(r.mrz.document_number, "24SP37536");
        assert_eq!(r.mrz.given_names, "NOEL ERIC");
        // A wrong composite digit: no reading passes.
        assert!(Mrz::reread(&[
            "IDFRA2NPZEX3NKB<<<<<<<<<<<<<<<",
            "5910232M3201222FRA<<<<<<<<<<<5",
            "IMBERT<<ALAIN<<<<<<<<<<<<<<<<<"
        ])
        .is_none());
    }

    #[test]
    fn fillers_read_as_k_still_separate_the_names() {
        assert_eq!(names(b"SAVAK<SUPERMAN<<<<<<<<<<<<<<<<"), ("SAVA".into(), "SUPERMAN".into()));
        assert_eq!(names(b"SPECIMEN<K<VZOR<<<<<<<<<<<<<<<"), ("SPECIMEN".into(), "VZOR".into()));
        assert_eq!(names(b"MEULENDIJK<KLOES<ALBERTINE<<<<"), ("MEULENDIJK".into(), "LOES ALBERTINE".into()));
        // A real separator wins over any K.
        assert_eq!(names(b"NOVAK<<KAREL<K<<<<<<<<<<<<<<<<"), ("NOVAK".into(), "KAREL K".into()));
    }

    #[test]
    fn padding_read_as_letters_is_cut_but_names_ending_in_k_are_kept() {
        assert_eq!(names(b"MARTIN<<SARAHKKKKKKKKKKKKKLEKLEELEEKEEE").1, "SARAH");
        assert_eq!(names(b"ULYSSE<<CHRISTOPHEKLELLELERECEELEREELEE").1, "CHRISTOPHE");
        assert_eq!(names(b"CELIK<<EMRE<<<<<<<<<<<<<<<<<<<"), ("CELIK".into(), "EMRE".into()));
        // The K before fillers is the name's (the zone finder cuts the rest at its first `<<<`).
        assert!(names(b"CELIK<<BURAK<<<<<<<K<<EK<LEKEEEEE<SE").1.starts_with("BURAK "));
        assert_eq!(names(b"FALL<<CHEIKH<K<<<<<<<<KKKKKKKKKKK").1, "CHEIKH K");
        assert_eq!(names(b"DUPONT<<KLEE<<<<<<<<<<<<<<<<<<<").1, "KLEE");
    }

    #[test]
    fn a_nationality_digit_becomes_the_letter_making_a_known_code() {
        assert_eq!(nationality(b"NL0").as_deref(), Some("NLD"));
        assert_eq!(nationality(b"UT0").as_deref(), Some("UTO"));
        assert_eq!(nationality(b"F1N").as_deref(), Some("FIN"));
        assert_eq!(nationality(b"D<<").as_deref(), Some("DEU"));
        assert_eq!(nationality(b"132"), None);
    }

    #[test]
    fn zeros_read_as_o_and_check_digits_read_as_letters_are_repaired() {
        // Two O for 0 cancel out in the check digit: the number with zeros is tried first.
        let m = Mrz::find(&[
            "P<CANMARTIN<<SARAH<<<<<<<<<<<<<<<<<<<<<<<<<<",
            "ZEOO05O9<9CAN8501019F2301147<<<<<<<<<<<<<<08",
        ])
        .unwrap();
        assert_eq!(m.document_number, "ZE000509");
        // TD1: the check digit after a short number read as D, zeros as O, a check digit as B.
        let m = Mrz::find(&[
            "I<MAC12281507<D<<<<<<<<0212300",
            "6106225M1212307<<<<<<<<<<<<<<6",
            "CHONG<<KA<KEONG<<<<<KKKKKK",
        ])
        .unwrap();
        assert_eq!((m.document_number.as_str(), m.given_names.as_str()), ("12281507", "KA KEONG"));
        let m = Mrz::find(&[
            "IDCHESOOO2068<B<<<<<<<<<<<<<<<",
            "8102287F1301014CHE<<<<<<<<<<<4",
            "VADIS<<QUO<<<<<6666KKEKKKKKKK",
        ])
        .unwrap();
        assert_eq!(m.document_number, "S0002068");
        // A 0 and an S misread: the reading swapping letters to digits comes before 0 -> D.
        let m = Mrz::find(&[
            "P<FRAULYSSE<<CHRISTOPHE<<<<<<<<<<<<<<<<<<<<<",
            "O8CDS03380FRA6004103M1806058<<<<<<<<<<<<<<06",
        ])
        .unwrap();
        assert_eq!(m.document_number, "08CD50338");
    }

    #[test]
    fn the_personal_number_is_repaired_under_its_own_check_digit() {
        let m = Mrz::find(&[
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<KK<K<KKKKKK<<",
            "L898902C36UT07408122F12041597E184226B<<<<<10",
        ])
        .unwrap();
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.nationality.as_deref(), Some("UTO"));
    }

    #[test]
    fn a_td2_data_line_without_fillers_pairs_is_found() {
        let m = Mrz::find(&["IDROUSAVAK<SUPERMAN<<<<<<<<<<<K<<<<<<", "HD198025<51328505095M130509012049941"]).unwrap();
        assert_eq!(
            (m.surname.as_str(), m.given_names.as_str(), m.document_number.as_str()),
            ("SAVA", "SUPERMAN", "HD198025")
        );
        assert_eq!(m.nationality, None);
    }

    #[test]
    fn nothing_follows_the_padding_of_a_number() {
        assert_eq!(doc_number(b"48RHPF7<N", b'0', b""), None);
        assert_eq!(doc_number(b"CA000000<", b'4', b"").as_deref(), Some("CA000000"));
    }

    proptest! {
        #[test]
        fn damaged_zones_never_panic(lines in proptest::collection::vec("[A-Z0-9<K «/|]{0,50}", 0..4)) {
            let refs: Vec<&str> = lines.iter().map(|s| s.as_str()).collect();
            let _ = Mrz::find(&refs);
            let _ = Mrz::reread(&refs);
            for l in &lines {
                let _ = names(l.as_bytes());
                let _ = padding_start(l.as_bytes(), 0);
            }
        }

        #[test]
        fn zeros_read_as_o_in_the_number_are_restored(num in "[A-NPR-Z0-9]{9}", y in 30u32..99, m in 1u32..13, d in 1u32..29) {
            let b = format!("{:02}{:02}{:02}", y, m, d);
            let ls = td3(&num, &b, "300101");
            let misread: String = ls[1].char_indices().map(|(i, c)| if i < 9 && c == '0' { 'O' } else { c }).collect();
            let got = Mrz::find(&[&ls[0], &misread]).unwrap();
            prop_assert_eq!(got.document_number, num);
        }

        #[test]
        fn generated_french_cards_validate_and_any_changed_character_fails(
            surname in "[A-Z]{2,12}(<[A-Z]{2,8})?",
            given in "[A-Z]{2,6}(<<[A-Z]{2,5})?",
            issued in 0u32..34,
            seq in "[0-9]{5}",
            birth in (30u32..99, 1u32..13, 1u32..29),
            at in 0usize..72,
        ) {
            let l1 = format!("IDFRA{surname:<<25}750123");
            let num = format!("{:02}01750{seq}", (88 + issued) % 100);
            let b = format!("{:02}{:02}{:02}", birth.0, birth.1, birth.2);
            let mut l2 = format!("{num}{}{given:<<14}{b}{}F", check_digit(num.as_bytes()) as char, check_digit(b.as_bytes()) as char);
            let mut all = l1.clone().into_bytes();
            all.extend_from_slice(l2.as_bytes());
            l2.push(check_digit(&all) as char);
            let m = Mrz::parse(&[&l1, &l2]).unwrap();
            prop_assert_eq!(m.format, MrzFormat::FraId);
            prop_assert_eq!(&m.document_number, &num);
            prop_assert_eq!(m.surname, surname.replace('<', " "));
            prop_assert_eq!(m.given_names, given.replace("<<", " "));
            prop_assert_eq!(m.birth_date.unwrap().year() % 100, birth.0 as i32);
            // One character changed (to another of its kind) anywhere a check digit covers.
            let mut lines = [l1.into_bytes(), l2.into_bytes()];
            let (li, ci) = (at / 36, at % 36);
            let c = &mut lines[li][ci];
            let filler = *c == b'<';
            *c = match *c { b'0'..=b'8' => *c + 1, b'9' => b'0', b'A'..=b'Y' => *c + 1, b'Z' => b'A', _ => b'Y' };
            let changed: Vec<String> = lines.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect();
            // The code and state are not a French card's any more; the rest fails a check digit,
            // except a letter in a name's padding, which the parser may repair back to a filler
            // (OCR reads fillers as letters): then it must give the card as it was.
            if filler {
                if let Ok(r) = Mrz::parse(&[&changed[0], &changed[1]]) {
                    prop_assert_eq!(r.format, MrzFormat::FraId);
                    prop_assert_eq!(r.surname, surname.replace('<', " "));
                    prop_assert_eq!(r.given_names, given.replace("<<", " "));
                    prop_assert_eq!(r.document_number, num);
                }
            } else if li == 1 || ci >= 5 {
                prop_assert!(Mrz::parse(&[&changed[0], &changed[1]]).is_err());
            }
        }

        #[test]
        fn generated_td3_validate(num in "[A-Z0-9]{9}", y in 30u32..99, m in 1u32..13, d in 1u32..29, ey in 0u32..40) {
            let b = format!("{:02}{:02}{:02}", y, m, d);
            let e = format!("{:02}{:02}{:02}", ey, m, d);
            let ls = td3(&num, &b, &e);
            let m = Mrz::parse(&[&ls[0], &ls[1]]).unwrap();
            prop_assert_eq!(m.document_number, num);
        }

        #[test]
        fn changing_a_birth_digit_fails(y in 30u32..99, m in 1u32..10, d in 10u32..29, pos in 13usize..19, delta in 1u8..10) {
            let b = format!("{:02}{:02}{:02}", y, m, d);
            let ls = td3("AB1234567", &b, "300101");
            let mut l2 = ls[1].clone().into_bytes();
            l2[pos] = b'0' + (l2[pos] - b'0' + delta) % 10;
            let l2 = String::from_utf8(l2).unwrap();
            prop_assert!(Mrz::parse(&[&ls[0], &l2]).is_err());
        }

        #[test]
        fn clean_line_is_idempotent(s in "[A-Za-z0-9< «]{0,50}") {
            let once = clean_line(&s);
            prop_assert_eq!(clean_line(&once), once);
        }
    }
}
