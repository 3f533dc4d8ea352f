//! `cargo bench --bench check_vs_promtool`: times `alertlint check` (all
//! default lints) and `promtool check rules` on the same files — every
//! Prometheus rule file of ../shared/corpus that promtool accepts — and prints
//! both medians, the ratio and alertlint's peak memory.
//!
//! `ALERTLINT_BENCH_RUNS` sets the number of timed runs (default 15).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod measure;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Rule files of the corpus that promtool accepts.
fn accepted_files(promtool: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let files: Vec<String> = manifest
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() > 4 && c[4] == "prometheus-rules")
        .map(|c| format!("{}/{}", c[0].replace('/', "__"), c[3]))
        .collect();
    files
        .into_iter()
        .filter(|f| {
            Command::new(promtool)
                .args(["check", "rules", "--lint=none", f])
                .current_dir(corpus())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect()
}

/// Runs the command once on the corpus files; wall time and peak memory (KiB).
fn run(program: &str, args: &[&str], files: &[String]) -> (Duration, i64) {
    measure::run(Command::new(program).args(args).args(files).current_dir(corpus()))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let promtool = std::env::var("PROMTOOL").unwrap_or_else(|_| "promtool".into());
    if Command::new(&promtool).arg("--version").output().is_err() {
        eprintln!("promtool not found: install Debian's `prometheus` package");
        return;
    }
    let alertlint = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/alertlint");
    let built = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "alertlint"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status();
    assert!(built.is_ok_and(|s| s.success()), "cargo build --release failed");
    let alertlint = alertlint.to_string_lossy().into_owned();

    let runs: usize = std::env::var("ALERTLINT_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(15);
    let files = accepted_files(&promtool);
    let rules: usize = files
        .iter()
        .map(|f| std::fs::read_to_string(corpus().join(f)).unwrap_or_default().matches("expr:").count())
        .sum();
    println!("{} rule files accepted by promtool, about {rules} rules; {runs} runs each", files.len());

    // Warm the page cache and both binaries.
    run(&promtool, &["check", "rules", "--lint=none"], &files);
    run(&alertlint, &["check", "--format", "json"], &files);

    let ours: Vec<(Duration, i64)> =
        (0..runs).map(|_| run(&alertlint, &["check", "--format", "json"], &files)).collect();
    let theirs: Vec<(Duration, i64)> =
        (0..runs).map(|_| run(&promtool, &["check", "rules", "--lint=none"], &files)).collect();
    let peak_kib = ours.iter().map(|r| r.1).max().unwrap_or(0);
    let promtool_kib = theirs.iter().map(|r| r.1).max().unwrap_or(0);
    let ours = ours.into_iter().map(|r| r.0).collect();
    let theirs = theirs.into_iter().map(|r| r.0).collect();

    let (ours, theirs) = (median(ours), median(theirs));
    println!("alertlint check:      median {:>8.1} ms", ours.as_secs_f64() * 1e3);
    println!("promtool check rules: median {:>8.1} ms", theirs.as_secs_f64() * 1e3);
    println!("ratio: alertlint is {:.1}x faster", theirs.as_secs_f64() / ours.as_secs_f64());
    println!(
        "peak memory: alertlint {:.1} MiB, promtool {:.1} MiB",
        peak_kib as f64 / 1024.0,
        promtool_kib as f64 / 1024.0
    );
}
