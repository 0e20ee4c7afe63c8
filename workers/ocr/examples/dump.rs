//! Runs the OCR stage on every file of a folder and writes `OUT_DIR/<file name>.json`, the
//! serialised `Work`, for the engineers building the later stages.
//!
//! `OMP_THREAD_LIMIT=1 cargo run --release -p tamis-ocr --example dump -- IN_DIR OUT_DIR`
//!
//! Files are processed in parallel, one thread per engine; the summary line per file gives only
//! the name, page count, failure code and time (never text).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tamis_ocr::{Ocr, OcrConfig};
use tamis_shared::{BlobRef, DocumentId, Envelope, MediaType, Work};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: dump IN_DIR OUT_DIR");
        std::process::exit(2);
    }
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        eprintln!("warning: OMP_THREAD_LIMIT is not set; tesseract will be much slower");
    }
    let (input, output) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    std::fs::create_dir_all(&output).expect("cannot create OUT_DIR");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&input)
        .expect("cannot read IN_DIR")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "jsonl" && e != "md"))
        .collect();
    files.sort();
    // Experiment switches (not for production): TAMIS_OCR_UPSCALE=0, TAMIS_OCR_DESKEW=0, TAMIS_OCR_MRZ=0.
    let mut config = OcrConfig::default();
    let off = |k: &str| std::env::var(k).map(|v| v == "0").unwrap_or(false);
    config.upscale = !off("TAMIS_OCR_UPSCALE");
    config.deskew = !off("TAMIS_OCR_DESKEW");
    config.mrz_pass = !off("TAMIS_OCR_MRZ");
    let threads = config.engines.max(1);
    let ocr = Arc::new(Ocr::new(config));
    let files = Arc::new(files);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (ocr, files, next, output) = (ocr.clone(), files.clone(), next.clone(), output.clone());
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(path) = files.get(i) else { break };
                dump_one(&ocr, path, &output);
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    eprintln!("{} files in {:.1} s", files.len(), started.elapsed().as_secs_f32());
}

fn dump_one(ocr: &Ocr, path: &Path, output: &Path) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{name}: cannot read: {e}");
            return;
        }
    };
    let envelope = Envelope {
        document_id: DocumentId::derived(&format!("{:x}", bytes.len()), Some(&name)),
        case_id: None,
        case_persons: vec![],
        file_name: name.clone(),
        blob: BlobRef {
            key: format!("dump/{name}"),
            sha256: String::new(),
            media_type: MediaType::sniff(&bytes),
            size: bytes.len() as u64,
        },
        submitted_at: time::OffsetDateTime::UNIX_EPOCH,
        trace: Default::default(),
    };
    let mut work = Work::new(envelope);
    let t = Instant::now();
    ocr.process(&mut work, &bytes);
    let ms = t.elapsed().as_millis();
    let code = work.failure.as_ref().map(|f| f.code.as_str()).unwrap_or("ok");
    eprintln!("{name}: pages={} code={code} quality={:.2} ms={ms}", work.pages.len(), work.text_quality.unwrap_or(0.0));
    match serde_json::to_vec_pretty(&work) {
        Ok(json) => {
            if let Err(e) = std::fs::write(output.join(format!("{name}.json")), json) {
                eprintln!("{name}: cannot write: {e}");
            }
        }
        Err(e) => eprintln!("{name}: cannot serialise: {e}"),
    }
}
