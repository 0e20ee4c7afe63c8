//! A second, dedicated read of a page's machine-readable zone (ICAO 9303).
//!
//! The general pass reads the OCR-B lines of an MRZ poorly on photos and low-resolution scans:
//! fillers become `K`/`«`, digits become look-alike letters, and one wrong character costs every
//! field of an identity document. This pass finds the band those lines occupy (lines rich in
//! fillers or long runs of capitals and digits), crops it, scales it so characters are ~34 px
//! tall, binarises it with the band's own Otsu threshold and reads it again with tesseract
//! restricted to the MRZ alphabet. The new lines replace the old ones only when they make a
//! better MRZ (see `better`), so a page without an MRZ or with a good first read is unchanged.

use crate::mrzfind;
use crate::preprocess::otsu;
use crate::tsv::TsvPage;
use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};
use tamis_shared::ids::{clean_line, Mrz};
use tamis_shared::{BBox, Line};

/// White frame around a band handed to tesseract, which reads text touching the edge poorly;
/// boxes read on the band are shifted back by it.
const MARGIN: u32 = 24;

/// Cap height the band is scaled to: tesseract's LSTM reads best at 30-40 px characters.
pub(crate) const TARGET_CHAR_PX: f32 = 34.0;

/// True when a line looks like part of an MRZ: fillers, or a long run of capitals and digits.
fn mrz_like(l: &Line) -> bool {
    let c = clean_line(&l.text);
    let fillers = c.bytes().filter(|b| *b == b'<').count();
    let raw_len = l.text.chars().filter(|c| !c.is_whitespace()).count();
    let upper = l.text.chars().filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<').count();
    (c.len() >= 20 && fillers >= 2) || (raw_len >= 26 && upper * 10 >= raw_len * 9)
}

/// Fillers as printed or as OCR reads them (`<`, or `«` and `‹` for a run of them), counted
/// before `clean_line` maps punctuation to fillers.
fn raw_fillers(l: &Line) -> usize {
    l.text.chars().filter(|c| matches!(c, '<' | '«' | '‹')).count()
}

/// Index range of the lines forming the MRZ band, and the band's box (page pixels, padded).
pub(crate) fn band(page: &TsvPage, width: u32, height: u32) -> Option<(Vec<usize>, BBox)> {
    let cand: Vec<usize> =
        (0..page.lines.len()).filter(|&i| mrz_like(&page.lines[i]) && page.lines[i].bbox.is_some()).collect();
    // The line with the most fillers anchors the band; neighbours within ~2 line heights join it.
    let anchor =
        *cand.iter().max_by_key(|&&i| clean_line(&page.lines[i].text).bytes().filter(|b| *b == b'<').count())?;
    if clean_line(&page.lines[anchor].text).bytes().filter(|b| *b == b'<').count() < 3 {
        return None;
    }
    let boxed = |i: usize| page.lines[i].bbox.unwrap_or_default();
    let line_h = word_height(&page.lines[anchor]).max(4);
    let mut members = vec![anchor];
    let mut bb = boxed(anchor);
    loop {
        let near = cand.iter().copied().filter(|i| !members.contains(i)).find(|&i| {
            let b = boxed(i);
            let gap_above = bb.y.saturating_sub(b.y + b.h);
            let gap_below = b.y.saturating_sub(bb.y + bb.h);
            gap_above.max(gap_below) <= 2 * line_h
        });
        match near {
            Some(i) => {
                members.push(i);
                bb = bb.union(&boxed(i));
            }
            None => break,
        }
    }
    members.sort_unstable();
    // `clean_line` turns every comma, period and colon into a filler, so table rows and prose
    // qualify too; without this test most payslips and bills got two pointless tesseract reads
    // of a "band" (0.5-1.4 CPU-s a page). A real zone shows fillers as OCR reads them.
    if !members.iter().any(|&i| raw_fillers(&page.lines[i]) >= 3) {
        return None;
    }
    // A 3-line zone read as 1 or 2 lines: reach a line height and a half above and below so the
    // missed lines are in the crop (the parser ignores any extra line).
    let reach = if members.len() >= 3 { line_h / 2 } else { line_h * 3 / 2 + line_h };
    let pad_x = (bb.w / 20).max(line_h);
    let x0 = bb.x.saturating_sub(pad_x);
    let y0 = bb.y.saturating_sub(reach);
    let x1 = (bb.x + bb.w + pad_x).min(width);
    let y1 = (bb.y + bb.h + reach).min(height);
    (x1 > x0 + 10 && y1 > y0 + 4).then(|| (members, BBox { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }))
}

/// Median word height of a line (its box can be taller when a word is misread across lines).
fn word_height(l: &Line) -> u32 {
    let mut h: Vec<u32> = l.words.iter().filter_map(|w| w.bbox.map(|b| b.h)).collect();
    h.sort_unstable();
    h.get(h.len() / 2).copied().or(l.bbox.map(|b| b.h)).unwrap_or(20)
}

/// The band cropped, scaled to [`TARGET_CHAR_PX`] characters and binarised, with a white margin;
/// returns the image and the scale factor from page pixels.
pub(crate) fn prepare(img: &GrayImage, bb: BBox, char_px: u32, binarise: bool) -> (GrayImage, f32) {
    let crop = imageops::crop_imm(img, bb.x, bb.y, bb.w, bb.h).to_image();
    let scale = (TARGET_CHAR_PX / char_px.max(1) as f32).clamp(0.5, 4.0);
    let (w, h) = ((bb.w as f32 * scale).round().max(1.0) as u32, (bb.h as f32 * scale).round().max(1.0) as u32);
    let scaled = if (scale - 1.0).abs() < 0.1 { crop } else { imageops::resize(&crop, w, h, FilterType::CatmullRom) };
    (finish(scaled, binarise), scale)
}

/// Binarises a scaled band (when asked) and frames it in a white margin.
fn finish(mut scaled: GrayImage, binarise: bool) -> GrayImage {
    if binarise {
        let t = otsu(&scaled);
        for p in scaled.pixels_mut() {
            p.0[0] = if p.0[0] > t { 255 } else { 0 };
        }
    }
    let mut out = GrayImage::from_pixel(scaled.width() + 2 * MARGIN, scaled.height() + 2 * MARGIN, Luma([255]));
    imageops::replace(&mut out, &scaled, MARGIN as i64, MARGIN as i64);
    out
}

/// Maps the band's lines back to page coordinates.
pub(crate) fn to_page(mut read: TsvPage, bb: BBox, scale: f32) -> Vec<Line> {
    let margin = MARGIN as f32;
    let map = |b: BBox| BBox {
        x: bb.x + ((b.x as f32 - margin).max(0.0) / scale) as u32,
        y: bb.y + ((b.y as f32 - margin).max(0.0) / scale) as u32,
        w: (b.w as f32 / scale).round() as u32,
        h: (b.h as f32 / scale).round() as u32,
    };
    for l in read.lines.iter_mut() {
        l.bbox = l.bbox.map(map);
        for w in l.words.iter_mut() {
            w.bbox = w.bbox.map(map);
        }
    }
    read.lines
}

/// How good an MRZ reading is: 2 when every check digit passes, 1 when the tolerant re-reader
/// recovers it, 0 otherwise.
pub(crate) fn quality(lines: &[Line]) -> u8 {
    let raw: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    if Mrz::find(&raw).is_some() {
        2
    } else if Mrz::reread(&raw).is_some() {
        1
    } else {
        0
    }
}

/// Replaces the band's lines of `page` by `new` when they make a better MRZ; returns whether it did.
pub(crate) fn merge(page: &mut TsvPage, members: &[usize], bb: BBox, new: Vec<Line>) -> bool {
    let inside = |l: &Line| {
        l.bbox.is_some_and(|b| {
            let cy = b.y + b.h / 2;
            cy >= bb.y && cy <= bb.y + bb.h && b.x + b.w > bb.x && b.x < bb.x + bb.w
        })
    };
    let new: Vec<Line> = new.into_iter().filter(|l| clean_line(&l.text).len() >= 10).collect();
    let before = quality(&page.lines);
    let mut lines: Vec<Line> = Vec::with_capacity(page.lines.len() + new.len());
    let mut at = None;
    for (i, l) in page.lines.iter().enumerate() {
        if members.contains(&i) || (inside(l) && mrz_like(l)) {
            at.get_or_insert(lines.len());
        } else {
            lines.push(l.clone());
        }
    }
    let at = at.unwrap_or(lines.len());
    lines.splice(at..at, new);
    let after = quality(&lines);
    if after > before {
        page.lines = lines;
        true
    } else {
        false
    }
}

/// Re-reads the MRZ band of `page` (read from `img`) with `read` when its lines do not already
/// pass every check digit, and keeps the better reading. Binarised first (OCR-B on a photo's
/// uneven background reads best in black and white), then greyscale if that still fails.
pub(crate) fn improve<E>(
    img: &GrayImage,
    dpi: u32,
    page: &mut TsvPage,
    mut read: impl FnMut(&GrayImage, u32) -> Result<TsvPage, E>,
) -> Result<bool, E> {
    if quality(&page.lines) == 2 {
        return Ok(false);
    }
    let mut improved = false;
    if let Some((members, bb)) = band(page, img.width(), img.height()) {
        let char_px = word_height(&page.lines[members[0]]);
        for binarise in [true, false] {
            let (crop, scale) = prepare(img, bb, char_px, binarise);
            let got = read(&crop, ((dpi as f32) * scale).round() as u32)?;
            let members: Vec<usize> = if improved { vec![] } else { members.clone() };
            improved |= merge(page, &members, bb, to_page(got, bb, scale));
            if quality(&page.lines) == 2 {
                return Ok(true);
            }
        }
    }
    // No band in the reading, or one too turned or too small to re-read. Not after a tolerant
    // reading (quality 1): its names, which no check digit covers, beat a fresh read's.
    if quality(&page.lines) == 0 {
        improved |= from_pixels(img, dpi, page, read)?;
    }
    Ok(improved)
}

/// Words that put an identity document on the page (several languages: foreign passports come
/// in too), matched on the upper-cased text. Not a bare "IDENTIT": every French bank statement
/// of details is a "relevé d'identité bancaire", and each would pay for the search and its reads.
const ID_HINTS: [&str; 14] = [
    "PASSPORT",
    "PASSEPORT",
    "PASAPORT",
    "PASSAPORT",
    "REISEPASS",
    "PASZPORT",
    "IDENTITY",
    "CARTE NATIONALE",
    "IDENTIDAD",
    "NATIONALIT",
    "SURNAME",
    "PERSONALAUSWEIS",
    "RESIDENCE PERMIT",
    "TITRE DE S",
];

/// Cheap evidence that a page whose reading holds no zone may still carry one: filler-like
/// marks or identity words in its text, or a card-shaped landscape image with little text (a
/// photo of a card or a passport's data page). Everything else is spared the pixel search and,
/// above all, the tesseract reads that follow a sighting.
fn worth_a_look(page: &TsvPage, width: u32, height: u32) -> bool {
    let text: String = page.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ").to_uppercase();
    let fillers = text.chars().filter(|c| matches!(c, '<' | '«' | '‹')).count();
    let card =
        width > height && (1.25..=1.85).contains(&(width as f32 / height.max(1) as f32)) && page.word_count() < 150;
    card || fillers >= 2 || ID_HINTS.iter().any(|h| text.contains(h))
}

/// Finds the zone from the pixels (see `mrzfind`) when the reading holds none of its lines, and
/// reads each sighting turned upright; the lines found join the page only when they make an MRZ.
fn from_pixels<E>(
    img: &GrayImage,
    dpi: u32,
    page: &mut TsvPage,
    mut read: impl FnMut(&GrayImage, u32) -> Result<TsvPage, E>,
) -> Result<bool, E> {
    if !worth_a_look(page, img.width(), img.height()) {
        tracing::debug!("mrz: no pixel search");
        return Ok(false);
    }
    let mut improved = false;
    let sightings = mrzfind::find(img);
    // Counts only: a sighting's text is a holder's identity.
    tracing::debug!(sightings = sightings.len(), "mrz: pixel search");
    for found in sightings {
        let found = found.measured(img);
        let k = (TARGET_CHAR_PX / found.char_h.max(1.0)).clamp(0.5, 4.0);
        let bb = found.bbox(img.width(), img.height());
        let cut = found.cut(img, k);
        // The cut as found, then, if that fails, narrowed to its text: a band found long (joined
        // to a frame drawn round the zone) holds a photo's white page edge and black screen
        // border, and tesseract reads nothing in such a cut.
        // Narrowed only when the cut as found has failed (`once_with` is lazy).
        let narrow = || {
            let (a, b) = text_columns(&cut, TARGET_CHAR_PX).filter(|(a, b)| (b - a) * 10 < cut.width() * 9)?;
            Some((imageops::crop_imm(&cut, a, 0, b - a, cut.height()).to_image(), a))
        };
        let attempts = std::iter::once((cut.clone(), 0)).chain(std::iter::once_with(narrow).flatten());
        'attempts: for (cut, shift) in attempts {
            for binarise in [true, false] {
                let framed = finish(cut.clone(), binarise);
                let mut got = read(&framed, ((dpi as f32) * k).round() as u32)?;
                // The names' fillers are told on the glyphs here, upright: on the page the
                // boxes of a turned band are only approximate.
                if quality(&got.lines) > 0 {
                    crate::mrzcells::improve(&framed, &mut got);
                }
                // A read of text without a run of fillers was not a zone: spare the greyscale
                // read. A read of (almost) nothing says only that the one threshold failed.
                let chars: usize = got.lines.iter().map(|l| l.text.len()).sum();
                let zone_like = chars < 20 || got.lines.iter().any(|l| l.text.contains("<<<"));
                improved |= merge(page, &[], bb, band_to_page(got, &found, k, shift));
                tracing::debug!(
                    lines = found.lines,
                    angle = found.angle.to_degrees(),
                    char_h = found.char_h,
                    binarise,
                    shift,
                    quality = quality(&page.lines),
                    "mrz: sighting read"
                );
                if quality(&page.lines) == 2 {
                    return Ok(true);
                }
                if !zone_like {
                    break 'attempts;
                }
            }
            if improved {
                break;
            }
        }
        if improved {
            break;
        }
    }
    Ok(improved)
}

/// The run of columns of an upright band cut that hold text, with a character's margin: where
/// the grey level steps up and down often along a column (a character's strokes), averaged over
/// a character's width; gaps narrower than two characters join runs, and the longest run wins.
/// None when no column holds text.
fn text_columns(cut: &GrayImage, char_px: f32) -> Option<(u32, u32)> {
    let (w, h) = cut.dimensions();
    // Edges over 3 pixels (a scaled cut blurs them), each counted once.
    let steps: Vec<f32> = (0..w)
        .map(|x| {
            let mut steep = false;
            let mut edges = 0;
            for y in 3..h {
                let now = (cut.get_pixel(x, y).0[0] as i16 - cut.get_pixel(x, y - 3).0[0] as i16).abs() >= 40;
                edges += usize::from(now && !steep);
                steep = now;
            }
            edges as f32
        })
        .collect();
    let win = (char_px * 0.8).max(3.0) as usize;
    let text: Vec<bool> = (0..w as usize)
        .map(|x| {
            let (a, b) = (x.saturating_sub(win / 2), (x + win / 2 + 1).min(w as usize));
            steps[a..b].iter().sum::<f32>() / (b - a) as f32 >= 2.0
        })
        .collect();
    let gap = (2.0 * char_px) as usize;
    let mut runs: Vec<(usize, usize)> = vec![];
    for (x, on) in text.iter().enumerate() {
        if !on {
            continue;
        }
        match runs.last_mut() {
            Some(r) if x - r.1 <= gap => r.1 = x,
            _ => runs.push((x, x)),
        }
    }
    let (a, b) = runs.into_iter().max_by_key(|r| r.1 - r.0)?;
    let m = char_px as usize;
    Some((a.saturating_sub(m) as u32, ((b + m + 1).min(w as usize)) as u32))
}

/// Maps the lines read on a band cut out by `mrzfind` (from `shift` pixels in) back to page
/// coordinates (each box around its turned centre).
fn band_to_page(mut read: TsvPage, found: &mrzfind::Band, k: f32, shift: u32) -> Vec<Line> {
    // Boxes on a cut narrowed from the left start `shift` pixels into the band.
    let margin = MARGIN as f32 - shift as f32;
    let map = |b: BBox| {
        let (x, y) =
            found.point_on_page(b.x as f32 + b.w as f32 / 2.0 - margin, b.y as f32 + b.h as f32 / 2.0 - margin, k);
        let (w, h) = (b.w as f32 / k, b.h as f32 / k);
        BBox {
            x: (x - w / 2.0).max(0.0) as u32,
            y: (y - h / 2.0).max(0.0) as u32,
            w: w.round() as u32,
            h: h.round() as u32,
        }
    };
    for l in read.lines.iter_mut() {
        l.bbox = l.bbox.map(map);
        for w in l.words.iter_mut() {
            w.bbox = w.bbox.map(map);
        }
    }
    read.lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::Word;

    fn line(text: &str, y: u32) -> Line {
        let bbox = Some(BBox { x: 10, y, w: 600, h: 20 });
        Line { text: text.into(), bbox, words: vec![Word { text: text.into(), confidence: 0.5, bbox }] }
    }

    #[test]
    fn finds_the_zone_and_spares_other_text() {
        let page = TsvPage {
            lines: vec![
                line("CARTE NATIONALE D'IDENTITE", 20),
                line("Nom: MARTIN", 60),
                line("IDFRAX4RTBPFW46<<<<<<<<<<<<<<<", 300),
                line("9007138F3002119FRA<<<<<<<<<<<6", 330),
                line("MARTIN<<MAELYS<GAELLE<MARIE<<<", 360),
            ],
        };
        let (members, bb) = band(&page, 800, 500).expect("band");
        assert_eq!(members, vec![2, 3, 4]);
        assert!(bb.y < 300 && bb.y + bb.h > 380, "{bb:?}");
    }

    #[test]
    fn no_zone_without_fillers() {
        let page = TsvPage { lines: vec![line("BULLETIN DE PAIE DU MOIS DE MARS 2025 SALARIE", 20)] };
        assert!(band(&page, 800, 500).is_none());
        // Punctuation becomes fillers in `clean_line`: a payslip's table rows are not a zone.
        let table = TsvPage {
            lines: vec![
                line("Vieillesse plafonnée 3 925,00 6,90 270,83 8,55 335,59", 300),
                line("Complémentaire Tranche 1 3 925,00 4,01 157,39 6,01 235,89", 330),
            ],
        };
        assert!(band(&table, 800, 500).is_none());
    }

    #[test]
    fn only_identity_pages_get_the_pixel_search() {
        let rib = TsvPage {
            lines: vec![line("RELEVE D'IDENTITE BANCAIRE", 20), line("IBAN FR76 3000 4000 0312 3456 7890 143", 60)],
        };
        assert!(!worth_a_look(&rib, 2480, 3508));
        let passport = TsvPage { lines: vec![line("PASSPORT / PASSEPORT", 20)] };
        assert!(worth_a_look(&passport, 2480, 3508));
        // A card photo with little text read: the search is worth its cost.
        assert!(worth_a_look(&TsvPage { lines: vec![] }, 1020, 688));
        assert!(!worth_a_look(&TsvPage { lines: vec![] }, 2480, 3508));
    }

    #[test]
    fn a_repaired_zone_replaces_a_broken_one_only() {
        let broken = vec![
            line("IDFRAX4RTBPFW46K<<<<<<<<<<<<<", 300),
            // A misread birth digit: no repair passes its check digit.
            line("9007128F3002119FRA<<<<<<<<<<<6", 330),
            line("MARTIN<<MAELYS<GAELLE<MARIE<<<", 360),
        ];
        let good = vec![
            line("IDFRAX4RTBPFW46<<<<<<<<<<<<<<<", 300),
            line("9007138F3002119FRA<<<<<<<<<<<6", 330),
            line("MARTIN<<MAELYS<GAELLE<MARIE<<<", 360),
        ];
        let bb = BBox { x: 0, y: 280, w: 800, h: 120 };
        let mut page = TsvPage { lines: broken.clone() };
        assert_eq!(quality(&page.lines), 0);
        assert!(merge(&mut page, &[0, 1, 2], bb, good.clone()));
        assert_eq!(quality(&page.lines), 2);
        // A worse reading never replaces a good one.
        assert!(!merge(&mut page, &[0, 1, 2], bb, broken));
        assert_eq!(page.lines.len(), 3);
        assert_eq!(page.lines[1].text, good[1].text);
    }
}
