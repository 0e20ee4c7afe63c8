//! The benchmarks must keep running: a tiny `tamis bench e2e` and `tamis bench ocr` on the shared
//! corpus, checking the report's structure and that every document got its outcome. Nothing here
//! is timed; the figures themselves are for docs/benchmarks.md.

mod common;

use common::*;
use serde_json::Value;

fn run_bench(args: &[&str]) -> Value {
    let shared = shared_dir();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let out = tamis()
        .arg("bench")
        .args(args)
        .arg("--corpus")
        .arg(shared.join("corpus"))
        .arg("--json")
        .arg(&json)
        .output()
        .expect("run tamis bench");
    assert!(out.status.success(), "tamis bench {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let report: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("the bench wrote its JSON report")).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("tamis bench"), "no human-readable report on stdout: {text}");
    report
}

fn positive(v: &Value, key: &str) -> f64 {
    let x = v[key].as_f64().unwrap_or_else(|| panic!("{key} missing in {v}"));
    assert!(x.is_finite() && x > 0.0, "{key} = {x}");
    x
}

#[test]
fn bench_e2e_decides_every_document_and_reports_its_figures() {
    let r = run_bench(&["e2e", "--docs", "10", "--profile", "born-digital", "--baseline-pages", "1"]);
    assert_eq!(r["documents"], 10);
    let decided: u64 = r["decisions"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(decided, 10, "every document gets exactly one outcome event: {}", r["decisions"]);
    assert!(r["decisions"].get("rejected").is_none(), "a born-digital corpus file was rejected: {}", r["decisions"]);
    positive(&r, "documents_per_sec");
    positive(&r, "pages_per_sec");
    let (p50, p99) = (positive(&r, "latency_p50_ms"), positive(&r, "latency_p99_ms"));
    assert!(p50 <= p99);
    // received, ocr, classify, extract, route and the outcome event, plus review items.
    assert!(positive(&r, "broker_messages_per_document") >= 6.0);
    let workers = r["workers"].as_array().unwrap();
    let stages: Vec<&str> = workers.iter().map(|w| w["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["ocr", "classify", "extract", "route"]);
    for w in workers {
        positive(w, "peak_rss_mib");
    }
    for key in ["cli_default_env", "cli_omp_thread_limit_1"] {
        assert_eq!(r[key]["failures"], 0, "{key}: {}", r[key]);
        positive(&r[key], "pages_per_sec");
    }
    positive(&r, "ratio_vs_cli_omp1");
}

#[test]
fn bench_ocr_compares_with_the_command_line_and_scores_twins() {
    let r = run_bench(&["ocr", "--pages", "2", "--twins", "1"]);
    assert!(r["tamis"]["pages"].as_u64().unwrap() >= 2);
    assert_eq!(r["tamis"]["failures"], 0);
    positive(&r["tamis"], "pages_per_sec");
    positive(&r["tamis"], "cpu_seconds_per_page");
    for key in ["cli_default_env", "cli_omp_thread_limit_1"] {
        assert_eq!(r[key]["pages"], r["tamis"]["pages"], "both sides read the same pages");
        assert_eq!(r[key]["failures"], 0);
        positive(&r[key], "pages_per_sec");
    }
    positive(&r, "ratio_vs_cli_default");
    positive(&r, "ratio_vs_cli_omp1");
    let twins = r["twins"].as_array().unwrap();
    assert_eq!(twins.len(), 1);
    let cer = r["tamis_cer"].as_f64().unwrap();
    // A clean 200-DPI rendering of a born-digital page reads nearly perfectly.
    assert!((0.0..0.25).contains(&cer), "character error rate {cer} on a clean rendering");
}
