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
//! The engine routes each alert once ([`route_alert`]); the routing lints and
//! the `routes` command read the result.

use std::collections::{BTreeMap, BTreeSet};

use super::{AmConfig, LabelSet, Outcomes, RouteMatch};
use crate::model::{Group, Rule};
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
                    labels.known.insert(name.to_string(), value.to_string());
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
    labels.known.insert(ALERTNAME.to_string(), rule.name.value.to_string());
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

/// Routes alerting rule `rule` through `am`; `external` are Prometheus's
/// external labels.
pub fn route_alert(
    am: &AmConfig,
    external: &[(String, String)],
    group: &Group,
    rule: &Rule,
    expr: Option<&Expr>,
) -> RoutedAlert {
    let labels = alert_labels(group, rule, expr, external, &am.matched_label_names());
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
        selecting.iter().map(|(path, m)| format!("`{m}` (route {})", super::path_string(path))).collect();
    let shown = routes.len().min(MAX_MATCHERS_SHOWN);
    let more = if routes.len() > shown { format!(" and {} more", routes.len() - shown) } else { String::new() };
    Some(format!("{}{more}", routes[..shown].join(", ")))
}

/// Matchers listed in a message before "and N more".
const MAX_MATCHERS_SHOWN: usize = 4;

/// [`unrouted_value`] for a severity label `label` whose allowed values are
/// `values`. A misspelt or foreign value (not in `values`) counts whenever no route matcher accepts it. An allowed
/// value that no route names counts only when the alert then ends at the
/// root route alone (`only_catch_all`): a tree that escalates `critical` under
/// a team route and leaves `warning` to the team route does so by design.
pub fn unrouted_severity(
    am: &AmConfig,
    label: &str,
    values: &[String],
    value: &str,
    only_catch_all: bool,
) -> Option<String> {
    let routed = unrouted_value(am, label, value)?;
    if values.iter().any(|v| v == value) && !only_catch_all {
        return None;
    }
    Some(routed)
}

/// `a`, `` `a`, `b` `` for messages.
pub fn code_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items.into_iter().map(|s| format!("`{}`", s.as_ref())).collect::<Vec<_>>().join(", ")
}
