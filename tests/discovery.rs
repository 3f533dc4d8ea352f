//! Which files `check` reads and how it reads them (SPEC "Which files are
//! checked"), and which configuration applies to each file (SPEC `--config`),
//! by running the binary.

mod common;

#[path = "lsp/client.rs"]
mod client;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> Output {
    common::run(dir, args, None)
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(o)))
}

/// `(file, lint)` of every finding, sorted.
fn findings(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| (d["file"].as_str().unwrap_or("").to_string(), d["lint"].as_str().unwrap_or("").to_string()))
        .collect();
    out.sort();
    out
}

fn files_with_rules(v: &Value) -> u64 {
    v["summary"]["files"].as_u64().expect("summary.files")
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

/// An alert missing its runbook (`runbook/missing`) and nothing else wrong.
/// One alert without a runbook beside one with: the file follows the runbook
/// convention, so the first is reported (alertlint reads conventions from the files).
const NO_RUNBOOK: &str = "groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:ratio_rate5m > 0.05\n        for: 10m\n        labels: { severity: critical, team: api }\n      - alert: Documented\n        expr: job:errors:ratio_rate5m > 0.5\n        for: 10m\n        labels: { severity: critical, team: api }\n        annotations: { runbook_url: 'https://runbooks.example.com/documented' }\n";

#[test]
fn rule_files_are_found_by_content_whatever_their_extension() {
    let dir = scratch(&[
        ("a/api.rules", NO_RUNBOOK),
        ("a/db.alerts", &NO_RUNBOOK.replace("HighErrorRate", "DbDown")),
        ("a/noext", &NO_RUNBOOK.replace("HighErrorRate", "NoExt")),
        ("a/values.yaml", "replicas: 3\nimage: { name: x, tag: \"1\" }\n"),
        ("a/README.md", "# groups\nsee the rules\n"),
        ("a/logo.png", "\u{0}\u{1}groups"),
        ("a/Chart.lock", "groups: broken: {\n"),
    ]);
    let out = run(dir.path(), &["check", "--format", "json", "a"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = json(&out);
    assert_eq!(
        findings(&v),
        [
            ("a/api.rules".into(), "runbook/missing".into()),
            ("a/db.alerts".into(), "runbook/missing".into()),
            ("a/noext".into(), "runbook/missing".into()),
        ],
        "{}",
        text(&out)
    );
    assert_eq!(files_with_rules(&v), 3);

    // `include` narrows the walk to what it names, and finds `.alerts` files.
    std::fs::write(dir.path().join(".alertlint.yaml"), "include: [\"**/*.alerts\"]\n").expect("config");
    let v = json(&run(dir.path(), &["check", "--format", "json", "a"]));
    assert_eq!(findings(&v), [("a/db.alerts".into(), "runbook/missing".into())]);
}

#[test]
fn bare_lists_of_groups_or_rules_are_rule_files() {
    let groups = "- name: api\n  rules:\n    - alert: Down\n      expr: up == 0\n      for: 5x\n";
    let rules = "- alert: Down\n  expr: up == 0\n  for: 5m\n  labels: { severity: critical, team: a }\n- record: job:up:sum\n  expr: sum by (job) (up\n";
    let dir = scratch(&[("groups.yaml", groups), ("rules.yml", rules)]);
    let out = run(dir.path(), &["check", "--format", "json", "--select", "rule/schema,promql/syntax", "."]);
    let v = json(&out);
    assert_eq!(
        findings(&v),
        [("./groups.yaml".into(), "rule/schema".into()), ("./rules.yml".into(), "promql/syntax".into())],
        "{}",
        text(&out)
    );
    assert_eq!(v["summary"]["rules"], 3);
}

#[test]
fn rules_in_a_config_map_are_checked_at_their_place_in_the_config_map() {
    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\ndata:\n  alertmanager.yml: |\n    route: { receiver: x }\n  api.rules.yaml: |\n    groups:\n      - name: api\n        rules:\n          - alert: Down\n            expr: sum(rate(up[5m]) > 0\n";
    let dir = scratch(&[("cm.yaml", config_map)]);
    let out = run(dir.path(), &["check", "--format", "json", "--select", "promql/syntax", "cm.yaml"]);
    let v = json(&out);
    let d = &v["diagnostics"][0];
    assert_eq!(d["lint"], "promql/syntax", "{}", text(&out));
    // promtool reports `1:21: unclosed left parenthesis` for this expression.
    let expr_line = 13;
    let expr_column = config_map.lines().nth(expr_line - 1).expect("line").find("sum").expect("expr") + 1;
    assert_eq!(d["range"]["start"]["line"], expr_line);
    assert_eq!(d["range"]["start"]["column"].as_u64(), Some((expr_column + 20) as u64), "{d:#}");
    let offset = d["range"]["start"]["offset"].as_u64().expect("offset") as usize;
    assert_eq!(&config_map[offset..offset + 1], "\n", "promtool points just past the end of the expression");
    assert_eq!(v["summary"]["rules"], 1);
}

#[test]
fn a_misspelt_groups_key_is_a_schema_error() {
    for key in ["grups", "Groups", "group"] {
        let rules = NO_RUNBOOK.replace("groups:", &format!("{key}:"));
        let dir = scratch(&[("rules.yaml", &rules)]);
        let out = run(dir.path(), &["check", "--format", "json", "rules.yaml"]);
        assert_eq!(out.status.code(), Some(1), "{key}: {}", text(&out));
        let v = json(&out);
        let d = &v["diagnostics"][0];
        assert_eq!(d["lint"], "rule/schema", "{key}: {}", text(&out));
        assert_eq!(d["message"], format!("unknown field `{key}` in rule file; did you mean `groups`?"));
        // Its rules are still read.
        assert!(findings(&v).contains(&("rules.yaml".into(), "runbook/missing".into())), "{}", text(&out));
    }
}

#[test]
fn other_yaml_gets_a_note_when_named_and_nothing_when_walked() {
    let dir = scratch(&[("values.yaml", "replicas: 3\n"), ("rules.yaml", NO_RUNBOOK)]);
    let out = run(dir.path(), &["check", "--format", "json", "values.yaml", "rules.yaml"]);
    assert_eq!(
        findings(&json(&out)),
        [("rules.yaml".into(), "runbook/missing".into()), ("values.yaml".into(), "rule/not-rules".into())]
    );
    let out = run(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(findings(&json(&out)), [("./rules.yaml".into(), "runbook/missing".into())]);
    // A note is not a failure.
    let out = run(dir.path(), &["check", "values.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_directory_without_rule_files_is_exit_2_naming_it() {
    let dir = scratch(&[("empty/.keep", ""), ("other/values.yaml", "replicas: 3\n"), ("rules/r.yaml", NO_RUNBOOK)]);
    for sub in ["empty", "other"] {
        let out = run(dir.path(), &["check", sub]);
        assert_eq!(out.status.code(), Some(2), "{sub}: {}", text(&out));
        assert!(text(&out).contains(&format!("{sub}: no rule file found")), "{}", text(&out));
        assert!(!text(&out).contains("No problems found"), "{}", text(&out));
    }
    // With a directory that has rules beside it, the empty one still fails the run.
    let out = run(dir.path(), &["check", "rules", "empty"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn helm_templates_are_checked_with_their_directives_blanked() {
    let template = "{{- if .Values.alerts.enabled }}\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"chart.labels\" . | nindent 4 }}\nspec:\n  groups:\n    - name: api\n      rules:\n        - alert: Down\n          expr: up == 0 >\n          annotations:\n            summary: \"{{`{{ $labels.job }}`}} is down\"\n{{- end }}\n";
    let dir = scratch(&[("chart/templates/rules.yaml", template)]);
    let out =
        run(dir.path(), &["check", "--format", "json", "--select", "yaml/syntax,promql/syntax,template/*", "chart"]);
    let v = json(&out);
    assert_eq!(findings(&v), [("chart/templates/rules.yaml".into(), "promql/syntax".into())], "{}", text(&out));
    assert_eq!(v["diagnostics"][0]["range"]["start"]["line"], 13);
}

#[test]
fn loki_and_victoriametrics_rule_files_are_noted_not_errors() {
    let loki = "groups:\n  - name: logs\n    rules:\n      - alert: ManyErrors\n        expr: sum by (job) (count_over_time({job=\"api\"} |= \"error\" [5m])) > 10\n      - alert: Json\n        expr: sum(rate({app=\"x\"} | json | level=\"error\" [1m])) > 0\n";
    let vm = "groups:\n  - name: vm\n    rules:\n      - alert: Lagging\n        expr: lag(up[1h]) > 5m\n      - record: x:default\n        expr: rate(x_total[5m]) default 0\n";
    let dir = scratch(&[("loki.yaml", loki), ("vm.yaml", vm)]);
    let out = run(dir.path(), &["check", "--format", "json", "--select", "promql/*,rule/*", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = json(&out);
    assert_eq!(
        findings(&v),
        [("./loki.yaml".into(), "rule/other-language".into()), ("./vm.yaml".into(), "rule/other-language".into())]
    );
    let messages: Vec<&str> =
        v["diagnostics"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert!(messages[0].contains("LogQL") && messages[1].contains("MetricsQL"), "{messages:?}");
}

// ---- configuration per file ------------------------------------------------

#[test]
fn each_file_uses_the_nearest_configuration_with_extends() {
    let dir = scratch(&[
        // Conventions stated, so that the `*/missing` lints apply whatever the files follow.
        (
            ".alertlint.yaml",
            "runbook: { annotations: [runbook_url] }\nlints:\n  owner/missing: off\n  severity/missing: off\n",
        ),
        (
            "a/rules.yaml",
            "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 5m\n",
        ),
        ("b/.alertlint.yaml", "extends: ../.alertlint.yaml\nlints:\n  runbook/missing: off\n"),
        (
            "b/rules.yaml",
            "groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: up == 0\n        for: 5m\n",
        ),
        (
            "c/.alertlint.yaml",
            "owner: { labels: [team] }\nseverity: { label: severity }\nlints:\n  runbook/missing: off\n",
        ),
        (
            "c/rules.yaml",
            "groups:\n  - name: c\n    rules:\n      - alert: C\n        expr: up == 0\n        for: 5m\n",
        ),
    ]);
    let out = run(dir.path(), &["check", "--format", "json", "."]);
    let v = json(&out);
    assert_eq!(
        findings(&v),
        [
            ("./a/rules.yaml".into(), "runbook/missing".into()),
            ("./c/rules.yaml".into(), "owner/missing".into()),
            ("./c/rules.yaml".into(), "severity/missing".into()),
        ],
        "{}",
        text(&out)
    );
    // `--config` forces one configuration on every file.
    let v = json(&run(dir.path(), &["check", "--format", "json", "--config", "c/.alertlint.yaml", "."]));
    assert_eq!(findings(&v).iter().filter(|(_, l)| l == "runbook/missing").count(), 0);
    assert_eq!(findings(&v).iter().filter(|(_, l)| l == "owner/missing").count(), 3);
}

#[test]
fn an_extends_cycle_is_exit_2() {
    let dir = scratch(&[
        (".alertlint.yaml", "extends: sub/.alertlint.yaml\n"),
        ("sub/.alertlint.yaml", "extends: ../.alertlint.yaml\n"),
        ("rules.yaml", NO_RUNBOOK),
    ]);
    let out = run(dir.path(), &["check", "rules.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("`extends` forms a cycle"), "{}", text(&out));
    let dir = scratch(&[(".alertlint.yaml", "extends: nowhere.yaml\n"), ("rules.yaml", NO_RUNBOOK)]);
    let out = run(dir.path(), &["check", "rules.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(".alertlint.yaml:1:10: `extends`: no configuration file at `nowhere.yaml`"),
        "{}",
        text(&out)
    );
}

#[test]
fn stdin_uses_the_configuration_of_its_file_name() {
    let dir = scratch(&[("team/.alertlint.yaml", "lints:\n  runbook/missing: off\n")]);
    let out = common::run(
        dir.path(),
        &["check", "--format", "json", "--stdin-filename", "team/rules.yaml", "-"],
        Some(NO_RUNBOOK),
    );
    assert_eq!(findings(&json(&out)), Vec::<(String, String)>::new(), "{}", text(&out));
    let out = common::run(
        dir.path(),
        &["check", "--format", "json", "--stdin-filename", "elsewhere/rules.yaml", "-"],
        Some(NO_RUNBOOK),
    );
    assert_eq!(findings(&json(&out)), [("elsewhere/rules.yaml".into(), "runbook/missing".into())]);
}

#[test]
fn the_cli_and_the_language_server_agree_on_the_configuration() {
    let rules = "groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: up == 0\n";
    let dir = scratch(&[
        (".alertlint.yaml", "lints:\n  owner/missing: off\n"),
        ("b/.alertlint.yaml", "extends: ../.alertlint.yaml\nlints:\n  runbook/missing: off\n"),
        ("b/rules.yaml", rules),
    ]);
    let out = run(dir.path(), &["check", "--format", "json", "b/rules.yaml"]);
    let mut cli: Vec<String> = findings(&json(&out)).into_iter().map(|(_, lint)| lint).collect();
    cli.sort();
    assert!(!cli.is_empty() && !cli.contains(&"owner/missing".to_string()), "{cli:?}");

    let (mut client, _) = client::Client::initialized(dir.path(), false);
    let uri = client::uri_of(&dir.path().join("b/rules.yaml"));
    client.open(&uri, "yaml", rules);
    let mut lsp: Vec<String> =
        client.diagnostics(&uri, Some(1)).iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect();
    lsp.sort();
    assert_eq!(cli, lsp);
}

#[test]
fn duplicates_are_found_across_files_with_different_configurations() {
    let rule = "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n";
    // Both files are loaded by one server (rule/duplicate compares only those).
    let dir = scratch(&[
        (".alertlint.yaml", "prometheus:\n  - name: main\n    paths: [\"**/*.yaml\"]\n"),
        ("a/.alertlint.yaml", "extends: ../.alertlint.yaml\nlints:\n  record/naming: off\n"),
        ("a/rules.yaml", rule),
        ("b/rules.yaml", rule),
    ]);
    let out = run(dir.path(), &["check", "--format", "json", "--select", "rule/duplicate", "."]);
    assert_eq!(findings(&json(&out)), [("./b/rules.yaml".into(), "rule/duplicate".into())], "{}", text(&out));
}
