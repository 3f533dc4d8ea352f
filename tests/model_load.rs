//! Rule model: file kinds, findings with narrow spans, dialects, and the
//! groups and rules returned alongside the findings.

use alertlint::model::{self, Dialect, FileKind, LoadOptions, RuleFile, RuleKind};
use alertlint::{Diagnostic, Severity, SourceFile};

fn load(text: &str) -> RuleFile {
    load_dialect(text, Dialect::Prometheus)
}

fn load_dialect(text: &str, dialect: Dialect) -> RuleFile {
    model::load(&SourceFile::new("rules.yaml", text), &LoadOptions { dialect, ..LoadOptions::default() })
}

fn errors(f: &RuleFile) -> Vec<&Diagnostic> {
    f.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
}

/// The one error of `text`, with the text its span covers.
fn only_error(text: &str) -> (Diagnostic, String) {
    let f = load(text);
    let errs = errors(&f);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let d = errs[0].clone();
    let at = text[d.span.range()].to_string();
    (d, at)
}

const GOOD: &str = "groups:
- name: api
  interval: 1m
  query_offset: 30s
  limit: 10
  labels:
    team: sre
  rules:
  - alert: HighErrors
    expr: |
      sum(rate(errors_total[5m])) > 1
    for: 10m
    keep_firing_for: 5m
    labels:
      severity: critical
    annotations:
      summary: \"errors # not a comment\"
  - record: job:errors:rate5m
    expr: sum by (job) (rate(errors_total[5m]))
";

#[test]
fn a_valid_file_loads_completely() {
    let f = load(GOOD);
    assert_eq!(f.kind, FileKind::Rules);
    assert!(f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
    let g = &f.groups[0];
    assert_eq!(g.name.value, "api");
    assert_eq!(g.interval.as_ref().map(|d| d.millis), Some(60_000));
    assert_eq!(g.query_offset.as_ref().map(|d| d.millis), Some(30_000));
    assert_eq!(g.limit, Some(10));
    assert_eq!(g.labels[0].key.value, "team");
    let alert = &g.rules[0];
    assert_eq!(alert.kind, RuleKind::Alert);
    assert_eq!(alert.name.value, "HighErrors");
    let expr = alert.expr.as_ref().unwrap();
    assert_eq!(expr.value, "sum(rate(errors_total[5m])) > 1\n");
    // `rate` inside the block scalar maps to its place in the file.
    let rate = expr.value.find("rate").unwrap();
    let span = expr.to_file(alertlint::Span::new(rate, rate + 4));
    assert_eq!(&GOOD[span.range()], "rate");
    assert_eq!(alert.for_.as_ref().map(|d| (d.millis, d.text.as_str())), Some((600_000, "10m")));
    assert_eq!(alert.keep_firing_for.as_ref().map(|d| d.millis), Some(300_000));
    assert_eq!(alert.annotations[0].value.value, "errors # not a comment");
    assert_eq!(g.rules[1].kind, RuleKind::Record);
    // Scalar spans are kept for files that may hold suppression comments
    // (they mention `alertlint`): the `#` inside the quoted annotation is
    // then inside one. A file without the word needs none.
    assert!(f.scalar_spans.is_empty());
    let commented = format!("{GOOD}# alertlint disable-file\n");
    let f = load(&commented);
    let hash = commented.find("# not").unwrap();
    assert!(f.scalar_spans.iter().any(|s| s.contains(hash)));
    assert!(f.scalar_spans.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn unknown_fields_suggest_the_intended_one() {
    let text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expresion: up == 0\n";
    let (d, at) = only_error(text);
    assert_eq!(d.lint, "rule/schema");
    assert_eq!(d.message, "unknown field `expresion` in rule; did you mean `expr`?");
    assert_eq!(at, "expresion");
    assert_eq!(d.group.as_deref(), Some("g"));
    assert_eq!(d.rule.as_deref(), Some("A"));

    // A null name (`~`) names nothing: the findings carry no group.
    let text = "groups:\n- name: ~\n  rules:\n  - alert: A\n    expr: up == 0\n    bogus: 1\n";
    let f = load(text);
    let d = f.diagnostics.iter().find(|d| d.message.starts_with("unknown field")).expect("unknown field");
    assert_eq!(d.group, None);
    assert_eq!(d.rule.as_deref(), Some("A"));

    let text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    runbook: x\n";
    let (d, at) = only_error(text);
    assert_eq!(d.message, "unknown field `runbook` in rule");
    assert_eq!(at, "runbook");
    assert!(d.help.unwrap().contains("`annotations`"));

    let text = "grups:\n- name: g\n";
    let f = load(text);
    // A misspelt `groups` holding groups is a rule file with a schema error
    // (SPEC "Which files are checked"); its groups are still read.
    assert_eq!(f.kind, FileKind::Rules);
    assert_eq!(f.diagnostics[0].message, "unknown field `grups` in rule file; did you mean `groups`?");
    assert_eq!(f.groups.len(), 1);
    // Another key with a similar name but no groups is not.
    assert_eq!(
        load(
            "group: root
mode: \"0644\"\n"
        )
        .kind,
        FileKind::NotRules
    );
    let text = "groups: []\nextra: 1\n";
    let (d, _) = only_error(text);
    assert_eq!(d.message, "unknown field `extra` in rule file");
}

#[test]
fn dialects_decide_the_extra_group_fields() {
    let thanos = "groups:\n- name: g\n  partial_response_strategy: warn\n  rules: []\n";
    let (d, at) = only_error(thanos);
    assert_eq!(at, "partial_response_strategy");
    assert!(d.help.unwrap().contains("--dialect thanos"));
    assert!(errors(&load_dialect(thanos, Dialect::Thanos)).is_empty());
    assert!(!errors(&load_dialect(thanos, Dialect::Mimir)).is_empty());
    let bad = "groups:\n- name: g\n  partial_response_strategy: maybe\n";
    assert_eq!(errors(&load_dialect(bad, Dialect::Thanos)).len(), 1);

    let mimir = "groups:\n- name: g\n  source_tenants: [a, b]\n  evaluation_delay: 1m\n  align_evaluation_time_on_interval: true\n  rules: []\n";
    assert_eq!(errors(&load(mimir)).len(), 3);
    assert!(
        errors(&load_dialect(mimir, Dialect::Mimir)).is_empty(),
        "{:#?}",
        load_dialect(mimir, Dialect::Mimir).diagnostics
    );
    assert_eq!(errors(&load_dialect("groups:\n- name: g\n  evaluation_delay: 1x\n", Dialect::Mimir)).len(), 1);
}

#[test]
fn rule_shape_errors() {
    let both = "groups:\n- name: g\n  rules:\n  - alert: A\n    record: r\n    expr: up\n";
    let (d, at) = only_error(both);
    assert!(d.message.starts_with("only one of `record` and `alert`"), "{}", d.message);
    assert_eq!(at, "r");
    assert_eq!(d.labels.len(), 1);

    let neither = "groups:\n- name: g\n  rules:\n  - expr: up\n";
    let (d, at) = only_error(neither);
    assert!(d.message.starts_with("one of `record` or `alert`"));
    assert_eq!(at, "expr");

    let no_expr = "groups:\n- name: g\n  rules:\n  - alert: A\n    for: 5m\n";
    let (d, at) = only_error(no_expr);
    assert_eq!(d.message, "field `expr` must be set in a rule");
    assert_eq!(at, "alert");
    let empty_expr = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr:\n";
    let (_, at) = only_error(empty_expr);
    assert_eq!(at, "expr");
    let quoted_empty = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: ''\n";
    let (_, at) = only_error(quoted_empty);
    assert_eq!(at, "''");

    let record_for =
        "groups:\n- name: g\n  rules:\n  - record: r\n    expr: up\n    for: 5m\n    annotations: {a: b}\n";
    let f = load(record_for);
    let msgs: Vec<(&str, &str)> =
        errors(&f).iter().map(|d| (d.message.as_str(), &record_for[d.span.range()])).collect();
    assert_eq!(
        msgs,
        vec![
            ("recording rule `r` cannot have `for`", "for"),
            ("recording rule `r` cannot have `annotations`", "annotations")
        ]
    );
    // `for: 0` is allowed on a recording rule, as upstream.
    assert!(errors(&load("groups:\n- name: g\n  rules:\n  - record: r\n    expr: up\n    for: 0\n")).is_empty());

    let braces = "groups:\n- name: g\n  rules:\n  - record: 'up{job=\"x\"}'\n    expr: up\n";
    let (d, at) = only_error(braces);
    assert!(d.message.starts_with("braces present"));
    assert_eq!(at, "'up{job=\"x\"}'");
}

#[test]
fn names_follow_current_upstream() {
    let name_label = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels:\n      __name__: x\n";
    let (d, at) = only_error(name_label);
    assert_eq!(d.message, "invalid label name `__name__`");
    assert_eq!(at, "__name__");
    // UTF-8 names are valid now (promtool 2.42 rejected them)...
    let utf8 = "groups:\n- name: g\n  labels:\n    ins-tance: x\n  rules:\n  - alert: A\n    expr: up\n    labels:\n      ins-tance: x\n    annotations:\n      the summary: y\n";
    assert!(errors(&load(utf8)).is_empty());
    // ...and invalid under legacy validation.
    let legacy = model::load_with(&SourceFile::new("f", utf8), &LoadOptions::default(), model::NameValidation::Legacy);
    assert_eq!(errors(&legacy).len(), 3);
    let empty = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels:\n      '': x\n";
    assert_eq!(only_error(empty).0.message, "invalid label name ``");
}

#[test]
fn types_and_durations() {
    let cases = [
        ("  interval: 5\n", "invalid duration `5` for `interval`", "5"),
        ("  interval: -1m\n", "invalid duration `-1m` for `interval`", "-1m"),
        ("  interval: 1h1h\n", "invalid duration `1h1h` for `interval`", "1h1h"),
        ("  interval: 5x\n", "invalid duration `5x` for `interval`: unknown unit `x`", "5x"),
        ("  interval: ''\n", "invalid duration `` for `interval`: empty", "''"),
        ("  query_offset: [1m]\n", "expected a duration for `query_offset`, found a sequence", "[1m]"),
        ("  limit: ten\n", "expected an integer for `limit`, found a string", "ten"),
        ("  limit: '10'\n", "expected an integer for `limit`, found a string", "'10'"),
        ("  limit: true\n", "expected an integer for `limit`, found a boolean", "true"),
        ("  labels: [a]\n", "expected a mapping for `labels`, found a sequence", "[a]"),
        ("  labels: {a: {b: c}}\n", "expected a string value for `a` in `labels`, found a mapping", "{b: c}"),
        ("  rules: {a: b}\n", "expected a sequence of rules for `rules`, found a mapping", "{a: b}"),
    ];
    for (line, message, at) in cases {
        let text = format!("groups:\n- name: g\n{line}");
        let (d, got_at) = only_error(&text);
        assert_eq!(d.message, message, "{text}");
        assert_eq!(got_at, at, "{text}");
    }
    // yaml.v3 conversions that are accepted.
    let ok = "groups:\n- name: 1\n  interval: 0\n  limit: 1.0\n  rules:\n  - alert: true\n    expr: 1\n    for: ~\n    labels:\n      a: 1\n      b:\n";
    let f = load(ok);
    assert!(errors(&f).is_empty(), "{:#?}", f.diagnostics);
    assert_eq!(f.groups[0].limit, Some(1));
    assert_eq!(f.groups[0].rules[0].name.value, "true");
    assert!(f.groups[0].rules[0].for_.is_none());
    assert_eq!(f.groups[0].rules[0].labels[1].value.value, "");
    let not_a_group = "groups:\n- just a string\n";
    assert_eq!(only_error(not_a_group).0.message, "expected a mapping for a rule group, found a string");
    assert_eq!(only_error("groups: 3\n").0.message, "expected a sequence of rule groups, found an integer");
}

#[test]
fn groups_names_and_duplicates() {
    let text = "groups:\n- name: a\n  rules: []\n- name: b\n- name: a\n- name: ''\n- rules: []\n";
    let f = load(text);
    let errs = errors(&f);
    let summary: Vec<(&str, &str, &str)> =
        errs.iter().map(|d| (d.lint, d.message.as_str(), &text[d.span.range()])).collect();
    assert_eq!(
        summary,
        vec![
            ("group/duplicate-name", "group name `a` is already used in this file", "a"),
            ("rule/schema", "group name must not be empty", "''"),
            ("rule/schema", "rule group has no `name`", "rules"),
        ]
    );
    assert_eq!(errs[0].labels[0].span.start, text.find("a\n").unwrap());
    assert_eq!(f.groups.len(), 5);
}

#[test]
fn checks_continue_after_errors() {
    let text = "groups:\n- name: g\n  interval: nope\n  rules:\n  - alert: A\n    expr: up\n    for: soon\n  - alert: B\n    expr: up\n  - record: 'a b'\n    expr: up\n    lables: {}\n";
    let f = load(text);
    assert_eq!(errors(&f).len(), 3, "{:#?}", f.diagnostics);
    let names: Vec<&str> = f.groups[0].rules.iter().map(|r| r.name.value.as_str()).collect();
    assert_eq!(names, ["A", "B", "a b"]);
}

#[test]
fn kubernetes_objects() {
    let text = "apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: rules
spec:
  groups:
  - name: k8s
    partial_response_strategy: warn
    rules:
    - alert: A
      expr: up == 0
---
apiVersion: v1
kind: List
items:
- apiVersion: monitoring.coreos.com/v1
  kind: PrometheusRule
  spec:
    groups:
    - name: k8s
      rules:
      - record: r
        expr: up
        labelz: {}
";
    let f = load(text);
    assert_eq!(f.kind, FileKind::PrometheusRule);
    assert_eq!(f.groups.len(), 2);
    // Group names are per object: the same name in two objects is fine.
    let errs = errors(&f);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].message.contains("`labelz`"));
    assert_eq!(&text[errs[0].span.range()], "labelz");

    let dup = "kind: PrometheusRule\nspec:\n  groups:\n  - name: a\n  - name: a\n  extra: 1\n";
    let f = load(dup);
    let lints: Vec<&str> = errors(&f).iter().map(|d| d.lint).collect();
    assert_eq!(lints, ["group/duplicate-name", "rule/schema"]);

    assert_eq!(load("apiVersion: v1\nkind: ConfigMap\ndata: {}\n").kind, FileKind::NotRules);
    assert_eq!(load("").kind, FileKind::NotRules);
    assert_eq!(load("# comment\n").kind, FileKind::NotRules);
    assert_eq!(load("foo: bar\n").kind, FileKind::NotRules);
}

#[test]
fn multiple_plain_documents() {
    let text = "groups:\n- name: a\n---\ngroups:\n- name: b\n";
    let f = load(text);
    assert_eq!(f.groups.len(), 1);
    assert!(errors(&f).is_empty());
    let warnings: Vec<&Diagnostic> = f.diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("only the first document"));
}

#[test]
fn yaml_errors_are_findings() {
    let text = "groups:\n- name: a\n  name: b\n";
    let f = load(text);
    assert_eq!(f.kind, FileKind::Invalid);
    assert_eq!(f.diagnostics.len(), 1);
    assert_eq!(f.diagnostics[0].lint, "yaml/syntax");
    assert_eq!(f.diagnostics[0].message, "mapping key `name` already defined at line 2");
    assert_eq!(&text[f.diagnostics[0].span.range()], "name");
    let f = load("groups: [\n");
    assert_eq!(f.diagnostics[0].lint, "yaml/syntax");
}

#[test]
fn aliases_and_merges_in_rules() {
    let text = "groups:
- name: g
  rules:
  - &base
    alert: A
    expr: up == 0
    labels: {severity: page}
  - <<: *base
    alert: B
";
    let f = load(text);
    assert!(errors(&f).is_empty(), "{:#?}", f.diagnostics);
    let rules = &f.groups[0].rules;
    assert_eq!(rules[1].name.value, "B");
    assert_eq!(rules[1].labels[0].value.value, "page");
    assert_eq!(rules[1].expr.as_ref().map(|e| e.value.as_str()), Some("up == 0"));
}

#[test]
fn bare_lists_and_config_maps_are_rule_files() {
    let f = load("- name: g\n  rules:\n    - record: a:b\n      expr: up\n");
    assert_eq!((f.kind, f.groups.len(), f.groups[0].rules.len()), (FileKind::RuleList, 1, 1));
    let f = load("- alert: A\n  expr: up == 0\n- record: a:b\n  expr: up\n");
    assert_eq!((f.kind, f.groups.len(), f.groups[0].rules.len()), (FileKind::RuleList, 1, 2));
    assert_eq!(load("- a\n- b\n").kind, FileKind::NotRules);
    assert_eq!(load("- name: x\n  image: y\n").kind, FileKind::NotRules);

    let text = "kind: ConfigMap\ndata:\n  other: |\n    x: 1\n  r.yaml: |\n    groups:\n    - name: g\n      rules:\n      - alert: A\n        expr: up == 0\n        bogus: 1\n";
    let f = load(text);
    assert_eq!(f.kind, FileKind::ConfigMap);
    let rule = &f.groups[0].rules[0];
    assert_eq!(&text[rule.name.span.range()], "A");
    let expr = rule.expr.as_ref().unwrap();
    assert_eq!(&text[expr.span.range()], "up == 0");
    assert_eq!(&text[expr.to_file(alertlint::span::Span::new(6, 7)).range()], "0");
    let (d, at) = only_error(text);
    assert_eq!((d.message.as_str(), at.as_str()), ("unknown field `bogus` in rule", "bogus"));
}

/// A group large enough to be read on several threads gives its rules and
/// findings in file order, as a small one does.
#[test]
fn a_large_group_keeps_its_rules_and_findings_in_order() {
    let mut text = String::from("groups:\n- name: big\n  rules:\n");
    for i in 0..3000 {
        text.push_str(&format!("  - record: job:r{i}:sum\n    expr: sum(x{i})\n"));
        if i % 7 == 0 {
            text.push_str(&format!("    bogus{i}: 1\n"));
        }
    }
    let f = load(&text);
    let names: Vec<String> = f.groups[0].rules.iter().map(|r| r.name.value.to_string()).collect();
    let expected: Vec<String> = (0..3000).map(|i| format!("job:r{i}:sum")).collect();
    assert_eq!(names, expected);
    let found: Vec<&str> = f.diagnostics.iter().map(|d| &text[d.span.range()]).collect();
    let wanted: Vec<String> = (0..3000).filter(|i| i % 7 == 0).map(|i| format!("bogus{i}")).collect();
    assert_eq!(found, wanted);
}
