//! Image preparation before OCR: resolution normalisation, small-angle deskew, quarter turns and
//! the blank-page test. Each step is kept because it measurably raised the share of truth values
//! found in the OCR text of the dev corpus (see the crate README section of the report).

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};

/// Resolution assumed for a page-sized image whose DPI is unknown: its longer side is taken to be
/// the long side of an A4 sheet (photo and scan metadata say 72 DPI far too often to be trusted).
pub fn estimate_dpi(w: u32, h: u32) -> u32 {
    let long = w.max(h) as f32;
    (long / 11.69).round().max(1.0) as u32
}

/// Rescales so text is near `target` DPI: upscales low-resolution photos (tesseract wants an
/// x-height of ~20 px) and downscales huge images (cost grows with pixels). Small factors are
/// skipped: resampling blurs and costs more than it gains.
pub fn normalise_resolution(img: GrayImage, dpi: u32, target: u32, max_pixels: u64) -> (GrayImage, u32) {
    let mut factor = target as f32 / dpi.max(1) as f32;
    factor = factor.clamp(0.4, 2.5);
    let (w, h) = img.dimensions();
    let px = w as f32 * h as f32 * factor * factor;
    if px > max_pixels as f32 {
        factor *= (max_pixels as f32 / px).sqrt();
    }
    if (0.85..=1.2).contains(&factor) {
        return (img, dpi);
    }
    let nw = ((w as f32 * factor).round() as u32).max(1);
    let nh = ((h as f32 * factor).round() as u32).max(1);
    let filter = if factor > 1.0 { FilterType::CatmullRom } else { FilterType::Triangle };
    let out = resize(&img, nw, nh, filter);
    (out, ((dpi as f32) * factor).round() as u32)
}

/// Resamples with the same filter as `image::imageops::resize` but with SIMD convolution: `image`'s
/// own took ~0.75 s of the ~2.8 CPU-s a photo cost in the stage (upscaled ~2x to 300 DPI), this
/// ~0.03 s. Falls back to `image`'s resize if the fast path refuses the buffer.
pub fn resize(img: &GrayImage, nw: u32, nh: u32, filter: FilterType) -> GrayImage {
    use fast_image_resize as fir;
    let alg = match filter {
        FilterType::CatmullRom => fir::FilterType::CatmullRom,
        FilterType::Triangle => fir::FilterType::Bilinear,
        FilterType::Gaussian => fir::FilterType::Gaussian,
        FilterType::Lanczos3 => fir::FilterType::Lanczos3,
        FilterType::Nearest => return imageops::resize(img, nw, nh, filter),
    };
    let fast = || -> Option<GrayImage> {
        let src = fir::images::ImageRef::new(img.width(), img.height(), img.as_raw(), fir::PixelType::U8).ok()?;
        let mut dst = fir::images::Image::new(nw, nh, fir::PixelType::U8);
        let options = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(alg));
        fir::Resizer::new().resize(&src, &mut dst, &options).ok()?;
        GrayImage::from_raw(nw, nh, dst.into_vec())
    };
    fast().unwrap_or_else(|| imageops::resize(img, nw, nh, filter))
}

/// True when nothing is printed: fewer than a few dozen pixels clearly darker than the paper
/// (a page number alone still counts as ink; dust on a scan does too, which is intended).
pub fn is_uniform(img: &GrayImage) -> bool {
    let mut hist = [0u64; 256];
    for &v in img.as_raw() {
        hist[v as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let (mut acc, mut median) = (0u64, 255usize);
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc * 2 >= total {
            median = v;
            break;
        }
    }
    let dark_limit = median.saturating_sub(80);
    let ink: u64 = hist[..dark_limit].iter().sum();
    // A page of blotches or shading has no pixel far below the median, yet it is plainly not
    // empty: its spread of grey levels gives it away (blank paper stays within a few levels).
    let mean = hist.iter().enumerate().map(|(v, &c)| v as f64 * c as f64).sum::<f64>() / total.max(1) as f64;
    let var =
        hist.iter().enumerate().map(|(v, &c)| (v as f64 - mean).powi(2) * c as f64).sum::<f64>() / total.max(1) as f64;
    ink < 40 && var.sqrt() < 12.0
}

/// Otsu's threshold of an 8-bit histogram.
pub fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for &v in img.as_raw() {
        hist[v as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut sum_b, mut w_b, mut best, mut best_t) = (0.0, 0u64, -1.0f64, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c;
        if w_b == 0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0 {
            break;
        }
        sum_b += t as f64 * c as f64;
        let m_b = sum_b / w_b as f64;
        let m_f = (sum - sum_b) / w_f as f64;
        let between = w_b as f64 * w_f as f64 * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Estimates how far the text lines are turned counter-clockwise, in degrees within ±`max_deg`,
/// by maximising the sharpness of the horizontal projection profile of a downscaled, binarised
/// copy (text lines give tall narrow peaks only when the projection is parallel to them).
pub fn estimate_skew(img: &GrayImage, max_deg: f32) -> f32 {
    let (w, h) = img.dimensions();
    let scale = (1200.0 / w.max(h) as f32).min(1.0);
    let small = if scale < 1.0 {
        resize(img, ((w as f32 * scale) as u32).max(1), ((h as f32 * scale) as u32).max(1), FilterType::Triangle)
    } else {
        img.clone()
    };
    let (sw, sh) = small.dimensions();
    // Ink is what is darker than its neighbourhood, not than the whole page: on photos a global
    // threshold takes shaded background and vignetting for ink, whose slant then wins the search
    // (seen on the dev corpus: every phone photo measured at the -4.75 degree edge of the range).
    let integral = integral_image(&small);
    let r = 10u32;
    let local_mean = |x: u32, y: u32| -> f32 {
        let (x0, y0, x1, y1) = (x.saturating_sub(r), y.saturating_sub(r), (x + r + 1).min(sw), (y + r + 1).min(sh));
        let at = |x: u32, y: u32| integral[(y as usize) * (sw as usize + 1) + x as usize];
        let sum = at(x1, y1) + at(x0, y0) - at(x1, y0) - at(x0, y1);
        sum as f32 / ((x1 - x0) * (y1 - y0)) as f32
    };
    // Ignore a margin: dark scanner edges and photo backgrounds are not text.
    let (mx, my) = (sw / 20, sh / 20);
    let mut pts: Vec<(f32, f32)> = Vec::new();
    for y in my..sh.saturating_sub(my) {
        for x in mx..sw.saturating_sub(mx) {
            let v = small.get_pixel(x, y).0[0] as f32;
            let m = local_mean(x, y);
            if v < m - (0.12 * m).max(12.0) {
                pts.push((x as f32, y as f32));
            }
        }
    }
    let area = (sw as usize) * (sh as usize);
    // Too little ink to measure, or so much that it is a photo or a dark background.
    if pts.len() < 300 || pts.len() > area / 3 {
        return 0.0;
    }
    if pts.len() > 80_000 {
        let step = pts.len() / 80_000 + 1;
        pts = pts.into_iter().step_by(step).collect();
    }
    let score = |deg: f32| -> f64 {
        let tan = deg.to_radians().tan();
        let off = (sw as f32 * tan.abs()).ceil() + 1.0;
        let n = (sh as f32 + 2.0 * off) as usize + 2;
        let mut bins = vec![0u32; n];
        for &(x, y) in &pts {
            let i = (y + x * tan + off) as usize;
            if let Some(b) = bins.get_mut(i) {
                *b += 1;
            }
        }
        bins.windows(2)
            .map(|p| {
                let d = p[1] as f64 - p[0] as f64;
                d * d
            })
            .sum()
    };
    let mut best = (0.0f32, score(0.0));
    let mut a = -max_deg;
    while a <= max_deg + 1e-3 {
        let s = score(a);
        if s > best.1 {
            best = (a, s);
        }
        a += 0.25;
    }
    let coarse = best.0;
    let mut a = coarse - 0.25;
    while a <= coarse + 0.25 + 1e-3 {
        let s = score(a);
        if s > best.1 {
            best = (a, s);
        }
        a += 0.05;
    }
    (best.0 * 100.0).round() / 100.0
}

/// Summed-area table with a zero first row and column: `(w + 1) * (h + 1)` entries.
fn integral_image(img: &GrayImage) -> Vec<u64> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut t = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += img.as_raw()[y * w + x] as u64;
            t[(y + 1) * (w + 1) + x + 1] = t[y * (w + 1) + x + 1] + row;
        }
    }
    t
}

/// Turns the image clockwise by `deg` degrees (to undo a counter-clockwise skew of `deg`),
/// bilinear, keeping its size and filling uncovered corners with white.
pub fn rotate_small(img: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut out = GrayImage::from_pixel(w, h, Luma([255]));
    let buf: &mut [u8] = &mut out;
    for y in 0..h {
        let dy = y as f32 - cy;
        for x in 0..w {
            let dx = x as f32 - cx;
            // Where this upright pixel sits in the source, whose content is turned CCW by deg.
            let sx = cx + dx * c + dy * s;
            let sy = cy - dx * s + dy * c;
            if let Some(v) = bilinear(img, sx, sy) {
                buf[(y as usize) * (w as usize) + x as usize] = v;
            }
        }
    }
    out
}

/// The image's brightness at (`sx`, `sy`) (pixel corners at integers), interpolated between its
/// four neighbours; `None` outside the image, where callers leave white paper.
#[inline]
pub(crate) fn bilinear(img: &GrayImage, sx: f32, sy: f32) -> Option<u8> {
    let (wi, hi) = (img.width() as i64, img.height() as i64);
    let (x0, y0) = (sx.floor() as i64, sy.floor() as i64);
    if x0 < 0 || y0 < 0 || x0 + 1 >= wi || y0 + 1 >= hi {
        return None;
    }
    let src = img.as_raw();
    let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
    let i = (y0 * wi + x0) as usize;
    let p = |k: usize| src[k] as f32;
    let top = p(i) * (1.0 - fx) + p(i + 1) * fx;
    let bot = p(i + wi as usize) * (1.0 - fx) + p(i + wi as usize + 1) * fx;
    Some((top * (1.0 - fy) + bot * fy).round() as u8)
}

/// Turns the image clockwise by a multiple of 90 degrees.
pub fn rotate_quarter(img: &GrayImage, cw: u16) -> GrayImage {
    match cw % 360 {
        90 => imageops::rotate90(img),
        180 => imageops::rotate180(img),
        270 => imageops::rotate270(img),
        _ => img.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn striped(w: u32, h: u32) -> GrayImage {
        // Horizontal "text lines": dashes of ink every 30 px.
        GrayImage::from_fn(w, h, |x, y| {
            if y % 30 < 6 && (x / 12) % 3 != 0 && x > w / 10 && x < w - w / 10 {
                Luma([0])
            } else {
                Luma([255])
            }
        })
    }

    #[test]
    fn measures_a_known_skew_and_undoes_it() {
        let upright = striped(1200, 1600);
        assert!(estimate_skew(&upright, 5.0).abs() < 0.15);
        // Turn the content 3 degrees counter-clockwise = rotate clockwise by -3.
        let skewed = rotate_small(&upright, -3.0);
        let est = estimate_skew(&skewed, 5.0);
        assert!((est - 3.0).abs() < 0.2, "estimated {est}");
        let fixed = rotate_small(&skewed, est);
        assert!(estimate_skew(&fixed, 5.0).abs() < 0.2);
    }

    #[test]
    fn uniform_images_are_blank() {
        assert!(is_uniform(&GrayImage::from_pixel(500, 700, Luma([250]))));
        assert!(!is_uniform(&striped(500, 700)));
        // Soft grey blotches with nothing dark against their own median: not blank.
        let blotches = GrayImage::from_fn(500, 700, |x, y| Luma([if (x / 100 + y / 100) % 2 == 0 { 90 } else { 160 }]));
        assert!(!is_uniform(&blotches));
        // Paper grain alone stays blank.
        let grain = GrayImage::from_fn(500, 700, |x, y| Luma([240 + ((x * 7 + y * 13) % 9) as u8]));
        assert!(is_uniform(&grain));
    }

    #[test]
    fn resolution_is_normalised_only_when_far_off() {
        let img = GrayImage::new(1240, 1754);
        let (same, dpi) = normalise_resolution(img.clone(), 280, 300, 100_000_000);
        assert_eq!((same.dimensions(), dpi), ((1240, 1754), 280));
        let (up, dpi) = normalise_resolution(img, 150, 300, 100_000_000);
        assert_eq!(up.dimensions(), (2480, 3508));
        assert_eq!(dpi, 300);
    }

    #[test]
    fn fast_resize_matches_image_resize() {
        let src = striped(400, 300);
        for (w, h, filter) in [(900, 675, FilterType::CatmullRom), (160, 120, FilterType::Triangle)] {
            let ours = resize(&src, w, h, filter);
            let theirs = imageops::resize(&src, w, h, filter);
            assert_eq!(ours.dimensions(), (w, h));
            let diff: u64 = ours.as_raw().iter().zip(theirs.as_raw()).map(|(a, b)| a.abs_diff(*b) as u64).sum();
            let mean = diff as f64 / (w * h) as f64;
            assert!(mean < 2.0, "{filter:?}: mean difference {mean:.2} grey levels");
        }
    }
}
