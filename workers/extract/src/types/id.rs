//! Identity documents: the MRZ, when its check digits pass, is the strongest source; the printed
//! zone fills what it truncates (long given names) and must agree with it.

use crate::doc::Doc;
use crate::Out;
use tamis_shared::ids::{as_digit, check_digit, clean_line, Mrz, Reread};
use tamis_shared::taxonomy::fold;
use tamis_shared::FieldSource;

fn name_tokens(s: &str) -> Vec<String> {
    fold(&s.replace(['-', '\'', '’'], " ")).split(' ').filter(|t| !t.is_empty()).map(String::from).collect()
}

fn checks(field: &[u8], cd: u8) -> bool {
    let cd = if cd == b'<' { b'0' } else { as_digit(cd) };
    field.iter().all(|c| c.is_ascii_digit()) && check_digit(field) == cd
}

fn yymmdd(b: &[u8], century: impl Fn(i32) -> i32) -> Option<time::Date> {
    let n = |i: usize| ((b[i] - b'0') as i32) * 10 + (b[i + 1] - b'0') as i32;
    let m = time::Month::try_from(n(2) as u8).ok()?;
    time::Date::from_calendar_date(century(n(0)), m, n(4) as u8).ok()
}

/// What an MRZ too damaged for a full parse still proves: each part whose own check digit passes.
/// The date block (birth, check, sex, expiry, check) carries two check digits, which anchors the
/// sex and nationality printed next to it.
fn partial_mrz(doc: &Doc) -> Option<Mrz> {
    let lines: Vec<String> =
        doc.lines.iter().map(|l| clean_line(&l.text)).filter(|l| l.len() >= 20 && l.contains('<')).collect();
    for (li, l) in lines.iter().enumerate() {
        let b: Vec<u8> = l.bytes().collect();
        for i in 0..b.len().saturating_sub(14) {
            let mut w: Vec<u8> = b[i..i + 15].to_vec();
            for j in (0..7).chain(8..15) {
                w[j] = as_digit(w[j]);
            }
            if !matches!(w[7], b'M' | b'F' | b'<') || !checks(&w[0..6], w[6]) || !checks(&w[8..14], w[14]) {
                continue;
            }
            let expiry = yymmdd(&w[8..14], |y| if y >= 70 { 1900 + y } else { 2000 + y })?;
            let this = time::OffsetDateTime::now_utc().year() % 100;
            let birth =
                yymmdd(&w[0..6], |y| if y <= this && 2000 + y <= expiry.year() - 5 { 2000 + y } else { 1900 + y })?;
            let letters = |x: &[u8]| x.len() == 3 && x.iter().all(|c| c.is_ascii_uppercase());
            // TD1: nationality after the block; TD2/TD3: before it, after the document number.
            let (nat, number) = if i >= 13 && letters(&b[i - 3..i]) {
                let n: Vec<u8> = b[i - 13..i - 4].to_vec();
                let cd = b[i - 4];
                let valid = check_digit(&n) == if cd == b'<' { b'0' } else { as_digit(cd) };
                (
                    Some(String::from_utf8_lossy(&b[i - 3..i]).to_string()),
                    valid.then(|| String::from_utf8_lossy(&n).trim_end_matches('<').to_string()),
                )
            } else if i + 18 <= b.len() && letters(&b[i + 15..i + 18]) {
                // TD1: the number sits on the line above, after the document code and state,
                // found by name so that a shifted read still places it: an identity card's issuer
                // is its holder's nationality (read past the check digits), and a French office
                // mostly sees France's residence permits, issued to foreigners.
                let nat = &b[i + 15..i + 18];
                let num = li.checked_sub(1).and_then(|k| lines.get(k)).and_then(|up| {
                    let u = up.as_bytes();
                    [nat, &b"FRA"[..]].into_iter().find_map(|state| {
                        let s = u.windows(3).position(|x| x == state).map(|p| p + 3).filter(|p| *p + 10 <= u.len())?;
                        let n = &u[s..s + 9];
                        (check_digit(n) == as_digit(u[s + 9]))
                            .then(|| String::from_utf8_lossy(n).trim_end_matches('<').to_string())
                    })
                });
                (Some(String::from_utf8_lossy(nat).to_string()), num)
            } else {
                (None, None)
            };
            return Some(Mrz {
                format: tamis_shared::ids::MrzFormat::Td1,
                document_code: String::new(),
                issuing_state: String::new(),
                surname: String::new(),
                given_names: String::new(),
                document_number: number.unwrap_or_default(),
                nationality: nat,
                birth_date: Some(birth),
                sex: if w[7] == b'<' { 'X' } else { w[7] as char },
                expiry_date: Some(expiry),
                corrected: true,
            });
        }
    }
    None
}

/// Look-alike class of a character as OCR confuses it across fonts: the digit it stands for.
fn lookalike(c: u8) -> u8 {
    if c == b'A' {
        b'4'
    } else {
        as_digit(c)
    }
}

/// Whether `n` has the shape of a French passport's number: two digits, two letters, five digits
/// (`21GD79303`), as every French passport in circulation is numbered.
fn fra_passport_number(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() == 9
        && b.iter().enumerate().all(|(i, c)| if i == 2 || i == 3 { c.is_ascii_uppercase() } else { c.is_ascii_digit() })
}

/// Every character of a look-alike class.
fn class_members(rep: u8) -> Vec<u8> {
    (b'0'..=b'9').chain(b'A'..=b'Z').filter(|c| lookalike(*c) == rep).collect()
}

/// `s` with at most one character removed (itself first).
fn one_deletion(s: &[u8]) -> Vec<Vec<u8>> {
    std::iter::once(s.to_vec()).chain((0..s.len()).map(|i| [&s[..i], &s[i + 1..]].concat())).collect()
}

/// Where an MRZ line's document number starts: after the document code and issuing state on the
/// first line of an identity card (TD1), at the start of the second line of a passport or TD2.
fn number_start(line: &[u8]) -> usize {
    (0..=2)
        .find(|&k| {
            matches!(line.get(k), Some(b'I' | b'A' | b'C'))
                && line.get(k + 2..k + 5).is_some_and(|st| st.iter().all(|c| c.is_ascii_uppercase() || *c == b'<'))
                && line.get(k + 5..).is_some_and(|rest| rest.iter().any(u8::is_ascii_digit))
        })
        .map_or(0, |k| k + 5)
}

/// The document number that the printed zone and the MRZ, two reads in different fonts, agree on
/// up to look-alike characters (B/8, O/0, A/4, ...) and at most one character inserted in each
/// read, and that the MRZ's own check digit then confirms. Where the two reads disagree within a
/// look-alike class, the check digit picks the character; `None` unless exactly one number fits.
fn fused_number(doc: &Doc) -> Option<String> {
    let upper = |t: &str| t.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect::<String>();
    let mrz: Vec<Vec<u8>> =
        doc.lines.iter().map(|l| upper(&l.text).into_bytes()).filter(|l| l.len() >= 20 && l.contains(&b'<')).collect();
    if mrz.is_empty() {
        return None;
    }
    let printed: Vec<Vec<u8>> = doc
        .lines
        .iter()
        .filter(|l| !l.text.contains('<'))
        .flat_map(|l| l.words.iter().map(|w| upper(w.text.trim_matches(|c: char| !c.is_alphanumeric())).into_bytes()))
        .filter(|t| {
            (6..=10).contains(&t.len()) && t.iter().all(u8::is_ascii_alphanumeric) && t.iter().any(u8::is_ascii_digit)
        })
        .collect();
    // Each number that fits, with the fewest edits any alignment needed to explain both reads.
    let mut found: Vec<(Vec<u8>, usize)> = vec![];
    for token in &printed {
        for (v, token_cut) in one_deletion(token).into_iter().zip(std::iter::once(0).chain(std::iter::repeat(1))) {
            let n = v.len();
            if !(6..=9).contains(&n) {
                continue;
            }
            for line in &mrz {
                // The number field is nine characters, padded with fillers, then its check digit;
                // the MRZ read may carry one inserted character.
                {
                    let start = number_start(line);
                    for seg_len in [n, n + 1] {
                        let tail = 9 - n + 1;
                        let Some(seg) = line.get(start..start + seg_len) else { continue };
                        let Some(after) = line.get(start + seg_len..start + seg_len + tail) else { continue };
                        if after[..tail - 1].iter().any(|c| *c != b'<') {
                            continue;
                        }
                        let cd = lookalike(after[tail - 1]);
                        if !cd.is_ascii_digit() {
                            continue;
                        }
                        for m in one_deletion(seg).into_iter().filter(|m| m.len() == n) {
                            let wild = m.iter().filter(|c| !c.is_ascii_alphanumeric()).count();
                            if wild > 1
                                || !v
                                    .iter()
                                    .zip(&m)
                                    .all(|(a, b)| !b.is_ascii_alphanumeric() || lookalike(*a) == lookalike(*b))
                            {
                                continue;
                            }
                            let choices: Vec<Vec<u8>> = v
                                .iter()
                                .zip(&m)
                                .map(|(a, b)| {
                                    if a == b || !b.is_ascii_alphanumeric() {
                                        vec![*a]
                                    } else {
                                        class_members(lookalike(*a))
                                    }
                                })
                                .collect();
                            if choices.iter().map(Vec::len).product::<usize>() > 256 {
                                continue;
                            }
                            let mut combos: Vec<Vec<u8>> = vec![vec![]];
                            for c in &choices {
                                combos = combos
                                    .iter()
                                    .flat_map(|p| c.iter().map(move |x| [p.as_slice(), &[*x]].concat()))
                                    .collect();
                            }
                            let edits = token_cut + (seg_len - n);
                            for c in combos {
                                let mut padded = c.clone();
                                padded.resize(9, b'<');
                                if check_digit(&padded) != cd {
                                    continue;
                                }
                                let cost = edits
                                    + c.iter().zip(&v).filter(|(x, y)| x != y).count()
                                    + c.iter().zip(&m).filter(|(x, y)| x != y).count();
                                match found.iter_mut().find(|f| f.0 == c) {
                                    Some(f) => f.1 = f.1.min(cost),
                                    None => found.push((c, cost)),
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let best = found.iter().map(|f| f.1).min()?;
    match found.iter().filter(|f| f.1 == best).collect::<Vec<_>>().as_slice() {
        [one] => String::from_utf8(one.0.clone()).ok(),
        _ => None,
    }
}

/// Letters OCR reads for the fillers padding an MRZ name (R rarely, in long runs).
fn padding_letter(c: char) -> bool {
    matches!(c, 'K' | 'S' | 'E' | 'L' | 'C' | 'R' | '<')
}

/// An MRZ name word with the padding OCR glued to it removed (`SARAHKKKKLEK` → `SARAH`,
/// `MUSTERMANNK` → `MUSTERMANN`): only when the printed zone, read apart, spells the word
/// without that tail, and the tail is mostly letters OCR reads fillers as. A name that really ends
/// in one of them (`NOVAK`) is kept whenever the printed zone spells it whole.
pub(crate) fn without_padding(doc: &Doc, word: &str) -> String {
    let printed = |w: &str| {
        let f = fold(w);
        doc.lines.iter().filter(|l| !l.text.contains('<')).any(|l| l.tokens.iter().any(|t| t.0 == f))
    };
    if word.len() < 3 || printed(word) {
        return word.to_string();
    }
    // The longest printed prefix of 2+ letters whose tail is mostly padding letters.
    for cut in (2..word.len()).rev() {
        let (head, tail) = word.split_at(cut);
        let pad = tail.chars().filter(|c| padding_letter(*c)).count();
        if pad * 10 >= tail.chars().count() * 8 && tail.starts_with(|c: char| padding_letter(c)) && printed(head) {
            return head.to_string();
        }
    }
    word.to_string()
}

/// How a printed name stands to the MRZ's.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Agree {
    /// Token for token the same name (up to the MRZ's truncation and fillers read as letters).
    Same,
    /// The same name but for one letter of one token: one of the two reads is wrong there.
    OneLetter,
}

/// Compares a printed name's folded tokens with the MRZ's. `truncated`: the MRZ's name field is
/// full, so its last token may be cut short and later ones dropped.
fn agree(printed: &[String], mrz: &[String], truncated: bool) -> Option<Agree> {
    let n = mrz.len();
    if n == 0 || (printed.len() != n && !(truncated && printed.len() > n)) {
        return None;
    }
    let mut off = 0;
    for (k, (p, m)) in printed.iter().zip(mrz).enumerate() {
        let cut_short = k == n - 1 && truncated && m.len() >= 2 && p.starts_with(m.as_str());
        // OCR reads the fillers after a name's end as letters (CHRISTELLEXSSSS).
        let padded = p.len() >= 2 && m.starts_with(p.as_str()) && {
            let tail = &m[p.len()..];
            tail.chars().filter(|c| padding_letter(c.to_ascii_uppercase())).count() * 10 >= tail.len() * 8
        };
        // ... and the filler between two names as a letter before the second (KJOSETTE).
        let led = m.len() == p.len() + 1
            && m.ends_with(p.as_str())
            && p.len() >= 3
            && m.starts_with(|c: char| padding_letter(c.to_ascii_uppercase()));
        if p == m || cut_short || padded || led {
            continue;
        }
        if p.len() == m.len() && p.len() >= 3 && p.bytes().zip(m.bytes()).filter(|(a, b)| a != b).count() == 1 {
            off += 1;
            continue;
        }
        return None;
    }
    match off {
        0 => Some(Agree::Same),
        1 => Some(Agree::OneLetter),
        _ => None,
    }
}

/// Whether the MRZ line that spells `last` (the name's last token) fills its line to the end, so
/// that the name may have been cut (TD1 names are 30 characters at most, TD3's 39).
fn name_field_full(doc: &Doc, last: &str) -> bool {
    let last = last.to_uppercase();
    doc.lines.iter().any(|l| {
        let t: String = l.text.chars().filter(|c| !c.is_whitespace()).collect();
        // A name line (TD1's third, TD2's and TD3's first) ending in the name, or the given-names
        // field of France's 1988-2021 card (characters 14-27 of its second line) filled to its end.
        let name_line = t.contains("<<") && [30, 36, 44].contains(&t.len()) && t.ends_with(&last);
        name_line || (t.len() == 36 && t.get(13..27).is_some_and(|f| f.ends_with(&last)))
    })
}

/// A printed name found for the MRZ's.
struct Printed {
    value: String,
    /// OCR's confidence in its least sure word.
    conf: f32,
    how: Agree,
    page: u32,
    bbox: Option<tamis_shared::BBox>,
}

/// The name line of an MRZ too damaged to parse (TD1's third line, `SURNAME<<GIVEN<NAMES`), as
/// (surname tokens, given-name tokens, whether the read ends inside a name, cut short).
fn loose_name_line(doc: &Doc) -> Option<(Vec<String>, Vec<String>, bool)> {
    doc.lines.iter().rev().find_map(|l| {
        let t = clean_line(&l.text);
        let (sur, rest) = t.split_once("<<")?;
        let word = |w: &str| w.len() >= 2 && w.bytes().all(|c| c.is_ascii_uppercase());
        let surname: Vec<String> = sur.split('<').map(|w| w.to_lowercase()).collect();
        if !surname.iter().all(|w| word(&w.to_uppercase())) {
            return None;
        }
        let given: Vec<String> = rest.split('<').take_while(|w| word(w)).map(|w| w.to_lowercase()).collect();
        let cut = !rest.contains("<<") && rest.ends_with(|c: char| c.is_ascii_uppercase());
        Some((surname, given, cut))
    })
}

/// The printed name that `tokens` (the MRZ's, folded) names, found on a line outside the MRZ
/// where the name ends the line (alone, after a label, or after unreadable debris): its text,
/// OCR's confidence in its words, and how it agrees.
fn printed_name(doc: &Doc, tokens: &[String], truncated: bool) -> Option<Printed> {
    doc.lines.iter().filter(|l| !l.text.contains('<')).find_map(|l| {
        let t = &l.tokens;
        (0..t.len()).find_map(|s| {
            let names: Vec<String> = t[s..].iter().map(|x| x.0.clone()).collect();
            let how = agree(&names, tokens, truncated)?;
            // Whatever precedes the name must be a label (letters only) or debris OCR could not
            // read, not more name-like words read in the same run of text.
            let label = t[..s].iter().all(|x| {
                let w = &l.words[x.1];
                let upper_word = w.text.chars().next().is_some_and(|c| c.is_uppercase())
                    && w.text.chars().all(|c| !c.is_lowercase());
                // Judged on the whole word: `Prénom(s)` folds to `prenom` and `s`.
                let letters = w.text.chars().filter(|c| c.is_alphabetic()).count();
                (letters >= 3 && !upper_word) || w.conf < 0.3
            });
            if !label {
                return None;
            }
            let (a, b) = (t[s].1, t[t.len() - 1].1 + 1);
            let conf = l.words[a..b].iter().map(|w| w.conf).fold(1.0, f32::min);
            Some(Printed {
                value: l.span_text(a, b).replace(',', ""),
                conf,
                how,
                page: l.page,
                bbox: l.span_meta(a, b).1,
            })
        })
    })
}

pub(crate) fn extract(doc: &Doc, out: &mut Out) {
    let raw: Vec<&str> = doc.lines.iter().map(|l| l.text.as_str()).collect();
    let mut reread: Option<Reread> = None;
    let m = Mrz::find(&raw)
        .or_else(|| {
            let r = Mrz::reread(&raw)?;
            let m = r.mrz.clone();
            reread = Some(r);
            Some(m)
        })
        .or_else(|| partial_mrz(doc));
    let fused = fused_number(doc);
    // The fused number, keeping the printed field's box when it is that value.
    let put_fused = |out: &mut Out, value: &str, conf: f32| {
        let mut f = match out.fields.get("document_number") {
            Some(p) if p.value == value => p.clone(),
            _ => super::field(
                value.to_string(),
                conf,
                doc.lines.iter().rev().find(|l| l.text.contains('<')).map_or(1, |l| l.page),
                None,
                FieldSource::Mrz,
                None,
            ),
        };
        f.confidence = conf;
        f.valid = Some(true);
        out.fields.insert("document_number".into(), f);
    };
    let Some(m) = m else {
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
        out.finding(
            "corrected:mrz".into(),
            "OCR confusions in the machine-readable zone were repaired to pass its check digits.",
        );
    }
    let set = |out: &mut Out, name: &str, v: Option<String>, valid: Option<bool>| {
        let Some(v) = v else { return };
        if let Some(printed) = out.fields.get(name) {
            let same = printed.value.len() == v.len()
                && printed.value.bytes().zip(v.bytes()).all(|(a, b)| lookalike(a) == lookalike(b));
            if !same && name != "surname" && name != "given_names" {
                out.finding(
                    format!("mrz_mismatch:{name}"),
                    "The printed zone and the machine-readable zone disagree on this field.",
                );
            }
        }
        out.fields.insert(name.to_string(), mk(v, valid));
    };
    let partial = m.document_code.is_empty();
    if let Some(v) = fused.as_deref().filter(|_| reread.is_some() || partial || m.document_number.is_empty()) {
        // Two reads in different fonts agreeing, and the MRZ's check digit on top.
        let conf = if reread.as_ref().is_some_and(|r| r.mrz.document_number == v) { 0.95 } else { 0.93 };
        put_fused(out, v, conf);
    } else if let Some(r) = &reread {
        // Re-read through OCR confusions: the number's own check digit and the composite one both
        // pass, but so might another reading; the printed zone, read apart, must pick it.
        let fold_ocr = |s: &str| s.bytes().map(as_digit).collect::<Vec<u8>>();
        let printed = out.fields.get("document_number").map(|p| p.value.clone());
        let best = &r.mrz.document_number;
        // Readings needing no more repairs than the best one are its real competitors.
        let rivals: Vec<&String> = r.alternatives.iter().filter(|a| a.1 <= r.cost).map(|a| &a.0).collect();
        let agrees = |n: &str| printed.as_deref().is_some_and(|p| fold_ocr(p) == fold_ocr(n));
        let (value, conf) = if rivals.is_empty() {
            // Printed zone agreeing is a second, independent read; a reading needing no repair
            // beyond dropping noise passed two check digits as it stood.
            (
                best.clone(),
                if agrees(best) {
                    0.95
                } else if r.cost == 0 {
                    0.9
                } else {
                    0.78
                },
            )
        } else {
            let exact: Vec<&String> = std::iter::once(best)
                .chain(rivals.iter().copied())
                .filter(|n| printed.as_deref() == Some(n.as_str()))
                .collect();
            if let [one] = exact.as_slice() {
                ((*one).clone(), 0.9)
            } else {
                out.finding(
                    "ambiguous:document_number".into(),
                    "Several readings of the damaged machine-readable zone pass every check digit; the printed number does not settle it.",
                );
                (best.clone(), 0.6)
            }
        };
        // O and 0 mixed in one number are OCR's look-alikes, which check digits cannot tell apart
        // when they cancel out (CAOOOO0O0 passed as read): a person must look.
        let conf = if value.contains('O') && value.contains('0') { f32::min(conf, 0.78) } else { conf };
        let mut f = mk(value, Some(true));
        f.confidence = conf;
        out.fields.insert("document_number".into(), f);
    } else if partial && !m.document_number.is_empty() {
        // One check digit read out of a damaged line: right one time in ten by chance, so only
        // the printed number agreeing (up to look-alike letters) makes it sure.
        let fold_ocr = |s: &str| s.bytes().map(as_digit).collect::<Vec<u8>>();
        let agrees =
            out.fields.get("document_number").is_some_and(|p| fold_ocr(&p.value) == fold_ocr(&m.document_number));
        let mut f = mk(m.document_number.clone(), Some(true));
        f.confidence = if agrees { 0.93 } else { 0.7 };
        out.fields.insert("document_number".into(), f);
    } else if !m.document_number.is_empty() {
        let printed = out.fields.get("document_number").map(|p| p.value.clone());
        set(out, "document_number", Some(m.document_number.clone()), Some(true));
        // A zone repaired until its check digits passed may have found a false reading that
        // passes them too (`17LT92684` read `1PLT12684`): without the printed number spelling
        // the same, a person must look.
        if m.corrected && printed.as_deref() != Some(m.document_number.as_str()) {
            if let Some(f) = out.fields.get_mut("document_number") {
                f.confidence = f.confidence.min(0.78);
            }
        }
    } else if let Some(f) = out.fields.get_mut("document_number") {
        // Printed only: no check digit read (a later check may confirm it).
        f.confidence = f.confidence.min(0.75);
    }
    set(out, "birth_date", m.birth_date.map(|d| d.to_string()), Some(true));
    set(out, "expiry_date", m.expiry_date.map(|d| d.to_string()), Some(true));
    set(out, "sex", (m.sex != 'X').then(|| m.sex.to_string()), None);
    // A filler in the sex position is ICAO's "unspecified": X, unless the printed zone says more.
    if m.sex == 'X' && !partial && !out.fields.contains_key("sex") {
        set(out, "sex", Some("X".into()), None);
    }
    set(out, "nationality", m.nationality.clone(), None);
    // Check digits weigh a letter as its value modulo 10, so G and 6 (16 and 6), S and 8, D and 3
    // cancel out: a number misread so passes its check digit, and the printed zone, read by the
    // same engine, misreads it alike (`21GD79303` read `216D79303` twice). Where the issuer's
    // numbering is known, its shape settles it; a number out of shape goes to a person.
    if m.issuing_state == "FRA" && m.document_code.starts_with('P') {
        if let Some(f) = out.fields.get_mut("document_number").filter(|f| !fra_passport_number(&f.value)) {
            f.confidence = f.confidence.min(0.6);
            out.finding(
                "invalid:document_number".into(),
                "A French passport number is two digits, two letters and five digits; this reading is not.",
            );
        }
    }
    if partial {
        let mrz_lines: Vec<String> =
            doc.lines.iter().map(|l| clean_line(&l.text)).filter(|l| l.contains("<<")).collect();
        // No name line was parsed: a printed name is sure only when an MRZ-like line spells it.
        for (name, pattern) in [("surname", "{}<<"), ("given_names", "<<{}")] {
            if let Some(p) = out.fields.get_mut(name) {
                let spelled = pattern.replace("{}", &name_tokens(&p.value).join("<").to_uppercase());
                if spelled.len() >= 4 && mrz_lines.iter().any(|l| l.contains(&spelled)) {
                    p.confidence = p.confidence.max(0.93);
                } else {
                    p.confidence = p.confidence.min(0.75);
                }
            }
        }
        // Labels lost on a photo leave no printed name: the MRZ's name line, read loose, points
        // at the printed name that spells it, and the two reads agreeing make it sure.
        if let Some((surname, given, cut)) = loose_name_line(doc) {
            for (name, toks, cut) in [("surname", surname, false), ("given_names", given, cut)] {
                if out.fields.contains_key(name) || toks.is_empty() {
                    continue;
                }
                if let Some(p) = printed_name(doc, &toks, cut).filter(|p| p.how == Agree::Same) {
                    let f = super::field(p.value, 0.93, p.page, p.bbox, FieldSource::Ocr, Some(true));
                    out.fields.insert(name.to_string(), f);
                }
            }
        }
        // A printed number the MRZ repeats (up to look-alikes) followed by its check digit.
        if m.document_number.is_empty() {
            if let Some(p) = out.fields.get_mut("document_number") {
                let pv = p.value.as_bytes().to_vec();
                let key = |x: &[u8]| x.iter().map(|c| as_digit(*c)).collect::<Vec<u8>>();
                let confirmed = pv.len() >= 6
                    && mrz_lines.iter().any(|l| {
                        l.as_bytes()
                            .windows(pv.len() + 1)
                            .any(|w| key(&w[..pv.len()]) == key(&pv) && check_digit(&pv) == as_digit(w[pv.len()]))
                    });
                if confirmed {
                    p.confidence = p.confidence.max(0.93);
                    p.valid = Some(true);
                }
            }
        }
    }
    // Names: the MRZ drops accents and truncates; keep the printed form when it extends the MRZ's.
    for (name, mrz_v) in [("surname", &m.surname), ("given_names", &m.given_names)] {
        // OCR reads trailing fillers as K, S, E or L: names are not covered by check digits.
        let clean: Vec<String> = mrz_v
            .split(' ')
            .enumerate()
            .take_while(|(i, t)| {
                *i == 0
                    || (!t.chars().any(|c| c.is_ascii_digit())
                        && t.len() >= 2
                        && !t.chars().all(|c| "KSELC".contains(c)))
            })
            .map(|(_, t)| t.to_string())
            .collect();
        let suspicious = clean.len() != mrz_v.split(' ').count();
        let clean: Vec<String> = clean.iter().map(|t| without_padding(doc, t)).collect();
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
            // The printed zone, read apart from the MRZ, spelling the same name token for token
            // (a line of its own, or ending the line after a label) is a second read.
            let truncated = mt.last().is_some_and(|l| name_field_full(doc, l));
            match printed_name(doc, &mt, truncated) {
                Some(p) if p.how == Agree::Same => {
                    (f.value, f.page, f.bbox) = (p.value, Some(p.page), p.bbox);
                    f.confidence = 0.95;
                    f.valid = Some(true);
                }
                // One letter apart: the MRZ's small font on a photo is the likelier misread, but
                // only a printed read OCR is sure of outweighs it.
                Some(p) if p.conf >= 0.93 => {
                    (f.value, f.page, f.bbox) = (p.value, Some(p.page), p.bbox);
                    f.confidence = 0.86;
                    out.finding(
                        format!("reconciled:{name}"),
                        "The printed zone and the machine-readable zone differ by one letter in this name; the clearly printed reading was kept.",
                    );
                }
                _ => {}
            }
            out.fields.insert(name.to_string(), f);
        }
    }
    // France's 1988-2021 card carries its expiry in print only.
    // Whatever the names came from, the zone's names are a second reading of them: a name that
    // does not spell the zone's, word for word up to accents (the last word may be cut by the
    // zone), was read in the wrong place or misread (`Jodo` for `João`), and a person must look.
    // A damaged zone parsed only partly has no name line to spell: there a name must at least look
    // printed (family D: a speck under the zone, read `ae`, was taken for the surname).
    for (name, zone) in [("surname", &m.surname), ("given_names", &m.given_names)] {
        let zone = name_tokens(&zone.replace('<', " "));
        let Some(f) = out.fields.get_mut(name) else { continue };
        if partial || zone.is_empty() {
            let printed_like = f.value.chars().next().is_some_and(|c| c.is_uppercase())
                && f.value.chars().filter(|c| c.is_alphabetic()).count() >= 2;
            if !printed_like {
                f.confidence = f.confidence.min(0.75);
            }
            continue;
        }
        let read = name_tokens(&f.value);
        let spells = read.len() >= zone.len()
            && zone.iter().enumerate().all(|(i, z)| {
                // The zone may cut the last word, and OCR may read its fillers as letters after it.
                read[i] == *z
                    || (i + 1 == zone.len() && (read[i].starts_with(z.as_str()) || z.starts_with(read[i].as_str())))
            });
        if !spells {
            f.confidence = f.confidence.min(0.75);
        }
    }
    let printed_expiry = || {
        time::Date::parse(
            &out.fields.get("expiry_date")?.value,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
    };
    if let Some(e) = m.expiry_date.or_else(printed_expiry).map(|e| french_extension(&m, e)) {
        if e < time::OffsetDateTime::now_utc().date() {
            out.finding("expired".into(), "The document's expiry date has passed.");
        }
    }
}

/// The date a card stops being valid, given the expiry it shows: France's cards issued from
/// 2004 to 2013 to adults are valid five years past their printed date (decree 2013-1188), which
/// their zone's number dates (issue year and month first).
fn french_extension(m: &Mrz, printed: time::Date) -> time::Date {
    let adult_then =
        |year: i32, month: u8| m.birth_date.is_some_and(|b| (b.year() + 18, b.month() as u8) <= (year, month));
    match m.issued() {
        Some((year, month)) if (2004..=2013).contains(&year) && adult_then(year, month) => {
            printed.replace_year(printed.year() + 5).unwrap_or(printed)
        }
        _ => printed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_damaged_zone_of_any_state_still_gives_its_checked_number() {
        // Spain's card, read shifted by a frame's edge and with its last check digit wrong.
        let doc = Doc::from_lines(&[
            "|IDESPBAA0005895<<<<<<<<<<<<<<<",
            "7212011F3101230ESP<<<<<<<<<<<3",
            "ESPANOLA<<CARMEN<<<<<<<<<<<<<<",
        ]);
        let m = partial_mrz(&doc).expect("the date block passes its two check digits");
        assert_eq!((m.document_number.as_str(), m.nationality.as_deref()), ("BAA000589", Some("ESP")));
        // France's residence permit, issued to a foreigner: its state is not the holder's.
        let doc = Doc::from_lines(&[
            "|IRFRABAA0005895<<<<<<<<<<<<<<<",
            "7212011F3101230MAR<<<<<<<<<<<3",
            "TAZI<<KARIM<<<<<<<<<<<<<<<<<<<",
        ]);
        assert_eq!(partial_mrz(&doc).unwrap().document_number, "BAA000589");
    }

    #[test]
    fn a_french_card_issued_2004_to_2013_to_an_adult_is_valid_five_years_more() {
        let card = |l2: &str| Mrz::parse(&["IDFRADUPONT<DURAND<<<<<<<<<<<<075123", l2]).unwrap();
        let date = |y, m, d| time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
        // Issued 2012-06 to someone born in 1965: printed 2022, valid to 2027.
        let adult = card("1206075123450MARIE<<CLAIRE<6504120F7");
        assert_eq!(french_extension(&adult, date(2022, 6, 1)), date(2027, 6, 1));
        // Issued 2012-06 to a child born in 2000: as printed.
        let child = card("1206075123450MARIE<<CLAIRE<0004123F1");
        assert_eq!(french_extension(&child, date(2022, 6, 1)), date(2022, 6, 1));
        // Issued 2016: as printed; an ICAO card too.
        let later = card("1606075123452MARIE<<CLAIRE<6504120F3");
        assert_eq!(french_extension(&later, date(2031, 6, 1)), date(2031, 6, 1));
        let icao = Mrz::parse(&[
            "IDFRA4YCRH3J8J1<<<<<<<<<<<<<<<",
            "0508159F3406186FRA<<<<<<<<<<<4",
            "MARTINS<<CHRISTIANE<JACQUELINE",
        ])
        .unwrap();
        assert_eq!(french_extension(&icao, date(2034, 6, 18)), date(2034, 6, 18));
    }

    fn fused(lines: &[&str]) -> Option<String> {
        fused_number(&Doc::from_lines(lines))
    }

    fn td1(number: &str) -> String {
        let mut n = number.as_bytes().to_vec();
        n.resize(9, b'<');
        format!("IDFRA{}{}<<<<<<<<<<<<<<<", String::from_utf8_lossy(&n), check_digit(&n) as char)
    }

    fn toks(s: &str) -> Vec<String> {
        name_tokens(s)
    }

    #[test]
    fn printed_and_mrz_names_agree_up_to_truncation_fillers_and_one_letter() {
        assert_eq!(agree(&toks("Célina Éléonore"), &toks("CELINA ELEONORE"), false), Some(Agree::Same));
        // TD1 cuts a long name at 30 characters; only a full name field explains a cut.
        assert_eq!(agree(&toks("Célina Éléonore Laurence"), &toks("CELINA ELEONORE LAURE"), true), Some(Agree::Same));
        assert_eq!(agree(&toks("Célina Éléonore Laurence"), &toks("CELINA ELEONORE LAURE"), false), None);
        // Fillers read as letters after the last name.
        assert_eq!(agree(&toks("Christelle"), &toks("CHRISTELLEXSSSS"), false), Some(Agree::Same));
        assert_eq!(agree(&toks("Christelle"), &toks("CHRISTELLEMARIE"), false), None);
        assert_eq!(agree(&toks("Lucie Christelle"), &toks("EUCIE CHRISTELLE"), false), Some(Agree::OneLetter));
        assert_eq!(agree(&toks("Lucie Christine"), &toks("EUCIE CHRISTELLE"), false), None);
        assert_eq!(agree(&toks("DAVIS"), &toks("DAVTT"), false), None, "two letters apart is another name");
        assert_eq!(agree(&toks("Lucie"), &toks("LUCIE CHRISTELLE"), false), None);
    }

    fn id_card(given: &str, given_conf: f32) -> Out {
        let mut doc = Doc::from_lines(&[
            "CARTE NATIONALE D'IDENTITÉ",
            "NOM",
            "GAUTIER",
            "PRÉNOMS",
            given,
            "IDFRAAMG0V5MNG9<<<<<<<<<<<<<<<",
            "9311158F3306297FRA<<<<<<<<<<<0",
            "GAUTIER<<EUCIE<CHRISTELLEXSSSS",
        ]);
        for w in doc.lines[4].words.iter_mut() {
            w.conf = given_conf;
        }
        let mut out = Out { fields: Default::default(), findings: vec![] };
        extract(&doc, &mut out);
        out
    }

    #[test]
    fn a_clear_printed_name_one_letter_from_a_misread_mrz_is_kept_said_and_reviewed() {
        let out = id_card("Lucie, Christelle", 0.96);
        let g = &out.fields["given_names"];
        assert_eq!(g.value, "Lucie Christelle");
        assert!(out.findings.iter().any(|f| f.code == "reconciled:given_names"));
        // Kept, but the two readings disagree: family C's `Jodo` for João was as clearly printed
        // and as sure as this, so a person decides which one is right.
        assert!(g.confidence < 0.8, "{}", g.confidence);
        // An unsure printed read does not outweigh the MRZ: a person decides.
        let out = id_card("Lucie, Christelle", 0.88);
        assert!(out.fields["given_names"].confidence < 0.8);
        // Printed and MRZ spelling the same name agree outright.
        let out = id_card("Eucie, Christelle", 0.88);
        assert_eq!(out.fields["given_names"].value, "Eucie Christelle");
        assert!(out.fields["given_names"].confidence >= 0.95);
    }

    #[test]
    fn a_damaged_mrzs_name_line_points_at_the_printed_name_when_labels_are_lost() {
        // doc-0176's read: the labels NOM and PRÉNOMS lost on a heavy photo, the MRZ too damaged
        // to parse whole, a filler read as K before JOSETTE.
        let card = |given: &str| {
            let doc = Doc::from_lines(&[
                "RÉPUBLIQUE FRANÇAISE",
                "CARTE NATIONALE D'IDENTITÉ",
                "BAILLY",
                given,
                "F FRA",
                "LE11RH6RR 24 09 2032",
                "IDFRALE11RH6RR5S<<<< <<< KKK KKK",
                "5404245F3209240FRA<<<<<<<<<<<B",
                "BAILLY<<ADELAIDE<KJOSETTE<<<<46e",
            ]);
            let mut out = Out { fields: Default::default(), findings: vec![] };
            extract(&doc, &mut out);
            out
        };
        let out = card("Adélaïde, Josette");
        assert_eq!(out.fields["surname"].value, "BAILLY");
        assert_eq!(out.fields["given_names"].value, "Adélaïde Josette");
        assert!(out.fields["given_names"].confidence >= 0.9);
        // A printed line that does not spell the MRZ's names is not taken for them.
        let out = card("Adeline, Josette");
        assert!(
            out.fields.get("given_names").is_none_or(|g| g.confidence < 0.8),
            "{:?}",
            out.fields.get("given_names")
        );
    }

    #[test]
    fn both_reads_with_an_insertion_and_a_lookalike_give_the_number() {
        // Printed: a B inserted; MRZ: 8 read as B, an E inserted, the check digit 8 read as B.
        let lines = [
            "N° DU DOCUMENT DATE D'EXPIR",
            "Mu 8BCBPKY6VB 13 05 2035",
            "IDFRABCBPKY6EVBB<<<<<<<<<<<<<<<",
            "7809268F3505137FRA<<<<<<<<<<<4",
        ];
        assert_eq!(fused(&lines).as_deref(), Some("8CBPKY6VB"));
        // The MRZ's check digit read as S (5), a G inserted before it.
        assert_eq!(fused(&["HWSLK7486", "IDFRAHWSLK74B6GS<<<<<<<<<<<<<<<"]).as_deref(), Some("HWSLK7486"));
    }

    #[test]
    fn a_french_passport_number_out_of_shape_is_not_trusted() {
        assert!(fra_passport_number("21GD79303"));
        // G read as 6: the check digit passes (16 and 6 weigh alike), the shape does not.
        assert!(!fra_passport_number("216D79303"));
        assert!(!fra_passport_number("21GD7930"));
        assert!(!fra_passport_number("X1GD79303"));
    }

    #[test]
    fn lookalikes_the_check_digit_cannot_tell_apart_stay_unsure() {
        // G and 6 weigh the same modulo 10: both readings pass.
        let mrz = td1("AB6CD1234");
        assert_eq!(fused(&["ABGCD1234", &mrz]), None);
        // A wrong check digit confirms nothing.
        assert_eq!(fused(&["XKNR4Z897", "IDFRAXKNR4Z8973<<<<<<<<<<<<<<<"]), None);
        // The issuing state's last letter is not the number's first: printed 4, MRZ S disagree.
        assert_eq!(fused(&["4YCRH3J8J 18 06 2034", "IDFRASYCRH3J8J31<<<ccceecceee,"]), None);
        // Without an MRZ there is nothing to fuse with.
        assert_eq!(fused(&["XKNR4Z897"]), None);
    }

    proptest! {
        /// A look-alike misread in the printed zone gives the number or nothing, never another.
        #[test]
        fn fused_reading_is_the_number_or_nothing(number in "[A-Z0-9]{4}[0-9][A-Z0-9]{4}", pos in 0usize..9, any in 0usize..8) {
            let mut printed = number.clone().into_bytes();
            let class = class_members(lookalike(printed[pos]));
            printed[pos] = class[any % class.len()];
            let printed = String::from_utf8(printed).unwrap();
            let got = fused(&[&format!("N° {printed}"), &td1(&number)]);
            prop_assert!(got.is_none() || got.as_deref() == Some(number.as_str()), "{got:?} for {number}");
            if printed == number {
                prop_assert_eq!(got.as_deref(), Some(number.as_str()));
            }
        }
    }

    #[test]
    fn padding_glued_to_a_name_is_cut_only_when_the_printed_zone_spells_it_without() {
        let doc = Doc::from_lines(&[
            "Nom MUSTERMANN",
            "Prénoms ROZALIA IRMA",
            "Nom 2 NOVAK",
            "P<D<<MUSTERMANNK<<ERIKA<<<<<<<<<<<<<<<<<<<<<",
        ]);
        assert_eq!(without_padding(&doc, "MUSTERMANNK"), "MUSTERMANN");
        assert_eq!(without_padding(&doc, "IRMAK"), "IRMA");
        // Printed whole, or not printed at all: kept as read.
        assert_eq!(without_padding(&doc, "NOVAK"), "NOVAK");
        assert_eq!(without_padding(&doc, "ERIKAK"), "ERIKAK");
        // A tail that is not padding letters is not padding.
        assert_eq!(without_padding(&doc, "IRMAT"), "IRMAT");
    }
}
