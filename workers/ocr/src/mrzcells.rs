//! The MRZ name line read glyph by glyph, to tell fillers from letters.
//!
//! No check digit covers the names of an MRZ, and tesseract reads the `<` fillers that pad them
//! as letters (`K`, `C`, `E`, `L`), sometimes two for one (`MUSTERMANNK<K<ERIKA` for
//! `MUSTERMANN<<ERIKA`): from the text alone `MEULENDIJK` and `ALBERTINEK` cannot be told apart.
//! The pixels can. OCR-B is a fixed-pitch font and the line holds a known number of characters
//! (30, 36 or 44), so the line's box cut into that many cells gives each glyph; the fillers that
//! end a name line are the template of `<` on this very page, and every cell resembling them is a
//! filler. The OCR text is then aligned to the cells (fillers read as letters, glyphs read twice
//! or missed), and the line is rewritten with a filler in every filler cell and the letter read
//! in every other. Nothing changes unless the template is sound and the alignment cheap.

use crate::preprocess::otsu;
use crate::tsv::TsvPage;
use image::GrayImage;
use tamis_shared::ids::clean_line;
use tamis_shared::{BBox, Line, Word};

/// Side of the grid a glyph is sampled on (columns, rows).
const GRID: (usize, usize) = (10, 14);
/// Likeness (normalised cross-correlation) to the filler template above which a cell is a filler.
const FILLER_LIKENESS: f32 = 0.72;
/// Likeness the seed fillers (the last cells of the line) must show to one another.
const SEED_LIKENESS: f32 = 0.75;

/// One cell's glyph: ink sampled on [`GRID`] over its ink box, and that box's height.
struct Glyph {
    grid: Vec<f32>,
    height: u32,
}

/// Normalised cross-correlation of two equally long vectors (0 when either is flat).
fn ncc(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        num += (x - ma) * (y - mb);
        da += (x - ma) * (x - ma);
        db += (y - mb) * (y - mb);
    }
    if da <= f32::EPSILON || db <= f32::EPSILON {
        0.0
    } else {
        num / (da * db).sqrt()
    }
}

/// A connected stroke of ink: its box (inclusive).
#[derive(Clone, Copy)]
struct Stroke {
    l: usize,
    r: usize,
    t: usize,
    b: usize,
}

/// The strokes of `ink` (4-connected), each pixel labelled with its stroke's index + 1 (0 for
/// paper). A stroke no glyph of the line can be is cleared: one as tall as the cut (a frame's
/// side) or wider than `max_w` (a rule above or below the line). Left in, a frame's border is ink
/// the lattice stretches to cover, and a cell's ink box the template never matches.
fn strokes(ink: &mut [Vec<bool>], max_w: f32) -> (Vec<Vec<u32>>, Vec<Stroke>) {
    let h = ink.len();
    let w = ink.first().map_or(0, Vec::len);
    let mut label = vec![vec![0u32; w]; h];
    let mut kept = Vec::new();
    let mut stack = Vec::new();
    for y0 in 0..h {
        for x0 in 0..w {
            if !ink[y0][x0] || label[y0][x0] != 0 {
                continue;
            }
            let id = kept.len() as u32 + 1;
            let mut part = vec![(x0, y0)];
            label[y0][x0] = id;
            stack.push((x0, y0));
            let mut s = Stroke { l: x0, r: x0, t: y0, b: y0 };
            while let Some((x, y)) = stack.pop() {
                let near = [(x.wrapping_sub(1), y), (x + 1, y), (x, y.wrapping_sub(1)), (x, y + 1)];
                for (nx, ny) in near {
                    if nx < w && ny < h && ink[ny][nx] && label[ny][nx] == 0 {
                        label[ny][nx] = id;
                        (s.l, s.r, s.t, s.b) = (s.l.min(nx), s.r.max(nx), s.t.min(ny), s.b.max(ny));
                        part.push((nx, ny));
                        stack.push((nx, ny));
                    }
                }
            }
            if s.b + 1 - s.t >= h.saturating_sub(1) || (s.r + 1 - s.l) as f32 > max_w {
                // Paper again, never visited twice (no longer ink); its id goes to the next stroke.
                for (x, y) in part {
                    ink[y][x] = false;
                    label[y][x] = 0;
                }
            } else {
                kept.push(s);
            }
        }
    }
    (label, kept)
}

/// The glyph of the cell `x0..x1`: the strokes whose middle falls in it (a neighbour's edge that
/// reaches into the cell is not part of it, on a line whose pitch drifts), or None for an empty
/// cell.
fn glyph(label: &[Vec<u32>], strokes: &[Stroke], x0: usize, x1: usize) -> Option<Glyph> {
    let mine: Vec<bool> = strokes.iter().map(|s| (x0..x1).contains(&((s.l + s.r) / 2))).collect();
    let members = strokes.iter().zip(&mine).filter(|(_, m)| **m).map(|(s, _)| *s);
    let (l, r, t, b) = members
        .fold((usize::MAX, 0, usize::MAX, 0), |(l, r, t, b), s| (l.min(s.l), r.max(s.r), t.min(s.t), b.max(s.b)));
    if l == usize::MAX {
        return None;
    }
    let on = |x: usize, y: usize| {
        let v = label[y][x];
        v != 0 && mine.get(v as usize - 1).copied().unwrap_or(false)
    };
    let (w, h) = (r + 1 - l, b + 1 - t);
    let mut grid = vec![0.0; GRID.0 * GRID.1];
    for gy in 0..GRID.1 {
        for gx in 0..GRID.0 {
            let (sx0, sx1) = (l + gx * w / GRID.0, l + ((gx + 1) * w / GRID.0).max(gx * w / GRID.0 + 1));
            let (sy0, sy1) = (t + gy * h / GRID.1, t + ((gy + 1) * h / GRID.1).max(gy * h / GRID.1 + 1));
            let (sx1, sy1) = (sx1.min(r + 1), sy1.min(b + 1));
            let count = (sy0..sy1).flat_map(|y| (sx0..sx1).map(move |x| (x, y))).filter(|&(x, y)| on(x, y)).count();
            grid[gy * GRID.0 + gx] = count as f32 / ((sx1 - sx0) * (sy1 - sy0)).max(1) as f32;
        }
    }
    Some(Glyph { grid, height: h as u32 })
}

/// For each of the `n` cells of the line in `bb`, whether it holds a filler; None when the line
/// cannot be cut into cells with confidence (no sound filler template at its end, or a filler
/// missing from the last cell when `ends_in_filler`). `span` is the zone's left and right edge:
/// every line of an MRZ has the same length, and a line read short has a box too narrow.
pub(crate) fn fillers(
    img: &GrayImage,
    bb: BBox,
    span: (u32, u32),
    n: usize,
    ends_in_filler: bool,
) -> Option<Vec<bool>> {
    let width = span.1.saturating_sub(span.0);
    if width < n as u32 * 4 || bb.h < 6 || span.1 > img.width() || bb.y + bb.h > img.height() {
        return None;
    }
    // A little above and below: tesseract's box can clip ascenders of a skewed line. Wider on
    // both sides: its box can hold noise beside the line or miss its last fillers.
    let pad = bb.h / 8;
    let p0 = width as f32 / (n as f32 - 0.3);
    let reach = (1.5 * p0).ceil() as u32;
    let (x0, x1) = (span.0.saturating_sub(reach), (span.1 + reach).min(img.width()));
    let (y0, y1) = (bb.y.saturating_sub(pad), (bb.y + bb.h + pad).min(img.height()));
    let crop = image::imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image();
    let t = otsu(&crop);
    let mut ink: Vec<Vec<bool>> =
        (0..crop.height()).map(|y| (0..crop.width()).map(|x| crop.get_pixel(x, y).0[0] <= t).collect()).collect();
    // Glyphs are cut on strokes, not columns: the frame round a zone goes, and a line whose
    // pitch drifts (a photo in perspective) keeps each glyph whole in its cell.
    let (label, kept) = strokes(&mut ink, 2.5 * p0);
    let col: Vec<u64> = (0..crop.width() as usize).map(|x| ink.iter().filter(|r| r[x]).count() as u64).collect();
    let mut before = vec![0u64; col.len() + 1];
    for (x, c) in col.iter().enumerate() {
        before[x + 1] = before[x] + c;
    }
    let at = |x: f32| (x.round().max(0.0) as usize).min(col.len());
    // The lattice of n cells, pitch and start free around what the box says: the one whose
    // boundaries fall on the emptiest columns, leaving no ink outside and no cell empty.
    let left = (span.0 - x0) as f32;
    let mut best: Option<(u64, f32, f32)> = None;
    for k in 0..=40 {
        let p = p0 * (0.85 + k as f32 * 0.005);
        let mut first = left - 1.5 * p0;
        while first <= left + 0.5 * p0 {
            let b = |i: usize| at(first + i as f32 * p);
            let mut score = before[b(0)] + (before[col.len()] - before[b(n)]);
            for i in 0..n {
                if i > 0 {
                    score += col.get(b(i)).copied().unwrap_or(0);
                }
                if before[b(i + 1)] == before[b(i)] {
                    score += crop.height() as u64 * 4;
                }
            }
            if best.is_none_or(|x| score < x.0) {
                best = Some((score, p, first));
            }
            first += 1.0;
        }
    }
    let (_, p, first) = best?;
    let bound = |i: usize| at(first + i as f32 * p);
    let glyphs: Vec<Option<Glyph>> = (0..n).map(|i| glyph(&label, &kept, bound(i), bound(i + 1))).collect();
    // The last cells are fillers unless a name fills the line: most of the last six must look
    // alike, and the one most like the others (a tail read on a photo has stains) leads them.
    let tail: Vec<&Glyph> = glyphs[n - 6..].iter().flatten().collect();
    let alike = |a: &Glyph| tail.iter().filter(|b| ncc(&a.grid, &b.grid) >= SEED_LIKENESS).count();
    let lead = tail.iter().copied().max_by_key(|a| alike(a))?;
    let seeds: Vec<&Glyph> = tail.iter().copied().filter(|b| ncc(&lead.grid, &b.grid) >= SEED_LIKENESS).collect();
    if seeds.len() < 4 {
        return None;
    }
    let k = seeds.len() as f32;
    let template: Vec<f32> = (0..lead.grid.len()).map(|i| seeds.iter().map(|s| s.grid[i]).sum::<f32>() / k).collect();
    let height = seeds.iter().map(|s| s.height).sum::<u32>() as f32 / k;
    let out: Vec<bool> = glyphs
        .iter()
        .map(|g| {
            g.as_ref().is_some_and(|g| {
                let r = g.height as f32 / height;
                ncc(&g.grid, &template) >= FILLER_LIKENESS && (0.75..=1.33).contains(&r)
            })
        })
        .collect();
    (!ends_in_filler || out[n - 1]).then_some(out)
}

/// Letters tesseract reads for the fillers of an MRZ.
fn fillerish(c: u8) -> bool {
    matches!(c, b'<' | b'K' | b'C' | b'E' | b'L' | b'S' | b'X')
}

/// The line `text` (cleaned MRZ characters) rewritten on the cells: a filler in each filler cell,
/// the aligned letter in each other. None when the alignment needs a letter nothing was read for,
/// or costs too much to trust.
pub(crate) fn refit(text: &str, cells: &[bool]) -> Option<String> {
    let s = text.as_bytes();
    let (m, n) = (s.len(), cells.len());
    // Cost of reading s[j] in cell i.
    let sub = |j: usize, i: usize| -> f32 {
        match (cells[i], s[j]) {
            (true, b'<') => 0.0,
            (true, c) if fillerish(c) => 0.4,
            // Substitution, more often than a glyph missed and a letter added elsewhere.
            (true, _) => 1.0,
            (false, b'<') => 2.0,
            (false, _) => 0.0,
        }
    };
    // A letter read for a filler sits next to fillers as read: that one is the likelier extra.
    let extra = |j: usize| match s[j] {
        b'<' => 0.4,
        c if fillerish(c) && (s.get(j + 1) == Some(&b'<') || (j > 0 && s[j - 1] == b'<')) => 0.45,
        // A glyph read twice leaves a doubled character (O and 0 alike).
        c if [j.checked_sub(1), Some(j + 1)]
            .into_iter()
            .flatten()
            .filter_map(|k| s.get(k))
            .any(|&o| o == c || matches!((c, o), (b'O', b'0') | (b'0', b'O'))) =>
        {
            0.8
        }
        c if fillerish(c) => 0.9,
        _ => 1.0,
    };
    let missed = |i: usize| if cells[i] { 1.0 } else { 3.0 };
    // d[j][i]: cost of aligning s[..j] with cells[..i].
    let mut d = vec![vec![f32::INFINITY; n + 1]; m + 1];
    d[0][0] = 0.0;
    for j in 0..=m {
        for i in 0..=n {
            let here = d[j][i];
            if !here.is_finite() {
                continue;
            }
            if j < m && i < n {
                d[j + 1][i + 1] = d[j + 1][i + 1].min(here + sub(j, i));
            }
            if j < m {
                d[j + 1][i] = d[j + 1][i].min(here + extra(j));
            }
            if i < n {
                d[j][i + 1] = d[j][i + 1].min(here + missed(i));
            }
        }
    }
    // Counts only: the line is a holder's identity.
    tracing::debug!(cost = d[m][n], cells = n, "mrz: name line aligned to its glyphs");
    if d[m][n] > n as f32 * 0.3 {
        return None;
    }
    // Walk back the cheapest path.
    let mut out = vec![b'<'; n];
    let (mut j, mut i) = (m, n);
    while j > 0 || i > 0 {
        let here = d[j][i];
        let close = |a: f32, b: f32| (a - b).abs() < 1e-4;
        if j > 0 && i > 0 && close(here, d[j - 1][i - 1] + sub(j - 1, i - 1)) {
            if !cells[i - 1] {
                if s[j - 1] == b'<' {
                    return None;
                }
                out[i - 1] = s[j - 1];
            }
            (j, i) = (j - 1, i - 1);
        } else if j > 0 && close(here, d[j - 1][i] + extra(j - 1)) {
            j -= 1;
        } else if i > 0 && close(here, d[j][i - 1] + missed(i - 1)) {
            if !cells[i - 1] {
                return None;
            }
            i -= 1;
        } else {
            return None;
        }
    }
    String::from_utf8(out).ok()
}

/// Characters of the MRZ layout a data line of this cleaned length belongs to.
fn layout_len(data_len: usize) -> Option<usize> {
    [30usize, 36, 44].into_iter().find(|n| data_len + 3 >= *n && data_len <= n + 3)
}

/// Rewrites the name line of the page's MRZ on its glyphs (see the module doc), and its data
/// line when that makes the zone pass more check digits.
pub(crate) fn improve(img: &GrayImage, page: &mut TsvPage) {
    let mrz: Vec<usize> = (0..page.lines.len())
        .filter(|&i| {
            let c = clean_line(&page.lines[i].text);
            c.len() >= 20 && c.contains("<<") && page.lines[i].bbox.is_some()
        })
        .collect();
    let digits = |i: usize| clean_line(&page.lines[i].text).bytes().filter(u8::is_ascii_digit).count();
    // The data line (most digits) gives the layout; the name line holds (almost) no digit, shows
    // fillers as printed (not punctuation that `clean_line` turns into fillers) and is the one
    // nearest the data line.
    let Some(&data) = mrz.iter().max_by_key(|&&i| digits(i)) else { return };
    let Some(n) = layout_len(clean_line(&page.lines[data].text).len()) else { return };
    let centre = |i: usize| page.lines[i].bbox.map_or(0, |b| b.y + b.h / 2) as i64;
    let Some(&name) = mrz
        .iter()
        .filter(|&&i| i != data && digits(i) <= 1 && page.lines[i].text.matches(['<', '«']).count() >= 2)
        .min_by_key(|&&i| (centre(i) - centre(data)).abs())
    else {
        return;
    };
    // The zone's edges: its lines are equally long, but a line read short has a narrower box.
    let zone: Vec<BBox> = [name, data].iter().filter_map(|&i| page.lines[i].bbox).collect();
    let span = (zone.iter().map(|b| b.x).min().unwrap_or(0), zone.iter().map(|b| b.x + b.w).max().unwrap_or(0));
    rewrite(img, page, name, span, n, true);
    // A data line is rewritten only when a glyph read twice or missed shifted its fields (a
    // filler read as a digit in a short document number, CA000000<4 read CAOOOO0O0<4), and only
    // when the zone then reads better. Look-alikes in place are the check digits' business. Not
    // on an identity card (TD1): its number sits on another line, which a rewritten date line
    // once let pass with a number read with an extra character, both checks by chance (1 in 100).
    let before = crate::mrz::quality(&page.lines);
    if before < 2 && n != 30 && clean_line(&page.lines[data].text).len() != n {
        let old = page.lines[data].clone();
        if rewrite(img, page, data, span, n, false) && crate::mrz::quality(&page.lines) <= before {
            page.lines[data] = old;
        }
    }
}

/// Rewrites line `i` of `page` (a `name` line or a data line) on its `n` glyphs; returns whether
/// the text changed.
fn rewrite(img: &GrayImage, page: &mut TsvPage, i: usize, span: (u32, u32), n: usize, name: bool) -> bool {
    let line = &page.lines[i];
    let Some(bb) = line.bbox else { return false };
    let Some(cells) = fillers(img, bb, span, n, name) else { return false };
    let text = clean_line(&line.text);
    let Some(new) = refit(&text, &cells) else { return false };
    if new == text {
        return false;
    }
    let confidence = line.words.iter().map(|w| w.confidence).fold(1.0, f32::min);
    page.lines[i] =
        Line { text: new.clone(), bbox: Some(bb), words: vec![Word { text: new, confidence, bbox: Some(bb) }] };
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(pattern: &str) -> Vec<bool> {
        pattern.bytes().map(|c| c == b'<').collect()
    }

    #[test]
    fn fillers_read_as_letters_are_put_back_on_their_cells() {
        // Same length: the letters in filler cells become fillers.
        let c = cells("XXXXXX<<XXXX<<<<<<<<<<<<<<<<<<");
        assert_eq!(refit("VZOREC<<TINACCE<CLLCELLEECCCEE", &c).as_deref(), Some("VZOREC<<TINA<<<<<<<<<<<<<<<<<<"));
        // A filler read twice (K<) and one missed: the cells keep each letter where it belongs.
        let c = cells("X<XXXXXXXXXXXXX<<XXXXX<<<<<<<<<<<<<<<<<<<<<<");
        assert_eq!(
            refit("P<BDRMUSTERMANNK<K<ERIKA<K<<<<<<<<<<<<<<<<<<<<<", &c).as_deref(),
            Some("P<BDRMUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<")
        );
        // A name ending in K keeps it where the cell holds a letter.
        let c = cells("X<XXXXXXXXXXXXX<<XXXX<XXXXXXXXX<<<<<<<<<<<<<");
        assert_eq!(
            refit("P<NLDMEULENDIJK<KLOES<ALBERTINEK<<<<<K<ELE<<", &c).as_deref(),
            Some("P<NLDMEULENDIJK<<LOES<ALBERTINE<<<<<<<<<<<<<")
        );
    }

    #[test]
    fn a_short_number_read_with_a_doubled_zero_gets_its_filler_back() {
        let c = cells("XXXXXXXX<XX<<XXXXXXXXXXXXXXX<<<<<<<<<<<<<<<X");
        // Which of the look-alike zeros was the doubled one the text cannot say, nor need to.
        let got = refit("CAOOOO0O0<4D<<6408125F1802212<<<<<<<<<<<<<<<6", &c).expect("refit");
        assert_eq!(got.replace('O', "0"), "CA000000<4D<<6408125F1802212<<<<<<<<<<<<<<<6");
    }

    proptest::proptest! {
        /// Fillers read as padding letters come back as fillers, and every name letter stays.
        #[test]
        fn misread_fillers_are_restored(
            names in proptest::collection::vec("[A-Z]{2,9}", 1..4),
            misreads in proptest::collection::vec(0usize..8, 30),
        ) {
            let mut line = format!("{}<<{}", names[0], names[1..].join("<"));
            line.truncate(26);
            while line.len() < 30 {
                line.push('<');
            }
            let c: Vec<bool> = line.bytes().map(|b| b == b'<').collect();
            // Only fillers after the last name letter are misread: inside a name, a K for a
            // filler is what the cells exist to catch, but the text alone says nothing there.
            let end = line.trim_end_matches('<').len() + 1;
            let ocr: String = line
                .bytes()
                .enumerate()
                .map(|(i, b)| if b == b'<' && i > end { b"<<<<KCEL"[misreads[i]] as char } else { b as char })
                .collect();
            proptest::prop_assert_eq!(refit(&ocr, &c), Some(line));
        }
    }

    /// Ink from rows of `#` (ink) and `.` (paper).
    fn ink(rows: &[&str]) -> Vec<Vec<bool>> {
        rows.iter().map(|r| r.bytes().map(|c| c == b'#').collect()).collect()
    }

    #[test]
    fn a_frame_round_the_zone_is_not_taken_for_glyphs() {
        let mut ink =
            ink(&["##########....#", "..............#", "..#....##.....#", ".###...##.....#", "..#...........#"]);
        // The side as tall as the cut and the rule wider than a glyph go; the two glyphs stay.
        let (label, kept) = strokes(&mut ink, 4.0);
        assert_eq!(kept.len(), 2);
        assert!(!ink[0][0] && !ink[0][14] && !ink[4][14]);
        assert!(ink[3][1] && ink[2][7]);
        assert_eq!((label[3][2], label[2][8], label[0][5]), (1, 2, 0));
    }

    #[test]
    fn a_neighbours_edge_reaching_into_a_cell_is_not_its_glyph() {
        // Cells 0..5 and 5..10: the first glyph (columns 1..5) reaches into the second cell.
        let mut ink = ink(&[".#####....", ".#...#....", ".#####....", "..........", ".......#.."]);
        let (label, kept) = strokes(&mut ink, 8.0);
        assert!(glyph(&label, &kept, 0, 5).is_some());
        let second = glyph(&label, &kept, 5, 10).expect("the dot is the second cell's");
        assert_eq!(second.height, 1);
        assert!(glyph(&label, &kept, 5, 7).is_none());
    }

    #[test]
    fn a_letter_nothing_was_read_for_leaves_the_line_alone() {
        // The cells say six letters where five were read: no guess.
        let c = cells("XXXXXX<<XXXX<<<<<<<<<<<<<<<<<<");
        assert_eq!(refit("VZORE<<TINA<<<<<<<<<<<<<<<<<<<", &c), None);
        // A reading that fits nowhere costs too much.
        assert_eq!(refit("1234567890", &c), None);
    }
}
