//! Following alerts through the Alertmanager routing tree before they fire.
//!
//! An alert's labels are the labels of the series its expression returned
//! (without `__name__`), overridden by its group's and its own `labels:`, with
//! `alertname` set; Prometheus then adds its external labels where the alert
//! has none of that name. Before evaluation only some of them are known: rule
//! labels written literally, values an equality matcher fixes and the
//! expression keeps, and the external labels. The rest are *unknown*, and are
//! never treated as absent: routing tries every way the tree can answer them.
//!
//! This module computes those labels, routes them ([`route_alert`]), and holds
//! the `routes` command's collection and renderers. The routing lints use the
//! same computation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::alertmanager::{AmConfig, LabelSet, Outcomes, RouteMatch};
use crate::config::Config;
use crate::engine::FileReport;
use crate::model::{Group, Rule, RuleKind};
use crate::promql::Expr;
use crate::promql::labels::output_labels;

/// The label Prometheus sets to the alerting rule's name.
pub const ALERTNAME: &str = "alertname";

/// What is known about an alert's labels before it fires.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertLabels {
    /// Labels whose value is known, `alertname` included.
    pub known: LabelSet,
    /// Labels some route matcher reads whose value, or presence, is only
    /// known when the alert fires.
    pub unknown: BTreeSet<String>,
}

/// The labels of alerting rule `rule` of `group` before evaluation. `expr` is
/// its parsed expression (`None` when it does not parse: then every label the
/// expression could set is unknown); `read` names the labels route matchers read.
pub fn alert_labels(
    group: &Group,
    rule: &Rule,
    expr: Option<&Expr>,
    external: &[(String, String)],
    read: &BTreeSet<String>,
) -> AlertLabels {
    let mut labels = AlertLabels::default();
    // Labels of the series the expression returns; Prometheus drops the metric name.
    match expr.map(output_labels) {
        Some(output) => {
            for (name, value) in &output.known {
                if let Some(value) = value.as_deref().filter(|v| !v.is_empty() && name != "__name__") {
                    labels.known.insert(name.clone(), value.to_string());
                }
            }
            for name in read {
                if name != "__name__" && !labels.known.contains_key(name) && output.can_have(name) {
                    labels.unknown.insert(name.clone());
                }
            }
        }
        None => labels.unknown.extend(read.iter().filter(|n| *n != "__name__").cloned()),
    }
    // Rule labels override group labels, and both override the series' labels.
    let mut written: BTreeMap<&str, &str> = BTreeMap::new();
    for kv in group.labels.iter().chain(&rule.labels) {
        written.insert(&kv.key.value, &kv.value.value);
    }
    for (name, value) in written {
        if value.contains("{{") {
            // Expanded at evaluation; an empty expansion removes the label.
            labels.known.remove(name);
            if read.contains(name) {
                labels.unknown.insert(name.to_string());
            }
        } else {
            labels.unknown.remove(name);
            if value.is_empty() {
                // Prometheus deletes a label set to the empty string.
                labels.known.remove(name);
            } else {
                labels.known.insert(name.to_string(), value.to_string());
            }
        }
    }
    labels.unknown.remove(ALERTNAME);
    labels.known.insert(ALERTNAME.to_string(), rule.name.value.clone());
    // External labels fill in only labels the alert does not have. When the
    // alert may or may not have one, its value stays unknown.
    for (name, value) in external {
        if !value.is_empty() && !labels.known.contains_key(name) && !labels.unknown.contains(name) {
            labels.known.insert(name.clone(), value.clone());
        }
    }
    labels
}

/// An alert followed through the routing tree.
#[derive(Clone, Debug)]
pub struct RoutedAlert {
    pub labels: AlertLabels,
    pub outcomes: Outcomes,
}

/// Routes alerting rule `rule` through `am`.
pub fn route_alert(am: &AmConfig, config: &Config, group: &Group, rule: &Rule, expr: Option<&Expr>) -> RoutedAlert {
    let labels = alert_labels(group, rule, expr, &config.prometheus.external_labels, &am.matched_label_names());
    let outcomes = am.route_with_unknowns(&labels.known, &labels.unknown);
    RoutedAlert { labels, outcomes }
}

impl RoutedAlert {
    /// Whether every possible outcome is known and satisfies `test`. A
    /// truncated enumeration is never conclusive.
    pub fn always(&self, test: impl Fn(&[RouteMatch]) -> bool) -> bool {
        !self.outcomes.truncated && !self.outcomes.possible.is_empty() && self.outcomes.possible.iter().all(|p| test(p))
    }

    /// Receivers reached, in Alertmanager's order when the outcome is
    /// definite; otherwise every receiver some outcome reaches, first seen first.
    pub fn receivers(&self) -> Vec<String> {
        match &self.outcomes.definite {
            Some(matches) => matches.iter().map(|m| m.receiver.clone()).collect(),
            None => dedup(self.outcomes.possible.iter().flatten().map(|m| m.receiver.clone())),
        }
    }

    /// Matched route nodes as `/0/1` paths, like [`RoutedAlert::receivers`].
    pub fn routes(&self) -> Vec<String> {
        match &self.outcomes.definite {
            Some(matches) => matches.iter().map(RouteMatch::path_string).collect(),
            None => dedup(self.outcomes.possible.iter().flatten().map(RouteMatch::path_string)),
        }
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items.filter(|i| seen.insert(i.clone())).collect()
}

/// The alert ends only at the root route: no child route took it.
pub fn is_default_only(matches: &[RouteMatch]) -> bool {
    !matches.is_empty() && matches.iter().all(|m| m.path.is_empty())
}

/// Every receiver the alert reaches notifies nobody.
pub fn is_blackhole(am: &AmConfig, matches: &[RouteMatch]) -> bool {
    !matches.is_empty() && matches.iter().all(|m| am.receiver(&m.receiver).is_some_and(|r| !r.has_integrations()))
}

/// The matchers that select values of `label` (`` `team="db"` (route /0), ... ``)
/// when the tree has some but none accepts `value`; `None` otherwise.
pub fn unrouted_value(am: &AmConfig, label: &str, value: &str) -> Option<String> {
    let selecting: Vec<_> =
        am.matchers_on(label).into_iter().filter(|(_, m)| !m.op.is_negative() && !m.matches_absent()).collect();
    if selecting.is_empty() || !am.matchers_accepting(label, value).is_empty() {
        return None;
    }
    let routes: Vec<String> =
        selecting.iter().map(|(path, m)| format!("`{m}` (route {})", crate::alertmanager::path_string(path))).collect();
    let shown = routes.len().min(MAX_MATCHERS_SHOWN);
    let more = if routes.len() > shown { format!(" and {} more", routes.len() - shown) } else { String::new() };
    Some(format!("{}{more}", routes[..shown].join(", ")))
}

/// Matchers listed in a message before "and N more".
const MAX_MATCHERS_SHOWN: usize = 4;

/// [`unrouted_value`] for a severity. A misspelt or foreign value (not in
/// `severity.values`) counts whenever no route matcher accepts it. An allowed
/// value that no route names counts only when the alert then ends at the
/// root route alone (`only_catch_all`): a tree that escalates `critical` under
/// a team route and leaves `warning` to the team route does so by design.
pub fn unrouted_severity(
    am: &AmConfig,
    severity: &crate::config::SeverityConfig,
    value: &str,
    only_catch_all: bool,
) -> Option<String> {
    let routed = unrouted_value(am, &severity.label, value)?;
    if severity.values.iter().any(|v| v == value) && !only_catch_all {
        return None;
    }
    Some(routed)
}

/// `a`, `` `a`, `b` `` for messages.
pub fn code_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items.into_iter().map(|s| format!("`{}`", s.as_ref())).collect::<Vec<_>>().join(", ")
}

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
                    .filter(|v| unrouted_severity(am, &config.severity, v, only_catch_all).is_some())
                    .map(str::to_string);
                out.push(AlertRoute {
                    file: report.file.name().to_string(),
                    group: group.name.value.clone(),
                    rule: rule.name.value.clone(),
                    routed,
                    expr_parsed: parsed.expr.is_some(),
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
