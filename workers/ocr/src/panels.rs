//! Light text on dark panels (a payslip's title band, a table header printed white on black):
//! tesseract binarises the page with one global threshold, which on a photo or a scan puts a dark
//! panel and the text inside it on the same side, and the panel's text is lost. Inverting each
//! panel on its own before recognition gives that text back as dark on light.
//!
//! Found on the dev corpus: the "Période du … au …" and "Paiement le …" lines of payslip photos,
//! printed in such a band, were read as noise, so their period and pay date were missing; the
//! same band cropped alone, or inverted, reads exactly.

use image::GrayImage;

/// Side of the square cells the page is judged by, in pixels of the ~300-DPI page (about 1.4 mm:
/// smaller than a panel's height, larger than a stroke).
const CELL: u32 = 16;
/// A pixel darker than this is ink or panel, not paper (paper is 170+ even on dim photos). A cell
/// is dark when most of its pixels are: text on paper never covers half of a cell, and light
/// text on a panel never uncovers half of it.
const DARK_PIXEL: u8 = 120;
/// Fewest dark cells a panel has (30 cells is about 6 mm x 11 mm): smaller dark areas are logos,
/// bold glyphs or a signature.
const MIN_CELLS: usize = 30;
/// A panel fills most of its bounding box: the dark background around a photographed page, a
/// frame or a long rule do not.
const MIN_FILL: f32 = 0.6;
/// Width over height below which a dark area is not a panel.
const MIN_ASPECT: f32 = 2.5;
/// Share of a panel's pixels that must be light (its text) for it to be worth inverting: a solid
/// block or a portrait photo holds little or none.
const MIN_LIGHT_SHARE: f32 = 0.03;

/// Inverts, in place, every dark panel holding light text; returns how many it inverted.
pub fn invert_dark_panels(img: &mut GrayImage) -> usize {
    let (w, h) = img.dimensions();
    let (cols, rows) = ((w / CELL) as usize, (h / CELL) as usize);
    if cols < 2 || rows < 2 {
        return 0;
    }
    let dark = dark_cells(img, cols, rows);
    let mut seen = vec![false; cols * rows];
    let mut inverted = 0;
    let mut stack = Vec::new();
    let mut cells = Vec::new();
    for start in 0..cols * rows {
        if !dark[start] || seen[start] {
            continue;
        }
        // Flood fill of 4-connected dark cells.
        cells.clear();
        stack.push(start);
        seen[start] = true;
        while let Some(i) = stack.pop() {
            cells.push(i);
            let (x, y) = (i % cols, i / cols);
            let mut visit = |j: usize| {
                if dark[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < cols {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - cols);
            }
            if y + 1 < rows {
                visit(i + cols);
            }
        }
        if cells.len() < MIN_CELLS {
            continue;
        }
        let (x0, x1) = cells.iter().map(|i| i % cols).fold((usize::MAX, 0), |(a, b), x| (a.min(x), b.max(x)));
        let (y0, y1) = cells.iter().map(|i| i / cols).fold((usize::MAX, 0), |(a, b), y| (a.min(y), b.max(y)));
        let area = (x1 - x0 + 1) * (y1 - y0 + 1);
        // Panels are wider than tall or at least a few cells tall; a one-cell-high run is a rule.
        if (cells.len() as f32) < MIN_FILL * area as f32 || y1 - y0 < 1 {
            continue;
        }
        // Bands and table headers are wide; a square dark block is a logo or a portrait, whose
        // letters (if any) are not a field's.
        if ((x1 - x0 + 1) as f32) < MIN_ASPECT * (y1 - y0 + 1) as f32 {
            continue;
        }
        if light_share(img, &cells, cols) < MIN_LIGHT_SHARE {
            continue;
        }
        let (px0, py0, px1, py1) =
            exact_rect(img, x0 as u32 * CELL, y0 as u32 * CELL, (x1 as u32 + 1) * CELL, (y1 as u32 + 1) * CELL);
        // The whole rectangle, not only its dark cells: a cell mostly covered by a big light
        // letter is part of the panel too, and leaving it would cut that letter in two.
        for y in py0..py1 {
            for x in px0..px1 {
                let p = img.get_pixel_mut(x, y);
                p.0[0] = 255 - p.0[0];
            }
        }
        inverted += 1;
    }
    inverted
}

/// The panel's own edges, to the pixel, from its cell-aligned box: a panel's edge rarely falls on
/// a cell boundary, and inverting the paper beside it would draw a dark bar along the panel.
/// Rows (then columns) of the box, widened by a cell, count as the panel when most of their
/// pixels are dark.
fn exact_rect(img: &GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) -> (u32, u32, u32, u32) {
    let (w, h) = img.dimensions();
    let (wx0, wy0, wx1, wy1) =
        (x0.saturating_sub(CELL), y0.saturating_sub(CELL), (x1 + CELL).min(w), (y1 + CELL).min(h));
    let dark = |x: u32, y: u32| (img.get_pixel(x, y).0[0] < DARK_PIXEL) as u32;
    let rows: Vec<u32> =
        (wy0..wy1).filter(|&y| (x0..x1.min(w)).map(|x| dark(x, y)).sum::<u32>() * 2 > x1.min(w) - x0).collect();
    let (ry0, ry1) = match (rows.first(), rows.last()) {
        (Some(&a), Some(&b)) => (a, b + 1),
        _ => (y0, y1.min(h)),
    };
    let cols: Vec<u32> = (wx0..wx1).filter(|&x| (ry0..ry1).map(|y| dark(x, y)).sum::<u32>() * 2 > ry1 - ry0).collect();
    let (rx0, rx1) = match (cols.first(), cols.last()) {
        (Some(&a), Some(&b)) => (a, b + 1),
        _ => (x0, x1.min(w)),
    };
    (rx0, ry0, rx1, ry1)
}

/// Whether most pixels of each cell are dark, row by row.
fn dark_cells(img: &GrayImage, cols: usize, rows: usize) -> Vec<bool> {
    let w = img.width() as usize;
    let raw = img.as_raw();
    let mut counts = vec![0u32; cols * rows];
    for y in 0..rows * CELL as usize {
        let row = &raw[y * w..y * w + cols * CELL as usize];
        let base = (y / CELL as usize) * cols;
        for (c, chunk) in row.chunks_exact(CELL as usize).enumerate() {
            counts[base + c] += chunk.iter().filter(|&&v| v < DARK_PIXEL).count() as u32;
        }
    }
    counts.into_iter().map(|n| n * 2 > CELL * CELL).collect()
}

/// Share of light pixels in the panel's interior cells (those whose four neighbours are in the
/// panel too): edge cells also hold the paper around the panel, which is not its text.
fn light_share(img: &GrayImage, cells: &[usize], cols: usize) -> f32 {
    let inside: std::collections::HashSet<usize> = cells.iter().copied().collect();
    let interior: Vec<usize> = cells
        .iter()
        .copied()
        .filter(|&i| i >= cols && i % cols > 0 && [i - 1, i + 1, i - cols, i + cols].iter().all(|j| inside.contains(j)))
        .collect();
    if interior.is_empty() {
        return 0.0;
    }
    let mut light = 0u64;
    for &i in &interior {
        let (cx, cy) = ((i % cols) as u32 * CELL, (i / cols) as u32 * CELL);
        for y in cy..cy + CELL {
            for x in cx..cx + CELL {
                light += (img.get_pixel(x, y).0[0] >= 160) as u64;
            }
        }
    }
    light as f32 / (interior.len() as u64 * (CELL * CELL) as u64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A white page with a dark band across it, and light "text" strokes inside the band.
    fn page_with_band(strokes: bool) -> GrayImage {
        let mut img = GrayImage::from_pixel(800, 600, Luma([235]));
        for y in 200..300 {
            for x in 100..700 {
                img.put_pixel(x, y, Luma([40]));
            }
        }
        if strokes {
            for y in 230..270 {
                for x in (140..660).filter(|x| x % 12 < 3) {
                    img.put_pixel(x, y, Luma([230]));
                }
            }
        }
        img
    }

    #[test]
    fn a_dark_band_with_light_text_becomes_light_with_dark_text() {
        let mut img = page_with_band(true);
        assert_eq!(invert_dark_panels(&mut img), 1);
        // The band's background is now light and its strokes dark; the paper is untouched.
        assert!(img.get_pixel(400, 210).0[0] > 200, "band background");
        assert!(img.get_pixel(144, 250).0[0] < 60, "text stroke");
        assert_eq!(img.get_pixel(50, 50).0[0], 235, "paper");
        // To the pixel: the band's corner is inverted, the paper touching it is not.
        assert_eq!(img.get_pixel(100, 200).0[0], 215);
        assert_eq!(img.get_pixel(699, 299).0[0], 215);
        assert_eq!(img.get_pixel(99, 250).0[0], 235);
        assert_eq!(img.get_pixel(400, 300).0[0], 235);
    }

    #[test]
    fn a_square_dark_logo_is_not_a_panel() {
        let mut img = GrayImage::from_pixel(800, 600, Luma([235]));
        for y in 100..260 {
            for x in 100..260 {
                let letter = (130..230).contains(&y) && x % 20 < 6;
                img.put_pixel(x, y, Luma([if letter { 240 } else { 30 }]));
            }
        }
        assert_eq!(invert_dark_panels(&mut img), 0);
    }

    #[test]
    fn solid_blocks_small_marks_and_plain_pages_are_left_alone() {
        let mut solid = page_with_band(false);
        assert_eq!(invert_dark_panels(&mut solid), 0, "a block with nothing light inside");
        let mut plain = GrayImage::from_pixel(800, 600, Luma([235]));
        for y in 100..130 {
            for x in 100..130 {
                plain.put_pixel(x, y, Luma([10]));
            }
        }
        let before = plain.clone();
        assert_eq!(invert_dark_panels(&mut plain), 0, "a small dark mark");
        assert_eq!(plain, before);
    }
}
