//! Memory ceilings on hostile files (issue #21), measured, not timed: the release binary's peak
//! resident set size, read with `wait4` (the child's `ru_maxrss`, which covers the poppler
//! processes it waited for too).
//!
//! The files are a few hundred kilobytes on disk and tens of gigabytes of pixels: a TIFF of 30
//! pages of 10000x10000 1-bit (refused `too_large` from its headers: 3000 Mpx against the file
//! budget `limits.max_file_pixels`), a TIFF of 6 such pages (exactly the budget: read one page at
//! a time), and two 10000x10000 PNGs read at once by two engines. The ceiling is the sizing the
//! chart's limits come from (docs/benchmarks.md, sizing): two engines, one page each of at most
//! `limits.max_page_bytes` decoding, plus tesseract on the page shrunk to `max_ocr_pixels`.
//!
//! The console's page image of that PNG is measured the same way, in a child process running
//! `render::page_png` (this test binary run again on one test, below).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What `tamis process` may hold at its peak with two engines, MiB (the target: under
/// 700 MB for any single file).
const PROCESS_CEILING_MIB: u64 = 660;
/// What the console may hold rendering a page image of a 100 Mpx PNG, MiB (one 100 MB decode).
const CONSOLE_CEILING_MIB: u64 = 200;
const SIDE: u32 = 10_000;

/// Runs a command to its end and returns its peak RSS in MiB (its own or any waited-for child's).
// The child is reaped by `wait4`, which std's `wait` cannot replace: only it returns the rusage.
#[allow(clippy::zombie_processes)]
fn peak_rss_mib(mut cmd: Command) -> u64 {
    let child = cmd.spawn().expect("start the child");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (std's Child never waited on it), and both
    // pointers are to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed: {}", std::io::Error::last_os_error());
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the child failed (status {status})");
    usage.ru_maxrss as u64 / 1024
}

/// A white 1-bit page as PackBits rows (in a BlackIsZero page a set bit is white). Every page of
/// a TIFF shares this one strip.
fn packbits_page() -> Vec<u8> {
    let row = vec![0xFFu8; SIDE.div_ceil(8) as usize];
    let mut strip = Vec::new();
    for _ in 0..SIDE {
        let mut i = 0;
        while i < row.len() {
            let run = row[i..].iter().take(128).take_while(|&&b| b == row[i]).count();
            strip.push((257 - run) as u8);
            strip.push(row[i]);
            i += run;
        }
    }
    strip
}

/// A little-endian TIFF of `pages` directories all pointing at one PackBits strip.
fn tiff(pages: usize) -> Vec<u8> {
    let strip = packbits_page();
    let mut out = b"II*\0".to_vec();
    let first_ifd = 8 + strip.len() as u32;
    out.extend_from_slice(&first_ifd.to_le_bytes());
    out.extend_from_slice(&strip);
    const ENTRIES: u16 = 8;
    let ifd_len = 2 + ENTRIES as u32 * 12 + 4;
    for p in 0..pages {
        let here = first_ifd + p as u32 * ifd_len;
        out.extend_from_slice(&ENTRIES.to_le_bytes());
        // (tag, type, value): SHORT = 3, LONG = 4, one value each, in ascending tag order.
        let entries: [(u16, u16, u32); ENTRIES as usize] = [
            (256, 4, SIDE),               // ImageWidth
            (257, 4, SIDE),               // ImageLength
            (258, 3, 1),                  // BitsPerSample
            (259, 3, 32773),              // Compression: PackBits
            (262, 3, 1),                  // PhotometricInterpretation: BlackIsZero
            (273, 4, 8),                  // StripOffsets
            (278, 4, SIDE),               // RowsPerStrip
            (279, 4, strip.len() as u32), // StripByteCounts
        ];
        for (tag, kind, value) in entries {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&value.to_le_bytes());
        }
        let next = if p + 1 < pages { here + ifd_len } else { 0 };
        out.extend_from_slice(&next.to_le_bytes());
    }
    out
}

/// Writes a 10000x10000 1-bit PNG with black bars (ink, so that it is read, not found blank).
fn png(path: &Path, seed: u32) -> PathBuf {
    let stride = SIDE.div_ceil(8) as usize;
    write_png(path, SIDE, png::ColorType::Grayscale, png::BitDepth::One, |y| {
        let black = (2000..9000).contains(&y) && (y + seed * 100) % 700 < 40;
        (0..stride).map(|i| if black && (150..1000).contains(&i) { 0x00 } else { 0xFF }).collect()
    })
}

/// Writes a `side`x`side` RGB PNG, white with blue bars: 3 bytes a pixel once decoded.
fn rgb_png(path: &Path, side: u32) -> PathBuf {
    write_png(path, side, png::ColorType::Rgb, png::BitDepth::Eight, |y| {
        let ink = y % 300 < 20 && y > side / 5;
        (0..side * 3).map(|i| if ink && (i / 3) % 500 < 400 && i % 3 != 2 { 0x20 } else { 0xF0 }).collect()
    })
}

fn write_png(
    path: &Path,
    side: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    row: impl Fn(u32) -> Vec<u8>,
) -> PathBuf {
    let file = std::io::BufWriter::new(std::fs::File::create(path).expect("create the png"));
    let mut enc = png::Encoder::new(file, side, side);
    enc.set_color(color);
    enc.set_depth(depth);
    enc.set_compression(png::Compression::High);
    let mut w = enc.write_header().expect("png header").into_stream_writer().expect("png stream");
    for y in 0..side {
        w.write_all(&row(y)).expect("png row");
    }
    w.finish().expect("png end");
    path.to_path_buf()
}

/// Runs `tamis process` with two engines on `files`; returns the lines and the peak RSS in MiB.
fn process(dir: &Path, files: &[&Path]) -> (Vec<serde_json::Value>, u64) {
    let out = dir.join("out.jsonl");
    let mut cmd = common::tamis();
    cmd.arg("process").args(files).arg("--out").arg(&out);
    cmd.env("TAMIS_OCR_ENGINES", "2").env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(Stdio::null());
    let peak = peak_rss_mib(cmd);
    let lines = std::fs::read_to_string(&out).expect("the output");
    (lines.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect(), peak)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write the file");
    p
}

fn outcome(line: &serde_json::Value) -> (String, String) {
    let s = |k: &str| line[k].as_str().unwrap_or_default().to_string();
    (s("decision"), s("reason"))
}

/// Where the files are written: a fresh temporary folder, or `TAMIS_MEMORY_DIR` to keep them and
/// measure another binary on them (docs/benchmarks.md, sizing).
fn files_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("TAMIS_MEMORY_DIR") {
        Some(d) => {
            std::fs::create_dir_all(&d).expect("create TAMIS_MEMORY_DIR");
            (None, PathBuf::from(d))
        }
        None => {
            let t = tempfile::tempdir().expect("temp dir");
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    }
}

#[test]
fn hostile_images_are_refused_or_read_within_the_memory_ceiling() {
    let t = std::time::Instant::now();
    let (_tmp, dir) = files_dir();
    let dir = dir.as_path();
    let many = write(dir, "pages30.tif", &tiff(30));
    let budget = write(dir, "pages6.tif", &tiff(6));
    let a = png(&dir.join("huge-a.png"), 0);
    let b = dir.join("huge-b.png");
    std::fs::copy(&a, &b).expect("a second copy");
    // 100 Mpx in RGB: 400 MB to decode, over `limits.max_page_bytes`; 49 Mpx in RGB: 196 MB, the
    // largest decode the default limits let through, twice at once.
    let rgb = rgb_png(&dir.join("rgb-10000.png"), SIDE);
    let rgb_a = rgb_png(&dir.join("rgb-7000-a.png"), 7000);
    let rgb_b = dir.join("rgb-7000-b.png");
    std::fs::copy(&rgb_a, &rgb_b).expect("a second copy");
    for f in [&many, &budget, &a, &b, &rgb, &rgb_a, &rgb_b] {
        let size = std::fs::metadata(f).expect("size").len();
        assert!(size < 1 << 20, "{} is {size} bytes: a hostile file is small", f.display());
    }

    eprintln!("files written in {:?}", t.elapsed());
    // 3000 Mpx: refused from the headers, nothing decoded.
    let (lines, peak) = process(dir, &[&many]);
    eprintln!("pages30.tif: {:?}, peak RSS {peak} MiB", outcome(&lines[0]));
    assert_eq!(outcome(&lines[0]), ("error".into(), "too_large".into()), "{}", lines[0]);
    assert!(peak < 150, "refusing from the headers took {peak} MiB");

    // 600 Mpx, within budget: decoded one page at a time, as engines take them. White pages.
    let (lines, peak) = process(dir, &[&budget]);
    eprintln!("pages6.tif: {:?}, peak RSS {peak} MiB", outcome(&lines[0]));
    assert_eq!(outcome(&lines[0]), ("error".into(), "blank".into()), "{}", lines[0]);
    assert!(peak < PROCESS_CEILING_MIB, "six 100 Mpx pages took {peak} MiB");

    // Two 100 Mpx pages with ink, read at once by the two engines.
    let (lines, peak) = process(dir, &[&a, &b]);
    for l in &lines {
        eprintln!("{}: {:?}, peak RSS {peak} MiB", l["file"], outcome(l));
        assert_ne!(l["decision"], "error", "a 100 Mpx page within the limits is read: {l}");
    }
    assert_eq!(lines.len(), 2);
    assert!(peak < PROCESS_CEILING_MIB, "two 100 Mpx PNGs took {peak} MiB");

    let (lines, peak) = process(dir, &[&rgb]);
    eprintln!("rgb-10000.png: {:?}, peak RSS {peak} MiB", outcome(&lines[0]));
    assert_eq!(outcome(&lines[0]), ("error".into(), "too_large".into()), "{}", lines[0]);
    assert!(peak < 150, "refusing from the header took {peak} MiB");

    let (lines, peak) = process(dir, &[&rgb_a, &rgb_b]);
    for l in &lines {
        eprintln!("{}: {:?}, peak RSS {peak} MiB", l["file"], outcome(l));
        assert_ne!(l["decision"], "error", "a page within the limits is read: {l}");
    }
    assert!(peak < PROCESS_CEILING_MIB, "two 49 Mpx RGB PNGs took {peak} MiB");
}

/// The console's renderer on a 10000x10000 PNG, in a process of its own so that its peak is its
/// own: this test binary, run again on `console_render_child` only.
#[test]
fn console_page_image_of_a_huge_png_is_bounded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = png(&dir.path().join("huge.png"), 0);
    let out = dir.path().join("page.png");
    let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
    cmd.args(["console_render_child", "--exact", "--test-threads=1", "--nocapture"]);
    cmd.env("TAMIS_MEMORY_CHILD_IN", &input).env("TAMIS_MEMORY_CHILD_OUT", &out);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let peak = peak_rss_mib(cmd);
    let png = std::fs::read(&out).expect("the child wrote the page image");
    let width = u32::from_be_bytes(png[16..20].try_into().expect("IHDR width"));
    eprintln!("console page image: {width} px wide, peak RSS {peak} MiB");
    assert_eq!(width, 1400, "the page is shrunk to the console's width");
    assert!(peak < CONSOLE_CEILING_MIB, "the console's page image took {peak} MiB");
}

/// Not a test on its own: the child of `console_page_image_of_a_huge_png_is_bounded`.
#[test]
fn console_render_child() {
    let (Some(input), Some(out)) =
        (std::env::var_os("TAMIS_MEMORY_CHILD_IN"), std::env::var_os("TAMIS_MEMORY_CHILD_OUT"))
    else {
        return;
    };
    let bytes = std::fs::read(input).expect("the input");
    let limits = tamis_ocr::OcrConfig::with_limits(&tamis_shared::config::LimitsConfig::default());
    let png = tamis_console::render::page_png(&bytes, tamis_shared::MediaType::Png, 1, 90, &limits).expect("rendered");
    std::fs::write(out, png).expect("write the page image");
}
