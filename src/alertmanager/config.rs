//! Loading an Alertmanager configuration (a plain `alertmanager.yml`, or a
//! Kubernetes `Secret` holding one) into the route tree, receivers and
//! inhibit rules, with Alertmanager's validation as positioned diagnostics.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use super::compat;
use super::matcher::{MatchOp, Matcher, sort_matchers};
use super::route::{LabelSet, Route, RouteOpts};
use crate::diagnostic::{Diagnostic, Severity};
// Every configuration finding is reported under `alertmanager/config`.
use crate::names::ids;
use crate::source::SourceFile;
use crate::span::Span;
use crate::yaml::{self, Limits, Node, NodeKind, OffsetMap, Scalar, ScalarStyle};

/// Receivers a "did you mean" suggestion is looked for among, and how many
/// undefined receivers get one.
const MAX_SUGGESTION_CANDIDATES: usize = 10_000;
const MAX_SUGGESTIONS: usize = 100;

/// Deepest route nesting accepted (the YAML loader bounds depth too; this
/// keeps the recursive walks shallow whatever the loader allows).
const MAX_ROUTE_DEPTH: usize = 100;

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

/// The Kubernetes kinds that hold an Alertmanager config: a `Secret`
/// (`stringData`, or base64 `data`) or a `ConfigMap` (plain `data`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum K8sKind {
    Secret,
    ConfigMap,
}

fn k8s_kind(root: &Node) -> Option<K8sKind> {
    match get(root, "kind").and_then(scalar_str)? {
        "Secret" => Some(K8sKind::Secret),
        "ConfigMap" => Some(K8sKind::ConfigMap),
        _ => None,
    }
}

/// The value holding the config, and whether it is base64-encoded.
fn k8s_config_node(root: &Node, kind: K8sKind) -> Option<(&Node, bool)> {
    const KEYS: [&str; 2] = ["alertmanager.yaml", "alertmanager.yml"];
    let find = |section: &str| {
        let map = get(root, section)?;
        KEYS.iter().find_map(|k| get(map, k))
    };
    match kind {
        K8sKind::Secret => find("stringData").map(|n| (n, false)).or_else(|| find("data").map(|n| (n, true))),
        K8sKind::ConfigMap => find("data").map(|n| (n, false)),
    }
}

fn load_from_k8s(root: &Node, kind: K8sKind, limits: &Limits) -> Result<AmConfig, Vec<Diagnostic>> {
    let found = k8s_config_node(root, kind);
    if let Some((node, false)) = found {
        let NodeKind::Scalar(s) = &node.kind else {
            return Err(vec![error(node.span, "`alertmanager.yaml` must be a string")]);
        };
        let docs = yaml::load(&s.value, limits)
            .map_err(|e| vec![error(s.map.span_to_file(e.span), format!("invalid YAML: {}", e.message))])?;
        let Some(doc) = docs.iter().find(|d| !is_null(&d.root)) else {
            return Err(vec![error(node.span, "the embedded Alertmanager configuration is empty")]);
        };
        let mut loader = Loader::new(Mapper::Scalar(&s.map));
        let cfg = loader.config(&doc.root);
        return loader.finish(cfg, Some(node.span));
    }
    if let Some((node, true)) = found {
        let encoded = scalar_str(node).unwrap_or_default();
        let Some(text) = decode_base64(encoded).and_then(|b| String::from_utf8(b).ok()) else {
            return Err(vec![error(node.span, "the Secret's `alertmanager.yaml` is not base64-encoded UTF-8 text")]);
        };
        let docs = yaml::load(&text, limits).map_err(|e| {
            vec![error(node.span, format!("invalid YAML in the base64-encoded configuration: {}", e.message))]
        })?;
        let Some(doc) = docs.iter().find(|d| !is_null(&d.root)) else {
            return Err(vec![error(node.span, "the embedded Alertmanager configuration is empty")]);
        };
        let mut loader = Loader::new(Mapper::Whole(node.span));
        let cfg = loader.config(&doc.root);
        return loader.finish(cfg, Some(node.span));
    }
    let span = get(root, "kind").map_or(root.span, |k| k.span);
    let message = match kind {
        K8sKind::Secret => "this Secret has no `alertmanager.yaml` key in `stringData` or `data`",
        K8sKind::ConfigMap => "this ConfigMap has no `alertmanager.yaml` key in `data`",
    };
    Err(vec![error(span, message)])
}

/// The Alertmanager configuration text held by a Kubernetes `Secret` or
/// `ConfigMap` in `text` (decoded when it is base64 `data`), or `None` when
/// `text` holds none.
pub fn secret_config_text(text: &str) -> Option<String> {
    let docs = yaml::load(text, &Limits::default()).ok()?;
    let (node, base64) = docs.iter().find_map(|d| k8s_kind(&d.root).and_then(|k| k8s_config_node(&d.root, k)))?;
    let value = scalar_str(node)?;
    if base64 { String::from_utf8(decode_base64(value)?).ok() } else { Some(value.to_string()) }
}

/// Standard base64 (with or without padding, whitespace ignored), as
/// Kubernetes writes Secret data.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(ids::ALERTMANAGER_CONFIG, Severity::Error, span, message)
}

/// Maps spans of the YAML being decoded to spans in the file.
enum Mapper<'a> {
    Identity,
    /// Inside a string scalar of the file (a Secret's `stringData`).
    Scalar(&'a OffsetMap),
    /// Inside encoded data: everything points at the whole value.
    Whole(Span),
}

impl Mapper<'_> {
    fn map(&self, span: Span) -> Span {
        match self {
            Mapper::Identity => span,
            Mapper::Scalar(m) => m.span_to_file(span),
            Mapper::Whole(s) => *s,
        }
    }
}

/// A reference to a receiver or time interval, checked once everything is read.
struct Reference {
    name: String,
    span: Span,
}

struct Loader<'a> {
    mapper: Mapper<'a>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    receiver_refs: Vec<Reference>,
    interval_refs: Vec<Reference>,
}

/// Everything read from the top-level mapping.
struct Parts {
    route: Option<Route>,
    receivers: Vec<Receiver>,
    inhibit_rules: Vec<InhibitRule>,
    time_intervals: Vec<String>,
}

const TOP_LEVEL_KEYS: &[&str] =
    &["global", "route", "receivers", "inhibit_rules", "templates", "mute_time_intervals", "time_intervals", "tracing"];

const ROUTE_KEYS: &[&str] = &[
    "receiver",
    "group_by",
    "match",
    "match_re",
    "matchers",
    "continue",
    "routes",
    "group_wait",
    "group_interval",
    "repeat_interval",
    "mute_time_intervals",
    "active_time_intervals",
    "labels",
];

const INHIBIT_KEYS: &[&str] = &[
    "source_match",
    "source_match_re",
    "source_matchers",
    "target_match",
    "target_match_re",
    "target_matchers",
    "equal",
];

impl<'a> Loader<'a> {
    fn new(mapper: Mapper<'a>) -> Loader<'a> {
        Loader {
            mapper,
            errors: Vec::new(),
            warnings: Vec::new(),
            receiver_refs: Vec::new(),
            interval_refs: Vec::new(),
        }
    }

    fn err(&mut self, span: Span, message: impl Into<String>) {
        let span = self.mapper.map(span);
        self.errors.push(error(span, message));
    }

    fn warn(&mut self, span: Span, message: impl Into<String>) {
        let span = self.mapper.map(span);
        self.warnings.push(Diagnostic::new(ids::ALERTMANAGER_CONFIG, Severity::Warning, span, message));
    }

    fn finish(mut self, parts: Parts, embedded_in: Option<Span>) -> Result<AmConfig, Vec<Diagnostic>> {
        let names: BTreeSet<&str> = parts.receivers.iter().map(|r| r.name.as_str()).collect();
        let known: Vec<&str> = names.iter().copied().collect();
        let mut suggested = 0;
        for r in std::mem::take(&mut self.receiver_refs) {
            if !names.contains(r.name.as_str()) {
                let mut msg = format!("undefined receiver `{}` used in route", r.name);
                // Suggestions compare with every receiver: bounded, so that
                // a huge configuration full of typos stays fast.
                if known.len() <= MAX_SUGGESTION_CANDIDATES && suggested < MAX_SUGGESTIONS {
                    suggested += 1;
                    if let Some(best) = closest(&r.name, &known) {
                        msg.push_str(&format!(" (did you mean `{best}`?)"));
                    }
                }
                self.err(r.span, msg);
            }
        }
        let intervals: BTreeSet<&str> = parts.time_intervals.iter().map(String::as_str).collect();
        for r in std::mem::take(&mut self.interval_refs) {
            if !intervals.contains(r.name.as_str()) {
                self.err(r.span, format!("undefined time interval `{}` used in route", r.name));
            }
        }
        match parts.route {
            Some(route) if self.errors.is_empty() => Ok(AmConfig {
                route,
                receiver_index: parts.receivers.iter().enumerate().map(|(i, r)| (r.name.clone(), i)).collect(),
                receivers: parts.receivers,
                inhibit_rules: parts.inhibit_rules,
                time_intervals: parts.time_intervals,
                embedded_in,
                warnings: self.warnings,
            }),
            _ => {
                self.errors.sort_by_key(|d| (d.span.start, d.span.end));
                Err(self.errors)
            }
        }
    }

    /// Reads the top-level mapping.
    fn config(&mut self, root: &Node) -> Parts {
        let mut parts =
            Parts { route: None, receivers: Vec::new(), inhibit_rules: Vec::new(), time_intervals: Vec::new() };
        let Some(entries) = self.mapping(root, "the Alertmanager configuration") else {
            return parts;
        };
        self.unknown_keys(&entries, TOP_LEVEL_KEYS, "the Alertmanager configuration");

        // Receivers and time intervals first: routes refer to them.
        if let Some((_, v)) = find(&entries, "receivers") {
            parts.receivers = self.receivers(v);
        }
        for key in ["mute_time_intervals", "time_intervals"] {
            if let Some((_, v)) = find(&entries, key) {
                self.time_interval_names(v, key, &mut parts.time_intervals);
            }
        }
        if let Some((_, v)) = find(&entries, "inhibit_rules") {
            parts.inhibit_rules = self.inhibit_rules(v);
        }
        match find(&entries, "route") {
            Some((k, v)) if !is_null(v) => parts.route = self.root_route(k, v),
            Some((k, _)) => self.err(k.span, "no routes provided: `route` is empty"),
            None => {
                let span = entries.first().map_or(root.span, |(k, _)| k.span);
                self.err(span, "no routes provided: the configuration has no `route`");
            }
        }
        parts
    }

    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<Entries<'n>> {
        match mapping_entries(node) {
            Some(entries) => Some(entries),
            None if is_null(node) => Some(Vec::new()),
            None => {
                self.err(node.span, format!("{what} must be a mapping"));
                None
            }
        }
    }

    fn sequence<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.kind {
            NodeKind::Sequence(items) => Some(items),
            _ if is_null(node) => Some(&[]),
            _ => {
                self.err(node.span, format!("{what} must be a list"));
                None
            }
        }
    }

    /// A string-typed field: any scalar but null (YAML 1.1 decoders read
    /// numbers and booleans into string fields verbatim).
    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar(s) if is_null(node) => {
                let _ = s;
                Some(String::new())
            }
            NodeKind::Scalar(s) => Some(s.value.clone()),
            _ => {
                self.err(node.span, format!("{what} must be a string"));
                None
            }
        }
    }

    fn unknown_keys(&mut self, entries: &[(&Node, &Node)], known: &[&str], what: &str) {
        let mut seen = BTreeSet::new();
        for (k, _) in entries {
            let Some(name) = scalar_str(k) else {
                self.err(k.span, format!("keys of {what} must be strings"));
                continue;
            };
            if !seen.insert(name) {
                self.err(k.span, format!("duplicate key `{name}` in {what}"));
            }
            if !known.contains(&name) {
                let mut msg = format!("unknown field `{name}` in {what}");
                if let Some(best) = closest(name, known) {
                    msg.push_str(&format!(" (did you mean `{best}`?)"));
                }
                self.err(k.span, msg);
            }
        }
    }

    fn receivers(&mut self, node: &Node) -> Vec<Receiver> {
        let mut out: Vec<Receiver> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let Some(items) = self.sequence(node, "`receivers`") else {
            return out;
        };
        for item in items {
            let Some(entries) = self.mapping(item, "a receiver") else {
                continue;
            };
            let mut name = None;
            let mut integrations = Vec::new();
            for (k, v) in entries {
                let Some(key) = scalar_str(k) else { continue };
                if key == "name" {
                    name = self.string(v, "a receiver's `name`").map(|n| (n, v.span));
                } else if key.ends_with("_configs") {
                    let count = self.sequence(v, &format!("`{key}`")).map_or(0, <[Node]>::len);
                    integrations.push((key.to_string(), count));
                } else {
                    self.err(k.span, format!("unknown field `{key}` in a receiver"));
                }
            }
            match name {
                Some((n, span)) if !n.is_empty() => {
                    if !seen.insert(n.clone()) {
                        self.err(span, format!("notification config name `{n}` is not unique"));
                        continue;
                    }
                    let span = self.mapper.map(span);
                    out.push(Receiver { name: n, span, integrations });
                }
                _ => self.err(item.span, "missing name in receiver"),
            }
        }
        out
    }

    fn time_interval_names(&mut self, node: &Node, key: &str, names: &mut Vec<String>) {
        let Some(items) = self.sequence(node, &format!("`{key}`")) else {
            return;
        };
        let mut seen: HashSet<String> = names.iter().cloned().collect();
        for item in items {
            let Some(v) = get(item, "name") else {
                self.err(item.span, format!("missing name in `{key}` entry"));
                continue;
            };
            let Some(n) = self.string(v, "a time interval's `name`") else {
                continue;
            };
            if n.is_empty() {
                self.err(v.span, format!("missing name in `{key}` entry"));
            } else if !seen.insert(n.clone()) {
                self.err(v.span, format!("time interval `{n}` is not unique"));
            } else {
                names.push(n);
            }
        }
    }

    fn inhibit_rules(&mut self, node: &Node) -> Vec<InhibitRule> {
        let mut out = Vec::new();
        let Some(items) = self.sequence(node, "`inhibit_rules`") else {
            return out;
        };
        for item in items {
            let Some(entries) = self.mapping(item, "an inhibit rule") else {
                continue;
            };
            self.unknown_keys(&entries, INHIBIT_KEYS, "an inhibit rule");
            let mut source = Vec::new();
            let mut target = Vec::new();
            let mut equal = Vec::new();
            for (k, v) in entries {
                match scalar_str(k).unwrap_or("") {
                    "source_match" => source.extend(self.match_map(v, MatchOp::Equal)),
                    "source_match_re" => source.extend(self.match_map(v, MatchOp::Regex)),
                    "source_matchers" => source.extend(self.matcher_list(v)),
                    "target_match" => target.extend(self.match_map(v, MatchOp::Equal)),
                    "target_match_re" => target.extend(self.match_map(v, MatchOp::Regex)),
                    "target_matchers" => target.extend(self.matcher_list(v)),
                    "equal" => {
                        for e in self.sequence(v, "`equal`").unwrap_or(&[]) {
                            if let Some(name) = self.string(e, "a label name in `equal`") {
                                equal.push(name);
                            }
                        }
                    }
                    _ => {}
                }
            }
            out.push(InhibitRule {
                source_matchers: source,
                target_matchers: target,
                equal,
                span: self.mapper.map(item.span),
            });
        }
        out
    }

    /// `match:` / `match_re:`: label name → value (or unanchored regex).
    fn match_map(&mut self, node: &Node, op: MatchOp) -> Vec<Matcher> {
        let mut out = Vec::new();
        let what = if op == MatchOp::Equal { "`match`" } else { "`match_re`" };
        let Some(entries) = self.mapping(node, what) else {
            return out;
        };
        let mut seen = BTreeSet::new();
        for (k, v) in entries {
            let Some(name) = self.string(k, "a label name") else {
                continue;
            };
            if !seen.insert(name.clone()) {
                self.err(k.span, format!("duplicate label `{name}` in {what}"));
                continue;
            }
            if name.is_empty() {
                self.err(k.span, format!("invalid label name `{name}`"));
                continue;
            }
            if !is_classic_label_name(&name) {
                self.warn(
                    k.span,
                    format!("label name `{name}` is not a classic Prometheus label name; Alertmanager before 0.27 rejects it"),
                );
            }
            if op == MatchOp::Regex && is_null(v) {
                self.err(k.span, format!("invalid regexp value for `{name}`"));
                continue;
            }
            let Some(mut value) = self.string(v, "a label value") else {
                continue;
            };
            if op == MatchOp::Regex {
                // Upstream stores `match_re` values anchored and prints them so
                // in route keys; anchoring twice matches the same strings.
                value = format!("^(?:{value})$");
            }
            match Matcher::new(op, name, value) {
                Ok(m) => {
                    let span = self.mapper.map(k.span.cover(v.span));
                    out.push(m.with_span(span));
                }
                Err(e) => self.err(v.span, format!("invalid regular expression in {what}: {e}")),
            }
        }
        out
    }

    /// `matchers:` (routes) / `source_matchers:` / `target_matchers:`: a list
    /// of strings, each one or more matchers.
    fn matcher_list(&mut self, node: &Node) -> Vec<Matcher> {
        let mut out = Vec::new();
        let Some(items) = self.sequence(node, "`matchers`") else {
            return out;
        };
        for item in items {
            let NodeKind::Scalar(s) = &item.kind else {
                self.err(item.span, "a matcher must be a string such as `severity=\"critical\"`");
                continue;
            };
            match compat::parse_matchers(&s.value) {
                Ok(parsed) => {
                    if let Some(reason) = &parsed.fallback {
                        let msg = reason.message(&s.value, &parsed.value);
                        self.warn(item.span, msg);
                    }
                    for m in parsed.value {
                        let span = self.mapper.map(s.map.span_to_file(m.span));
                        out.push(m.with_span(span));
                    }
                }
                Err(e) => {
                    let span = if e.span.is_empty() { item.span } else { s.map.span_to_file(e.span) };
                    self.err(span, format!("bad matcher `{}`: {}", s.value, e.message));
                }
            }
        }
        out
    }

    fn root_route(&mut self, key: &Node, node: &Node) -> Option<Route> {
        let route = self.route(node, &RouteOpts::default(), &LabelSet::new(), 0)?;
        if route.opts.receiver.is_empty() {
            self.err(key.span, "root route must specify a default receiver");
        }
        if let Some(entries) = mapping_entries(node) {
            for field in ["match", "match_re", "matchers"] {
                if let Some((k, v)) = find(&entries, field) {
                    if !is_empty_collection(v) {
                        self.err(k.span, "root route must not have any matchers");
                    }
                }
            }
            for field in ["mute_time_intervals", "active_time_intervals"] {
                if let Some((k, v)) = find(&entries, field) {
                    if !is_empty_collection(v) {
                        let what = field.trim_end_matches('s').replace('_', " ");
                        self.err(k.span, format!("root route must not have any {what}s"));
                    }
                }
            }
        }
        Some(route)
    }

    fn route(&mut self, node: &Node, parent: &RouteOpts, parent_labels: &LabelSet, depth: usize) -> Option<Route> {
        if depth > MAX_ROUTE_DEPTH {
            self.err(node.span, format!("routes are nested more than {MAX_ROUTE_DEPTH} levels deep"));
            return None;
        }
        let entries = self.mapping(node, "a route")?;
        self.unknown_keys(&entries, ROUTE_KEYS, "a route");

        let mut opts = parent.clone();
        opts.mute_time_intervals.clear();
        opts.active_time_intervals.clear();
        let mut route = Route::new(String::new());
        route.span = self.mapper.map(node.span);
        route.labels = parent_labels.clone();
        let mut matchers = Vec::new();
        let mut children: Option<&Node> = None;

        for (k, v) in entries {
            let Some(key) = scalar_str(k) else { continue };
            match key {
                "receiver" => {
                    if let Some(name) = self.string(v, "`receiver`") {
                        if !name.is_empty() {
                            self.receiver_refs.push(Reference { name: name.clone(), span: v.span });
                            route.receiver_span = Some(self.mapper.map(v.span));
                            opts.receiver = name;
                        }
                    }
                }
                "group_by" => self.group_by(v, &mut opts),
                "group_wait" => {
                    if let Some(d) = self.duration(v, "group_wait") {
                        opts.group_wait = d;
                    }
                }
                "group_interval" => {
                    if let Some(d) = self.duration(v, "group_interval") {
                        if d.is_zero() {
                            self.err(v.span, "group_interval cannot be zero");
                        }
                        opts.group_interval = d;
                    }
                }
                "repeat_interval" => {
                    if let Some(d) = self.duration(v, "repeat_interval") {
                        if d.is_zero() {
                            self.err(v.span, "repeat_interval cannot be zero");
                        }
                        opts.repeat_interval = d;
                    }
                }
                "continue" => match bool_value(v) {
                    Some(b) => route.continue_matching = b,
                    None => self.err(v.span, "`continue` must be true or false"),
                },
                "match" => matchers.extend(self.match_map(v, MatchOp::Equal)),
                "match_re" => matchers.extend(self.match_map(v, MatchOp::Regex)),
                "matchers" => matchers.extend(self.matcher_list(v)),
                "mute_time_intervals" | "active_time_intervals" => {
                    let mut names = Vec::new();
                    for item in self.sequence(v, &format!("`{key}`")).unwrap_or(&[]) {
                        if let Some(n) = self.string(item, "a time interval name") {
                            self.interval_refs.push(Reference { name: n.clone(), span: item.span });
                            names.push(n);
                        }
                    }
                    if key == "mute_time_intervals" {
                        opts.mute_time_intervals = names;
                    } else {
                        opts.active_time_intervals = names;
                    }
                }
                "labels" => {
                    for (lk, lv) in self.mapping(v, "`labels`").unwrap_or_default() {
                        if let (Some(name), Some(value)) =
                            (self.string(lk, "a label name"), self.string(lv, "a label value"))
                        {
                            route.labels.insert(name, value);
                        }
                    }
                }
                "routes" => children = Some(v),
                _ => {}
            }
        }
        sort_matchers(&mut matchers);
        route.matchers = matchers;
        route.opts = opts;
        if let Some(children) = children {
            for child in self.sequence(children, "`routes`").unwrap_or(&[]) {
                if let Some(r) = self.route(child, &route.opts, &route.labels, depth + 1) {
                    route.routes.push(r);
                }
            }
        }
        Some(route)
    }

    /// `group_by`: a list of label names, or `['...']` for all labels. An
    /// empty list inherits the parent's grouping, as upstream does.
    fn group_by(&mut self, node: &Node, opts: &mut RouteOpts) {
        let Some(items) = self.sequence(node, "`group_by`") else {
            return;
        };
        let mut names = BTreeSet::new();
        let mut all = false;
        let mut any_name = false;
        for item in items {
            let Some(name) = self.string(item, "a label name in `group_by`") else {
                continue;
            };
            if name == "..." {
                all = true;
                continue;
            }
            any_name = true;
            if name.is_empty() {
                self.err(item.span, "invalid label name `` in group_by list");
            } else if !names.insert(name.clone()) {
                self.err(item.span, format!("duplicated label `{name}` in group_by"));
            }
        }
        if all && any_name {
            self.err(node.span, "cannot have wildcard group_by (`...`) and other labels at the same time");
        }
        if any_name {
            opts.group_by = names;
            opts.group_by_all = false;
        } else if all {
            opts.group_by_all = true;
        }
    }

    fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.string(node, &format!("`{what}`"))?;
        match parse_duration(&text) {
            Some(d) => Some(d),
            None => {
                self.err(node.span, format!("`{what}`: not a valid duration string: `{text}`"));
                None
            }
        }
    }
}

/// Prometheus's duration syntax (`1h30m`, `5m`, `0`): units y w d h m s ms,
/// each at most once, largest first.
pub fn parse_duration(s: &str) -> Option<Duration> {
    if s == "0" {
        return Some(Duration::ZERO);
    }
    const UNITS: [(&str, u64); 7] = [
        ("y", 365 * 24 * 3600 * 1000),
        ("w", 7 * 24 * 3600 * 1000),
        ("d", 24 * 3600 * 1000),
        ("h", 3600 * 1000),
        ("m", 60 * 1000),
        ("s", 1000),
        ("ms", 1),
    ];
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total: u64 = 0;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = if rest.starts_with("ms") { 2 } else { rest.chars().next().map_or(0, char::len_utf8) };
        let unit = rest.get(..unit_len)?;
        let i = UNITS.iter().position(|(u, _)| *u == unit)?;
        if i < next_unit {
            return None;
        }
        next_unit = i + 1;
        total = total.checked_add(n.checked_mul(UNITS[i].1)?)?;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_millis(total))
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`
pub fn is_classic_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn closest<'k>(name: &str, candidates: &[&'k str]) -> Option<&'k str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(name, c), *c))
        .filter(|(d, c)| *d > 0 && *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

fn is_null(node: &Node) -> bool {
    if node.tag.as_deref() == Some("tag:yaml.org,2002:null") {
        return true;
    }
    match &node.kind {
        NodeKind::Scalar(Scalar { value, style: ScalarStyle::Plain, .. }) => {
            matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL")
        }
        _ => false,
    }
}

fn is_empty_collection(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Sequence(items) => items.is_empty(),
        NodeKind::Mapping(entries) => entries.is_empty(),
        NodeKind::Scalar(_) => is_null(node),
    }
}

/// YAML 1.1 booleans, as Go's yaml.v2 reads them.
fn bool_value(node: &Node) -> Option<bool> {
    if is_null(node) {
        return Some(false);
    }
    let NodeKind::Scalar(s) = &node.kind else {
        return None;
    };
    if s.style != ScalarStyle::Plain {
        return None;
    }
    match s.value.as_str() {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn scalar_str(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(s) => Some(s.value.as_str()),
        _ => None,
    }
}

/// A mapping's entries with YAML merge keys (`<<: *defaults`) applied, as
/// Go's yaml.v2 applies them: keys written in the mapping win over merged
/// ones, and an earlier merged mapping wins over a later one.
fn mapping_entries(node: &Node) -> Option<Entries<'_>> {
    let NodeKind::Mapping(entries) = &node.kind else {
        return None;
    };
    let mut out: Entries<'_> = Vec::with_capacity(entries.len());
    let mut merged: Entries<'_> = Vec::new();
    for (k, v) in entries {
        if is_merge_key(k) {
            let sources: Vec<&Node> = match &v.kind {
                NodeKind::Sequence(items) => items.iter().collect(),
                _ => vec![v],
            };
            for source in sources {
                if let NodeKind::Mapping(more) = &source.kind {
                    merged.extend(more.iter().map(|(k, v)| (k, v)));
                }
            }
        } else {
            out.push((k, v));
        }
    }
    let mut keys: HashSet<Option<&str>> = out.iter().map(|(k, _)| scalar_str(k)).collect();
    for (k, v) in merged {
        if keys.insert(scalar_str(k)) {
            out.push((k, v));
        }
    }
    Some(out)
}

fn is_merge_key(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar(Scalar { value, style: ScalarStyle::Plain, .. }) if value == "<<")
}

/// Mapping entries by reference, after merge keys are applied.
type Entries<'n> = Vec<(&'n Node, &'n Node)>;

fn find<'n>(entries: &[(&'n Node, &'n Node)], key: &str) -> Option<(&'n Node, &'n Node)> {
    entries.iter().find(|(k, _)| scalar_str(k) == Some(key)).copied()
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    find(&mapping_entries(node)?, key).map(|(_, v)| v)
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
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVs\nbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("!!"), None);
    }
}
