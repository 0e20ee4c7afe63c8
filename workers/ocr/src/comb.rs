//! A second read of comb fields: a number written one character to a printed box, as the NIR on
//! a cerfa form.
//!
//! The general pass reads the box borders as brackets and bars and loses the characters between
//! them (`o[8][o[4a][6[7]` for `2 9 8 0 4 6 7`). This pass finds the run of words on a line that
//! is mostly such border glyphs, crops it, erases the borders (the tallest vertical strokes, and
//! rows dark over half the width) and reads what remains as one line. The new words replace the
//! comb's words unless they read far fewer characters. Not restricted to digits: the label
//! printed between a NIR and its key ("clé") must stay a word, not become digits.

use crate::mrz::{prepare, to_page};
use crate::tsv::TsvPage;
use image::{GrayImage, Luma};
use tamis_shared::{BBox, Line, Word};

/// Characters tesseract returns for the border of a printed box.
fn border(c: char) -> bool {
    matches!(c, '[' | ']' | '|' | '(' | ')' | '{' | '}' | '!' | '/')
}

/// A comb on a line: the index range of its words and their box.
fn comb(l: &Line) -> Option<(usize, usize, BBox)> {
    let marked: Vec<usize> = (0..l.words.len()).filter(|&i| l.words[i].text.chars().any(border)).collect();
    let (&first, &last) = (marked.first()?, marked.last()?);
    let words = &l.words[first..=last];
    let chars: Vec<char> = words.iter().flat_map(|w| w.text.chars()).collect();
    let hard = chars.iter().filter(|c| border(**c) && **c != '/').count();
    // Among clear borders, bars read as `l` or `I` are borders too.
    let is_border = |c: char| border(c) || (hard >= 3 && matches!(c, 'l' | 'I'));
    let bars = chars.iter().filter(|c| is_border(**c) && **c != '/').count();
    let borders = chars.iter().filter(|c| is_border(**c)).count();
    // Between the borders, one character to a box: prose with a parenthesis ("Marié(e)") or a
    // date's slashes has longer runs of letters.
    let mut run = 0;
    let mut longest = 0;
    for &c in &chars {
        run = if c.is_alphabetic() && !is_border(c) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if bars < 3 || borders < 4 || borders * 5 < chars.len() || longest > 3 {
        return None;
    }
    let bb = words.iter().filter_map(|w| w.bbox).reduce(|a, b| a.union(&b))?;
    Some((first, last, bb))
}

/// Turns to white the box borders: pixel columns whose longest dark run is near the tallest one
/// (the borders are taller than the characters inside), and rows dark over half the width.
fn erase_borders(img: &mut GrayImage) {
    let (w, h) = img.dimensions();
    let dark = |v: u8| v < 128;
    let run = |x: u32| {
        let (mut best, mut cur) = (0u32, 0u32);
        for y in 0..h {
            cur = if dark(img.get_pixel(x, y).0[0]) { cur + 1 } else { 0 };
            best = best.max(cur);
        }
        best
    };
    let runs: Vec<u32> = (0..w).map(run).collect();
    let tallest = runs.iter().copied().max().unwrap_or(0);
    let cols: Vec<u32> =
        if tallest >= 12 { (0..w).filter(|&x| runs[x as usize] * 10 >= tallest * 8).collect() } else { vec![] };
    let rows: Vec<u32> =
        (0..h).filter(|&y| (0..w).filter(|&x| dark(img.get_pixel(x, y).0[0])).count() as u32 * 10 >= w * 5).collect();
    // Outside the first and last borders there are no boxes, only a label the crop took in.
    if let (Some(&a), Some(&b)) = (cols.first(), cols.last()) {
        let margin = tallest / 3;
        for x in (0..a.saturating_sub(margin)).chain((b + margin + 1).min(w)..w) {
            for y in 0..h {
                img.put_pixel(x, y, Luma([255]));
            }
        }
    }
    for x in cols {
        for dx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
            for y in 0..h {
                img.put_pixel(dx, y, Luma([255]));
            }
        }
    }
    // Boxes drawn as separate underlines: horizontal runs longer than a character is wide.
    let long = (tallest * 7 / 10).max(12);
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let start = x;
            while x < w && dark(img.get_pixel(x, y).0[0]) {
                x += 1;
            }
            if x - start >= long {
                for dx in start..x {
                    img.put_pixel(dx, y, Luma([255]));
                    if y + 1 < h {
                        img.put_pixel(dx, y + 1, Luma([255]));
                    }
                }
            }
            x += 1;
        }
    }
    for y in rows {
        for dy in y.saturating_sub(1)..=(y + 1).min(h - 1) {
            for x in 0..w {
                img.put_pixel(x, dy, Luma([255]));
            }
        }
    }
}

/// Re-reads every comb of `page` (read from `img`) with `read(image, dpi)`; returns
/// how many combs were replaced.
pub(crate) fn improve<E>(
    img: &GrayImage,
    dpi: u32,
    page: &mut TsvPage,
    mut read: impl FnMut(&GrayImage, u32) -> Result<TsvPage, E>,
) -> Result<usize, E> {
    let mut replaced = 0;
    for li in 0..page.lines.len() {
        let Some((first, last, bb)) = comb(&page.lines[li]) else { continue };
        // The words' boxes hug the glyphs; the boxes' top and bottom borders lie just outside.
        // Sideways, the first or last boxes may have been left out of any word: the crop reaches
        // the neighbouring words, within a few box heights, and `erase_borders` blanks what lies
        // beyond the outermost borders (part of a label).
        let pad = bb.h / 4 + 2;
        let l = &page.lines[li];
        let left_end = first.checked_sub(1).and_then(|i| l.words[i].bbox).map_or(0, |b| b.x + b.w + 2);
        // A short word after the comb may be the label before its last boxes (a NIR's "clé").
        let right_start = l.words[last + 1..]
            .iter()
            .find(|w| w.text.chars().count() > 4)
            .and_then(|w| w.bbox)
            .map_or(img.width(), |b| b.x.saturating_sub(2));
        let y0 = bb.y.saturating_sub(pad);
        let y1 = (bb.y + bb.h + pad).min(img.height());
        let end = bb.x + bb.w;
        let x0 = bb.x.saturating_sub(6 * bb.h).max(left_end.min(bb.x));
        let x1 = (end + 4 * bb.h).min(right_start.max(end)).min(img.width());
        let crop = BBox { x: x0, y: y0, w: x1.saturating_sub(x0), h: y1 - y0 };
        if crop.w < 10 || crop.h < 6 {
            continue;
        }
        let (mut band, scale) = prepare(img, crop, bb.h.max(1) * 7 / 10, true);
        erase_borders(&mut band);
        let got = read(&band, ((dpi as f32) * scale).round() as u32)?;
        let new: Vec<Word> =
            to_page(got, crop, scale).into_iter().flat_map(|l| l.words).filter(|w| !w.text.trim().is_empty()).collect();
        let old_chars = page.lines[li].words[first..=last]
            .iter()
            .flat_map(|w| w.text.chars())
            .filter(|c| c.is_alphanumeric())
            .count();
        let new_chars = new.iter().flat_map(|w| w.text.chars()).filter(|c| c.is_alphanumeric()).count();
        if new_chars < old_chars.min(4) || new_chars * 2 < old_chars {
            continue;
        }
        let l = &mut page.lines[li];
        l.words.splice(first..=last, new);
        l.text = l.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        replaced += 1;
    }
    Ok(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str]) -> Line {
        let words: Vec<Word> = words
            .iter()
            .enumerate()
            .map(|(i, t)| Word {
                text: t.to_string(),
                confidence: 0.5,
                bbox: Some(BBox { x: 10 + 60 * i as u32, y: 100, w: 50, h: 20 }),
            })
            .collect();
        Line { text: words.iter().map(|w| w.text.clone()).collect::<Vec<_>>().join(" "), bbox: None, words }
    }

    #[test]
    fn a_run_of_box_borders_is_a_comb_and_prose_is_not() {
        let l = line(&["N°", "dimmatriculation", "o[8][o[4a][6[7][1[4[3][4[2/0]", "oe", "[slo"]);
        let (first, last, _) = comb(&l).expect("comb");
        assert_eq!((first, last), (2, 4));
        assert!(comb(&line(&["Arrêt", "(initial)", "du", "12/03/2025", "au", "15/03/2025"])).is_none());
        assert!(comb(&line(&["Marié(e)", "ou", "pacsé(e)"])).is_none());
        assert!(comb(&line(&["Né(e)", "le", ":", "28/12/2018"])).is_none());
        assert!(comb(&line(&["21[rlallels)sla/lalsls/[alol7)", "oelale!"])).is_some());
        assert!(comb(&line(&["N°", "d'immatriculation", "6|9", "1|2", "715", "2/1", "6,16", "o|4", "dé"])).is_some());
    }

    #[test]
    fn borders_are_erased_and_strokes_inside_kept() {
        // Three boxes 20 px wide with a short stroke inside each.
        let mut img = GrayImage::from_pixel(61, 30, Luma([255]));
        for x in [0, 20, 40, 60] {
            for y in 0..30 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        for x in 0..61 {
            img.put_pixel(x, 0, Luma([0]));
            img.put_pixel(x, 29, Luma([0]));
        }
        for b in [10, 30, 50] {
            for y in 10..20 {
                img.put_pixel(b, y, Luma([0]));
            }
        }
        erase_borders(&mut img);
        assert!(img.pixels().filter(|p| p.0[0] == 0).count() == 30, "only the three strokes remain");
        assert_eq!(img.get_pixel(20, 15).0[0], 255);
        assert_eq!(img.get_pixel(30, 15).0[0], 0);
    }
}
