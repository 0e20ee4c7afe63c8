//! A second read of text blocks that layout analysis dropped: wide horizontal gaps between read
//! lines that still hold ink.
//!
//! On some photos tesseract's layout analysis discards a whole block as image (seen on the dev
//! corpus: a tax notice's "Votre situation" block, with its reference income and shares, under a
//! grey heading; nothing of it in the output, the lines above and below read well). Such a block
//! lies between two read lines, across the text column, where no line was read. This pass finds
//! those gaps, keeps the ones with ink in the proportions of printed text, and reads each as one
//! block; the words it reads with confidence are inserted in reading order.
//!
//! The same happens to a column: a table's labels read, the values right of them dropped (a tax
//! notice's "Nombre de parts ... 2,00", "Revenu fiscal de référence ... 51 647 €"). Runs of
//! short lines with the text column's width free on their right are looked at the same way, and
//! what is read there joins the label line on its row.

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
/// At most this many columns are read per page.
const MAX_COLUMNS: usize = 2;
/// A run of this many short lines, one under the other, may be a table's labels.
const MIN_COLUMN_ROWS: usize = 3;
/// Words read in a gap below this confidence are not kept: what layout analysis dropped is
/// often a picture, which OCR turns into confident-looking debris only rarely.
const MIN_WORD_CONF: f32 = 0.6;

/// The gaps of `page` (read from `img`) that may hold dropped text, in page pixels.
pub(crate) fn gaps(img: &GrayImage, page: &TsvPage) -> Vec<BBox> {
    let boxes = line_boxes(page);
    if boxes.len() < 4 {
        return vec![];
    }
    let line_h = line_height(page);
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

/// Regions right of runs of short read lines that may hold a dropped values column, in page
/// pixels, each with the indices of the lines beside it.
pub(crate) fn columns(img: &GrayImage, page: &TsvPage) -> Vec<(BBox, Vec<usize>)> {
    let boxes = line_boxes(page);
    if boxes.len() < MIN_COLUMN_ROWS {
        return vec![];
    }
    let line_h = line_height(page);
    let x1 = boxes.iter().map(|b| b.x + b.w).max().unwrap_or(0).min(img.width());
    // Short: the line ends at least ten line heights before the text column's right edge.
    let short = |b: &BBox| b.x + b.w + 10 * line_h <= x1;
    let mut order: Vec<usize> =
        (0..page.lines.len()).filter(|&i| page.lines[i].bbox.is_some_and(|b| b.w > 0 && b.h > 0)).collect();
    order.sort_by_key(|&i| page.lines[i].bbox.map_or(0, |b| b.y));
    let mut runs: Vec<Vec<usize>> = vec![];
    for i in order {
        let b = page.lines[i].bbox.unwrap_or_default();
        if !short(&b) {
            runs.push(vec![]);
            continue;
        }
        match runs.last_mut() {
            Some(run)
                if run.last().is_some_and(|&j| {
                    let a = page.lines[j].bbox.unwrap_or_default();
                    b.y <= a.y + a.h + 2 * line_h
                }) =>
            {
                run.push(i)
            }
            _ => runs.push(vec![i]),
        }
    }
    let mut out = vec![];
    for run in runs.into_iter().filter(|r| r.len() >= MIN_COLUMN_ROWS) {
        let bbs: Vec<BBox> = run.iter().filter_map(|&i| page.lines[i].bbox).collect();
        let left = bbs.iter().map(|b| b.x + b.w).max().unwrap_or(0) + line_h;
        let top = bbs.iter().map(|b| b.y).min().unwrap_or(0).saturating_sub(line_h / 2);
        let bottom = (bbs.iter().map(|b| b.y + b.h).max().unwrap_or(0) + line_h / 2).min(img.height());
        if left + 4 * line_h >= x1 || bottom <= top {
            continue;
        }
        let region = BBox { x: left, y: top, w: x1 - left, h: bottom - top };
        // Text read there already (the page's other column) means nothing was dropped.
        let read_there = boxes.iter().any(|b| {
            b.x + b.w > region.x && b.x < region.x + region.w && b.y + b.h > region.y && b.y < region.y + region.h
        });
        if !read_there && has_value_rows(img, region, line_h) {
            out.push((region, run));
        }
        if out.len() == MAX_COLUMNS {
            break;
        }
    }
    out
}

/// The boxes of the page's read lines.
fn line_boxes(page: &TsvPage) -> Vec<BBox> {
    page.lines.iter().filter_map(|l| l.bbox).filter(|b| b.w > 0 && b.h > 0).collect()
}

/// The median height of the page's read lines, in pixels.
fn line_height(page: &TsvPage) -> u32 {
    let mut heights: Vec<u32> = line_boxes(page).iter().map(|b| b.h).collect();
    heights.sort_unstable();
    heights.get(heights.len() / 2).copied().unwrap_or(8).max(8)
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
    // Rows with ink (half a percent of the row), grouped into runs; a text line is a run of
    // about a line's height.
    for (start, end) in inked_runs(img, b, cut, (b.w as usize).div_ceil(200)) {
        let h = end - start;
        if h * 5 < line_h * 2 || h > line_h * 2 {
            continue;
        }
        // Separate marks along the run: columns with ink, split by blank columns.
        let (mut marks, mut in_mark, mut widest, mut width) = (0u32, false, 0u32, 0u32);
        for x in b.x..b.x + b.w {
            let dark = (b.y + start..b.y + end).any(|yy| px(x, yy) < cut);
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

/// The runs of consecutive rows of region `b` with at least `min_dark` pixels darker than `cut`,
/// as (first row, row after the last) counted from the region's top.
fn inked_runs(img: &GrayImage, b: BBox, cut: u8, min_dark: usize) -> Vec<(u32, u32)> {
    let w = img.width();
    let inked = |y: u32| {
        img.as_raw()[(y * w + b.x) as usize..(y * w + b.x + b.w) as usize].iter().filter(|v| **v < cut).count()
            >= min_dark
    };
    let mut runs = vec![];
    let mut y = 0;
    while y < b.h {
        if !inked(b.y + y) {
            y += 1;
            continue;
        }
        let start = y;
        while y < b.h && inked(b.y + y) {
            y += 1;
        }
        runs.push((start, y));
    }
    runs
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

/// Whether a region right of a table's labels holds values: ink in text's share, in at least
/// two rows about a line tall (short values like "1" or "2,00" included), none taller than
/// three lines (a picture, a shadow).
fn has_value_rows(img: &GrayImage, b: BBox, line_h: u32) -> bool {
    let Some((cut, ink)) = ink_level(img, b) else { return false };
    if ink < INK_SHARE.0 / 4.0 || ink > INK_SHARE.1 {
        return false;
    }
    let mut rows = 0;
    for (start, end) in inked_runs(img, b, cut, 3) {
        let h = end - start;
        if h > 3 * line_h {
            return false;
        }
        if h * 5 >= line_h * 2 {
            rows += 1;
        }
    }
    rows >= 2
}

/// Reads `region` of `img` as one block, binarised at the level that made its ink count as
/// text, and returns the lines it reads with confidence, in page pixels.
fn read_region<E>(
    img: &GrayImage,
    region: BBox,
    dpi: u32,
    read: &mut impl FnMut(&GrayImage, u32) -> Result<TsvPage, E>,
) -> Result<Vec<Line>, E> {
    // Scale 1: the page is at reading resolution already. Binarised here because tesseract's
    // own global threshold, on a photo's grey paper with a grey-filled box ("net à payer"),
    // splits the fill from the paper and blacks the text out. A light grey heading band is above
    // the ink level, so its dark text stays.
    let (mut prepared, scale) = prepare(img, region, crate::mrz::TARGET_CHAR_PX.round() as u32, false);
    if let Some((cut, _)) = ink_level(img, region) {
        for p in prepared.pixels_mut() {
            p.0[0] = if p.0[0] < cut { 0 } else { 255 };
        }
    }
    let got = read(&prepared, ((dpi as f32) * scale).round() as u32)?;
    Ok(to_page(got, region, scale)
        .into_iter()
        .filter_map(|mut l| {
            l.words.retain(|w| w.confidence >= MIN_WORD_CONF && w.text.chars().any(char::is_alphanumeric));
            // A short value ("1", "2,00") is what a column holds; debris has no digit or letter.
            if l.words.is_empty() {
                return None;
            }
            l.text = l.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
            l.bbox = l.words.iter().filter_map(|w| w.bbox).reduce(|a, b| a.union(&b));
            Some(l)
        })
        .collect())
}

/// Reads each gap and dropped column of `page` (read from `img`) with `read(image, dpi)`: lines
/// read in a gap are inserted in reading order, values read in a column join the label line on
/// their row. Returns how many regions gave lines.
pub(crate) fn improve<E>(
    img: &GrayImage,
    dpi: u32,
    page: &mut TsvPage,
    mut read: impl FnMut(&GrayImage, u32) -> Result<TsvPage, E>,
) -> Result<usize, E> {
    let mut filled = 0;
    for gap in gaps(img, page) {
        let new: Vec<Line> = read_region(img, gap, dpi, &mut read)?
            .into_iter()
            .filter(|l| {
                l.words.iter().map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count()).sum::<usize>() >= 3
            })
            .collect();
        if new.is_empty() {
            continue;
        }
        // In reading order: before the first line that starts below the gap.
        let at =
            page.lines.iter().position(|l| l.bbox.is_some_and(|b| b.y >= gap.y + gap.h)).unwrap_or(page.lines.len());
        page.lines.splice(at..at, new);
        filled += 1;
    }
    let line_h = line_height(page);
    for (region, run) in columns(img, page) {
        let new = read_region(img, region, dpi, &mut read)?;
        if new.is_empty() {
            continue;
        }
        filled += 1;
        for l in new {
            let Some(b) = l.bbox else { continue };
            let centre = |b: BBox| (b.y + b.h / 2) as i64;
            // The label on the value's row: the nearest centre, within a line height.
            let Some(&row) = run
                .iter()
                .filter(|&&i| page.lines[i].bbox.is_some())
                .min_by_key(|&&i| (centre(page.lines[i].bbox.unwrap_or_default()) - centre(b)).abs())
            else {
                continue;
            };
            let label = page.lines[row].bbox.unwrap_or_default();
            if (centre(label) - centre(b)).unsigned_abs() > line_h as u64 {
                continue;
            }
            let target = &mut page.lines[row];
            target.text = format!("{} {}", target.text, l.text);
            target.words.extend(l.words);
            target.bbox = Some(label.union(&b));
        }
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
        Line {
            text: "Texte lu".into(),
            bbox: Some(b),
            words: vec![Word { text: "Texte".into(), confidence: 0.95, bbox: Some(b) }],
        }
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

    /// A short label line at `y`, left of the text column.
    fn label(y: u32) -> Line {
        let b = BBox { x: 100, y, w: 300, h: 30 };
        Line {
            text: "Nombre de parts".into(),
            bbox: Some(b),
            words: vec![Word { text: "Nombre".into(), confidence: 0.95, bbox: Some(b) }],
        }
    }

    #[test]
    fn values_dropped_right_of_a_tables_labels_are_read_and_join_their_rows() {
        // A wide line above sets the text column's right edge; three labels under it, their
        // values (short marks at x 800-860) not read.
        let read = TsvPage { lines: vec![line(100), label(300), label(360), label(420), line(700)] };
        let mut img = page(&[100, 700]);
        for y in [300, 360, 420] {
            for x in (100..400).step_by(14).chain((800..860).step_by(14)) {
                for dy in 0..20 {
                    img.put_pixel(x, y + dy, Luma([30]));
                    img.put_pixel(x + 1, y + dy, Luma([30]));
                }
            }
        }
        let found = columns(&img, &read);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, vec![1, 2, 3]);
        assert!(found[0].0.x > 400 && found[0].0.x < 800, "{:?}", found[0].0);
        // What the column read gives joins the label on its row.
        let mut page_read = read.clone();
        let region = found[0].0;
        improve(&img, 300, &mut page_read, |band: &GrayImage, _| {
            // The band is the region with a 24 px margin, scale 1: the second row's value.
            let b = BBox { x: 24 + 800 - region.x, y: 24 + 362 - region.y, w: 60, h: 18 };
            assert!(b.x + b.w < band.width() && b.y + b.h < band.height());
            Ok::<_, ()>(TsvPage {
                lines: vec![Line {
                    text: "2,00".into(),
                    bbox: Some(b),
                    words: vec![Word { text: "2,00".into(), confidence: 0.9, bbox: Some(b) }],
                }],
            })
        })
        .unwrap();
        assert_eq!(page_read.lines[2].text, "Nombre de parts 2,00");
        assert_eq!(page_read.lines.len(), read.lines.len());
        // Values read already: nothing to re-read.
        let mut full = read.clone();
        for i in 1..4 {
            full.lines[i].bbox = Some(BBox { x: 100, y: full.lines[i].bbox.unwrap().y, w: 800, h: 30 });
        }
        assert!(columns(&img, &full).is_empty());
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
