//! One pass and one fail case per element of the `policies:` grammar, run
//! through the whole engine.

use crate::config::{Config, ConfigError};
use crate::engine::{Engine, Input, Selection};
use crate::source::SourceFile;

fn parse(config: &str) -> Result<Config, ConfigError> {
    Config::parse(SourceFile::new(".alertlint.yaml", config))
}

/// `policy/...` findings as `(id, line, message)`.
fn findings_with(config: &str, rules: &str, selection: Selection) -> Vec<(String, usize, String)> {
    let config = parse(config).unwrap_or_else(|e| panic!("config: {e}"));
    let engine = Engine::new(config, selection).unwrap_or_else(|e| panic!("engine: {e}"));
    let reports = engine.check(vec![Input { name: "rules.yaml".into(), bytes: rules.as_bytes().to_vec() }]);
    let mut out = Vec::new();
    for report in reports {
        for d in report.diagnostics {
            if d.lint.starts_with("policy/") || d.lint.starts_with("suppression/") {
                out.push((d.lint.to_string(), report.file.position(d.span.start).line, d.message.clone()));
            }
        }
    }
    out
}

fn findings(config: &str, rules: &str) -> Vec<(String, usize, String)> {
    findings_with(config, rules, Selection::default())
}

fn messages(config: &str, rules: &str) -> Vec<String> {
    findings(config, rules).into_iter().map(|(_, _, m)| m).collect()
}

fn policy(body: &str) -> String {
    format!("policies:\n  - name: p\n{body}")
}

const ALERT: &str = "groups:
- name: g
  rules:
  - alert: HighErrors
    expr: sum by (job) (rate(errors_total[5m])) > 1
    for: 10m
    labels:
      severity: critical
      team: payments
    annotations:
      runbook_url: https://runbooks.example.com/{{ $labels.job }}
      summary: errors
  - record: job:errors:rate5m
    expr: sum without (instance) (rate(errors_total[5m]))
";

#[test]
fn require_labels_present_values_and_pattern() {
    let present = policy("    require: { labels: { team: {} } }\n");
    assert!(findings(&present, ALERT).iter().all(|(_, _, m)| !m.contains("HighErrors")));
    // The recording rule has no team label: reported at its name.
    let found = findings(&present, ALERT);
    assert_eq!(found, [("policy/p".to_string(), 13, "recording rule `job:errors:rate5m` has no `team` label".into())]);

    let values = policy("    match: { kind: alert }\n    require: { labels: { team: { values: [db, payments] } } }\n");
    assert!(findings(&values, ALERT).is_empty());
    let values = policy("    match: { kind: alert }\n    require: { labels: { team: { values: [db, sre] } } }\n");
    assert_eq!(messages(&values, ALERT), ["label `team` of alert `HighErrors` is `payments`, not one of: db, sre"]);

    let pattern =
        policy("    match: { kind: alert }\n    require: { labels: { severity: { pattern: 'crit.*|warning' } } }\n");
    assert!(findings(&pattern, ALERT).is_empty());
    // Anchored at both ends: `crit` alone does not match `critical`.
    let pattern = policy("    match: { kind: alert }\n    require: { labels: { severity: { pattern: crit } } }\n");
    assert_eq!(findings(&pattern, ALERT)[0].1, 8);
}

#[test]
fn empty_values_are_reported() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels: { tier: '' }\n";
    let config = policy("    require: { labels: { tier: {} } }\n");
    assert_eq!(messages(&config, rules), ["label `tier` of alert `A` is empty"]);
}

#[test]
fn require_annotations_match_the_literal_template_text() {
    let config = policy(
        "    match: { kind: alert }\n    require: { annotations: { runbook_url: { pattern: 'https://runbooks\\.example\\.com/.+' } } }\n",
    );
    assert!(findings(&config, ALERT).is_empty());
    let config = policy(
        "    match: { kind: alert }\n    require: { annotations: { runbook_url: { pattern: 'https://wiki/.+' } } }\n",
    );
    assert_eq!(findings(&config, ALERT)[0].1, 11);
    let config = policy("    match: { kind: alert }\n    require: { annotations: { description: {} } }\n");
    assert_eq!(messages(&config, ALERT), ["alert `HighErrors` has no `description` annotation"]);
    let config =
        policy("    match: { kind: alert }\n    require: { annotations: { summary: { values: [errors] } } }\n");
    assert!(findings(&config, ALERT).is_empty());
}

#[test]
fn require_name() {
    let config = policy("    match: { kind: alert }\n    require: { name: '[A-Z][A-Za-z0-9]+' }\n");
    assert!(findings(&config, ALERT).is_empty());
    let config = policy("    match: { kind: record }\n    require: { name: '[a-z_]+:[a-z_]+:[a-z0-9_]+' }\n");
    assert!(findings(&config, ALERT).is_empty());
    let config = policy("    require: { name: '[A-Z].*' }\n");
    assert_eq!(messages(&config, ALERT), ["recording rule name `job:errors:rate5m` does not match `[A-Z].*`"]);
}

#[test]
fn require_for_and_keep_firing_for_bounds() {
    let config = policy("    require: { for: { min: 5m, max: 1h } }\n");
    assert!(findings(&config, ALERT).is_empty(), "recording rules have no `for`");
    let config = policy("    require: { for: { min: 15m } }\n");
    assert_eq!(messages(&config, ALERT), ["alert `HighErrors` has `for: 10m`, below the minimum 15m"]);
    let config = policy("    require: { for: { max: 5m } }\n");
    assert_eq!(findings(&config, ALERT)[0].1, 6);
    let no_for = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n";
    let config = policy("    require: { for: { min: 1m } }\n");
    assert_eq!(messages(&config, no_for), ["alert `A` has no `for`; the minimum is 1m"]);
    let config = policy("    require: { keep_firing_for: { max: 30m } }\n");
    assert!(findings(&config, no_for).is_empty());
    let keep = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    keep_firing_for: 1h\n";
    assert_eq!(messages(&config, keep), ["alert `A` has `keep_firing_for: 1h`, above the maximum 30m"]);
}

#[test]
fn forbid_labels_and_annotations() {
    let config = policy("    forbid: { labels: [instance, pod], annotations: [dashboard] }\n");
    assert!(findings(&config, ALERT).is_empty());
    let config = policy("    forbid: { labels: [team], annotations: [summary] }\n");
    let found = findings(&config, ALERT);
    assert_eq!(
        found.iter().map(|(_, line, m)| (*line, m.as_str())).collect::<Vec<_>>(),
        [
            (9, "alert `HighErrors` sets the forbidden label `team`"),
            (12, "alert `HighErrors` sets the forbidden annotation `summary`")
        ]
    );
}

#[test]
fn a_forbidden_group_label_is_reported_once() {
    let rules = "groups:\n- name: g\n  labels: { pod: x }\n  rules:\n  - record: a\n    expr: up\n  - record: b\n    expr: up\n";
    let config = policy("    forbid: { labels: [pod] }\n");
    assert_eq!(messages(&config, rules), ["recording rule `a` sets the forbidden label `pod`"]);
    let config = policy("    match: { name: b }\n    forbid: { labels: [pod] }\n");
    assert_eq!(messages(&config, rules), ["recording rule `b` sets the forbidden label `pod`"]);
}

#[test]
fn group_bounds() {
    let rules = "groups:\n- name: g\n  interval: 10m\n  query_offset: 2m\n  limit: 5000\n  rules:\n  - record: a\n    expr: up\n  - record: b\n    expr: up\n";
    let config = policy(
        "    group: { interval: { max: 10m }, query_offset: { max: 2m }, limit: { max: 5000 }, rules: { max: 2 } }\n",
    );
    assert!(findings(&config, rules).is_empty());
    let config = policy(
        "    group: { interval: { max: 5m }, query_offset: { max: 1m }, limit: { max: 1000 }, rules: { max: 1 } }\n",
    );
    assert_eq!(
        messages(&config, rules),
        [
            "group `g` has `limit: 5000`, above the maximum 1000",
            "group `g` has 2 rules, above the maximum 1",
            "group `g` has `interval: 10m`, above the maximum 5m",
            "group `g` has `query_offset: 2m`, above the maximum 1m",
        ]
    );
    let config = policy("    group: { interval: { min: 30s } }\n");
    assert!(findings(&config, rules).is_empty());
    let config = policy("    group: { rules: { min: 3 } }\n");
    assert_eq!(messages(&config, rules), ["group `g` has 2 rules, below the minimum 3"]);
}

#[test]
fn match_conditions() {
    let config = policy("    match: { name: 'High.*' }\n    require: { labels: { owner: {} } }\n");
    assert_eq!(findings(&config, ALERT).len(), 1);
    let config = policy("    match: { name: 'High' }\n    require: { labels: { owner: {} } }\n");
    assert!(findings(&config, ALERT).is_empty(), "name regexes are anchored");
    let config = policy("    match: { labels: { severity: critical } }\n    require: { labels: { owner: {} } }\n");
    assert_eq!(findings(&config, ALERT).len(), 1);
    let config = policy("    match: { labels: { severity: warning } }\n    require: { labels: { owner: {} } }\n");
    assert!(findings(&config, ALERT).is_empty());
    let config =
        policy("    match: { labels: { severity: { pattern: 'crit.*' } } }\n    require: { labels: { owner: {} } }\n");
    assert_eq!(findings(&config, ALERT).len(), 1);
    let config = policy("    match: { kind: record }\n    require: { labels: { owner: {} } }\n");
    assert_eq!(findings(&config, ALERT)[0].2, "recording rule `job:errors:rate5m` has no `owner` label");
    let config = policy("    match: { paths: ['teams/**'] }\n    require: { labels: { owner: {} } }\n");
    assert!(findings(&config, ALERT).is_empty(), "rules.yaml is outside teams/");
    let config = policy("    match: { paths: ['*.yaml'] }\n    require: { labels: { owner: {} } }\n");
    assert_eq!(findings(&config, ALERT).len(), 2);
}

#[test]
fn aggregate_keep_and_strip() {
    let config = policy("    require: { aggregate: { keep: [job] } }\n");
    // `sum by (job)` keeps job; `sum without (instance)` keeps it too.
    assert!(findings(&config, ALERT).is_empty());
    let rules = "groups:\n- name: g\n  rules:\n  - record: a\n    expr: sum(rate(x[5m])) / sum by (instance) (y) + topk(3, sum without (job) (z))\n";
    assert_eq!(
        messages(&config, rules),
        [
            "`sum` removes the `job` label, which aggregations must keep",
            "`sum` removes the `job` label, which aggregations must keep",
            "`sum` removes the `job` label, which aggregations must keep",
        ]
    );
    let config = policy("    forbid: { aggregate: { keep: [instance] } }\n");
    assert!(findings(&config, ALERT).is_empty());
    let rules = "groups:\n- name: g\n  rules:\n  - record: a\n    expr: sum by (instance) (x) + sum without (job) (y) + sum(z) + count(sum by (instance) (w))\n";
    assert_eq!(
        messages(&config, rules),
        [
            "`sum` keeps the `instance` label, which aggregations must remove",
            "`sum` keeps the `instance` label, which aggregations must remove"
        ]
    );
}

#[test]
fn selectors_require_and_forbid() {
    let rules = "groups:\n- name: g\n  rules:\n  - record: a\n    expr: sum(rate(x{cluster=\"eu\"}[5m])) / sum(y)\n";
    let config = policy("    require: { selectors: { labels: [cluster] } }\n");
    assert_eq!(messages(&config, rules), ["selector `y` has no matcher on `cluster`"]);
    let config = policy("    require: { selectors: { labels: [cluster] } }\n");
    assert!(
        findings(&config, "groups:\n- name: g\n  rules:\n  - record: a\n    expr: x{cluster=~\"eu.*\"}\n").is_empty()
    );
    let config = policy("    forbid: { selectors: { labels: [cluster] } }\n");
    assert_eq!(messages(&config, rules), ["selector `x{cluster=\"eu\"}` matches on the forbidden label `cluster`"]);
    let config = policy("    forbid: { selectors: { metrics: ['y|z'] } }\n");
    assert_eq!(messages(&config, rules), ["selector `y` reads `y`, a forbidden metric (`y|z`)"]);
    let config = policy("    require: { selectors: { metrics: ['.+'] } }\n");
    assert!(findings(&config, rules).is_empty());
    let nameless = "groups:\n- name: g\n  rules:\n  - record: a\n    expr: count({job=\"x\"})\n";
    assert_eq!(messages(&config, nameless), ["selector `{job=\"x\"}` names no metric"]);
}

#[test]
fn message_and_severity() {
    let config = "policies:\n  - name: needs-owner\n    severity: error\n    message: every rule needs an owner\n    require: { labels: { owner: {} } }\n";
    let config = parse(config).unwrap();
    let engine = Engine::new(config, Selection::default()).unwrap();
    let reports = engine.check(vec![Input { name: "r.yaml".into(), bytes: ALERT.as_bytes().to_vec() }]);
    let d: Vec<_> = reports[0].diagnostics.iter().filter(|d| d.lint == "policy/needs-owner").collect();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].severity, crate::diagnostic::Severity::Error);
    assert_eq!(d[0].message, "every rule needs an owner");
    assert_eq!(d[0].labels[0].message, "alert `HighErrors` has no `owner` label");
    assert_eq!(d[0].rule.as_deref(), Some("HighErrors"));
}

#[test]
fn select_ignore_severities_and_suppressions() {
    let config = "policies:\n  - name: needs-owner\n    require: { labels: { owner: {} } }\n";
    let ignore = Selection { select: Vec::new(), ignore: vec!["policy/*".into()] };
    assert!(findings_with(config, ALERT, ignore).is_empty());
    let select = Selection { select: vec!["policy/needs-owner".into()], ignore: Vec::new() };
    assert_eq!(findings_with(config, ALERT, select).len(), 2);

    let off = format!("{config}lints:\n  policy/needs-owner: off\n");
    assert!(findings(&off, ALERT).is_empty());
    let info = parse(&format!("lints:\n  policy/needs-owner: info\n{config}")).unwrap();
    assert_eq!(info.severity_for("policy/needs-owner"), Some(Some(crate::diagnostic::Severity::Info)));
    let err = parse(&format!("{config}lints:\n  policy/needs-ownr: off\n")).unwrap_err();
    assert_eq!(err.position, Some((5, 3)));
    assert!(err.message.contains("did you mean `policy/needs-owner`"), "{}", err.message);

    let suppressed = ALERT.replace(
        "  - alert: HighErrors",
        "  # alertlint disable policy/needs-owner -- owned by the platform\n  - alert: HighErrors",
    );
    assert_eq!(findings(config, &suppressed).len(), 1, "only the recording rule is left");
    let unknown =
        ALERT.replace("  - alert: HighErrors", "  # alertlint disable policy/needs-ownr\n  - alert: HighErrors");
    let found = findings(config, &unknown);
    assert!(found.iter().any(|(id, _, m)| id == "suppression/unknown-lint" && m.contains("policy/needs-ownr")));
    let config_parsed = parse(config).unwrap();
    let engine = Engine::new(config_parsed, Selection::default()).unwrap();
    let reports = engine.check(vec![Input { name: "r.yaml".into(), bytes: unknown.as_bytes().to_vec() }]);
    let unknown_lint = reports[0].diagnostics.iter().find(|d| d.lint == "suppression/unknown-lint").unwrap();
    assert_eq!(unknown_lint.help.as_deref(), Some("did you mean `policy/needs-owner`?"));
    assert_eq!(found.iter().filter(|(id, _, _)| id == "policy/needs-owner").count(), 2);
}

#[test]
fn configuration_errors_are_positioned_with_suggestions() {
    let err = parse("policies:\n  - name: p\n    requir: { labels: { a: {} } }\n").unwrap_err();
    assert_eq!(err.to_string(), ".alertlint.yaml:3:5: unknown key `requir`; did you mean `require`?");
    let err = parse("policies:\n  - name: p\n    require: { lables: { a: {} } }\n").unwrap_err();
    assert_eq!(err.position, Some((3, 16)));
    assert!(err.message.contains("did you mean `labels`"));
    let err = parse("policies:\n  - name: p\n    match: { kind: alerts }\n    require: { name: x }\n").unwrap_err();
    assert!(err.message.contains("did you mean `alert`"), "{}", err.message);
    let err = parse("policies:\n  - name: Needs_Owner\n    require: { name: x }\n").unwrap_err();
    assert!(err.message.contains("kebab-case"), "{}", err.message);
    assert_eq!(err.position, Some((2, 11)));
    let err = parse("policies:\n  - name: p\n    require: { name: '(' }\n").unwrap_err();
    assert!(err.message.contains("invalid regex"), "{}", err.message);
    let err = parse("policies:\n  - name: p\n    require: { for: { min: 1h, max: 5m } }\n").unwrap_err();
    assert!(err.message.contains("greater than"), "{}", err.message);
    let err = parse("policies:\n  - name: p\n    severity: eror\n    require: { name: x }\n").unwrap_err();
    assert!(err.message.contains("did you mean `error`"), "{}", err.message);
    let err = parse("policies:\n  - name: p\n").unwrap_err();
    assert!(err.message.contains("checks nothing"), "{}", err.message);
    let err =
        parse("policies:\n  - name: p\n    require: { name: x }\n  - name: p\n    require: { name: y }\n").unwrap_err();
    assert_eq!(err.position, Some((4, 11)));
    let err = parse("policies:\n  - name: p\n    group: { rules: { max: lots } }\n").unwrap_err();
    assert!(err.message.contains("whole number"), "{}", err.message);
}

#[test]
fn policies_in_nested_configurations_scope_paths_to_their_own_directory() {
    let dir = std::env::temp_dir().join(format!("alertlint-policy-paths-{}", std::process::id()));
    let nested = dir.join("teams");
    std::fs::create_dir_all(nested.join("payments")).unwrap();
    std::fs::create_dir_all(dir.join("payments")).unwrap();
    std::fs::write(
        dir.join(".alertlint.yaml"),
        "policies:\n  - name: root\n    match: { paths: ['payments/**'] }\n    require: { labels: { owner: {} } }\n",
    )
    .unwrap();
    std::fs::write(
        nested.join(".alertlint.yaml"),
        "policies:\n  - name: nested\n    match: { paths: ['payments/**'] }\n    require: { labels: { owner: {} } }\n",
    )
    .unwrap();
    let rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n";
    let run = |config: &std::path::Path, file: &std::path::Path| -> Vec<String> {
        std::fs::write(file, rules).unwrap();
        let engine = Engine::new(Config::load(config).unwrap(), Selection::default()).unwrap();
        let name = file.display().to_string();
        let reports = engine.check(vec![Input { name, bytes: rules.as_bytes().to_vec() }]);
        reports[0].diagnostics.iter().filter(|d| d.lint.starts_with("policy/")).map(|d| d.lint.to_string()).collect()
    };
    let root_config = dir.join(".alertlint.yaml");
    let nested_config = nested.join(".alertlint.yaml");
    // `payments/**` of the root configuration is <root>/payments, not <root>/teams/payments.
    assert_eq!(run(&root_config, &dir.join("payments/a.yaml")), ["policy/root"]);
    assert!(run(&root_config, &nested.join("payments/a.yaml")).is_empty());
    // The nested configuration's `payments/**` is <root>/teams/payments.
    assert_eq!(run(&nested_config, &nested.join("payments/a.yaml")), ["policy/nested"]);
    assert!(run(&nested_config, &dir.join("payments/a.yaml")).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_describes_a_policy() {
    let config = parse(
        "policies:\n  - name: crit\n    message: critical alerts need a runbook\n    match: { kind: alert, labels: { severity: critical } }\n    require: { annotations: { runbook_url: {} }, for: { min: 5m } }\n",
    )
    .unwrap();
    let text = super::describe(&config.policies[0]);
    assert!(text.starts_with("# policy/crit\n"), "{text}");
    assert!(text.contains("critical alerts need a runbook"));
    assert!(text.contains("label severity=critical"));
    assert!(text.contains("requires annotation `runbook_url`"));
    assert!(text.contains("at least 5m"));
}

#[test]
fn extended_configurations_add_policies_and_keep_their_paths() {
    let dir = std::env::temp_dir().join(format!("alertlint-policy-extends-{}", std::process::id()));
    let team = dir.join("team");
    std::fs::create_dir_all(team.join("payments")).unwrap();
    std::fs::write(
        dir.join(".alertlint.yaml"),
        "policies:\n  - name: org\n    match: { paths: ['team/payments/**'] }\n    require: { labels: { owner: {} } }\n  - name: shared\n    require: { labels: { tier: {} } }\n",
    )
    .unwrap();
    std::fs::write(
        team.join(".alertlint.yaml"),
        "extends: ../.alertlint.yaml\npolicies:\n  - name: team\n    match: { paths: ['payments/**'] }\n    require: { labels: { pager: {} } }\n  - name: shared\n    require: { labels: { cost_center: {} } }\n",
    )
    .unwrap();
    let rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n";
    let file = team.join("payments/a.yaml");
    std::fs::write(&file, rules).unwrap();
    let engine = Engine::new(Config::load(&team.join(".alertlint.yaml")).unwrap(), Selection::default()).unwrap();
    let reports = engine.check(vec![Input { name: file.display().to_string(), bytes: rules.as_bytes().to_vec() }]);
    let mut found: Vec<String> =
        reports[0].diagnostics.iter().filter(|d| d.lint.starts_with("policy/")).map(|d| d.message.clone()).collect();
    found.sort();
    // `org`'s `team/payments/**` is relative to the parent directory; `shared` is replaced by the child's.
    assert_eq!(
        found,
        ["alert `A` has no `cost_center` label", "alert `A` has no `owner` label", "alert `A` has no `pager` label"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
