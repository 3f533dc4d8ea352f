//! The loader: the top-level mapping, the checks every part shares, and
//! the references resolved once everything is read.

use std::collections::BTreeSet;
use std::time::Duration;

use super::super::route::Route;
use super::yaml_v2::{Entries, find, is_null, mapping_entries, scalar_str};
use super::{AmConfig, InhibitRule, Receiver, error, parse_duration};
use crate::diagnostic::{Diagnostic, Severity};
use crate::names::{closest_by_edits, ids};
use crate::span::Span;
use crate::yaml::{Node, NodeKind, OffsetMap};

/// Receivers a "did you mean" suggestion is looked for among, and how many
/// undefined receivers get one.
const MAX_SUGGESTION_CANDIDATES: usize = 10_000;
const MAX_SUGGESTIONS: usize = 100;

/// Maps spans of the YAML being decoded to spans in the file.
pub(super) enum Mapper<'a> {
    Identity,
    /// Inside a string scalar of the file (a Secret's `stringData`).
    Scalar(&'a OffsetMap),
    /// Inside encoded data: everything points at the whole value.
    Whole(Span),
}

impl Mapper<'_> {
    pub(super) fn map(&self, span: Span) -> Span {
        match self {
            Mapper::Identity => span,
            Mapper::Scalar(m) => m.span_to_file(span),
            Mapper::Whole(s) => *s,
        }
    }
}

/// A reference to a receiver or time interval, checked once everything is read.
pub(super) struct Reference {
    pub(super) name: String,
    pub(super) span: Span,
}

pub(super) struct Loader<'a> {
    pub(super) mapper: Mapper<'a>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) warnings: Vec<Diagnostic>,
    pub(super) receiver_refs: Vec<Reference>,
    pub(super) interval_refs: Vec<Reference>,
}

/// Everything read from the top-level mapping.
pub(super) struct Parts {
    pub(super) route: Option<Route>,
    pub(super) receivers: Vec<Receiver>,
    pub(super) inhibit_rules: Vec<InhibitRule>,
    pub(super) time_intervals: Vec<String>,
}

const TOP_LEVEL_KEYS: &[&str] =
    &["global", "route", "receivers", "inhibit_rules", "templates", "mute_time_intervals", "time_intervals", "tracing"];

impl<'a> Loader<'a> {
    pub(super) fn new(mapper: Mapper<'a>) -> Loader<'a> {
        Loader {
            mapper,
            errors: Vec::new(),
            warnings: Vec::new(),
            receiver_refs: Vec::new(),
            interval_refs: Vec::new(),
        }
    }

    pub(super) fn err(&mut self, span: Span, message: impl Into<String>) {
        let span = self.mapper.map(span);
        self.errors.push(error(span, message));
    }

    pub(super) fn warn(&mut self, span: Span, message: impl Into<String>) {
        let span = self.mapper.map(span);
        self.warnings.push(Diagnostic::new(ids::ALERTMANAGER_CONFIG, Severity::Warning, span, message));
    }

    pub(super) fn finish(mut self, parts: Parts, embedded_in: Option<Span>) -> Result<AmConfig, Vec<Diagnostic>> {
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
                    if let Some(best) = closest_by_edits(&r.name, &known) {
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
    pub(super) fn config(&mut self, root: &Node) -> Parts {
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

    pub(super) fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<Entries<'n>> {
        match mapping_entries(node) {
            Some(entries) => Some(entries),
            None if is_null(node) => Some(Vec::new()),
            None => {
                self.err(node.span, format!("{what} must be a mapping"));
                None
            }
        }
    }

    pub(super) fn sequence<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
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
    pub(super) fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar(s) if is_null(node) => {
                let _ = s;
                Some(String::new())
            }
            NodeKind::Scalar(s) => Some(s.value.to_string()),
            _ => {
                self.err(node.span, format!("{what} must be a string"));
                None
            }
        }
    }

    pub(super) fn unknown_keys(&mut self, entries: &[(&Node, &Node)], known: &[&str], what: &str) {
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
                if let Some(best) = closest_by_edits(name, known) {
                    msg.push_str(&format!(" (did you mean `{best}`?)"));
                }
                self.err(k.span, msg);
            }
        }
    }

    pub(super) fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
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
