//! The `routes` command: where each alerting rule's alert goes in the
//! Alertmanager routing tree, as the engine computed it, rendered as a table
//! or JSON. Routing itself lives in `alertmanager`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

pub use crate::alertmanager::{
    ALERTNAME, AlertLabels, RoutedAlert, alert_labels, code_list, is_blackhole, is_default_only, route_alert,
    unrouted_severity, unrouted_value,
};
use crate::alertmanager::{AmConfig, LabelSet};
use crate::config::Config;
use crate::engine::FileReport;
use crate::model::RuleKind;

/// One alerting rule's routing, as the `routes` command reports it.
#[derive(Clone, Debug)]
pub struct AlertRoute {
    pub file: String,
    pub group: String,
    pub rule: String,
    pub routed: RoutedAlert,
    /// Whether the expression parsed (when not, its labels are all unknown).
    pub expr_parsed: bool,
    /// The severity value when no route matcher accepts it (`severity/unrouted`).
    pub unrouted_severity: Option<String>,
}

/// Every alerting rule of the checked `reports`, in file order, with the
/// routing the engine computed for it (the engine must have been given `am`).
pub fn collect(reports: &[FileReport], config: &Config, am: &AmConfig) -> Vec<AlertRoute> {
    let mut out = Vec::new();
    for report in reports {
        for (g, group) in report.model.groups.iter().enumerate() {
            for (r, rule) in group.rules.iter().enumerate() {
                if rule.kind != RuleKind::Alert {
                    continue;
                }
                let Some(parsed) = report.parsed.rule(g, r) else { continue };
                let Some(routed) = parsed.routed.clone() else { continue };
                let severity = group
                    .labels
                    .iter()
                    .chain(&rule.labels)
                    .rev()
                    .find(|kv| kv.key.value == config.severity.label)
                    .map(|kv| kv.value.value.as_str());
                let only_catch_all = routed.always(is_default_only);
                let unrouted_severity = severity
                    .filter(|v| !v.is_empty() && !v.contains("{{"))
                    .filter(|v| {
                        unrouted_severity(am, &config.severity.label, &config.severity.values, v, only_catch_all)
                            .is_some()
                    })
                    .map(str::to_string);
                out.push(AlertRoute {
                    file: report.file.name().to_string(),
                    group: group.name.value.to_string(),
                    rule: rule.name.value.to_string(),
                    routed: *routed,
                    expr_parsed: parsed.expr_parsed,
                    unrouted_severity,
                });
            }
        }
    }
    out
}

/// Output formats of `routes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RoutesFormat {
    Human,
    Json,
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    version: u32,
    alerts: Vec<JsonAlert<'a>>,
}

#[derive(Serialize)]
struct JsonAlert<'a> {
    file: &'a str,
    group: &'a str,
    rule: &'a str,
    labels: &'a LabelSet,
    receivers: Vec<String>,
    routes: Vec<String>,
    unknown_labels: &'a BTreeSet<String>,
    /// Unknown labels whose value changes the receivers (empty when the
    /// outcome is definite); `receivers` and `routes` then list every
    /// possibility.
    depends_on: &'a BTreeSet<String>,
}

/// `routes --format json`, as SPEC describes.
pub fn render_json(alerts: &[AlertRoute]) -> String {
    let alerts = alerts
        .iter()
        .map(|a| JsonAlert {
            file: &a.file,
            group: &a.group,
            rule: &a.rule,
            labels: &a.routed.labels.known,
            receivers: a.routed.receivers(),
            routes: a.routed.routes(),
            unknown_labels: &a.routed.labels.unknown,
            depends_on: &a.routed.outcomes.depends_on,
        })
        .collect();
    serde_json::to_string_pretty(&JsonOutput { version: 1, alerts }).unwrap_or_default() + "\n"
}

/// What a reader should know about one alert's routing, for the human table.
fn notes(am: &AmConfig, a: &AlertRoute) -> Vec<String> {
    let routed = &a.routed;
    let mut notes = Vec::new();
    if !a.expr_parsed {
        notes.push("expression does not parse".to_string());
    }
    if let Some(severity) = &a.unrouted_severity {
        notes.push(format!("severity `{severity}` matched by no route"));
    }
    if routed.outcomes.truncated {
        notes.push(format!("too many combinations of {}: partial", code_list(&routed.labels.unknown)));
    } else if !routed.outcomes.depends_on.is_empty() {
        notes.push(format!("depends on {}", code_list(&routed.outcomes.depends_on)));
    }
    let has_children = !am.route.routes.is_empty();
    if has_children && routed.always(is_default_only) {
        notes.push("default route only".to_string());
    }
    if routed.always(|m| is_blackhole(am, m)) {
        notes.push("no integrations: dropped".to_string());
    }
    let ignored: Vec<&String> =
        routed.labels.unknown.iter().filter(|n| !routed.outcomes.depends_on.contains(*n)).collect();
    if !ignored.is_empty() && !routed.outcomes.truncated {
        notes.push(format!("unknown {} does not change the result", code_list(ignored)));
    }
    notes
}

/// `routes --format human`: one row per alert.
pub fn render_human(alerts: &[AlertRoute], am: &AmConfig) -> String {
    if alerts.is_empty() {
        return "No alerting rules found.\n".to_string();
    }
    let header = ["ALERT", "RECEIVERS", "ROUTES", "NOTES"].map(str::to_string);
    let rows: Vec<[String; 4]> = alerts
        .iter()
        .map(|a| {
            let alternatives = if a.routed.outcomes.definite.is_some() { ", " } else { " | " };
            [
                a.rule.clone(),
                a.routed.receivers().join(alternatives),
                a.routed.routes().join(alternatives),
                notes(am, a).join("; "),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut file = None;
    for (a, row) in std::iter::once((None, &header)).chain(alerts.iter().map(Some).zip(&rows)) {
        if let Some(a) = a
            && file != Some(&a.file)
        {
            let _ = writeln!(out, "\n{}", a.file);
            file = Some(&a.file);
        }
        let mut line = String::from("  ");
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n{} alerts; `|` separates receivers that depend on labels known only when the alert fires",
        alerts.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{self, FileKind, LoadOptions};
    use crate::promql;
    use crate::source::SourceFile;

    fn rule_file(yaml: &str) -> model::RuleFile {
        let file = model::load(&SourceFile::new("r.yaml", yaml), &LoadOptions::default());
        assert_eq!(file.kind, FileKind::Rules);
        file
    }

    fn labels_of(yaml: &str, read: &[&str], external: &[(&str, &str)]) -> AlertLabels {
        let file = rule_file(yaml);
        let group = &file.groups[0];
        let rule = &group.rules[0];
        let expr = rule.expr.as_ref().and_then(|t| promql::parse(&t.value, &promql::ParseOptions::default()).ok());
        let read = read.iter().map(|s| s.to_string()).collect();
        let external: Vec<(String, String)> = external.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        alert_labels(group, rule, expr.as_ref(), &external, &read)
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rule_labels_override_group_labels_and_series_labels() {
        let l = labels_of(
            "groups:\n  - name: g\n    labels: { team: a, env: prod }\n    rules:\n      - alert: A\n        expr: up{team=\"x\", job=\"api\"} == 0\n        labels: { team: b }\n",
            &["team", "instance", "severity"],
            &[],
        );
        assert_eq!(l.known.get("team").map(String::as_str), Some("b"));
        assert_eq!(l.known.get("env").map(String::as_str), Some("prod"));
        assert_eq!(l.known.get("job").map(String::as_str), Some("api"));
        assert_eq!(l.known.get("alertname").map(String::as_str), Some("A"));
        assert!(!l.known.contains_key("__name__"));
        // A plain selector can return any label.
        assert_eq!(l.unknown, set(&["instance", "severity"]));
    }

    #[test]
    fn aggregations_make_dropped_labels_absent_not_unknown() {
        let l = labels_of(
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum by (job) (up{job=\"api\"}) < 1\n",
            &["team", "job"],
            &[],
        );
        assert_eq!(l.unknown, set(&[]));
        assert_eq!(l.known.get("job").map(String::as_str), Some("api"));
    }

    #[test]
    fn templates_are_unknown_and_empty_values_remove() {
        let l = labels_of(
            "groups:\n  - name: g\n    labels: { team: a }\n    rules:\n      - alert: A\n        expr: vector(1)\n        labels: { severity: \"{{ if gt $value 5.0 }}critical{{ end }}\", team: \"\" }\n",
            &["severity", "team"],
            &[],
        );
        assert_eq!(l.unknown, set(&["severity"]));
        assert!(!l.known.contains_key("team") && !l.known.contains_key("severity"));
    }

    #[test]
    fn external_labels_fill_only_missing_labels() {
        let yaml = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(up) < 1\n        labels: { cluster: eu }\n";
        let l = labels_of(yaml, &[], &[("cluster", "us"), ("region", "west")]);
        assert_eq!(l.known.get("cluster").map(String::as_str), Some("eu"));
        assert_eq!(l.known.get("region").map(String::as_str), Some("west"));
        // When the series may carry the label, its value stays unknown.
        let yaml = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n";
        let l = labels_of(yaml, &["region"], &[("region", "west")]);
        assert_eq!(l.unknown, set(&["region"]));
        assert!(!l.known.contains_key("region"));
    }

    #[test]
    fn unparsed_expressions_leave_read_labels_unknown() {
        let l = labels_of(
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(\n        labels: { team: a }\n",
            &["team", "severity"],
            &[],
        );
        assert_eq!(l.unknown, set(&["severity"]));
        assert_eq!(l.known.get("team").map(String::as_str), Some("a"));
    }
}
