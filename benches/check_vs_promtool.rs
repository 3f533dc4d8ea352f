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

    // What is compared: promtool, alertlint with every default lint, and
    // alertlint loading only (`--select yaml/syntax`). `ALERTLINT_BEFORE`
    // names another alertlint binary to compare with (an earlier build).
    let mut subjects: Vec<(String, String, Vec<&str>)> = vec![
        ("promtool check rules --lint=none".into(), promtool.clone(), vec!["check", "rules", "--lint=none"]),
        ("alertlint check (default lints)".into(), alertlint.clone(), vec!["check", "--format", "json"]),
        (
            "alertlint check --select yaml/syntax".into(),
            alertlint.clone(),
            vec!["check", "--format", "json", "--select", "yaml/syntax"],
        ),
    ];
    if let Ok(before) = std::env::var("ALERTLINT_BEFORE") {
        subjects.push(("before: default lints".into(), before.clone(), vec!["check", "--format", "json"]));
        subjects.push((
            "before: --select yaml/syntax".into(),
            before,
            vec!["check", "--format", "json", "--select", "yaml/syntax"],
        ));
    }
    // Warm the page cache and the binaries.
    for (_, program, args) in &subjects {
        run(program, args, &files);
    }
    // Alternating runs, so that a change in machine load hits every subject alike.
    let mut samples: Vec<Vec<(Duration, Duration, i64)>> = vec![Vec::new(); subjects.len()];
    for _ in 0..runs {
        for ((_, program, args), out) in subjects.iter().zip(&mut samples) {
            out.push(measure::run_with_cpu(Command::new(program).args(args).args(&files).current_dir(corpus())));
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("| | wall (median of {runs}) | CPU (median) | peak memory (max) |");
    println!("|---|---|---|---|");
    let mut walls = Vec::new();
    let mut peaks = Vec::new();
    for ((name, _, _), out) in subjects.iter().zip(samples) {
        let wall = median(out.iter().map(|s| s.0).collect());
        let cpu = median(out.iter().map(|s| s.1).collect());
        let peak = out.iter().map(|s| s.2).max().unwrap_or(0);
        walls.push(wall);
        peaks.push(peak);
        println!("| {name} | {:.1} ms | {:.1} ms | {:.1} MiB |", ms(wall), ms(cpu), peak as f64 / 1024.0);
    }
    println!(
        "ratio: alertlint (default lints) is {:.1}x faster than promtool; peak memory {:.2}x promtool's",
        walls[0].as_secs_f64() / walls[1].as_secs_f64(),
        peaks[1] as f64 / peaks[0].max(1) as f64
    );
}
