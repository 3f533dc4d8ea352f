//! Loading Alertmanager configs: the model (inheritance, receivers, inhibit
//! rules), Kubernetes Secrets, and positioned errors for invalid configs.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use alertlint::Severity;
use alertlint::alertmanager::{self, AmConfig, LabelSet};
use alertlint::diagnostic::Diagnostic;

fn load(text: &str) -> AmConfig {
    alertmanager::load_text(text).unwrap_or_else(|d| panic!("config does not load: {d:#?}"))
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match alertmanager::load_text(text) {
        Ok(_) => panic!("config loaded but should not:\n{text}"),
        Err(d) => d,
    }
}

/// The text each error's span covers, with its message.
fn spans<'t>(text: &'t str, diags: &[Diagnostic]) -> Vec<(&'t str, String)> {
    diags.iter().map(|d| (&text[d.span.range()], d.message.clone())).collect()
}

fn labels(pairs: &[(&str, &str)]) -> LabelSet {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const GOOD: &str = r#"
route:
  receiver: default
  group_by: ['...']
  group_wait: 10s
  routes:
    - matchers: ['team="db"', 'severity=~"critical|page"']
      receiver: db-pager
      group_by: [alertname]
      continue: true
    - match:
        team: db
      receiver: db-slack
      repeat_interval: 1h
      routes:
        - match_re:
            env: prod.*
          mute_time_intervals: [nights]
    - matchers: [team="web"]
      group_by: []
receivers:
  - name: default
  - name: db-pager
    pagerduty_configs:
      - routing_key: x
  - name: db-slack
    slack_configs: []
time_intervals:
  - name: nights
    time_intervals:
      - times: [{start_time: '22:00', end_time: '24:00'}]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_match:
      severity: warning
    equal: [team]
"#;

#[test]
fn model_and_inheritance() {
    let cfg = load(GOOD);
    assert_eq!(cfg.root_receiver(), "default");
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let root = &cfg.route;
    assert!(root.opts.group_by_all);
    assert_eq!(root.opts.group_wait, Duration::from_secs(10));

    let pager = &root.routes[0];
    assert_eq!(pager.opts.receiver, "db-pager");
    assert!(!pager.opts.group_by_all);
    assert_eq!(pager.opts.group_by, BTreeSet::from(["alertname".to_string()]));
    assert_eq!(pager.opts.group_wait, Duration::from_secs(10), "inherited");
    assert!(pager.continue_matching);

    let prod = &root.routes[1].routes[0];
    assert_eq!(prod.opts.receiver, "db-slack", "inherited receiver");
    assert_eq!(prod.opts.repeat_interval, Duration::from_secs(3600));
    assert_eq!(prod.opts.mute_time_intervals, vec!["nights".to_string()]);
    assert_eq!(prod.matchers[0].value, "^(?:prod.*)$");

    // An empty group_by list inherits, as upstream.
    assert!(root.routes[2].opts.group_by_all);

    assert!(cfg.receiver("db-pager").is_some_and(|r| r.has_integrations()));
    assert!(cfg.receiver("db-slack").is_some_and(|r| !r.has_integrations()));
    assert!(cfg.receiver("default").is_some_and(|r| !r.has_integrations()));
    assert!(cfg.receiver("nope").is_none());

    assert_eq!(cfg.inhibit_rules.len(), 1);
    assert_eq!(cfg.inhibit_rules[0].source_matchers[0].value, "critical");
    assert_eq!(cfg.inhibit_rules[0].target_matchers[0].value, "warning");
    assert_eq!(cfg.inhibit_rules[0].equal, vec!["team".to_string()]);

    let severities: Vec<String> = cfg.matchers_on("severity").iter().map(|(_, m)| m.value.clone()).collect();
    assert_eq!(severities, vec!["critical|page".to_string()]);
    assert_eq!(cfg.matchers_accepting("severity", "page").len(), 1);
    assert!(cfg.matchers_accepting("severity", "info").is_empty());
    assert_eq!(
        cfg.matched_label_names(),
        BTreeSet::from(["env".to_string(), "severity".to_string(), "team".to_string()])
    );
}

#[test]
fn routing() {
    let cfg = load(GOOD);
    let got = cfg.route(&labels(&[("team", "db"), ("severity", "page"), ("env", "prod-eu")]));
    let got: Vec<(String, String)> = got.iter().map(|m| (m.path_string(), m.receiver.clone())).collect();
    assert_eq!(got, vec![("/0".into(), "db-pager".into()), ("/1/0".into(), "db-slack".into())]);
    let got = cfg.route(&labels(&[("team", "ops")]));
    assert_eq!(got[0].path_string(), "/");
    assert_eq!(got[0].receiver, "default");
}

#[test]
fn routing_with_unknown_labels() {
    let cfg = load(GOOD);
    let unknown = BTreeSet::from(["severity".to_string(), "instance".to_string()]);
    let o = cfg.route_with_unknowns(&labels(&[("team", "db"), ("env", "dev")]), &unknown);
    assert_eq!(o.depends_on, BTreeSet::from(["severity".to_string()]));
    assert!(o.definite.is_none());
    let receivers: BTreeSet<Vec<String>> =
        o.possible.iter().map(|p| p.iter().map(|m| m.receiver.clone()).collect()).collect();
    assert_eq!(
        receivers,
        BTreeSet::from([vec!["db-pager".to_string(), "db-slack".to_string()], vec!["db-slack".to_string()]])
    );

    let o = cfg.route_with_unknowns(&labels(&[("team", "web")]), &unknown);
    assert!(o.depends_on.is_empty());
    assert_eq!(o.definite.as_ref().map(|d| d[0].path_string()), Some("/2".to_string()));
}

#[test]
fn positioned_errors() {
    let text = r#"route:
  receiver: default
  routes:
    - receiver: db-pagr
      matchers: ['team="db"', 'severity=~"[bad"']
    - matcher: [a=b]
      group_wait: 5x
receivers:
  - name: default
  - name: db-pager
"#;
    let got = spans(text, &errors(text));
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!(got[0].0, "db-pagr");
    assert!(
        got[0].1.contains("undefined receiver `db-pagr`") && got[0].1.contains("did you mean `db-pager`"),
        "{}",
        got[0].1
    );
    assert_eq!(got[1].0, "\"[bad\"");
    assert!(got[1].1.starts_with("bad matcher"), "{}", got[1].1);
    assert_eq!(got[2].0, "matcher");
    assert!(got[2].1.contains("did you mean `matchers`"), "{}", got[2].1);
    assert_eq!(got[3].0, "5x");
}

#[test]
fn root_route_rules() {
    let text = "route:\n  group_by: [a]\nreceivers:\n  - name: x\n";
    let got = spans(text, &errors(text));
    assert_eq!(got, vec![("route", "root route must specify a default receiver".to_string())]);

    let text = "route:\n  receiver: x\n  match: {a: b}\nreceivers:\n  - name: x\n";
    let got = spans(text, &errors(text));
    assert_eq!(got, vec![("match", "root route must not have any matchers".to_string())]);

    let text = "receivers:\n  - name: x\n";
    assert!(errors(text)[0].message.contains("no routes provided"));

    let text = "route:\n  receiver: x\nreceivers:\n  - name: x\n  - name: x\n  - {}\n";
    let got = spans(text, &errors(text));
    assert_eq!(got[0].0, "x");
    assert!(got[0].1.contains("not unique"));
    assert_eq!(got[1].1, "missing name in receiver");
}

#[test]
fn bad_yaml_is_a_positioned_error() {
    let text = "route:\n  receiver: x\n   bad: [\n";
    let d = errors(text);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].lint, "alertmanager/config");
    assert_eq!(d[0].severity, Severity::Error);
    assert!(d[0].message.starts_with("invalid YAML"));
}

#[test]
fn classic_only_matchers_warn() {
    let cfg = load("route:\n  receiver: x\n  routes:\n    - matchers: ['foo=!bar']\nreceivers:\n  - name: x\n");
    assert_eq!(cfg.warnings.len(), 1);
    assert_eq!(cfg.warnings[0].severity, Severity::Warning);
    assert_eq!(cfg.route.routes[0].matchers[0].value, "!bar");
}

const SECRET: &str = r#"apiVersion: v1
kind: Secret
metadata:
  name: alertmanager-main
stringData:
  alertmanager.yaml: |-
    route:
      receiver: "default"
      routes:
        - matchers: ["severity = critical"]
          receiver: pager
    receivers:
      - name: default
"#;

#[test]
fn secret_string_data_with_mapped_positions() {
    let d = errors(SECRET);
    assert_eq!(spans(SECRET, &d), vec![("pager", "undefined receiver `pager` used in route".to_string())]);
    let fixed = format!("{SECRET}      - name: pager\n        webhook_configs: [{{url: 'http://x'}}]\n");
    let cfg = load(&fixed);
    assert!(cfg.embedded_in.is_some());
    let got = cfg.route(&labels(&[("severity", "critical")]));
    assert_eq!(got[0].receiver, "pager");
    // The matcher's span is the matcher text inside the block scalar.
    let m = &cfg.route.routes[0].matchers[0];
    assert_eq!(&fixed[m.span.range()], "severity = critical");
}

#[test]
fn secret_base64_data() {
    // route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: x}]}]
    let text = "kind: Secret\ndata:\n  alertmanager.yml: cm91dGU6IHtyZWNlaXZlcjogYX0KcmVjZWl2ZXJzOiBbe25hbWU6IGEsIGVtYWlsX2NvbmZpZ3M6IFt7dG86IHh9XX1d\n";
    let cfg = load(text);
    assert_eq!(cfg.root_receiver(), "a");
    assert!(cfg.receiver("a").is_some_and(|r| r.has_integrations()));
    assert!(alertmanager::secret_config_text(text).is_some_and(|t| t.starts_with("route:")));

    let text = "kind: Secret\nmetadata: {name: x}\n";
    assert!(errors(text)[0].message.contains("no `alertmanager.yaml`"));
}

/// Hostile or odd input never panics.
#[test]
fn odd_inputs_do_not_panic() {
    let deep_routes = format!("route:\n  receiver: x\n{}receivers: [{{name: x}}]\n", {
        let mut s = String::new();
        for i in 0..150 {
            let pad = "  ".repeat(i + 1);
            s.push_str(&format!("{pad}routes:\n{pad}- receiver: x\n"));
        }
        s
    });
    let inputs = [
        "",
        "~",
        "[]",
        "route: []",
        "route: {receiver: [x]}\nreceivers: 3",
        "route: {receiver: x, routes: [1, null, {matchers: [{}]}]}\nreceivers: [{name: x}]",
        "route: {receiver: x, group_by: ['...', a, a]}\nreceivers: [{name: x}]",
        "route: {receiver: x, routes: [{match_re: {a: '(((((((((('}}]}\nreceivers: [{name: x}]",
        "route: {receiver: x, routes: [{match_re: {a: 'a{1000}{1000}{1000}'}}]}\nreceivers: [{name: x}]",
        "route: {receiver: x, routes: [{matchers: ['a=\"\\xff\"', '\"', '{', '=~']}]}\nreceivers: [{name: x}]",
        "kind: Secret\nstringData: {alertmanager.yaml: [1]}",
        "kind: Secret\nstringData: {alertmanager.yaml: 'route: ['}",
        "kind: Secret\ndata: {alertmanager.yaml: '@@@'}",
        &deep_routes,
    ];
    for text in inputs {
        let _ = alertmanager::load_text(text);
    }
}

#[test]
fn merge_keys_apply_as_in_go_yaml() {
    let text = r#"
route:
  receiver: default
  routes:
    - &db
      matchers: [team="db"]
      receiver: db
      group_wait: 1m
    - <<: *db
      receiver: db-other
      matchers: [team="db2"]
receivers:
  - name: default
  - name: db
  - name: db-other
"#;
    let cfg = load(text);
    let second = &cfg.route.routes[1];
    assert_eq!(second.opts.receiver, "db-other");
    assert_eq!(second.opts.group_wait, Duration::from_secs(60));
    assert_eq!(second.matchers[0].value, "db2");
}

/// Every YAML file of the corpus (rule files included) loads or fails with
/// diagnostics whose spans lie inside the file; none panics.
#[test]
fn corpus_files_never_panic() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                out.push(path);
            }
        }
    }
    if !common::corpus_present("corpus_files_never_panic") {
        return;
    }
    let mut files = Vec::new();
    walk(&common::corpus(), &mut files);
    assert!(!files.is_empty(), "no corpus files found");
    let (mut ok, mut rejected) = (0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        match alertmanager::load_text(&text) {
            Ok(_) => ok += 1,
            Err(diags) => {
                rejected += 1;
                for d in diags {
                    assert!(
                        d.span.end <= text.len() && d.span.start <= d.span.end,
                        "{}: bad span {:?}",
                        path.display(),
                        d.span
                    );
                    assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
                }
            }
        }
    }
    println!("corpus sweep: {} files, {ok} load as Alertmanager configs, {rejected} do not", files.len());
}

#[test]
fn config_map_data() {
    let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  alertmanager.yml: |\n    route:\n      receiver: nobody\n    receivers:\n      - name: somebody\n";
    let d = errors(text);
    assert_eq!(spans(text, &d), vec![("nobody", "undefined receiver `nobody` used in route".to_string())]);
}
