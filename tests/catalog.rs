//! Saved scrapes: `prometheus.metrics` globs and `--metrics` files give the
//! lints metric names and types.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metrics")
}

/// `(lint, rule)` of every finding of these lints.
fn findings(output: &std::process::Output, lints: &[&str]) -> Vec<(String, String)> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| lints.iter().any(|l| d["lint"] == *l))
        .map(|d| (d["lint"].as_str().unwrap_or("").to_string(), d["rule"].as_str().unwrap_or("").to_string()))
        .collect()
}

const LINTS: &[&str] = &["noise/rate-of-gauge", "noise/raw-counter", "metric/unknown"];

#[test]
fn globs_in_the_configuration_load_types_for_the_lints() {
    let output = common::alertlint()
        .current_dir(fixtures())
        .args(["check", "rules.yaml", "--format", "json"])
        .output()
        .expect("run alertlint");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let pair = |l: &str, r: &str| (l.to_string(), r.to_string());
    assert_eq!(
        findings(&output, LINTS),
        [
            pair("noise/rate-of-gauge", "MemoryDropping"),
            // A gauge named `_total` is left alone; a counter family's `_total` sample is not.
            pair("noise/raw-counter", "ManyJobs"),
            pair("metric/unknown", "Typo"),
        ]
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("did you mean `node_memory_free_bytes`?"), "{stdout}");
}

#[test]
fn without_scrapes_names_decide() {
    let output = common::alertlint()
        .current_dir(fixtures())
        .args(["check", "rules.yaml", "--format", "json", "--config", "/dev/null"])
        .output()
        .expect("run alertlint");
    let pair = |l: &str, r: &str| (l.to_string(), r.to_string());
    assert_eq!(
        findings(&output, LINTS),
        [pair("noise/raw-counter", "QueueLarge"), pair("noise/raw-counter", "ManyJobs")]
    );
}

#[test]
fn metrics_option_adds_files_relative_to_the_current_directory() {
    let output = common::alertlint()
        .current_dir(fixtures())
        .args(["check", "rules.yaml", "--format", "json", "--config", "/dev/null", "--metrics", "node.prom"])
        .output()
        .expect("run alertlint");
    let found = findings(&output, LINTS);
    assert!(found.contains(&("noise/rate-of-gauge".into(), "MemoryDropping".into())), "{found:?}");
    // `retries_pending` is only in app.om.
    assert!(found.contains(&("metric/unknown".into(), "RetriesPiling".into())), "{found:?}");
}

#[test]
fn an_unreadable_metrics_file_is_a_usage_error_naming_it() {
    let output = common::alertlint()
        .current_dir(fixtures())
        .args(["check", "rules.yaml", "--config", "/dev/null", "--metrics", "missing.prom"])
        .output()
        .expect("run alertlint");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.prom"), "{stderr}");
}
