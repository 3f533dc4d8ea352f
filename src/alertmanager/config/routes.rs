//! The route tree and the matchers of routes and inhibit rules.

use std::collections::BTreeSet;

use super::super::compat;
use super::super::matcher::{MatchOp, Matcher, sort_matchers};
use super::super::route::{LabelSet, Route, RouteOpts};
use super::is_classic_label_name;
use super::loader::{Loader, Reference};
use super::yaml_v2::{bool_value, find, is_empty_collection, is_null, mapping_entries, scalar_str};
use crate::yaml::{Node, NodeKind};

/// Deepest route nesting accepted (the YAML loader bounds depth too; this
/// keeps the recursive walks shallow whatever the loader allows).
const MAX_ROUTE_DEPTH: usize = 100;

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

impl Loader<'_> {
    /// `match:` / `match_re:`: label name → value (or unanchored regex).
    pub(super) fn match_map(&mut self, node: &Node, op: MatchOp) -> Vec<Matcher> {
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
    pub(super) fn matcher_list(&mut self, node: &Node) -> Vec<Matcher> {
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

    pub(super) fn root_route(&mut self, key: &Node, node: &Node) -> Option<Route> {
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

    pub(super) fn route(
        &mut self,
        node: &Node,
        parent: &RouteOpts,
        parent_labels: &LabelSet,
        depth: usize,
    ) -> Option<Route> {
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
    pub(super) fn group_by(&mut self, node: &Node, opts: &mut RouteOpts) {
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
}
