//! A Prometheus configuration as the source of truth: which files one server
//! loads together (the scope of `rule/duplicate`), and scrape intervals per job.

mod common;

use std::path::Path;

use serde_json::Value;

const RULE: &str = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 5m\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create directory");
    }
    std::fs::write(path, text).expect("write file");
}

/// `(file, line, message)` of each finding of `lint`, running in `dir`.
fn findings(dir: &Path, args: &[&str], lint: &str) -> Vec<(String, u64, String)> {
    let mut all = vec!["check", "--format", "json", "--select", lint];
    all.extend_from_slice(args);
    let output = common::alertlint().current_dir(dir).args(&all).output().expect("run alertlint");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr)));
    let mut out: Vec<_> = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The `rule/duplicate` findings of one file, `rules.yaml`, checked alone.
fn duplicates_in(text: &str) -> Vec<(String, u64, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "rules.yaml", text);
    findings(dir.path(), &["rules.yaml"], "rule/duplicate")
}

fn files(found: &[(String, u64, String)]) -> Vec<&str> {
    found.iter().map(|(f, _, _)| f.as_str()).collect()
}

#[test]
fn without_configuration_only_the_same_file_is_compared() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "prod.yaml", RULE);
    write(dir.path(), "staging.yaml", RULE);
    assert!(findings(dir.path(), &["prod.yaml", "staging.yaml"], "rule/duplicate").is_empty());
    let twice = format!("{RULE}      - alert: Down\n        expr: up == 0\n        for: 5m\n");
    write(dir.path(), "twice.yaml", &twice);
    let found = findings(dir.path(), &["twice.yaml"], "rule/duplicate");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 7);
    assert!(found[0].2.contains("already defined at line 4"), "{found:?}");
}

#[test]
fn rule_files_of_a_prometheus_configuration_are_one_scope() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "deploy/prometheus.yml", "global:\n  scrape_interval: 15s\nrule_files:\n  - ../rules/*.yaml\n");
    write(d, ".alertlint.yaml", "prometheus:\n  config: deploy/prometheus.yml\n");
    write(d, "rules/a.yaml", RULE);
    write(d, "rules/b.yaml", RULE);
    write(d, "other/c.yaml", RULE);
    let found = findings(d, &["rules", "other"], "rule/duplicate");
    assert_eq!(files(&found), ["rules/b.yaml"], "{found:?}");
    assert!(found[0].2.contains("already defined at rules/a.yaml:4"), "{found:?}");
}

#[test]
fn a_list_of_servers_compares_files_of_the_same_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(
        d,
        ".alertlint.yaml",
        "prometheus:\n  - name: prod\n    paths: ['prod/**']\n    scrape_interval: 15s\n  - name: staging\n    paths: ['staging/**']\n",
    );
    write(d, "prod/a.yaml", RULE);
    write(d, "prod/b.yaml", RULE);
    write(d, "staging/a.yaml", RULE);
    let found = findings(d, &["prod", "staging"], "rule/duplicate");
    assert_eq!(files(&found), ["prod/b.yaml"], "{found:?}");
    // Each file uses its own server's settings.
    let rate = "groups:\n  - name: g\n    rules:\n      - record: job:x:rate1m\n        expr: sum by (job) (rate(x_total[1m]))\n";
    write(d, "prod/rate.yaml", rate);
    write(d, "staging/rate.yaml", rate);
    let found = findings(d, &["prod/rate.yaml", "staging/rate.yaml"], "noise/rate-window-too-short");
    assert!(!files(&found).contains(&"prod/rate.yaml"), "15s scrapes: a 1m window is enough: {found:?}");
}

#[test]
fn a_file_reached_through_a_symlink_is_one_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "prometheus.yml", "rule_files: ['rules/*.yaml']\n");
    write(d, ".alertlint.yaml", "prometheus: { config: prometheus.yml }\n");
    write(d, "rules/a.yaml", RULE);
    std::os::unix::fs::symlink(d.join("rules/a.yaml"), d.join("rules/link.yaml")).expect("symlink");
    let found = findings(d, &["rules/a.yaml", "rules/link.yaml"], "rule/duplicate");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn merge_key_copies_are_reported_at_the_copy() {
    let text = "groups:\n  - name: g\n    rules:\n      - &base\n        alert: Down\n        expr: up == 0\n        for: 5m\n      - <<: *base\n        for: 10m\n      - alert: Other\n        expr: up == 0\n";
    let found = duplicates_in(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 8, "at the `<<: *base` item: {found:?}");
    assert!(found[0].2.contains("already defined at line 5"), "{found:?}");
}

#[test]
fn rules_that_cannot_select_the_same_series_are_not_duplicates() {
    let text = r#"groups:
  - name: g
    rules:
      - alert: Down
        expr: up{env="prod"} == 0
      - alert: Down
        expr: up{env="staging"} == 0
      - record: code:requests:rate5m
        expr: sum by (code) (rate(requests_total{code=~"5.."}[5m]))
      - record: code:requests:rate5m
        expr: sum by (code) (rate(requests_total{code=~"4.."}[5m]))
      - alert: Aggregated
        expr: sum(up{env="prod"}) == 0
      - alert: Aggregated
        expr: sum(up{env="staging"}) == 0
"#;
    let found = duplicates_in(text);
    // `sum` drops `env`: both alerts have the same identity.
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.contains("`Aggregated`"), "{found:?}");
}

/// One alert raised by several conditions is how mixins write some alerts
/// (Loki's and Cortex's compactor alerts); a copy whose threshold or
/// selector alone was changed, labels left as they were, is a slip.
#[test]
fn one_alert_with_several_conditions_is_not_a_duplicate() {
    let text = r#"groups:
  - name: g
    rules:
      - alert: CompactionStuck
        expr: time() - last_run_timestamp_seconds > 3 * 3600
        for: 1h
        labels: { severity: critical }
      - alert: CompactionStuck
        expr: max_over_time(last_run_timestamp_seconds[3h]) == 0
        labels: { severity: critical }
      - alert: HighLatency
        expr: |
          latency_seconds{job="api"} > 1
        labels: { severity: warning }
      - alert: HighLatency
        # copied for a critical threshold; the severity was left as it was
        expr: latency_seconds{job=~"api|web"}   >   5
        labels: { severity: warning }
"#;
    let found = duplicates_in(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 15, "{found:?}");
    assert!(found[0].2.contains("`HighLatency`") && found[0].2.contains("line 11"), "{found:?}");
}

#[test]
fn scrape_intervals_come_from_prometheus_yml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(
        d,
        "prometheus.yml",
        "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: slow\n    scrape_interval: 2m\n  - job_name: fast\n",
    );
    write(d, ".alertlint.yaml", "prometheus: { config: prometheus.yml }\n");
    let rules = r#"groups:
  - name: g
    rules:
      - record: job:a:rate5m
        expr: rate(a_total{job="slow"}[5m])
      - record: job:b:rate1m
        expr: rate(b_total{job="fast"}[1m])
      - record: job:c:rate30s
        expr: rate(c_total[30s])
"#;
    write(d, "rules.yaml", rules);
    let found = findings(d, &["rules.yaml"], "noise/rate-window-too-short");
    let lines: Vec<u64> = found.iter().map(|f| f.1).collect();
    assert_eq!(lines, [5, 9], "{found:?}");
    assert!(found[0].2.contains("2m scrape interval (job `slow`)"), "{found:?}");
    assert!(found[1].2.contains("15s scrape interval"), "{found:?}");
    // A missing file is a configuration error naming it.
    write(d, ".alertlint.yaml", "prometheus: { config: nowhere.yml }\n");
    let output = common::alertlint().current_dir(d).args(["check", "rules.yaml"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nowhere.yml"));
}
