//! `prometheus.version`: the rule-file schema and PromQL syntax follow the
//! targeted release; the default (latest 3.x) is unchanged. Where promtool
//! (Debian's 2.42) is installed, it confirms every 2.x verdict.

mod common;

use alertlint::config::Config;
use alertlint::engine::{Engine, Input, Selection};
use alertlint::source::SourceFile;

/// The lints that correspond to what promtool checks.
const PROMTOOL_LINTS: [&str; 5] =
    ["yaml/syntax", "rule/schema", "group/duplicate-name", "promql/syntax", "template/syntax"];

/// `(lint, message)` of every error finding of the lints promtool has.
fn errors(config: &str, rules: &str) -> Vec<(String, String)> {
    let config = Config::parse(SourceFile::new(".alertlint.yaml", config)).expect("config");
    let selection = Selection { select: PROMTOOL_LINTS.map(String::from).to_vec(), ignore: Vec::new() };
    let engine = Engine::new(config, selection).expect("engine");
    let reports = engine.check(vec![Input { name: "r.yaml".into(), bytes: rules.as_bytes().to_vec() }]);
    reports
        .into_iter()
        .flat_map(|r| r.diagnostics)
        .filter(|d| d.severity.as_str() == "error")
        .map(|d| (d.lint.to_string(), d.message))
        .collect()
}

const V2: &str = "prometheus: { version: \"2.45\" }\n";
const V3: &str = "prometheus: { version: \"3.5\" }\n";

fn rule_file(group_extra: &str, expr: &str, rule_extra: &str) -> String {
    format!("groups:\n- name: g\n{group_extra}  rules:\n  - alert: A\n    expr: '{expr}'\n{rule_extra}")
}

/// Cases: (rule file, valid in 2.45, valid in 3.x).
fn cases() -> Vec<(String, bool, bool)> {
    vec![
        (rule_file("", "up == 0", ""), true, true),
        (rule_file("  query_offset: 1m\n", "up == 0", ""), false, true),
        (rule_file("  labels: { team: db }\n", "up == 0", ""), false, true),
        (rule_file("", "up == 0", "    keep_firing_for: 5m\n"), true, true),
        (rule_file("", "up == 0", "    labels: { team.name: db }\n"), false, true),
        (rule_file("", "up == 0", "    annotations: { run-book: x }\n"), false, true),
        (rule_file("", "{\"up.time\"} == 0", ""), false, true),
        (rule_file("", "up{\"job.name\"=\"x\"} == 0", ""), false, true),
        (rule_file("", "sum by (\"job\") (up) == 0", ""), false, true),
        (rule_file("", "holt_winters(up[5m], 0.5, 0.5) > 1", ""), true, false),
        (rule_file("", "rate(up[5]) > 1", ""), false, true),
        (rule_file("", "histogram_stddev(x) > 1", ""), false, true),
        (rule_file("", "histogram_count(x) > 1", ""), true, true),
        (rule_file("", "present_over_time(up[5m]) > 1", ""), true, true),
        (rule_file("", "limitk(2, up) > 1", ""), false, false),
    ]
}

#[test]
fn the_targeted_version_decides_what_is_valid() {
    let mut wrong = Vec::new();
    for (rules, valid_2, valid_3) in cases() {
        for (config, expected) in [(V2, valid_2), (V3, valid_3), ("", valid_3)] {
            let found = errors(config, &rules);
            if found.is_empty() != expected {
                wrong.push(format!("{config:?}\n{rules}expected {expected}, found {found:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn a_newer_field_names_the_release_that_added_it() {
    let found = errors(V2, &rule_file("  query_offset: 1m\n", "up == 0", ""));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].1,
        "field `query_offset` in rule group needs Prometheus 2.53 or later; the configured target is 2.45"
    );
}

#[test]
fn promtool_2_agrees_with_the_2_x_verdicts() {
    if !common::oracle("promtool") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("alertlint-version-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // promtool 2.42 is older than 2.45; the cases avoid what changed between them.
    for (index, (rules, valid_2, _)) in cases().into_iter().enumerate() {
        let path = dir.join(format!("case{index}.yaml"));
        std::fs::write(&path, &rules).expect("write");
        let status = std::process::Command::new("promtool")
            .args(["check", "rules", "--lint=none"])
            .arg(&path)
            .output()
            .expect("run promtool")
            .status;
        assert_eq!(status.success(), valid_2, "promtool 2.42 on\n{rules}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_versions_and_features_are_configuration_errors() {
    for (text, expected) in [
        ("prometheus: { version: \"1.8\" }\n", "invalid Prometheus version `1.8`"),
        ("prometheus: { version: latest }\n", "invalid Prometheus version `latest`"),
        ("prometheus: { features: [promql-duration-exprs] }\n", "did you mean `promql-duration-expr`?"),
    ] {
        let err = Config::parse(SourceFile::new(".alertlint.yaml", text)).expect_err(text);
        assert!(err.message.contains(expected), "{}", err.message);
        assert!(err.position.is_some());
    }
}

#[test]
fn version_errors_explain_themselves() {
    let help = |config: &str, expr: &str| -> Option<String> {
        let config = Config::parse(SourceFile::new(".alertlint.yaml", config)).expect("config");
        let engine = Engine::new(config, Selection::default()).expect("engine");
        let rules = rule_file("", expr, "");
        let reports = engine.check(vec![Input { name: "r.yaml".into(), bytes: rules.into_bytes() }]);
        reports.into_iter().flat_map(|r| r.diagnostics).find(|d| d.lint == "promql/syntax").and_then(|d| d.help)
    };
    let quoted = help(V2, "{\"up.time\"} == 0").expect("help");
    assert!(quoted.contains("quoted (UTF-8) names need Prometheus 3"), "{quoted}");
    let newer = help(V2, "histogram_avg(x) > 1").expect("help");
    assert!(newer.contains("newer than the configured target Prometheus 2.45"), "{newer}");
    let renamed = help("", "holt_winters(up[5m], 0.5, 0.5) > 1").expect("help");
    assert!(renamed.contains("double_exponential_smoothing"), "{renamed}");
}
