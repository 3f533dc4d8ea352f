//! Feature flags: `check --enable-feature promql-experimental-functions`
//! accepts exactly the upstream parser table's valid cases that need no other
//! flag, and rejects everything upstream rejects.

mod common;

use std::collections::BTreeSet;

use alertlint::promql::{ParseOptions, parse};
use serde_json::Value;

const PARSE_CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conformance/promql_parse.jsonl");

/// Upstream runs testExpr with every experimental flag on.
fn cases() -> Vec<(String, String, bool)> {
    let text = std::fs::read_to_string(PARSE_CASES).expect("tests/data/conformance/promql_parse.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let case: Value = serde_json::from_str(line).ok()?;
            if case["table"] != "testExpr" {
                return None;
            }
            let input = case["input"].as_str()?.to_string();
            // The 20,000-deep and repeated-error cases are about limits, not features.
            (input.len() < 2000).then(|| (case["id"].as_str().unwrap_or("?").to_string(), input, case["ok"] == true))
        })
        .collect()
}

fn accepts(input: &str, options: ParseOptions) -> bool {
    parse(input, &options).is_ok()
}

#[test]
fn enable_feature_experimental_functions_accepts_exactly_what_needs_it() {
    let all = ParseOptions::all_enabled();
    let functions_only = ParseOptions { experimental_functions: true, ..ParseOptions::default() };
    let cases = cases();
    assert!(cases.len() > 300, "only {} cases", cases.len());

    // Which valid cases need the other two flags: those that fail when only that flag is off.
    let mut expected_accepted = BTreeSet::new();
    let mut needs_functions = Vec::new();
    for (id, input, ok) in &cases {
        if !ok {
            continue;
        }
        assert!(accepts(input, all), "{id}: upstream accepts `{input}` with every flag on");
        let needs_durations = !accepts(input, ParseOptions { duration_expressions: false, ..all });
        let needs_ranges = !accepts(input, ParseOptions { extended_range_selectors: false, ..all });
        if modifies_a_range(input) {
            assert!(needs_ranges, "{id}: `{input}` uses an extended range selector");
        }
        if !needs_durations && !needs_ranges {
            expected_accepted.insert(id.clone());
            if !accepts(input, ParseOptions::default()) {
                needs_functions.push((id.clone(), input.clone()));
            }
        }
    }
    // The cases that need the experimental-functions flag name an experimental function.
    let experimental: Vec<&str> = alertlint::promql::FUNCTIONS
        .iter()
        .filter(|f| f.experimental)
        .map(|f| f.name)
        .chain(["limitk", "limit_ratio"])
        .collect();
    assert!(needs_functions.len() >= 4, "only {} cases need promql-experimental-functions", needs_functions.len());
    for (id, input) in &needs_functions {
        assert!(experimental.iter().any(|f| input.contains(f)), "{id}: `{input}` needs no experimental function");
    }

    // The command line: one alert per case, checked with only that flag.
    let mut yaml = String::from("groups:\n- name: cases\n  rules:\n");
    for (index, (_, input, _)) in cases.iter().enumerate() {
        let quoted = serde_json::to_string(input).expect("JSON string");
        yaml.push_str(&format!("  - alert: Case{index}\n    expr: {quoted}\n"));
    }
    let dir = std::env::temp_dir().join(format!("alertlint-features-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("cases.yaml"), &yaml).expect("write cases");
    let output = common::alertlint()
        .args(["check", "--format", "json", "--select", "promql/syntax,rule/schema,yaml/syntax"])
        .args(["--enable-feature", "promql-experimental-functions", "cases.yaml"])
        .current_dir(&dir)
        .output()
        .expect("run alertlint");
    let _ = std::fs::remove_dir_all(&dir);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("alertlint JSON: {e}; stderr: {}", String::from_utf8_lossy(&output.stderr)));
    let rejected: BTreeSet<String> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["rule"].as_str().map(str::to_string))
        .collect();
    let mut wrong = Vec::new();
    for (index, (id, input, _)) in cases.iter().enumerate() {
        let accepted = !rejected.contains(&format!("Case{index}"));
        let expected = expected_accepted.contains(id);
        // The direct parse must say the same as the command line.
        assert_eq!(accepts(input, functions_only), accepted, "{id}: `{input}`: library and command line differ");
        if accepted != expected {
            wrong.push(format!("{id}: `{input}`: expected {}, got {}", verdict(expected), verdict(accepted)));
        }
    }
    println!(
        "--enable-feature promql-experimental-functions: {} of {} cases accepted ({} need the flag)",
        expected_accepted.len(),
        cases.len(),
        needs_functions.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_disabled_feature_names_its_flag() {
    let dir = std::env::temp_dir().join(format!("alertlint-feature-help-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("r.yaml"),
        "groups:\n- name: g\n  rules:\n  - record: a\n    expr: limitk(2, up)\n  - record: b\n    expr: rate(x[5m+1m])\n  - record: c\n    expr: rate(x[5m] anchored)\n",
    )
    .expect("write rules");
    let output =
        common::alertlint().args(["check", "--format", "json", "r.yaml"]).current_dir(&dir).output().expect("run");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let helps: Vec<String> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["lint"] == "promql/syntax")
        .map(|d| d["help"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(helps.len(), 3, "{helps:?}");
    assert!(helps[0].contains("--enable-feature promql-experimental-functions"), "{}", helps[0]);
    assert!(helps[1].contains("--enable-feature promql-duration-expr"), "{}", helps[1]);
    assert!(helps[2].contains("--enable-feature promql-extended-range-selectors"), "{}", helps[2]);

    // With the flags (command line or configuration) the same file is clean.
    std::fs::write(dir.join(".alertlint.yaml"), "prometheus:\n  features: [promql-duration-expr]\n").expect("config");
    let output = common::alertlint()
        .args(["check", "--format", "json", "--select", "promql/syntax"])
        .args(["--enable-feature", "promql-experimental-functions,promql-extended-range-selectors", "r.yaml"])
        .current_dir(&dir)
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(0), "{json}");

    let output = common::alertlint()
        .args(["check", "--enable-feature", "promql-experimental-function", "r.yaml"])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `promql-experimental-functions`"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `[...] anchored` or `[...] smoothed`: an extended range selector, read from the text alone.
fn modifies_a_range(input: &str) -> bool {
    ["anchored", "smoothed"]
        .iter()
        .any(|word| input.match_indices(word).any(|(at, _)| input[..at].trim_end().ends_with(']')))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "accepted" } else { "rejected" }
}
