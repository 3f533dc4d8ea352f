//! An Alertmanager configuration as loaded: the route tree, receivers and
//! inhibit rules, and the entry points that load it (a plain
//! `alertmanager.yml`, or a Kubernetes `Secret` holding one) with
//! Alertmanager's validation as positioned diagnostics.
//!
//! The loading itself: [`k8s`] (Secrets and ConfigMaps), [`loader`] (the
//! top level and shared checks), [`routes`] (the route tree and matchers),
//! [`receivers`] (receivers, time intervals, inhibit rules), [`yaml_v2`]
//! (reading YAML the way Go's yaml.v2 does).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use super::matcher::Matcher;
use super::route::{LabelSet, Route};
use crate::diagnostic::{Diagnostic, Severity};
// Every configuration finding is reported under `alertmanager/config`.
use crate::names::ids;
use crate::source::SourceFile;
use crate::span::Span;
use crate::yaml::{self, Limits};

mod k8s;
mod loader;
mod receivers;
mod routes;
mod yaml_v2;

pub use k8s::secret_config_text;
use k8s::{k8s_kind, load_from_k8s};
use loader::{Loader, Mapper};
use yaml_v2::is_null;

/// A loaded, valid Alertmanager configuration.
#[derive(Clone, Debug)]
pub struct AmConfig {
    /// The root route; its options are Alertmanager's defaults overridden by
    /// the file, and every child's options are resolved with inheritance.
    pub route: Route,
    pub receivers: Vec<Receiver>,
    pub inhibit_rules: Vec<InhibitRule>,
    /// Names of `mute_time_intervals` and `time_intervals` entries.
    pub time_intervals: Vec<String>,
    /// Where the config came from when it was embedded in a Kubernetes
    /// Secret: the Secret key's value in the file.
    pub embedded_in: Option<Span>,
    /// Findings that do not make the config invalid (a matcher only the
    /// classic parser reads, ambiguous matcher text).
    pub warnings: Vec<Diagnostic>,
    /// Receiver name → index in `receivers`, so that a lookup does not scan
    /// every receiver (configurations with many thousands exist).
    receiver_index: HashMap<String, usize>,
}

/// A receiver and the kinds of integrations it notifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receiver {
    pub name: String,
    /// The `name:` value in the file.
    pub span: Span,
    /// `(key, count)` for every non-empty `*_configs` list, e.g. `("slack_configs", 1)`.
    pub integrations: Vec<(String, usize)>,
}

impl Receiver {
    /// Whether notifications to this receiver go anywhere.
    pub fn has_integrations(&self) -> bool {
        self.integrations.iter().any(|(_, n)| *n > 0)
    }
}

/// An inhibit rule: alerts matching `target_matchers` are muted while an
/// alert matching `source_matchers` fires with the same `equal` labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InhibitRule {
    pub source_matchers: Vec<Matcher>,
    pub target_matchers: Vec<Matcher>,
    pub equal: Vec<String>,
    pub span: Span,
}

impl AmConfig {
    /// The receiver named `name`.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receiver_index.get(name).and_then(|&i| self.receivers.get(i))
    }

    /// The root route's receiver: where alerts that match no child go.
    pub fn root_receiver(&self) -> &str {
        &self.route.opts.receiver
    }

    /// Routes a label set: the matched nodes in Alertmanager's order.
    pub fn route(&self, labels: &LabelSet) -> Vec<super::RouteMatch> {
        super::route::route(&self.route, labels).0
    }

    /// Routes with some label values unknown until evaluation.
    pub fn route_with_unknowns(&self, known: &LabelSet, unknown: &BTreeSet<String>) -> super::Outcomes {
        super::route::route_with_unknowns(&self.route, known, unknown)
    }

    /// Every route matcher on label `name`, with the path of its route.
    pub fn matchers_on(&self, name: &str) -> Vec<(Vec<usize>, &Matcher)> {
        let mut out = Vec::new();
        self.route.walk(&mut |path, r| {
            for m in r.matchers.iter().filter(|m| m.name == name) {
                out.push((path.to_vec(), m));
            }
        });
        out
    }

    /// Route matchers that select `value` for label `name` on purpose: `=` or
    /// `=~` matchers that accept it but do not also accept an alert without
    /// the label (so `severity=~".*"` is not counted). Empty when only
    /// catch-alls or negative matchers would take the value.
    pub fn matchers_accepting(&self, name: &str, value: &str) -> Vec<(Vec<usize>, &Matcher)> {
        self.matchers_on(name)
            .into_iter()
            .filter(|(_, m)| !m.op.is_negative() && m.matches(value) && !m.matches_absent())
            .collect()
    }

    /// Every label name some route matcher reads.
    pub fn matched_label_names(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.route.walk(&mut |_, r| out.extend(r.matchers.iter().map(|m| m.name.clone())));
        out
    }
}

/// Loads the Alertmanager configuration in `file`: either the config itself,
/// a Kubernetes `Secret` with an `alertmanager.yaml` (or `.yml`) key in
/// `stringData` or (base64) `data`, or a `ConfigMap` with one in `data`.
pub fn load(file: &SourceFile) -> Result<AmConfig, Vec<Diagnostic>> {
    load_text(file.text())
}

/// [`load`] on a string; spans are byte offsets into `text`.
pub fn load_text(text: &str) -> Result<AmConfig, Vec<Diagnostic>> {
    let limits = Limits::default();
    let docs = yaml::load(text, &limits).map_err(|e| vec![error(e.span, format!("invalid YAML: {}", e.message))])?;
    let Some(doc) = docs.iter().find(|d| !is_null(&d.root)) else {
        return Err(vec![error(Span::new(0, 0), "the Alertmanager configuration is empty")]);
    };
    if let Some((holder, kind)) = docs.iter().find_map(|d| k8s_kind(&d.root).map(|k| (&d.root, k))) {
        return load_from_k8s(holder, kind, &limits);
    }
    let mut loader = Loader::new(Mapper::Identity);
    let cfg = loader.config(&doc.root);
    loader.finish(cfg, None)
}

pub(super) fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(ids::ALERTMANAGER_CONFIG, Severity::Error, span, message)
}

/// Prometheus's duration syntax (`1h30m`, `5m`, `0`), which Alertmanager
/// reads with the same `model.ParseDuration`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    crate::duration::parse_nanos(s).ok().map(Duration::from_nanos)
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`
pub fn is_classic_label_name(s: &str) -> bool {
    crate::model::NameValidation::Legacy.is_valid_label_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("100ms"), Some(Duration::from_millis(100)));
        assert_eq!(parse_duration("1m1h"), None);
        assert_eq!(parse_duration("1.5h"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("5"), None);
        // Beyond 2^63 nanoseconds: `amtool check-config` says "duration out of range".
        assert_eq!(parse_duration("300y"), None);
        assert_eq!(parse_duration("200y"), Some(Duration::from_secs(200 * 365 * 86_400)));
    }
}
