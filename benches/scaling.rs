//! `cargo bench --bench scaling`: how `alertlint check` grows with the number
//! of rules. Generated rule sets of 1k, 10k and 100k rules, laid out as one
//! file and as files of 100 rules, are checked by the release binary; the
//! median wall time and the peak memory are printed with the cost per rule.
//! Time and memory should grow about linearly: the per-rule figures of the
//! largest set should stay close to those of the smallest.
//!
//! `ALERTLINT_BENCH_RUNS` sets the number of timed runs (default 5);
//! `ALERTLINT_SCALING_MAX` the largest set (default 100000).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod measure;

const RULES_PER_FILE: usize = 100;

/// One generated rule. The mix exercises the lints that do real work: a
/// threshold on a rate (noise lints), templates with label references,
/// a recording rule every fifth rule, an inline suppression every tenth, and
/// a finding (missing runbook) every seventh, so reports are not empty.
fn rule(i: usize) -> String {
    let mut s = String::new();
    if i % 5 == 0 {
        let _ = write!(
            s,
            "      - record: job:http_requests_{i}:rate5m\n        expr: sum by (job) (rate(http_requests_total{{code=~\"5..\", shard=\"{i}\"}}[5m]))\n"
        );
        return s;
    }
    if i % 10 == 1 {
        s.push_str("      # alertlint disable noise/irate -- dashboards want the spikes\n");
    }
    let _ = write!(
        s,
        "      - alert: HighErrorRate{i}\n        expr: sum by (job, instance) (irate(http_errors_total{{shard=\"{i}\"}}[5m])) / sum by (job, instance) (rate(http_requests_total[5m])) > 0.05\n        for: 10m\n        labels:\n          severity: critical\n          team: sre\n        annotations:\n          summary: '{{{{ $labels.instance }}}} of {{{{ $labels.job }}}} fails {{{{ $value | humanizePercentage }}}} of requests'\n"
    );
    if i % 7 != 0 {
        let _ = writeln!(s, "          runbook_url: https://runbooks.example.com/high-error-rate-{i}");
    }
    s
}

/// Writes `rules` rules under `dir`, in one file or in files of `RULES_PER_FILE`.
fn generate(dir: &Path, rules: usize, one_file: bool) -> usize {
    let per_file = if one_file { rules } else { RULES_PER_FILE };
    let mut files = 0;
    let mut next = 0;
    while next < rules {
        let mut text = String::from("groups:\n");
        let end = (next + per_file).min(rules);
        for (g, chunk_start) in (next..end).step_by(20).enumerate() {
            let _ = write!(text, "  - name: group-{files}-{g}\n    rules:\n");
            for i in chunk_start..(chunk_start + 20).min(end) {
                text.push_str(&rule(i));
            }
        }
        std::fs::write(dir.join(format!("rules-{files:05}.yaml")), text).expect("write rules");
        files += 1;
        next = end;
    }
    files
}

/// One run: wall time and peak resident memory (KiB) of the child.
fn run(binary: &Path, dir: &Path) -> (Duration, i64) {
    measure::run(Command::new(binary).args(["check", "--format", "json", "."]).current_dir(dir))
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let built =
        Command::new("cargo").args(["build", "--release", "--quiet", "--bin", "alertlint"]).current_dir(&root).status();
    assert!(built.is_ok_and(|s| s.success()), "cargo build --release failed");
    let binary = root.join("target/release/alertlint");
    let runs: usize = std::env::var("ALERTLINT_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let max: usize = std::env::var("ALERTLINT_SCALING_MAX").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);

    println!("{runs} runs each; median wall time, peak RSS of the slowest-memory run");
    println!(
        "{:>7}  {:<9} {:>6}  {:>9}  {:>9}  {:>8}  {:>8}",
        "rules", "layout", "files", "time", "peak", "µs/rule", "KiB/rule"
    );
    for rules in [1_000, 10_000, 100_000].into_iter().filter(|&n| n <= max) {
        for one_file in [true, false] {
            let dir = tempfile::tempdir().expect("tempdir");
            let files = generate(dir.path(), rules, one_file);
            run(&binary, dir.path()); // warm the page cache
            let mut samples: Vec<(Duration, i64)> = (0..runs).map(|_| run(&binary, dir.path())).collect();
            samples.sort();
            let time = samples[samples.len() / 2].0;
            let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
            println!(
                "{rules:>7}  {:<9} {files:>6}  {:>7.1}ms  {:>6.1}MiB  {:>8.2}  {:>8.2}",
                if one_file { "one file" } else { "100/file" },
                time.as_secs_f64() * 1e3,
                peak as f64 / 1024.0,
                time.as_secs_f64() * 1e6 / rules as f64,
                peak as f64 / rules as f64,
            );
        }
    }
}
