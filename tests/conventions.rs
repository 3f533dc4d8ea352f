//! Conventions read from the rule files when nothing is configured, through
//! the binary: which keys count, where the `*/missing` lints apply, the
//! severity vocabulary, the unknown scrape interval, and what `init` writes.

mod common;

use std::process::Output;

use common::run as alertlint;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `(lint, rule)` of every finding.
fn findings(o: &Output) -> Vec<(String, String)> {
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)));
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| (d["lint"].as_str().unwrap_or("").to_string(), d["rule"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// An alert with the given flow-style labels and annotations.
fn alert(name: &str, labels: &str, annotations: &str) -> String {
    format!(
        "      - alert: {name}\n        expr: job:errors:ratio_rate5m > 0.05\n        for: 10m\n        labels: {{{labels}}}\n        annotations: {{{annotations}}}\n"
    )
}

fn rules(alerts: &[String]) -> String {
    format!("groups:\n  - name: g\n    rules:\n{}", alerts.concat())
}

fn check(dir: &tempfile::TempDir) -> Vec<(String, String)> {
    findings(&alertlint(dir.path(), &["check", "--format", "json", "."], None))
}

#[test]
fn a_repository_without_the_convention_gets_no_missing_findings() {
    // Severities everywhere, but no runbooks and no owners: only the conventions it has apply.
    let text = rules(&[alert("A", "severity: page", ""), alert("B", "severity: page", ""), alert("C", "", "")]);
    let dir = scratch(&[("rules/a.yaml", &text)]);
    assert_eq!(check(&dir), [("severity/missing".to_string(), "C".to_string())]);
}

#[test]
fn the_repository_keys_count_and_outliers_are_reported() {
    let text = rules(&[
        alert("A", "squad: db, level: s1", "runbook: 'docs/runbooks/a.md'"),
        alert("B", "squad: db, level: s2", "playbook: 'https://wiki.example.com/b'"),
        alert("C", "level: s2", "dashboard_url: 'https://grafana.example.com/d/c'"),
    ]);
    let dir = scratch(&[("rules/a.yaml", &text)]);
    let mut got = check(&dir);
    got.sort();
    assert_eq!(got, [("owner/missing".to_string(), "C".to_string()), ("runbook/missing".to_string(), "C".to_string())]);
    let out = alertlint(dir.path(), &["check", "."], None);
    let text = stdout(&out);
    assert!(text.contains("alert `C` has no `squad` label"), "{text}");
    // The help names the repository's own key, never the dashboard.
    assert!(text.contains("add an annotation `runbook: https://...`"), "{text}");
    assert!(!text.contains("dashboard_url` links"), "{text}");
}

#[test]
fn an_owner_joined_in_by_the_expression_counts() {
    let joined =
        "      - alert: J\n        expr: up * on (instance) group_left (team) service_owner == 0\n        for: 5m\n";
    let text = format!("{}{joined}", rules(&[alert("A", "team: db", ""), alert("B", "team: db", "")]));
    let dir = scratch(&[("rules/a.yaml", &text)]);
    assert_eq!(check(&dir), Vec::<(String, String)>::new());
}

#[test]
fn conventions_hold_per_directory_not_across_the_tree() {
    let owned = rules(&[alert("A", "team: db", ""), alert("B", "team: db", "")]);
    let unowned = rules(&[alert("C", "", "")]);
    // Same directory: the neighbour's convention applies.
    let dir = scratch(&[("rules/a.yaml", &owned), ("rules/b.yaml", &unowned)]);
    assert_eq!(check(&dir), [("owner/missing".to_string(), "C".to_string())]);
    // Another directory (test fixtures, another team): it does not.
    let dir = scratch(&[("rules/a.yaml", &owned), ("testdata/b.yaml", &unowned)]);
    assert_eq!(check(&dir), Vec::<(String, String)>::new());
    // Configured, it applies everywhere.
    let dir = scratch(&[
        (".alertlint.yaml", "owner: { labels: [team] }\n"),
        ("rules/a.yaml", &owned),
        ("testdata/b.yaml", &unowned),
    ]);
    assert_eq!(check(&dir), [("owner/missing".to_string(), "C".to_string())]);
}

#[test]
fn severity_vocabulary_is_the_repository_own() {
    let mut alerts: Vec<String> = (0..6).map(|i| alert(&format!("P{i}"), "severity: page", "")).collect();
    alerts.extend((0..4).map(|i| alert(&format!("T{i}"), "severity: ticket", "")));
    alerts.push(alert("Typo", "severity: pgae", ""));
    alerts.push(alert("Case", "severity: Page", ""));
    let dir = scratch(&[("rules/a.yaml", &rules(&alerts))]);
    let mut got = check(&dir);
    got.sort();
    assert_eq!(
        got,
        [("severity/unknown".to_string(), "Case".to_string()), ("severity/unknown".to_string(), "Typo".to_string())]
    );
    // Configured values win.
    std::fs::write(dir.path().join(".alertlint.yaml"), "severity: { values: [page] }\n").expect("write");
    let unknown = check(&dir).into_iter().filter(|(l, _)| l == "severity/unknown").count();
    assert_eq!(unknown, 6, "4 tickets, the typo and the other case");
}

#[test]
fn the_scrape_interval_is_unknown_unless_configured() {
    let text = "groups:\n  - name: g\n    rules:\n      - record: job:a:rate1m\n        expr: sum by (job) (rate(a_total[1m]))\n      - record: job:b:rate30s\n        expr: sum by (job) (rate(b_total[30s]))\n";
    let dir = scratch(&[("rules/a.yaml", text)]);
    let windows = |dir: &tempfile::TempDir| -> Vec<String> {
        check(dir).into_iter().filter(|(l, _)| l == "noise/rate-window-too-short").map(|(_, r)| r).collect()
    };
    assert_eq!(windows(&dir), ["job:b:rate30s"]);
    std::fs::write(dir.path().join(".alertlint.yaml"), "prometheus: { scrape_interval: 1m }\n").expect("write");
    assert_eq!(windows(&dir), ["job:a:rate1m", "job:b:rate30s"]);
}

#[test]
fn init_writes_the_inferred_conventions() {
    let mut alerts: Vec<String> =
        (0..3).map(|i| alert(&format!("A{i}"), "squad: db, severity: page", "playbook: 'https://wiki/a'")).collect();
    alerts.push(alert("B", "squad: db, severity: ticket", ""));
    alerts.push(alert("C", "squad: db, severity: pgae", ""));
    let dir = scratch(&[("rules/a.yaml", &rules(&alerts))]);
    let out = alertlint(dir.path(), &["init"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join(".alertlint.yaml")).expect("written");
    assert!(written.contains("runbook:\n  annotations: [playbook]\n"), "{written}");
    assert!(written.contains("owner:\n  labels: [squad]\n"), "{written}");
    assert!(written.contains("severity:\n  label: severity\n  values: [page, ticket]\n"), "{written}");
    assert!(written.contains("`pgae` (1)"), "the outlier is named, not allowed: {written}");
    assert!(written.contains("3 of 5 alerts have a runbook"), "{written}");
    // The written file is a valid configuration, and pinning the conventions keeps the findings.
    let out = alertlint(dir.path(), &["check", "--format", "json", "."], None);
    let mut got = findings(&out);
    got.sort();
    assert_eq!(
        got,
        [
            ("runbook/missing".to_string(), "B".to_string()),
            ("runbook/missing".to_string(), "C".to_string()),
            ("severity/unknown".to_string(), "C".to_string())
        ],
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_comments_out_conventions_nobody_follows() {
    let dir = scratch(&[("rules/a.yaml", &rules(&[alert("A", "severity: page", "")]))]);
    assert_eq!(alertlint(dir.path(), &["init"], None).status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join(".alertlint.yaml")).expect("written");
    assert!(written.contains("# runbook:\n#   annotations: [runbook_url]\n"), "{written}");
    assert!(written.contains("# owner:\n#   labels: [team]\n"), "{written}");
    assert!(written.contains("severity:\n  label: severity\n  values: [page]\n"), "{written}");
}

#[test]
fn init_keeps_an_existing_yml_configuration() {
    let dir = scratch(&[(".alertlint.yml", "lints:\n  runbook/missing: off\n")]);
    let out = alertlint(dir.path(), &["init"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".alertlint.yml already exists"), "{}", stderr(&out));
    assert!(!dir.path().join(".alertlint.yaml").exists(), "a second file would take precedence");
    let out = alertlint(dir.path(), &["init", "--force"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!dir.path().join(".alertlint.yaml").exists());
    let written = std::fs::read_to_string(dir.path().join(".alertlint.yml")).expect("replaced");
    assert!(written.contains("dialect: prometheus"), "{written}");
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symlink() {
    let dir = scratch(&[]);
    let target = dir.path().join("elsewhere.yaml");
    std::os::unix::fs::symlink(&target, dir.path().join(".alertlint.yaml")).expect("symlink");
    // A dangling link exists too.
    let out = alertlint(dir.path(), &["init"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = alertlint(dir.path(), &["init", "--force"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert!(!target.exists(), "the link's target was written");
}
