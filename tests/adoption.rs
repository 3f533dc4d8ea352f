//! Adopting alertlint on a repository with history: the baseline round trip,
//! the line-oriented and CI formats (GitLab Code Quality, JUnit), statistics,
//! `--output-file` and `--quiet`, all through the binary.

mod common;

use std::path::Path;

use common::run;
use serde_json::Value;

const RULES: &str = "groups:
- name: api
  rules:
  - alert: ApiDown
    expr: up{job=\"api\"} == 0
    labels: { severity: critical }
  - alert: ApiSlow
    expr: histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1
    for: 10m
    labels: { severity: warning, team: api }
    annotations: { runbook_url: 'https://runbooks.example.com/api-slow' }
";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write file");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Findings of `--format json` as (lint, rule, line).
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String, u64)> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all, None);
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["lint"].as_str().unwrap_or_default().to_string(),
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn baseline_round_trip_survives_moved_lines_and_reports_only_new_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "rules.yaml", RULES);
    let before = findings(d, &["rules.yaml"]);
    assert!(!before.is_empty(), "the fixture has findings to record");

    // Update: written, exit 0 whatever the findings.
    let out = run(d, &["check", "--baseline", "base.json", "--update-baseline", "rules.yaml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let baseline: Value = serde_json::from_slice(&std::fs::read(d.join("base.json")).expect("baseline written"))
        .expect("baseline is JSON");
    assert_eq!(baseline["version"], 1);
    let recorded: u64 =
        baseline["findings"].as_array().expect("findings").iter().map(|e| e["count"].as_u64().unwrap_or(0)).sum();
    assert_eq!(recorded as usize, before.len());
    for entry in baseline["findings"].as_array().expect("findings") {
        for key in ["file", "lint", "message", "count"] {
            assert!(entry.get(key).is_some(), "entry without `{key}`: {entry}");
        }
        assert!(entry.get("line").is_none(), "line numbers are not part of the baseline");
    }

    // Clean with the baseline.
    assert_eq!(findings(d, &["--baseline", "base.json", "rules.yaml"]), vec![]);
    let out = run(d, &["check", "--fail-on", "info", "--baseline", "base.json", "rules.yaml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // Shift every line: still clean.
    write(d, "rules.yaml", &format!("# a comment\n\n# another\n{RULES}"));
    assert_eq!(findings(d, &["--baseline", "base.json", "rules.yaml"]), vec![]);

    // A new problem: exactly it is reported.
    let added = format!(
        "# a comment\n\n# another\n{RULES}  - alert: QueueFull\n    expr: queue_depth > 100\n    labels: {{ severity: critcal }}\n"
    );
    write(d, "rules.yaml", &added);
    let without = findings(d, &["rules.yaml"]);
    let new: Vec<_> = without.iter().filter(|f| f.1 == "QueueFull").cloned().collect();
    assert!(!new.is_empty());
    assert_eq!(findings(d, &["--baseline", "base.json", "rules.yaml"]), new);

    // A fixed problem is listed as stale.
    write(
        d,
        "rules.yaml",
        &RULES.replace("labels: { severity: critical }", "labels: { severity: critical, team: api }"),
    );
    let out = run(d, &["check", "--baseline", "base.json", "rules.yaml"], None);
    assert!(text(&out.stderr).contains("no longer occur"), "{}", text(&out.stderr));
}

#[test]
fn a_broken_baseline_is_a_usage_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "rules.yaml", RULES);
    write(dir.path(), "base.json", "{\"version\": 7, \"findings\": []}");
    let out = run(dir.path(), &["check", "--baseline", "base.json", "rules.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("base.json"), "{}", text(&out.stderr));
    let out = run(dir.path(), &["check", "--update-baseline", "rules.yaml"], None);
    assert_eq!(out.status.code(), Some(2), "--update-baseline needs --baseline");
}

#[test]
fn gitlab_code_quality_has_the_documented_fields_and_stable_fingerprints() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "rules.yaml", RULES);
    let out = run(dir.path(), &["check", "--format", "gitlab", "rules.yaml"], None);
    let issues: Value = serde_json::from_slice(&out.stdout).expect("Code Quality JSON");
    let issues = issues.as_array().expect("an array of issues");
    assert_eq!(issues.len(), findings(dir.path(), &["rules.yaml"]).len());
    let mut fingerprints = std::collections::HashSet::new();
    for issue in issues {
        // https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
        assert!(issue["description"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(issue["check_name"].as_str().is_some_and(|s| s.contains('/')));
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&issue["severity"].as_str().unwrap_or("")));
        assert_eq!(issue["location"]["path"], "rules.yaml");
        assert!(issue["location"]["positions"]["begin"]["line"].as_u64().is_some_and(|l| l >= 1));
        assert!(fingerprints.insert(issue["fingerprint"].as_str().expect("fingerprint").to_string()), "unique");
    }
    // Moving lines keeps every fingerprint.
    write(dir.path(), "rules.yaml", &format!("\n\n{RULES}"));
    let moved: Value =
        serde_json::from_slice(&run(dir.path(), &["check", "--format", "gitlab", "rules.yaml"], None).stdout)
            .expect("JSON");
    let moved: std::collections::HashSet<String> =
        moved.as_array().expect("array").iter().map(|i| i["fingerprint"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(moved, fingerprints);
}

#[test]
fn junit_has_one_test_case_per_rule_and_failures_at_fail_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "rules.yaml", RULES);
    let out = run(dir.path(), &["check", "--format", "junit", "--fail-on", "warning", "rules.yaml"], None);
    let xml = text(&out.stdout);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    let names: Vec<_> = cases.iter().filter_map(|c| c.attribute("name")).collect();
    assert_eq!(names, ["api/ApiDown", "api/ApiSlow"]);
    let failed: Vec<_> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .filter_map(|c| c.attribute("name"))
        .collect();
    assert_eq!(failed, ["api/ApiDown"], "ApiDown has no owner and no runbook; ApiSlow is clean");
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).expect("a test suite");
    assert_eq!(suite.attribute("tests"), Some("2"));
    assert_eq!(suite.attribute("failures"), Some("1"));
}

#[test]
fn concise_statistics_quiet_and_output_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "rules.yaml", RULES);
    let all = findings(d, &["rules.yaml"]);

    let out = run(d, &["check", "--format", "concise", "rules.yaml"], None);
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), all.len() + 1, "one line per finding and a summary: {lines:?}");
    for (line, (lint, _, number)) in lines.iter().zip(&all) {
        assert!(line.starts_with(&format!("rules.yaml:{number}:")), "{line}");
        assert!(line.contains(&format!(" [{lint}] ")), "{line}");
    }
    let quiet = run(d, &["check", "--format", "concise", "-q", "rules.yaml"], None);
    assert_eq!(text(&quiet.stdout).lines().count(), all.len());

    let stats = run(d, &["check", "--statistics", "-q", "rules.yaml"], None);
    let total: usize = text(&stats.stdout)
        .lines()
        .map(|l| l.split_whitespace().next().and_then(|n| n.parse::<usize>().ok()).expect("count first"))
        .sum();
    assert_eq!(total, all.len());

    let out = run(d, &["check", "--format", "json", "--output-file", "report.json", "rules.yaml"], None);
    assert!(out.stdout.is_empty());
    let report: Value = serde_json::from_slice(&std::fs::read(d.join("report.json")).expect("written")).expect("JSON");
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(all.len()));
    assert_eq!(out.status.code(), Some(0), "only warnings: exit 0 with the default --fail-on");
}

#[test]
fn a_dated_suppression_holds_until_its_date_then_reports_itself_and_the_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rule = |date: &str| {
        format!(
            "groups:\n- name: g\n  rules:\n  # alertlint disable owner/missing until {date} -- TICKET-1\n  - alert: A\n    expr: up == 0\n    for: 5m\n    labels: {{ severity: warning }}\n    annotations: {{ runbook_url: 'https://runbooks.example.com/a' }}\n"
        )
    };
    // Owner labels are required here (without it, a repository with no owner labels gets no owner/missing).
    write(dir.path(), ".alertlint.yaml", "owner: { labels: [team] }\n");
    write(dir.path(), "future.yaml", &rule("2999-12-31"));
    write(dir.path(), "past.yaml", &rule("2001-01-31"));
    let lints = |file: &str| -> Vec<String> { findings(dir.path(), &[file]).into_iter().map(|f| f.0).collect() };
    assert!(!lints("future.yaml").iter().any(|l| l == "owner/missing" || l.starts_with("suppression/")));
    let past = lints("past.yaml");
    assert!(past.iter().any(|l| l == "suppression/expired"), "{past:?}");
    // The finding it held back is reported again, if the lint fires here at all.
    let unsuppressed = lints("future.yaml").len();
    assert!(past.len() > unsuppressed, "{past:?}");
}

/// Every fix kind alertlint has, in one file: an unused suppression, a
/// misspelt lint id in a suppression, a missing `for:` and a too short one.
const FIXABLE: &str = "groups:
- name: api
  rules:
  # alertlint disable template/value-in-label -- nothing to suppress here
  - alert: QueueFull
    expr: queue_depth{queue=~\"orders\", job=~\"^api$\"} > 100
    labels: { severity: warning, team: api }
    annotations: { runbook_url: 'https://runbooks.example.com/queue', descrition: 'the queue is full' }
  # alertlint disable owner/mising
  - alert: DiskFull
    expr: disk_used_ratio > 0.9
    for: 0s
    labels: { severity: warning }
    annotations: { runbook_url: 'https://runbooks.example.com/disk' }
  - alert: CaseSlip
    expr: up{job=\"api\"} == 0
    for: 5m
    labels: { severity: Warning, team: api }
    annotations: { runbook_url: 'https://runbooks.example.com/case' }
";

#[test]
fn fix_applies_every_fix_kind_keeps_promtool_happy_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // A minimum `for`, so that the explicit `for: 0s` is a finding (by default it is the author's choice).
    write(d, ".alertlint.yaml", "lints:\n  noise/for-too-short: { min_for: 1m }\n");
    write(d, "rules.yaml", FIXABLE);
    let before: Vec<String> = findings(d, &["rules.yaml"]).into_iter().map(|f| f.0).collect();

    // --diff shows the fixes and changes nothing.
    let out = run(d, &["check", "--fix", "--diff", "rules.yaml"], None);
    let patch = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{patch}");
    assert!(patch.contains("--- a/rules.yaml") && patch.contains("+++ b/rules.yaml"), "{patch}");
    assert_eq!(std::fs::read_to_string(d.join("rules.yaml")).expect("read"), FIXABLE);

    let out = run(d, &["check", "--fix", "rules.yaml"], None);
    assert!(text(&out.stderr).contains("fixed 1 file"), "{}", text(&out.stderr));
    let fixed = std::fs::read_to_string(d.join("rules.yaml")).expect("read");
    assert!(!fixed.contains("template/value-in-label"), "unused suppression removed:\n{fixed}");
    assert!(fixed.contains("# alertlint disable owner/missing"), "misspelt id corrected:\n{fixed}");
    assert!(!fixed.contains("for: 0s"), "short `for` raised:\n{fixed}");
    assert_eq!(fixed.matches("for: ").count(), 3, "missing `for` added:\n{fixed}");
    assert!(!fixed.contains("nothing to suppress"));
    assert!(!fixed.contains("severity: Warning"), "severity spelt as the repository spells it:\n{fixed}");
    assert!(fixed.contains(r#"queue="orders""#), "needless regex rewritten to `=`:\n{fixed}");
    assert!(fixed.contains(r#"job="api""#), "redundant anchors removed, then the needless regex:\n{fixed}");
    assert!(fixed.contains("description: 'the queue is full'"), "misspelt annotation key renamed:\n{fixed}");
    let after: Vec<String> = findings(d, &["rules.yaml"]).into_iter().map(|f| f.0).collect();
    for lint in [
        "suppression/unused",
        "suppression/unknown-lint",
        "noise/for-too-short",
        "promql/redundant-regex",
        "alerts/key-typo",
        "severity/unknown",
    ] {
        if before.iter().any(|l| l == lint) {
            assert!(!after.iter().any(|l| l == lint), "{lint} left after --fix: {after:?}");
        }
    }

    // A second --fix changes nothing.
    let out = run(d, &["check", "--fix", "--diff", "rules.yaml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty());

    if common::oracle("promtool") {
        let out = std::process::Command::new("promtool")
            .args(["check", "rules", "--lint=none", "rules.yaml"])
            .current_dir(d)
            .output()
            .expect("run promtool");
        assert!(out.status.success(), "promtool rejects the fixed file: {}", text(&out.stdout) + &text(&out.stderr));
    }
}

#[test]
fn human_output_of_a_finding_on_a_very_long_line_is_plain_not_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chain = (0..30_000).map(|i| format!("up{{job=\"j{i}\"}}")).collect::<Vec<_>>().join(" or ");
    write(dir.path(), "long.yaml", &format!("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: {chain} ==\n"));
    let out = run(dir.path(), &["check", "long.yaml"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("[promql/syntax]"), "{}", &stdout[..stdout.len().min(2000)]);
    assert!(stdout.lines().all(|l| l.chars().count() < 2_000), "no source line is drawn");
}
