//! `cargo bench --bench formats`: the cost of each output format on a file
//! with 10,000 findings. The human format renders source snippets, so it is
//! the slowest; it must stay within 3x of JSON (it was quadratic, 29 s, when
//! every snippet re-read the file from its start).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

mod measure;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let built = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "alertlint"])
        .current_dir(&root)
        .status()
        .is_ok_and(|s| s.success());
    assert!(built, "cargo build --release failed");
    let alertlint = root.join("target/release/alertlint");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rules = String::from("groups:\n- name: g\n  rules:\n");
    for i in 0..10_000 {
        // One `promql/syntax` error per rule: a finding whose count no default can change.
        rules.push_str(&format!("  - alert: A{i}\n    expr: up{{job=\"j{i}\"}} ==\n"));
    }
    let file = dir.path().join("rules.yaml");
    std::fs::write(&file, rules).expect("write rules");
    let runs: usize = std::env::var("ALERTLINT_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let mut medians = Vec::new();
    for format in ["json", "human", "concise", "sarif", "github", "gitlab", "junit", "checkstyle"] {
        let samples: Vec<Duration> = (0..runs)
            .map(|_| {
                let mut command = Command::new(&alertlint);
                command.args(["check", "--select", "promql/syntax", "--format", format]).arg(&file);
                measure::run(&mut command).0
            })
            .collect();
        let m = median(samples);
        println!("{format:<11} {:>8.1} ms", m.as_secs_f64() * 1000.0);
        medians.push((format, m));
    }
    let json = medians[0].1.as_secs_f64();
    let human = medians[1].1.as_secs_f64();
    println!("human / json: {:.2}x (10,000 findings, median of {runs})", human / json);
}
