//! A second read of text blocks that layout analysis dropped: wide horizontal gaps between read
//! lines that still hold ink.
//!
//! On some photos tesseract's layout analysis discards a whole block as image (seen on the dev
//! corpus: a tax notice's "Votre situation" block, with its reference income and shares, under a
//! grey heading; nothing of it in the output, the lines above and below read well). Such a block
//! lies between two read lines, across the text column, where no line was read. This pass finds
//! those gaps, keeps the ones with ink in the proportions of printed text, and reads each as one
//! block; the words it reads with confidence are inserted in reading order.

use crate::mrz::{prepare, to_page};
use crate::tsv::TsvPage;
use image::GrayImage;
use tamis_shared::{BBox, Line};

/// A gap must be this many median line heights tall to be looked at: less is line spacing or a
/// paragraph break.
const MIN_GAP_LINES: u32 = 3;
/// At most this many gaps are read per page: each read costs a block recognition.
const MAX_GAPS: usize = 3;
/// Ink between these shares of the gap's area is text; less is blank paper or specks, more is a
/// photo, a shadow or a filled box.
const INK_SHARE: (f32, f32) = (0.004, 0.25);
/// Words read in a gap below this confidence are not kept: what layout analysis dropped is
/// often a picture, which OCR turns into confident-looking debris only rarely.
const MIN_WORD_CONF: f32 = 0.6;

/// The gaps of `page` (read from `img`) that may hold dropped text, in page pixels.
pub(crate) fn gaps(img: &GrayImage, page: &TsvPage) -> Vec<BBox> {
    let boxes: Vec<BBox> = page.lines.iter().filter_map(|l| l.bbox).filter(|b| b.w > 0 && b.h > 0).collect();
    if boxes.len() < 4 {
        return vec![];
    }
    let mut heights: Vec<u32> = boxes.iter().map(|b| b.h).collect();
    heights.sort_unstable();
    let line_h = heights[heights.len() / 2].max(8);
    let x0 = boxes.iter().map(|b| b.x).min().unwrap_or(0);
    let x1 = boxes.iter().map(|b| b.x + b.w).max().unwrap_or(0).min(img.width());
    if x1 <= x0 + line_h * 4 {
        return vec![];
    }
    let mut by_top = boxes.clone();
    by_top.sort_by_key(|b| b.y);
    let mut out = vec![];
    let mut covered = by_top[0].y + by_top[0].h;
    for b in &by_top[1..] {
        if b.y > covered + MIN_GAP_LINES * line_h {
            // A quarter line of margin keeps the read lines' descenders and ascenders out.
            let gap = BBox { x: x0, y: covered + line_h / 4, w: x1 - x0, h: b.y - covered - line_h / 2 };
            if gap.y + gap.h <= img.height() && has_text_ink(img, gap, line_h) {
                out.push(gap);
            }
        }
        covered = covered.max(b.y + b.h);
    }
    out.truncate(MAX_GAPS);
    out
}

/// Whether the region holds a row of printed text: dark marks (darker than 60% of the region's
/// paper, so that an even shadow or a light grey fill does not count) in the share text has, and
/// a band of them about a line tall made of many separate marks (letters), not one long rule or a
/// few blobs (a logo, a photo's edge). Reading a gap costs a block recognition; most gaps with
/// ink hold rules, frames and pictures.
fn has_text_ink(img: &GrayImage, b: BBox, line_h: u32) -> bool {
    let w = img.width();
    let px = |x: u32, y: u32| img.as_raw()[(y * w + x) as usize];
    let Some((cut, ink)) = ink_level(img, b) else { return false };
    if ink < INK_SHARE.0 || ink > INK_SHARE.1 {
        return false;
    }
    // Rows with ink, grouped into runs; a text line is a run of about a line's height.
    let inked: Vec<bool> = (b.y..b.y + b.h).map(|y| (b.x..b.x + b.w).filter(|&x| px(x, y) < cut).count() * 200 >= b.w as usize).collect();
    let mut y = 0;
    while y < inked.len() {
        if !inked[y] {
            y += 1;
            continue;
        }
        let start = y;
        while y < inked.len() && inked[y] {
            y += 1;
        }
        let h = (y - start) as u32;
        if h * 5 < line_h * 2 || h > line_h * 2 {
            continue;
        }
        // Separate marks along the run: columns with ink, split by blank columns.
        let (mut marks, mut in_mark, mut widest, mut width) = (0u32, false, 0u32, 0u32);
        for x in b.x..b.x + b.w {
            let dark = (b.y + start as u32..b.y + y as u32).any(|yy| px(x, yy) < cut);
            if dark {
                width += 1;
                if !in_mark {
                    marks += 1;
                }
            } else {
                widest = widest.max(width);
                width = 0;
            }
            in_mark = dark;
        }
        widest = widest.max(width);
        if marks >= 8 && widest < b.w / 2 {
            return true;
        }
    }
    false
}

/// The level under which a pixel of region `b` is ink, and the share of the region that is ink.
/// The paper is the brightness 90% of the pixels stay below; ink is darker than 60% of it, so
/// an even shadow or a light grey fill is not ink.
fn ink_level(img: &GrayImage, b: BBox) -> Option<(u8, f32)> {
    let w = img.width();
    let mut hist = [0u32; 256];
    for y in b.y..b.y + b.h {
        for v in &img.as_raw()[(y * w + b.x) as usize..(y * w + b.x + b.w) as usize] {
            hist[*v as usize] += 1;
        }
    }
    let total: u32 = hist.iter().sum();
    let mut acc = 0;
    let paper = (0..256).find(|&v| {
        acc += hist[v];
        acc * 10 >= total * 9
    })?;
    let cut = (paper as f32 * 0.6) as u8;
    let ink = hist[..cut as usize].iter().sum::<u32>() as f32 / total.max(1) as f32;
    Some((cut, ink))
}

/// Reads each gap of `page` (read from `img`) with `read(image, dpi)` and inserts the lines it
/// reads with confidence; returns how many gaps gave lines.
pub(crate) fn improve<E>(
    img: &GrayImage,
    dpi: u32,
    page: &mut TsvPage,
    mut read: impl FnMut(&GrayImage, u32) -> Result<TsvPage, E>,
) -> Result<usize, E> {
    let mut filled = 0;
    for gap in gaps(img, page) {
        // Scale 1: the page is at reading resolution already. Binarised at the level that made
        // its ink count as text: tesseract's own global threshold, on a photo's grey paper with
        // a grey-filled box ("net à payer"), splits the fill from the paper and blacks the text
        // out. A light grey heading band is above that level, so its dark text stays.
        let (mut prepared, scale) = prepare(img, gap, crate::mrz::TARGET_CHAR_PX.round() as u32, false);
        if let Some((cut, _)) = ink_level(img, gap) {
            for p in prepared.pixels_mut() {
                p.0[0] = if p.0[0] < cut { 0 } else { 255 };
            }
        }
        let got = read(&prepared, ((dpi as f32) * scale).round() as u32)?;
        let new: Vec<Line> = to_page(got, gap, scale)
            .into_iter()
            .filter_map(|mut l| {
                l.words.retain(|w| w.confidence >= MIN_WORD_CONF && w.text.chars().any(char::is_alphanumeric));
                let alnum: usize = l.words.iter().map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count()).sum();
                if alnum < 3 {
                    return None;
                }
                l.text = l.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
                l.bbox = l.words.iter().filter_map(|w| w.bbox).reduce(|a, b| a.union(&b));
                Some(l)
            })
            .collect();
        if new.is_empty() {
            continue;
        }
        // In reading order: before the first line that starts below the gap.
        let at = page.lines.iter().position(|l| l.bbox.is_some_and(|b| b.y >= gap.y + gap.h)).unwrap_or(page.lines.len());
        page.lines.splice(at..at, new);
        filled += 1;
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;
    use tamis_shared::Word;

    fn line(y: u32) -> Line {
        let b = BBox { x: 100, y, w: 900, h: 30 };
        Line { text: "Texte lu".into(), bbox: Some(b), words: vec![Word { text: "Texte".into(), confidence: 0.95, bbox: Some(b) }] }
    }

    /// A white page with "text" strokes in the rows given.
    fn page(rows: &[u32]) -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1600, Luma([235]));
        for &y in rows {
            for x in (120..900).step_by(14) {
                for dy in 0..20 {
                    img.put_pixel(x, y + dy, Luma([30]));
                    img.put_pixel(x + 1, y + dy, Luma([30]));
                }
            }
        }
        img
    }

    #[test]
    fn a_gap_with_text_ink_between_read_lines_is_found_and_a_blank_one_is_not() {
        let read = TsvPage { lines: vec![line(100), line(150), line(200), line(700), line(750)] };
        // Unread text at 400 and 450: one gap, between 230 and 700.
        let found = gaps(&page(&[100, 150, 200, 400, 450, 700, 750]), &read);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].y > 230 && found[0].y + found[0].h < 700, "{:?}", found[0]);
        // The same gap, blank: nothing to re-read.
        assert!(gaps(&page(&[100, 150, 200, 700, 750]), &read).is_empty());
    }

    #[test]
    fn a_gap_is_read_binarised_at_its_ink_level_so_a_grey_filled_box_turns_white() {
        let read = TsvPage { lines: vec![line(100), line(150), line(200), line(700), line(750)] };
        let mut img = page(&[100, 150, 200, 400, 700, 750]);
        // A grey-filled box around the unread row, a little darker than the paper.
        for y in 380..440 {
            for x in 100..1000 {
                if img.get_pixel(x, y).0[0] > 100 {
                    img.put_pixel(x, y, Luma([200]));
                }
            }
        }
        let mut seen = vec![];
        improve(&img, 300, &mut read.clone(), |band: &GrayImage, _| {
            seen.push(band.clone());
            Ok::<_, ()>(TsvPage::default())
        })
        .unwrap();
        assert_eq!(seen.len(), 1);
        let band = &seen[0];
        assert!(band.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255), "not binarised");
        let (black, white) = band.pixels().fold((0, 0), |(b, w), p| if p.0[0] == 0 { (b + 1, w) } else { (b, w + 1) });
        // The strokes stay ink; the fill is paper.
        assert!(black > 0 && black * 10 < white, "black {black}, white {white}");
    }

    #[test]
    fn rules_and_frames_in_a_gap_are_not_text() {
        let read = TsvPage { lines: vec![line(100), line(150), line(200), line(700), line(750)] };
        let mut img = page(&[100, 150, 200, 700, 750]);
        // A table's rules: thin, and each one long mark.
        for y in [350, 352, 354, 500, 502, 504] {
            for x in 100..1000 {
                img.put_pixel(x, y, Luma([20]));
            }
        }
        assert!(gaps(&img, &read).is_empty());
    }

    #[test]
    fn a_dark_picture_in_a_gap_is_not_text() {
        let read = TsvPage { lines: vec![line(100), line(150), line(200), line(700), line(750)] };
        let mut img = page(&[100, 150, 200, 700, 750]);
        for y in 300..600 {
            for x in 100..1000 {
                img.put_pixel(x, y, Luma([40]));
            }
        }
        assert!(gaps(&img, &read).is_empty());
    }
}
