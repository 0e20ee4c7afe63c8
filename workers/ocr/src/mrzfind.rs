//! Finds a machine-readable zone from the pixels, for pages whose general reading holds none of
//! its lines: a phone photo turned beyond the deskew range, a card photo a few hundred pixels
//! wide. The zone is 2 or 3 lines of OCR-B printed without a gap (fillers are dark chevrons), so
//! once the characters of a line are joined it is a long thin blob, its lines parallel, of one
//! length and a line apart; little else on an identity document looks like that.
//!
//! The search runs on a downscaled copy (a few ms): a black-hat transform keeps thin dark strokes
//! and drops photos and tinted backgrounds, Otsu binarises it, a horizontal closing joins the
//! characters of a line, and each blob's second moments give its direction, length and
//! thickness (≈ the character height). Two working sizes cover characters from a few pixels to
//! a card photo's dozens, since the closing only bridges gaps narrower than its kernel.

use crate::preprocess::{bilinear, otsu, resize};
use image::imageops::FilterType;
use image::{GrayImage, Luma};

/// Long sides of the working copies: the larger for small characters (a card on an A4 scan),
/// the smaller for a card photo whose character gaps the closing would not bridge at the larger.
const WORK_SIDES: [u32; 2] = [1000, 500];
/// Black-hat kernel (width, height): wider and taller than any stroke, narrower than a photo.
const HAT: (usize, usize) = (15, 7);
/// Horizontal closing that joins the characters of a line (bridges gaps up to this width).
const JOIN: usize = 11;
/// How much darker than the nearby paper a pixel of print is, at least.
const INK_CONTRAST: u8 = 48;
/// Most bands handed back: each costs the caller one or two tesseract reads.
const MAX_BANDS: usize = 2;

/// A zone found from the pixels, in page pixels: a rectangle turned by `angle` radians
/// (clockwise in image coordinates, y down) around its centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Band {
    /// Centre.
    pub cx: f32,
    /// Centre.
    pub cy: f32,
    /// Direction of the lines, radians, clockwise in image coordinates.
    pub angle: f32,
    /// Extent along the lines, padded.
    pub len: f32,
    /// Extent across the lines: the blobs' own until [`Band::measured`] pads it so that lines
    /// the search missed are inside.
    pub thick: f32,
    /// Height of one character.
    pub char_h: f32,
    /// Lines found (1 when a single line stood out; the band then reaches over its neighbours).
    pub lines: usize,
}

impl Band {
    /// The axis-aligned box holding the band, clamped to a `width` x `height` page.
    pub(crate) fn bbox(&self, width: u32, height: u32) -> tamis_shared::BBox {
        let (s, c) = self.angle.sin_cos();
        let (hx, hy) = (self.len / 2.0, self.thick / 2.0);
        let ex = (hx * c).abs() + (hy * s).abs();
        let ey = (hx * s).abs() + (hy * c).abs();
        let x0 = (self.cx - ex).max(0.0) as u32;
        let y0 = (self.cy - ey).max(0.0) as u32;
        let x1 = ((self.cx + ex).max(0.0) as u32).min(width);
        let y1 = ((self.cy + ey).max(0.0) as u32).min(height);
        tamis_shared::BBox { x: x0, y: y0, w: x1.saturating_sub(x0), h: y1.saturating_sub(y0) }
    }

    /// Page position of a point given in the band's frame scaled by `k` (output pixels, origin
    /// at the band's top-left corner).
    pub(crate) fn point_on_page(&self, u: f32, v: f32, k: f32) -> (f32, f32) {
        let (s, c) = self.angle.sin_cos();
        let a = u / k - self.len / 2.0;
        let b = v / k - self.thick / 2.0;
        (self.cx + a * c - b * s, self.cy + a * s + b * c)
    }

    /// The band with its character height and lines measured on the upright cut-out (rows
    /// crossing many strokes), which the blobs' thickness only approximates when the closing
    /// merged lines, or merged them with a dark edge; recentred on those rows and padded across:
    /// a lone line reaches two neighbours each way (lines are ~1.75 character heights apart), a
    /// block of lines a little less than one.
    pub(crate) fn measured(&self, img: &GrayImage) -> Band {
        // Point sampling: a coarse scale would skip thin strokes, so blobs of merged lines are
        // cut fine enough to keep each of their characters a few dozen pixels tall.
        let k = (96.0 / self.char_h.max(1.0)).min(4.0);
        let core = Band { thick: self.thick + 0.5 * self.char_h, ..*self };
        let cut = core.cut(img, k);
        // Ink is what is much darker than the lightest pixel a stroke's width away (paper between
        // strokes): a dark background, a photo or wood grain is not, whatever a global threshold
        // would say. A row of print crosses into ink once a stroke, a background row rarely.
        let (w, h) = (cut.width() as usize, cut.height() as usize);
        let paper = max_filter(cut.as_raw(), w, h, (13, 1));
        let strokes: Vec<u32> = (0..h)
            .map(|y| {
                let ink = |x: usize| paper[y * w + x].saturating_sub(cut.as_raw()[y * w + x]) >= INK_CONTRAST;
                (1..w).filter(|&x| ink(x) && !ink(x - 1)).count() as u32
            })
            .collect();
        let top = strokes.iter().copied().max().unwrap_or(0);
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (y, &v) in strokes.iter().chain([0].iter()).enumerate() {
            if top >= 8 && v * 20 >= top * 7 {
                start.get_or_insert(y);
            } else if let Some(s0) = start.take() {
                if y - s0 >= 3 {
                    runs.push((s0, y - s0));
                }
            }
        }
        let mut b = *self;
        let (Some(first), Some(last)) = (runs.first().copied(), runs.last().copied()) else {
            b.thick = self.thick + 5.6 * self.char_h;
            return b;
        };
        b.lines = b.lines.max(runs.len());
        let mut heights: Vec<usize> = runs.iter().map(|r| r.1).collect();
        heights.sort_unstable();
        b.char_h = heights[heights.len() / 2] as f32 / k;
        let (top_y, bottom_y) = (first.0 as f32 / k, (last.0 + last.1) as f32 / k);
        let (s, c) = self.angle.sin_cos();
        let shift = (top_y + bottom_y) / 2.0 - core.thick / 2.0;
        b.cx -= shift * s;
        b.cy += shift * c;
        // Along the lines: the longest stretch of print without a gap of two characters. The
        // blob may run on into a dark edge or background, which would darken the binarised cut.
        let rows = first.0..last.0 + last.1;
        let inked: Vec<usize> = (0..w)
            .filter(|&x| rows.clone().any(|y| paper[y * w + x].saturating_sub(cut.as_raw()[y * w + x]) >= INK_CONTRAST))
            .collect();
        let gap = (2.0 * b.char_h * k) as usize;
        let (mut best, mut from) = ((0usize, 0usize), None::<usize>);
        for (i, &x) in inked.iter().enumerate() {
            let start = *from.get_or_insert(x);
            if inked.get(i + 1).is_none_or(|&n| n - x > gap) {
                if x - start > best.1 - best.0 {
                    best = (start, x);
                }
                from = None;
            }
        }
        if best.1 > best.0 {
            let pad = 1.5 * b.char_h;
            let (a0, a1) = (best.0 as f32 / k - pad, best.1 as f32 / k + pad);
            let along = (a0 + a1) / 2.0 - self.len / 2.0;
            b.cx += along * c;
            b.cy += along * s;
            b.len = a1 - a0;
        }
        let reach = if b.lines >= 2 { 0.9 } else { 2.8 } * b.char_h;
        b.thick = bottom_y - top_y + 2.0 * reach;
        b
    }

    /// The band cut out of `img`, turned upright and scaled by `k` (bilinear; white outside).
    pub(crate) fn cut(&self, img: &GrayImage, k: f32) -> GrayImage {
        let w = (self.len * k).round().max(1.0) as u32;
        let h = (self.thick * k).round().max(1.0) as u32;
        let mut out = GrayImage::from_pixel(w, h, Luma([255]));
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = self.point_on_page(x as f32 + 0.5, y as f32 + 0.5, k);
                if let Some(v) = bilinear(img, sx - 0.5, sy - 0.5) {
                    out.put_pixel(x, y, Luma([v]));
                }
            }
        }
        out
    }
}

/// A joined line of characters on the working copy.
#[derive(Clone, Copy, Debug)]
struct Blob {
    cx: f32,
    cy: f32,
    angle: f32,
    len: f32,
    thick: f32,
}

/// The likeliest machine-readable zones of `img`, best first (at most [`MAX_BANDS`]).
pub(crate) fn find(img: &GrayImage) -> Vec<Band> {
    let long = img.width().max(img.height());
    let mut found: Vec<(f32, Band)> = Vec::new();
    for side in WORK_SIDES {
        let scale = (side as f32 / long as f32).min(1.0);
        let small = if scale < 1.0 {
            let (w, h) = (
                (img.width() as f32 * scale).round().max(1.0) as u32,
                (img.height() as f32 * scale).round().max(1.0) as u32,
            );
            resize(img, w, h, FilterType::Triangle)
        } else {
            img.clone()
        };
        for (score, b) in bands(&lines(&small)) {
            let band = Band {
                cx: b.cx / scale,
                cy: b.cy / scale,
                angle: b.angle,
                len: b.len / scale,
                thick: b.thick / scale,
                char_h: b.char_h / scale,
                lines: b.lines,
            };
            // The same zone seen at both sizes: keep the first (finer) sighting.
            let seen =
                found.iter().any(|(_, f)| (f.cx - band.cx).hypot(f.cy - band.cy) < f.thick.max(band.thick) / 2.0);
            if !seen {
                found.push((score, band));
            }
        }
        if scale >= 1.0 {
            break;
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().take(MAX_BANDS).map(|(_, b)| b).collect()
}

/// Long, thin joined lines of dark strokes on a working copy.
fn lines(small: &GrayImage) -> Vec<Blob> {
    let (w, h) = (small.width() as usize, small.height() as usize);
    let g = small.as_raw();
    // Black-hat: the closing (max then min) fills strokes thinner than the kernel; what it
    // added is the dark print.
    let closed = min_filter(&max_filter(g, w, h, HAT), w, h, HAT);
    let hat: Vec<u8> = closed.iter().zip(g).map(|(c, p)| c.saturating_sub(*p)).collect();
    let hat = GrayImage::from_raw(w as u32, h as u32, hat).expect("same size");
    // A floor keeps paper grain out when the page has almost no print.
    let t = otsu(&hat).max(24);
    let ink: Vec<u8> = hat.as_raw().iter().map(|&v| if v > t { 255 } else { 0 }).collect();
    let joined = min_filter(&max_filter(&ink, w, h, (JOIN, 1)), w, h, (JOIN, 1));
    let long_side = w.max(h) as f32;
    blobs(&joined, w, h)
        .into_iter()
        .filter(|b| {
            b.len >= (0.12 * long_side).max(40.0) && b.len >= 8.0 * b.thick && b.thick >= 2.0 && b.angle.abs() <= 0.55
        })
        .collect()
}

/// Groups parallel lines of one length a line apart into zones, scored (2-3 lines beat a lone
/// line, then longer beats shorter); coordinates of the working copy.
fn bands(lines: &[Blob]) -> Vec<(f32, Band)> {
    let n = lines.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn root(g: &mut [usize], mut i: usize) -> usize {
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&lines[i], &lines[j]);
            let (s, c) = a.angle.sin_cos();
            let (dx, dy) = (b.cx - a.cx, b.cy - a.cy);
            let along = (dx * c + dy * s).abs();
            let across = (-dx * s + dy * c).abs();
            let th = a.thick.max(b.thick);
            let parallel = (a.angle - b.angle).abs() < 0.07;
            let same_len = a.len.min(b.len) >= 0.6 * a.len.max(b.len);
            if parallel && same_len && along < 0.2 * a.len.max(b.len) && (1.1 * th..=3.2 * th).contains(&across) {
                let (ri, rj) = (root(&mut group, i), root(&mut group, j));
                group[ri] = rj;
            }
        }
    }
    let mut out = Vec::new();
    for r in 0..n {
        let members: Vec<&Blob> = (0..n).filter(|&i| root(&mut group, i) == r).map(|i| &lines[i]).collect();
        let k = members.len();
        // More than 3 lines is a paragraph, not a zone. A lone blob may be a zone whose lines
        // the closing merged (a turned photo): `Band::measured` finds its lines.
        if k == 0 || k > 3 {
            continue;
        }
        let angle = members.iter().map(|b| b.angle).sum::<f32>() / k as f32;
        let (cx, cy) = (
            members.iter().map(|b| b.cx).sum::<f32>() / k as f32,
            members.iter().map(|b| b.cy).sum::<f32>() / k as f32,
        );
        let (s, c) = angle.sin_cos();
        let (mut a0, mut a1, mut b0, mut b1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for b in &members {
            let (dx, dy) = (b.cx - cx, b.cy - cy);
            let (a, n) = (dx * c + dy * s, -dx * s + dy * c);
            a0 = a0.min(a - b.len / 2.0);
            a1 = a1.max(a + b.len / 2.0);
            b0 = b0.min(n - b.thick / 2.0);
            b1 = b1.max(n + b.thick / 2.0);
        }
        let char_h = members.iter().map(|b| b.thick).sum::<f32>() / k as f32;
        let pad = (0.04 * (a1 - a0)).max(2.0 * char_h);
        let (ma, mb) = ((a0 + a1) / 2.0, (b0 + b1) / 2.0);
        let band = Band {
            cx: cx + ma * c - mb * s,
            cy: cy + ma * s + mb * c,
            angle,
            len: a1 - a0 + 2.0 * pad,
            thick: b1 - b0,
            char_h,
            lines: k,
        };
        let score = (a1 - a0) * if k >= 2 { 2.0 } else { 1.0 };
        out.push((score, band));
    }
    out
}

/// Connected components (8-neighbourhood) of the set pixels, each by its second moments.
fn blobs(bin: &[u8], w: usize, h: usize) -> Vec<Blob> {
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for start in 0..w * h {
        if bin[start] == 0 || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut n, mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0f64, 0f64, 0f64, 0f64, 0f64, 0f64);
        while let Some(i) = stack.pop() {
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            n += 1.0;
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
            let (xi, yi) = (i % w, i / w);
            for ny in yi.saturating_sub(1)..=(yi + 1).min(h - 1) {
                for nx in xi.saturating_sub(1)..=(xi + 1).min(w - 1) {
                    let j = ny * w + nx;
                    if bin[j] != 0 && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if n < 30.0 {
            continue;
        }
        let (cx, cy) = (sx / n, sy / n);
        let (mxx, myy, mxy) = (sxx / n - cx * cx, syy / n - cy * cy, sxy / n - cx * cy);
        let half = (mxx + myy) / 2.0;
        let root = (((mxx - myy) / 2.0).powi(2) + mxy * mxy).sqrt();
        // A uniform bar of length L has variance L²/12 along it.
        let (l1, l2) = (half + root, (half - root).max(0.0));
        out.push(Blob {
            cx: cx as f32,
            cy: cy as f32,
            angle: (0.5 * (2.0 * mxy).atan2(mxx - myy)) as f32,
            len: (12.0 * l1).sqrt() as f32,
            thick: (12.0 * l2).sqrt() as f32,
        });
    }
    out
}

fn max_filter(src: &[u8], w: usize, h: usize, k: (usize, usize)) -> Vec<u8> {
    separable(src, w, h, k, u8::max)
}

fn min_filter(src: &[u8], w: usize, h: usize, k: (usize, usize)) -> Vec<u8> {
    separable(src, w, h, k, u8::min)
}

/// A flat rectangular max or min filter of size `k` (width, height), one axis at a time; edges
/// see only the pixels inside the image.
fn separable(src: &[u8], w: usize, h: usize, k: (usize, usize), pick: fn(u8, u8) -> u8) -> Vec<u8> {
    let (rx, ry) = (k.0 / 2, k.1 / 2);
    let mut tmp = vec![0u8; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        for x in 0..w {
            let (a, b) = (x.saturating_sub(rx), (x + rx).min(w - 1));
            tmp[y * w + x] = row[a..=b].iter().copied().reduce(pick).unwrap_or(row[x]);
        }
    }
    if ry == 0 {
        return tmp;
    }
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        let (a, b) = (y.saturating_sub(ry), (y + ry).min(h - 1));
        for x in 0..w {
            let mut v = tmp[a * w + x];
            for yy in a + 1..=b {
                v = pick(v, tmp[yy * w + x]);
            }
            out[y * w + x] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocess::rotate_small;

    /// A card-like page: a title, a dark photo, short words of print, and a 2-line zone of
    /// `chars` character-like glyphs at `pitch` px near the bottom.
    fn card(w: u32, h: u32, pitch: u32, chars: u32) -> (GrayImage, (f32, f32)) {
        let mut img = GrayImage::from_pixel(w, h, Luma([235]));
        let mut rect = |x0: u32, y0: u32, rw: u32, rh: u32, v: u8| {
            for y in y0..(y0 + rh).min(h) {
                for x in x0..(x0 + rw).min(w) {
                    img.put_pixel(x, y, Luma([v]));
                }
            }
        };
        // Photo.
        rect(w / 20, h / 6, w / 4, h / 2, 60);
        let ch = pitch * 7 / 5;
        // Glyph: two stems and a bar, like an H.
        let glyph = |x: u32, y: u32, rect: &mut dyn FnMut(u32, u32, u32, u32, u8)| {
            let s = (pitch / 6).max(1);
            rect(x, y, s, ch, 20);
            rect(x + pitch * 3 / 5, y, s, ch, 20);
            rect(x, y + ch / 2, pitch * 3 / 5, s, 20);
        };
        // Printed words: groups of 5 glyphs separated by 3 pitches, three lines.
        for line in 0..3 {
            let y = h / 6 + line * ch * 3;
            for word in 0..3 {
                for g in 0..5 {
                    glyph(w / 3 + (word * 8 + g) * pitch, y, &mut rect);
                }
            }
        }
        let x0 = (w - chars * pitch) / 2;
        let y0 = h - 4 * ch - ch / 2;
        for line in 0..2 {
            for g in 0..chars {
                glyph(x0 + g * pitch, y0 + line * (ch * 7 / 4), &mut rect);
            }
        }
        let centre = (x0 as f32 + (chars * pitch) as f32 / 2.0, y0 as f32 + (ch * 7 / 4 + ch) as f32 / 2.0);
        (img, centre)
    }

    /// Where a point of an image lands once `rotate_small(img, -deg)` turns the content
    /// counter-clockwise by `deg`.
    fn turned(p: (f32, f32), w: u32, h: u32, deg: f32) -> (f32, f32) {
        let (s, c) = deg.to_radians().sin_cos();
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let (dx, dy) = (p.0 - cx, p.1 - cy);
        (cx + dx * c + dy * s, cy - dx * s + dy * c)
    }

    #[test]
    fn finds_a_turned_zone_on_a_photo() {
        let (img, centre) = card(1600, 1000, 30, 44);
        let img = rotate_small(&img, -15.0);
        let found = find(&img);
        let want = turned(centre, 1600, 1000, 15.0);
        let b = found.first().expect("a band");
        assert!(b.lines >= 2, "{b:?}");
        assert!((b.angle.to_degrees() + 15.0).abs() < 2.0, "angle {}", b.angle.to_degrees());
        assert!((b.cx - want.0).hypot(b.cy - want.1) < 40.0, "{b:?} vs {want:?}");
        assert!((b.char_h - 42.0).abs() < 15.0, "{b:?}");
    }

    #[test]
    fn finds_the_zone_of_a_small_card() {
        let (img, centre) = card(420, 270, 12, 30);
        let b = *find(&img).first().expect("a band");
        assert!(b.angle.abs() < 0.03, "{b:?}");
        assert!((b.cx - centre.0).hypot(b.cy - centre.1) < 12.0, "{b:?} vs {centre:?}");
        // The cut-out is upright: its dark rows are two bands of glyphs.
        let cut = b.cut(&img, 34.0 / b.char_h);
        assert!(cut.width() > 3 * cut.height(), "{}x{}", cut.width(), cut.height());
    }

    #[test]
    fn no_zone_on_a_blank_or_wordy_page() {
        assert!(find(&GrayImage::from_pixel(800, 600, Luma([240]))).is_empty());
        let (mut img, _) = card(1000, 640, 16, 30);
        // Erase the zone: what is left is a photo and short words.
        for y in 640 - 160..640 {
            for x in 0..1000 {
                img.put_pixel(x, y, Luma([235]));
            }
        }
        assert!(find(&img).is_empty(), "{:?}", find(&img));
    }
}
