//! The binary as users and CI scripts drive it: exit codes, stdin, formats,
//! configuration and suppressions end to end.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::run as alertlint;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn lints_of(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["lint"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A scratch directory with the given files.
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

const GOOD: &str = "groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:ratio_rate5m > 0.05\n        for: 10m\n        labels: { severity: critical, team: api }\n        annotations:\n          runbook_url: https://runbooks.example.com/high-error-rate\n";

/// One alert without a runbook, next to one with a runbook (so runbooks are
/// this file's convention and `runbook/missing` applies without configuration).
const NO_RUNBOOK: &str = "groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:ratio_rate5m > 0.05\n        for: 10m\n        labels: { severity: critical, team: api }\n      - expr: job:latency_seconds:p99 > 1\n        alert: HighLatency\n        for: 10m\n        labels: { severity: critical, team: api }\n        annotations: { runbook_url: \"https://runbooks.example.com/high-latency\" }\n";

#[test]
fn good_rules_pass_with_exit_zero() {
    let out = alertlint(
        &root(),
        &["check", "rules-examples/api.yaml", "rules-examples/kubernetes-prometheusrule.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("No problems found in 2 files"), "{}", stdout(&out));
}

#[test]
fn the_mistakes_example_shows_every_family() {
    let out = alertlint(&root(), &["check", "--format", "json", "rules-examples/"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    let lints = lints_of(&v);
    for family in ["promql/", "rule/", "group/", "template/", "runbook/", "owner/", "severity/"] {
        assert!(lints.iter().any(|l| l.starts_with(family)), "no {family} finding in {lints:?}");
    }
    let files: Vec<&str> = v["diagnostics"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert!(files.iter().all(|f| *f == "rules-examples/mistakes.yaml"), "{files:?}");
    assert_eq!(v["summary"]["files"], 3);
}

#[test]
fn json_positions_point_at_the_token() {
    let out = alertlint(
        &root(),
        &["check", "--format", "json", "--select", "promql/syntax", "rules-examples/mistakes.yaml"],
        None,
    );
    let v = json(&out);
    let d = &v["diagnostics"][0];
    assert_eq!(d["lint"], "promql/syntax");
    let text = std::fs::read_to_string(root().join("rules-examples/mistakes.yaml")).unwrap();
    let offset = d["range"]["start"]["offset"].as_u64().unwrap() as usize;
    let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
    let column = d["range"]["start"]["column"].as_u64().unwrap() as usize;
    let line_text = text.lines().nth(line - 1).unwrap();
    assert!(line_text.contains("expr: sum(rate(payment_errors_total[5m]) > 1"), "{line_text}");
    let line_start: usize = text.lines().take(line - 1).map(|l| l.len() + 1).sum();
    assert_eq!(line_start + column - 1, offset);
    assert_eq!(d["group"], "payments");
    assert_eq!(d["rule"], "PaymentsHighErrorRate");
    assert!(d["url"].as_str().unwrap().contains("promqlsyntax"));
}

#[test]
fn diagnostics_are_sorted_by_file_then_offset() {
    let out = alertlint(&root(), &["check", "--format", "json", "rules-examples/"], None);
    let v = json(&out);
    let keys: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap().to_string(), d["range"]["start"]["offset"].as_u64().unwrap()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn stdin_is_reported_under_the_given_name() {
    let dir = scratch(&[]);
    let out = alertlint(
        dir.path(),
        &["check", "-", "--stdin-filename", "rules/api.yaml", "--format", "json"],
        Some(NO_RUNBOOK),
    );
    assert_eq!(out.status.code(), Some(0), "warnings do not fail by default: {}", stderr(&out));
    let v = json(&out);
    assert_eq!(lints_of(&v), ["runbook/missing"]);
    assert_eq!(v["diagnostics"][0]["file"], "rules/api.yaml");
    assert_eq!(v["diagnostics"][0]["range"]["start"]["line"], 4);
    assert_eq!(v["diagnostics"][0]["range"]["start"]["column"], 16);
}

#[test]
fn fail_on_sets_the_exit_threshold() {
    let dir = scratch(&[("r.yaml", NO_RUNBOOK)]);
    assert_eq!(alertlint(dir.path(), &["check", "r.yaml"], None).status.code(), Some(0));
    assert_eq!(alertlint(dir.path(), &["check", "--fail-on", "warning", "r.yaml"], None).status.code(), Some(1));
    assert_eq!(
        alertlint(dir.path(), &["check", "--fail-on", "warning", "--ignore", "runbook/*", "r.yaml"], None)
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn select_and_ignore_filter_lints() {
    let out = alertlint(
        &root(),
        &["check", "--format", "json", "--select", "owner/*,severity/unknown", "rules-examples/mistakes.yaml"],
        None,
    );
    let lints = lints_of(&json(&out));
    assert!(!lints.is_empty());
    assert!(lints.iter().all(|l| l.starts_with("owner/") || l == "severity/unknown"), "{lints:?}");
    let out = alertlint(&root(), &["check", "--select", "owner/mising", "rules-examples/"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `owner/missing`"), "{}", stderr(&out));
}

#[test]
fn io_errors_exit_two_naming_the_path() {
    let dir = scratch(&[]);
    let out = alertlint(dir.path(), &["check", "no-such-file.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-file.yaml"), "{}", stderr(&out));
}

#[test]
fn invalid_yaml_is_a_finding_not_exit_two() {
    let dir = scratch(&[("bad.yaml", "groups: [\n"), ("binary.yaml", "\u{0}\u{1}garbage")]);
    let out = alertlint(dir.path(), &["check", "--format", "json", "."], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lints = lints_of(&json(&out));
    assert_eq!(lints, ["yaml/syntax", "yaml/syntax"]);
    std::fs::write(dir.path().join("latin1.yaml"), b"groups: \xe9\n").unwrap();
    let out = alertlint(dir.path(), &["check", "--format", "json", "latin1.yaml"], None);
    let v = json(&out);
    assert_eq!(lints_of(&v), ["yaml/syntax"]);
    assert!(v["diagnostics"][0]["message"].as_str().unwrap().contains("UTF-8"));
}

#[test]
fn configuration_is_discovered_and_strict() {
    let dir = scratch(&[
        (".alertlint.yaml", "owner: { teams: [api, db] }\nlints:\n  runbook/missing: error\n"),
        ("sub/r.yaml", &NO_RUNBOOK.replace("team: api", "team: apu")),
    ]);
    let out = alertlint(&dir.path().join("sub"), &["check", "--format", "json", "r.yaml"], None);
    assert_eq!(out.status.code(), Some(1), "runbook/missing was raised to error: {}", stdout(&out));
    let v = json(&out);
    let items = v["diagnostics"].as_array().unwrap();
    assert!(items.iter().any(|d| d["lint"] == "runbook/missing" && d["severity"] == "error"));
    let unknown = items.iter().find(|d| d["lint"] == "owner/unknown").expect("owner/unknown");
    assert!(unknown["help"].as_str().unwrap().contains("`api`"));

    std::fs::write(dir.path().join(".alertlint.yaml"), "owner:\n  temas: [api]\n").unwrap();
    let out = alertlint(&dir.path().join("sub"), &["check", "r.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".alertlint.yaml:2:3: unknown key `temas`"), "{}", stderr(&out));

    let explicit = dir.path().join("other.yaml");
    std::fs::write(&explicit, "lints:\n  runbook/missing: off\n").unwrap();
    let out = alertlint(
        &dir.path().join("sub"),
        &["check", "--config", explicit.to_str().unwrap(), "--format", "json", "r.yaml"],
        None,
    );
    assert_eq!(lints_of(&json(&out)), Vec::<String>::new());
}

#[test]
fn include_and_exclude_globs_apply_to_walked_files() {
    let dir = scratch(&[
        (".alertlint.yaml", "exclude: [\"vendor/**\"]\n"),
        ("rules/a.yaml", NO_RUNBOOK),
        ("vendor/b.yaml", NO_RUNBOOK),
        ("rules/notes.txt", "not yaml"),
    ]);
    let out = alertlint(dir.path(), &["check", "--format", "json", "."], None);
    let v = json(&out);
    assert_eq!(v["summary"]["files"], 1, "{v}");
    assert_eq!(v["diagnostics"][0]["file"], "./rules/a.yaml");
}

#[test]
fn gitignored_files_are_skipped() {
    let dir = scratch(&[(".gitignore", "generated/\n"), ("generated/a.yaml", NO_RUNBOOK), ("b.yaml", GOOD)]);
    let v = json(&alertlint(dir.path(), &["check", "--format", "json"], None));
    assert_eq!(v["summary"]["files"], 1, "{v}");
}

#[test]
fn suppressions_work_end_to_end() {
    let suppressed = NO_RUNBOOK
        .replace("      - alert:", "      # alertlint disable runbook/missing -- runbook pending\n      - alert:");
    let dir = scratch(&[("r.yaml", &suppressed)]);
    let v = json(&alertlint(dir.path(), &["check", "--format", "json", "r.yaml"], None));
    assert_eq!(lints_of(&v), Vec::<String>::new());

    let stale =
        GOOD.replace("      - alert:", "      # alertlint disable runbook/missing, runbook/mising\n      - alert:");
    let dir = scratch(&[("r.yaml", &stale)]);
    let v = json(&alertlint(dir.path(), &["check", "--format", "json", "r.yaml"], None));
    assert_eq!(lints_of(&v), ["suppression/unused", "suppression/unknown-lint"]);
    assert_eq!(v["diagnostics"][0]["range"]["start"]["column"], 27);

    let file_wide = format!("# alertlint disable-file runbook/*\n{NO_RUNBOOK}");
    let dir = scratch(&[("r.yaml", &file_wide)]);
    let v = json(&alertlint(dir.path(), &["check", "--format", "json", "r.yaml"], None));
    assert_eq!(lints_of(&v), Vec::<String>::new());
}

#[test]
fn human_output_shows_position_source_and_help() {
    let dir = scratch(&[("r.yaml", NO_RUNBOOK)]);
    let out = alertlint(dir.path(), &["check", "r.yaml"], None);
    let text = stdout(&out);
    assert!(text.contains("r.yaml:4:16: warning [runbook/missing]"), "{text}");
    assert!(text.contains("alert `HighErrorRate` has no `runbook_url` annotation"), "{text}");
    assert!(text.contains("- alert: HighErrorRate"), "{text}");
    assert!(text.contains("help: add an annotation"), "{text}");
    assert!(text.contains("Found 0 errors, 1 warning, 0 infos in 1 file (2 rules checked)."), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when NO_COLOR is set or stdout is not a terminal");
}

#[test]
fn rules_explain_and_init() {
    let out = alertlint(&root(), &["rules"], None);
    assert_eq!(out.status.code(), Some(0));
    for id in ["yaml/syntax", "rule/schema", "runbook/missing", "suppression/unused"] {
        assert!(stdout(&out).contains(id), "{id} missing from `alertlint rules`");
    }
    let out = alertlint(&root(), &["explain", "runbook/missing"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("## Why it matters"));
    let out = alertlint(&root(), &["explain", "runbook/mising"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `runbook/missing`"));

    let dir = scratch(&[]);
    let out = alertlint(dir.path(), &["init"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(alertlint(dir.path(), &["init"], None).status.code(), Some(2), "init does not overwrite");
    // The starter configuration is itself valid (checked with a rule file:
    // a directory without one is exit 2).
    std::fs::write(dir.path().join("rules.yaml"), GOOD).unwrap();
    let out = alertlint(dir.path(), &["check", "--format", "json", "."], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn version_and_help() {
    let out = alertlint(&root(), &["--version"], None);
    assert!(stdout(&out).starts_with("alertlint "));
    let out = alertlint(&root(), &["check", "--help"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--stdin-filename"));
}

#[test]
fn parse_prints_the_tree_or_the_positioned_error() {
    let out = alertlint(&root(), &["parse", "--format", "json", "sum by (job) (rate(x[5m])) > 1"], None);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["tree"]["kind"], "BinaryExpr");
    assert_eq!((v["tree"]["start"].as_u64(), v["tree"]["end"].as_u64()), (Some(0), Some(30)));

    let out = alertlint(&root(), &["parse", "--format", "json", "foo.bar"], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"][0]["start"], 3);
    assert_eq!(v["errors"][0]["message"], "unexpected character: '.'");

    let out = alertlint(&root(), &["parse", "rate(x[5m]"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("1:11: parse error: unclosed left parenthesis"), "{}", stdout(&out));

    let plain = alertlint(&root(), &["parse", "x[5m+1m]"], None);
    assert_eq!(plain.status.code(), Some(1), "duration arithmetic is experimental");
    let experimental = alertlint(&root(), &["parse", "--experimental", "x[5m+1m]"], None);
    assert_eq!(experimental.status.code(), Some(0), "{}", stdout(&experimental));
}

#[test]
fn stdin_filename_is_matched_against_excludes() {
    let dir = scratch(&[(".alertlint.yaml", "exclude: [\"vendor/**\"]\n")]);
    let out = alertlint(
        dir.path(),
        &["check", "-", "--stdin-filename", "vendor/r.yaml", "--format", "json"],
        Some(NO_RUNBOOK),
    );
    assert_eq!(lints_of(&json(&out)), Vec::<String>::new());
    let out = alertlint(
        dir.path(),
        &["check", "-", "--stdin-filename", "rules/r.yaml", "--format", "json"],
        Some(NO_RUNBOOK),
    );
    assert_eq!(lints_of(&json(&out)), ["runbook/missing"]);
}

#[test]
fn comments_after_quoted_values_and_bom_are_suppressions() {
    let quoted = NO_RUNBOOK.replace(
        "- alert: HighErrorRate",
        "- alert: \"HighErrorRate\"  # alertlint disable runbook/missing -- pending",
    );
    let dir = scratch(&[("r.yaml", &quoted)]);
    let v = json(&alertlint(dir.path(), &["check", "--format", "json", "r.yaml"], None));
    assert_eq!(lints_of(&v), Vec::<String>::new(), "{v}");

    let bom = format!("\u{feff}# alertlint disable-file runbook/missing\n{NO_RUNBOOK}");
    let dir = scratch(&[("r.yaml", &bom)]);
    let v = json(&alertlint(dir.path(), &["check", "--format", "json", "r.yaml"], None));
    assert_eq!(lints_of(&v), Vec::<String>::new(), "{v}");
}
