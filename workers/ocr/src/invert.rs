//! A second read of inverse-video bands: light text printed on a dark filled box, as the title
//! band of many payslips and notices ("BULLETIN DE PAIE" over "Période du ... au ...").
//!
//! Tesseract tests each text line for inversion, but in such a band it often reads the large
//! title and loses the small lines under it (seen on dev photos: the period and pay date of a
//! payslip gone). This pass finds dark filled regions inside the page (not touching its edges,
//! where a photo's background or vignetting lies), inverts each one into dark text on white and
//! reads it as one block; the new lines replace the band's old ones when they read more.

use crate::mrz::{prepare, to_page};
use crate::tsv::TsvPage;
use image::GrayImage;
use tamis_shared::{BBox, Line};

/// Side of the square cells the page is summarised in, in pixels (at ~300 DPI, a third of a
/// line of body text).
const CELL: u32 = 12;
/// A cell at most this bright (0-255) is part of a dark region: dark grey, navy or black fills,
/// not the light greys of table headers, which tesseract reads well.
const DARK_CELL: u32 = 110;

/// Dark filled regions of the page that may hold inverse text, in page pixels.
pub(crate) fn bands(img: &GrayImage) -> Vec<BBox> {
    let (w, h) = img.dimensions();
    let (cw, ch) = (w / CELL, h / CELL);
    if cw < 8 || ch < 8 {
        return vec![];
    }
    // Mean brightness per cell.
    let mut sum = vec![0u32; (cw * ch) as usize];
    for y in 0..ch * CELL {
        let row = &img.as_raw()[(y * w) as usize..(y * w + cw * CELL) as usize];
        let base = ((y / CELL) * cw) as usize;
        for (x, v) in row.iter().enumerate() {
            sum[base + x / CELL as usize] += *v as u32;
        }
    }
    let dark: Vec<bool> = sum.iter().map(|s| s / (CELL * CELL) <= DARK_CELL).collect();
    let mut seen = vec![false; dark.len()];
    let mut out = Vec::new();
    for start in 0..dark.len() {
        if !dark[start] || seen[start] {
            continue;
        }
        // Flood fill one region of dark cells (4-neighbours).
        let (mut x0, mut y0, mut x1, mut y1, mut n) = (u32::MAX, u32::MAX, 0, 0, 0u32);
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            let (x, y) = (i as u32 % cw, i as u32 / cw);
            (x0, y0, x1, y1, n) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y), n + 1);
            let mut push = |j: u32| {
                let j = j as usize;
                if dark[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i as u32 - 1);
            }
            if x + 1 < cw {
                push(i as u32 + 1);
            }
            if y > 0 {
                push(i as u32 - cw);
            }
            if y + 1 < ch {
                push(i as u32 + cw);
            }
        }
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        // A photo's background and dark corners reach the image's edge; a printed band does not.
        let touches_edge = x0 == 0 || y0 == 0 || x1 + 1 >= cw || y1 + 1 >= ch;
        // A band: wide enough for a few words, at least two text lines tall, mostly filled (the
        // text inside is light, so not all of it), and not most of the page.
        let filled = n as f32 / (bw * bh) as f32;
        if touches_edge || bw * CELL < w / 8 || bh < 6 || filled < 0.6 || bw * bh * 3 > cw * ch {
            continue;
        }
        out.push(BBox { x: x0 * CELL, y: y0 * CELL, w: bw * CELL, h: bh * CELL });
    }
    out
}

/// The band as dark text on white. Cropped a cell inside the band found: the cells on its rim
/// may hold some of the page around it, which would turn into a dark frame.
fn inverted(img: &GrayImage, b: BBox) -> (GrayImage, BBox) {
    let crop = BBox { x: b.x + CELL, y: b.y + CELL, w: b.w.saturating_sub(2 * CELL), h: b.h.saturating_sub(2 * CELL) };
    let mut inv = image::imageops::crop_imm(img, crop.x, crop.y, crop.w, crop.h).to_image();
    image::imageops::invert(&mut inv);
    (inv, crop)
}

/// Alphanumeric characters read, weighted by confidence.
fn weight<'a>(lines: impl IntoIterator<Item = &'a Line>) -> f32 {
    lines
        .into_iter()
        .flat_map(|l| &l.words)
        .map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() as f32 * w.confidence)
        .sum()
}

/// The centre of `l` lies in `b`.
fn inside(l: &Line, b: &BBox) -> bool {
    l.bbox.is_some_and(|lb| {
        let (cx, cy) = (lb.x + lb.w / 2, lb.y + lb.h / 2);
        cx >= b.x && cx < b.x + b.w && cy >= b.y && cy < b.y + b.h
    })
}

/// Re-reads every inverse band of `page` (read from `img`) with `read(image, dpi)`; returns how
/// many bands were replaced.
pub(crate) fn improve<E>(
    img: &GrayImage,
    dpi: u32,
    page: &mut TsvPage,
    mut read: impl FnMut(&GrayImage, u32) -> Result<TsvPage, E>,
) -> Result<usize, E> {
    let mut replaced = 0;
    for band in bands(img) {
        let (inv, crop) = inverted(img, band);
        // Scale 1: the page is already at reading resolution; `prepare` adds the white margin
        // tesseract needs around a block and binarises.
        let (prepared, scale) =
            prepare(&inv, BBox { x: 0, y: 0, w: crop.w, h: crop.h }, crate::mrz::TARGET_CHAR_PX.round() as u32, true);
        let got = read(&prepared, ((dpi as f32) * scale).round() as u32)?;
        let new: Vec<Line> = to_page(got, crop, scale)
            .into_iter()
            .filter(|l| l.words.iter().any(|w| w.text.chars().any(char::is_alphanumeric)))
            .collect();
        let old = page.lines.iter().filter(|l| inside(l, &crop));
        if weight(&new) <= weight(old) * 1.1 {
            continue;
        }
        // The band's lines go where its first old line was (a block boundary in tesseract's
        // reading order), else after everything: by height they could land inside a column
        // beside the band and split an address block.
        let at = page.lines.iter().position(|l| inside(l, &crop)).unwrap_or(page.lines.len());
        page.lines.retain(|l| !inside(l, &crop));
        let at = at.min(page.lines.len());
        page.lines.splice(at..at, new);
        replaced += 1;
    }
    Ok(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn page_with_band(band: BBox, fill: u8) -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1600, Luma([235]));
        for y in band.y..band.y + band.h {
            for x in band.x..band.x + band.w {
                img.put_pixel(x, y, Luma([fill]));
            }
        }
        // Light "text" strokes inside the band.
        for y in (band.y + 20..band.y + band.h - 20).step_by(30) {
            for x in (band.x + 30..band.x + band.w - 30).step_by(9) {
                for dy in 0..12 {
                    img.put_pixel(x, y + dy, Luma([250]));
                    img.put_pixel(x + 1, y + dy, Luma([250]));
                }
            }
        }
        img
    }

    #[test]
    fn a_dark_band_inside_the_page_is_found_and_light_fills_are_not() {
        let b = BBox { x: 600, y: 120, w: 480, h: 150 };
        let found = bands(&page_with_band(b, 60));
        assert_eq!(found.len(), 1, "{found:?}");
        let f = found[0];
        assert!(f.x.abs_diff(b.x) <= CELL && f.y.abs_diff(b.y) <= CELL && f.w.abs_diff(b.w) <= 2 * CELL, "{f:?}");
        // A light grey table header is no inverse band.
        assert!(bands(&page_with_band(b, 190)).is_empty());
    }

    #[test]
    fn dark_regions_reaching_the_image_edge_are_background_not_bands() {
        // A photo's dark desk along the left edge.
        let b = BBox { x: 0, y: 0, w: 200, h: 1600 };
        assert!(bands(&page_with_band(b, 40)).is_empty());
        // A thin dark rule is no band either.
        assert!(bands(&page_with_band(BBox { x: 100, y: 400, w: 1000, h: 30 }, 20)).is_empty());
    }
}
