//! `--changed-since REF` on a real git repository made in a temporary
//! directory: a changed rule is reported, an unchanged rule in the same file
//! stays silent, a removed recording rule that is still read is reported, and
//! a renamed file is not treated as new.

mod common;

use std::path::Path;
use std::process::Command;

use common::run;
use serde_json::Value;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn has_git() -> bool {
    let found = Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var("ALERTLINT_REQUIRE_ORACLES").as_deref() != Ok("1"), "git is required");
        eprintln!("skipped: git is not installed");
    }
    found
}

/// (lint, rule) of every finding.
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all, None);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| (d["lint"].as_str().unwrap_or("").to_string(), d["rule"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// An alert that every default configuration reports (a syntax error).
fn broken(name: &str) -> String {
    format!("  - alert: {name}\n    expr: up ==\n")
}

#[test]
fn only_changed_rules_are_reported() {
    if !has_git() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let records = "groups:\n- name: rec\n  rules:\n  - record: job:errors:rate5m\n    expr: sum by (job) (rate(errors_total[5m]))\n";
    std::fs::write(d.join("records.yaml"), records).expect("write");
    let alerts = format!("groups:\n- name: g\n  rules:\n{}{}", broken("Old"), broken("Touched"));
    std::fs::write(d.join("alerts.yaml"), &alerts).expect("write");
    std::fs::write(d.join("other.yaml"), format!("groups:\n- name: o\n  rules:\n{}", broken("Elsewhere"))).expect("w");
    std::fs::write(d.join("moved.yaml"), format!("groups:\n- name: m\n  rules:\n{}", broken("Moved"))).expect("w");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);

    // Change one rule, keep the other, add a rule, remove the recording rule
    // that a new alert reads, rename a file without changing it.
    let changed = alerts
        .replace("  - alert: Touched\n    expr: up ==\n", "  - alert: Touched\n    expr: up{job=\"x\"} ==\n")
        + &broken("Added")
        + "  - alert: ReadsRemoved\n    expr: job:errors:rate5m > 1\n    for: 5m\n";
    std::fs::write(d.join("alerts.yaml"), changed).expect("write");
    std::fs::write(d.join("records.yaml"), "groups:\n- name: rec\n  rules: []\n").expect("write");
    git(d, &["mv", "moved.yaml", "renamed.yaml"]);

    let all = findings(d, &["."]);
    assert!(all.iter().any(|f| f.1 == "Old") && all.iter().any(|f| f.1 == "Elsewhere"), "{all:?}");

    let since = findings(d, &["--changed-since", "main", "."]);
    let rules: std::collections::BTreeSet<&str> = since.iter().map(|f| f.1.as_str()).collect();
    assert!(rules.contains("Touched"), "a changed rule is reported: {since:?}");
    assert!(rules.contains("Added"), "an added rule is reported: {since:?}");
    assert!(!rules.contains("Old"), "an unchanged rule in a changed file is silent: {since:?}");
    assert!(!rules.contains("Elsewhere"), "an unchanged file is silent: {since:?}");
    assert!(!rules.contains("Moved"), "a renamed, unchanged file is silent: {since:?}");
    assert!(
        since.iter().any(|f| f.0 == "rule/dependency" && f.1 == "ReadsRemoved"),
        "a removed recording rule still read is reported: {since:?}"
    );

    let out = run(d, &["check", "--changed-since", "no-such-ref", "."], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-ref"));
}
