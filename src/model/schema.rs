//! Reading rule groups from the YAML tree and validating them as
//! Prometheus's `rulefmt` does (strict fields, yaml.v3 type conversions,
//! `RuleGroups.Validate`), collecting every problem instead of stopping at
//! the first.

use std::collections::HashMap;

use compact_str::CompactString;

use super::names::NameValidation;
use super::{Dialect, Duration, Group, KeyValue, Rule, RuleKind, Text};
use crate::diagnostic::{Diagnostic, Severity};
use crate::duration::parse as parse_duration;
use crate::names::ids;
use crate::span::Span;
use crate::yaml::{Node, NodeKind, OffsetMap, ScalarType};

pub(crate) const GROUP_FIELDS: &[&str] = &["name", "interval", "query_offset", "limit", "rules", "labels"];
const THANOS_GROUP_FIELDS: &[&str] = &["partial_response_strategy"];
// Grafana Mimir's ruler (pkg/ruler/rulespb and mimirtool's rule format).
const MIMIR_GROUP_FIELDS: &[&str] = &["source_tenants", "evaluation_delay", "align_evaluation_time_on_interval"];
const RULE_FIELDS: &[&str] = &["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];

/// Where a group comes from: the operator's `PrometheusRule` accepts
/// `partial_response_strategy` (for Thanos Ruler) whatever the dialect.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Plain,
    PrometheusRule,
}

/// Groups with at least this many rules are read in parallel, in chunks of
/// [`RULES_PER_TASK`].
const PARALLEL_RULES: usize = 512;
const RULES_PER_TASK: usize = 128;

pub(crate) struct Validator {
    pub dialect: Dialect,
    /// The targeted Prometheus (`None`: the latest).
    pub version: Option<super::Version>,
    pub names: NameValidation,
    pub diagnostics: Vec<Diagnostic>,
}

/// Names a finding belongs to.
#[derive(Clone, Default)]
struct Scope<'n> {
    group: Option<&'n str>,
    rule: Option<&'n str>,
}

/// The Prometheus release that added a rule-file field (from its changelog);
/// `None` for fields as old as rule groups.
fn field_added_in(place: &str, name: &str) -> Option<super::Version> {
    let (major, minor) = match (place, name) {
        ("rule group", "limit") => (2, 31),
        ("rule group", "query_offset") => (2, 53),
        ("rule group", "labels") => (3, 0),
        ("rule", "keep_firing_for") => (2, 42),
        _ => return None,
    };
    Some(super::Version::new(major, minor))
}

impl Validator {
    /// Whether `name` is a field of `place` in the targeted release.
    fn field_exists(&self, place: &str, name: &str) -> bool {
        match (self.version, field_added_in(place, name)) {
            (Some(target), Some(added)) => target >= added,
            _ => true,
        }
    }

    /// Reports a field the targeted release does not have yet; false when
    /// `key` is not such a field.
    fn newer_field(&mut self, key: &Node, place: &str, scope: &Scope) -> bool {
        let (Some(name), Some(target)) = (key.as_str(), self.version) else { return false };
        let Some(added) = field_added_in(place, name).filter(|added| target < *added) else { return false };
        let d = self.schema(
            key.span,
            scope,
            format!("field `{name}` in {place} needs Prometheus {added} or later; the configured target is {target}"),
        );
        d.help = Some("remove it, or raise `prometheus.version` in .alertlint.yaml".into());
        true
    }

    fn report(&mut self, lint: &'static str, span: Span, scope: &Scope, message: String) -> &mut Diagnostic {
        let mut d = Diagnostic::new(lint, Severity::Error, span, message);
        d.group = scope.group.map(str::to_string);
        d.rule = scope.rule.map(str::to_string);
        self.diagnostics.push(d);
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    fn schema(&mut self, span: Span, scope: &Scope, message: String) -> &mut Diagnostic {
        self.report(ids::RULE_SCHEMA, span, scope, message)
    }

    /// Reports an unknown field with a suggestion, or the dialect that has it.
    /// Reports an unknown field; returns the suggested field, if any.
    fn unknown_field(&mut self, key: &Node, place: &str, allowed: &[&str], scope: &Scope) -> Option<String> {
        let Some(name) = key.as_str() else {
            self.schema(key.span, scope, format!("unexpected {} as a key in {place}", key.kind_name()));
            return None;
        };
        let suggestion = suggest(name, allowed).map(str::to_string);
        let mut message = format!("unknown field `{name}` in {place}");
        let mut help = None;
        if let Some(best) = suggest(name, allowed) {
            message.push_str(&format!("; did you mean `{best}`?"));
        } else if let Some(dialect) = other_dialect_field(name, self.dialect, place) {
            help = Some(format!(
                "`{name}` is a {dialect} field: select that dialect (`--dialect {}`)",
                dialect.to_lowercase()
            ));
        } else {
            help = Some(format!(
                "the fields of {place} are {}",
                allowed.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let d = self.schema(key.span, scope, message);
        d.help = help;
        suggestion
    }

    pub fn unknown_field_at_top(&mut self, key: &Node, place: &str, allowed: &[&str]) {
        let _ = self.unknown_field(key, place, allowed, &Scope::default());
    }

    pub fn type_error_at_top(&mut self, node: &Node, what: &str, expected: &str) {
        self.schema(
            node.span,
            &Scope::default(),
            format!("expected {expected} for {what}, found {}", node.kind_name()),
        );
    }

    /// Reads the `groups` sequence of a rule file (or of a PrometheusRule's `spec`).
    pub fn groups(&mut self, node: &Node, origin: Origin) -> Vec<Group> {
        let scope = Scope::default();
        let items = match &node.kind {
            NodeKind::Sequence(items) => items.as_slice(),
            _ if node.is_null() => return Vec::new(),
            _ => {
                self.schema(
                    node.span,
                    &scope,
                    format!("expected a sequence of rule groups, found {}", node.kind_name()),
                );
                return Vec::new();
            }
        };
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut groups = Vec::with_capacity(items.len());
        for item in items {
            if let Some(group) = self.group(item, origin, &mut seen) {
                groups.push(group);
            }
        }
        groups
    }

    /// Reads a bare list of rules (no group around them, as pint's relaxed
    /// mode reads): one unnamed group holding them.
    pub fn bare_rules(&mut self, node: &Node) -> Group {
        let items = node.as_sequence().unwrap_or_default();
        let rules = items.iter().filter_map(|item| self.rule(item, &Scope::default())).collect();
        Group {
            name: empty_text(node.span),
            span: node.span,
            interval: None,
            query_offset: None,
            limit: None,
            labels: Vec::new(),
            rules,
        }
    }

    fn group(&mut self, node: &Node, origin: Origin, seen: &mut HashMap<String, Span>) -> Option<Group> {
        let mut scope = Scope::default();
        let Some(entries) = node.as_mapping() else {
            if node.is_null() {
                self.schema(node.span, &scope, "empty rule group; expected a mapping with `name` and `rules`".into());
            } else {
                self.schema(
                    node.span,
                    &scope,
                    format!("expected a mapping for a rule group, found {}", node.kind_name()),
                );
            }
            return None;
        };
        // The name first, so that every finding in the group can carry it.
        let name_entry = node.entry("name");
        let name = match name_entry {
            Some((_, v)) => self.text(v, "name", &scope),
            None => None,
        };
        // Findings carry the name as the file has it (the scalar's value),
        // when there is one: not for a null `name: ~`.
        let named = name.as_ref().filter(|n| !n.value.is_empty());
        scope.group = named.and(name_entry).and_then(|(_, v)| v.as_scalar()).map(|s| s.value.as_str());

        let mut allowed: Vec<&str> = GROUP_FIELDS.to_vec();
        if self.dialect == Dialect::Thanos || origin == Origin::PrometheusRule {
            allowed.extend_from_slice(THANOS_GROUP_FIELDS);
        }
        if self.dialect == Dialect::Mimir {
            allowed.extend_from_slice(MIMIR_GROUP_FIELDS);
        }

        let mut group = Group {
            name: name.clone().unwrap_or_else(|| empty_text(first_key_span(node))),
            span: node.span,
            interval: None,
            query_offset: None,
            limit: None,
            labels: Vec::new(),
            rules: Vec::new(),
        };
        let mut rules_node = None;
        for (key, value) in entries {
            let Some(field) = key.as_str().filter(|f| allowed.contains(f) && self.field_exists("rule group", f)) else {
                if !self.newer_field(key, "rule group", &scope) {
                    let _ = self.unknown_field(key, "rule group", &allowed, &scope);
                }
                continue;
            };
            match field {
                "name" => {}
                "interval" => group.interval = self.duration(value, field, &scope),
                "query_offset" => group.query_offset = self.duration(value, field, &scope),
                "evaluation_delay" => {
                    self.duration(value, field, &scope);
                }
                "limit" => group.limit = self.integer(value, field, &scope),
                "labels" => group.labels = self.key_values(value, field, true, &scope),
                "rules" => rules_node = Some(value),
                "partial_response_strategy" => self.partial_response_strategy(value, &scope),
                "source_tenants" => self.string_list(value, field, &scope),
                "align_evaluation_time_on_interval" => self.boolean(value, field, &scope),
                _ => {}
            }
        }

        match &name {
            Some(n) if !n.value.is_empty() => {
                if let Some(first) = seen.get(n.value.as_str()) {
                    let first = *first;
                    self.report(
                        ids::GROUP_DUPLICATE_NAME,
                        n.span,
                        &scope,
                        format!("group name `{}` is already used in this file", n.value),
                    )
                    .labels
                    .push(crate::diagnostic::Label { span: first, message: "first used here".into() });
                } else {
                    seen.insert(n.value.to_string(), n.span);
                }
            }
            Some(n) => {
                self.schema(n.span, &scope, "group name must not be empty".into());
            }
            None => {
                self.schema(first_key_span(node), &scope, "rule group has no `name`".into()).help =
                    Some("add `name: <group name>` to the group".into());
            }
        }
        for kv in &group.labels {
            self.check_label_name(kv, &scope);
        }

        if let Some(rules) = rules_node {
            match &rules.kind {
                NodeKind::Sequence(items) if items.len() < PARALLEL_RULES => {
                    group.rules.reserve(items.len());
                    for item in items {
                        if let Some(rule) = self.rule(item, &scope) {
                            group.rules.push(rule);
                        }
                    }
                }
                NodeKind::Sequence(items) => {
                    // A large group's rules are read on every thread, each
                    // with its own findings, joined in order. The rules are
                    // written straight into one vector (and kept in its
                    // place), not gathered per chunk and copied again.
                    use rayon::prelude::*;
                    let (mut rules, mut diagnostics): (Vec<Option<Rule>>, Vec<Vec<Diagnostic>>) = Default::default();
                    items
                        .par_iter()
                        .with_min_len(RULES_PER_TASK)
                        .map(|item| {
                            let mut v = Validator { diagnostics: Vec::new(), ..*self };
                            (v.rule(item, &scope), v.diagnostics)
                        })
                        .unzip_into_vecs(&mut rules, &mut diagnostics);
                    // `filter_map` (unlike `flatten`) collects in place.
                    #[allow(clippy::filter_map_identity)]
                    let rules = rules.into_iter().filter_map(|rule| rule).collect();
                    group.rules = rules;
                    self.diagnostics.extend(diagnostics.into_iter().flatten());
                }
                _ if rules.is_null() => {}
                _ => {
                    self.schema(
                        rules.span,
                        &scope,
                        format!("expected a sequence of rules for `rules`, found {}", rules.kind_name()),
                    );
                }
            }
        }
        Some(group)
    }

    fn rule(&mut self, node: &Node, group_scope: &Scope) -> Option<Rule> {
        let mut scope = group_scope.clone();
        let Some(entries) = node.as_mapping() else {
            if node.is_null() {
                self.schema(
                    node.span,
                    &scope,
                    "empty rule; expected a mapping with `alert` or `record`, and `expr`".into(),
                );
            } else {
                self.schema(node.span, &scope, format!("expected a mapping for a rule, found {}", node.kind_name()));
            }
            return None;
        };
        let (alert_entry, record_entry) = (node.entry("alert"), node.entry("record"));
        let alert = alert_entry.and_then(|(k, v)| Some((k, self.text(v, "alert", &scope)?)));
        let record = record_entry.and_then(|(k, v)| Some((k, self.text(v, "record", &scope)?)));
        let alert = alert.filter(|(_, t)| !t.value.is_empty());
        let record = record.filter(|(_, t)| !t.value.is_empty());
        let named = alert.as_ref().or(record.as_ref());
        // Findings carry the name as the file has it (the scalar's value).
        let named_entry = if alert.is_some() { alert_entry } else { record_entry };
        scope.rule = named.and(named_entry).and_then(|(_, v)| v.as_scalar()).map(|s| s.value.as_str());

        let mut rule = Rule {
            kind: if alert.is_some() || record.is_none() { RuleKind::Alert } else { RuleKind::Record },
            // Set at the end, from `alert` or `record`.
            name: empty_text(first_key_span(node)),
            span: node.span,
            expr: None,
            for_: None,
            keep_firing_for: None,
            labels: Vec::new(),
            annotations: Vec::new(),
        };
        let mut expr_node = None;
        let mut for_key = None;
        let mut keep_key = None;
        let mut annotations_key = None;
        // Fields the unknown ones were probably meant to be: a misspelt
        // `expr` is reported once, not also as a missing `expr`.
        let mut misspelt: Vec<String> = Vec::new();
        for (key, value) in entries {
            let Some(field) = key.as_str().filter(|f| RULE_FIELDS.contains(f) && self.field_exists("rule", f)) else {
                if !self.newer_field(key, "rule", &scope) {
                    misspelt.extend(self.unknown_field(key, "rule", RULE_FIELDS, &scope));
                }
                continue;
            };
            match field {
                "expr" => {
                    expr_node = Some((key, value));
                    rule.expr = self.text(value, field, &scope);
                }
                "for" => {
                    rule.for_ = self.duration(value, field, &scope);
                    for_key = Some(key);
                }
                "keep_firing_for" => {
                    rule.keep_firing_for = self.duration(value, field, &scope);
                    keep_key = Some(key);
                }
                "labels" => rule.labels = self.key_values(value, field, true, &scope),
                "annotations" => {
                    rule.annotations = self.key_values(value, field, false, &scope);
                    annotations_key = Some(key);
                }
                _ => {}
            }
        }

        match (&alert, &record) {
            (Some((_, a)), Some((_, r))) => {
                self.schema(r.span, &scope, "only one of `record` and `alert` may be set in a rule".into())
                    .labels
                    .push(crate::diagnostic::Label { span: a.span, message: "`alert` also set here".into() });
            }
            (None, None) if misspelt.iter().any(|f| f == "alert" || f == "record") => {}
            (None, None) => {
                let span = node.entry("alert").or(node.entry("record")).map_or(first_key_span(node), |(k, _)| k.span);
                self.schema(span, &scope, "one of `record` or `alert` must be set in a rule".into()).help =
                    Some("name the rule with `alert: <AlertName>` or `record: <level:metric:operations>`".into());
            }
            _ => {}
        }

        let expr_missing = rule.expr.as_ref().is_none_or(|e| e.value.is_empty())
            && !(expr_node.is_none() && misspelt.iter().any(|f| f == "expr"));
        if expr_missing {
            let span = match expr_node {
                // A non-scalar `expr` was already reported as a type error.
                Some((_, v)) if v.as_scalar().is_none() => None,
                Some((k, v)) if v.span.is_empty() => Some(k.span),
                Some((_, v)) => Some(v.span),
                None => Some(named.map_or(first_key_span(node), |(k, _)| k.span)),
            };
            if let Some(span) = span {
                self.schema(span, &scope, "field `expr` must be set in a rule".into());
            }
            rule.expr = rule.expr.filter(|e| !e.value.is_empty());
        }

        if let (Some((_, r)), None) = (&record, &alert) {
            if !rule.annotations.is_empty() {
                let span = annotations_key.map_or(r.span, |k| k.span);
                self.schema(span, &scope, format!("recording rule `{}` cannot have `annotations`", r.value)).help =
                    Some("annotations only apply to alerts; remove them or make this an alerting rule".into());
            }
            if rule.for_.as_ref().is_some_and(|d| d.millis != 0) {
                let span = for_key.map_or(r.span, |k| k.span);
                self.schema(span, &scope, format!("recording rule `{}` cannot have `for`", r.value));
            }
            if rule.keep_firing_for.as_ref().is_some_and(|d| d.millis != 0) {
                let span = keep_key.map_or(r.span, |k| k.span);
                self.schema(span, &scope, format!("recording rule `{}` cannot have `keep_firing_for`", r.value));
            }
            if !self.names.is_valid_metric_name(&r.value) {
                self.schema(r.span, &scope, format!("invalid recording rule name `{}`", r.value)).help =
                    Some("metric names must match `[a-zA-Z_:][a-zA-Z0-9_:]*`".into());
            }
            if r.value.contains('{') || r.value.contains('}') {
                self.schema(
                    r.span,
                    &scope,
                    format!("braces present in the recording rule name `{}`; should they be in `expr`?", r.value),
                );
            }
        }
        for kv in &rule.labels {
            self.check_label_name(kv, &scope);
        }
        for kv in &rule.annotations {
            if !self.names.is_valid_label_name(&kv.key.value) {
                self.schema(kv.key.span, &scope, format!("invalid annotation name `{}`", kv.key.value)).help = Some(
                    self.names
                        .label_rule()
                        .replace("label names", "annotation names")
                        .replace(", and `__name__` cannot be set as a label", ""),
                );
            }
        }
        rule.name = match (alert, record) {
            (Some((_, name)), _) | (None, Some((_, name))) => name,
            (None, None) => return None,
        };
        Some(rule)
    }

    fn check_label_name(&mut self, kv: &KeyValue, scope: &Scope) {
        let name = &kv.key.value;
        if !self.names.is_valid_label_name(name) || name == "__name__" {
            let help = self.names.label_rule().to_string();
            self.schema(kv.key.span, scope, format!("invalid label name `{name}`")).help = Some(help);
        }
    }

    /// A string field: any scalar (yaml.v3 copies the text of numbers and
    /// booleans into a string field; null becomes empty).
    fn text(&mut self, node: &Node, field: &str, scope: &Scope) -> Option<Text> {
        match &node.kind {
            NodeKind::Scalar(s) => {
                if node.is_null() {
                    return Some(empty_text(node.span));
                }
                Some(Text { value: s.value.clone(), span: node.span, map: s.map.clone() })
            }
            _ => {
                self.schema(node.span, scope, format!("expected a string for `{field}`, found {}", node.kind_name()));
                None
            }
        }
    }

    fn duration(&mut self, node: &Node, field: &str, scope: &Scope) -> Option<Duration> {
        let Some(s) = node.as_scalar() else {
            self.schema(node.span, scope, format!("expected a duration for `{field}`, found {}", node.kind_name()));
            return None;
        };
        if node.is_null() {
            return None;
        }
        match parse_duration(&s.value) {
            Ok(millis) => Some(Duration { millis, text: s.value.clone(), span: node.span }),
            Err(reason) => {
                let detail = if reason.starts_with("unknown unit") {
                    format!(": {}", reason.split(" in duration").next().unwrap_or(&reason).replace('"', "`"))
                } else if reason.contains("out of range") {
                    ": out of range".to_string()
                } else if reason.starts_with("empty") {
                    ": empty".to_string()
                } else {
                    String::new()
                };
                self.schema(node.span, scope, format!("invalid duration `{}` for `{field}`{detail}", s.value)).help = Some(
                    "a duration is numbers with units, largest unit first, such as `30s`, `5m` or `1h30m` (units: ms, s, m, h, d, w, y); `0` needs no unit"
                        .into(),
                );
                None
            }
        }
    }

    /// An integer field, decoded as yaml.v3 decodes into a Go `int`: integers
    /// and floats that fit (truncated) are accepted, strings are not.
    fn integer(&mut self, node: &Node, field: &str, scope: &Scope) -> Option<i64> {
        let found = node.kind_name();
        let value = match (node.as_scalar(), node.scalar_type()) {
            (_, Some(ScalarType::Null)) => return None,
            (Some(s), Some(ScalarType::Int)) => parse_go_int(&s.value),
            (Some(s), Some(ScalarType::Float)) => {
                let f: Option<f64> = s.value.replace('_', "").parse().ok();
                f.filter(|f| f.is_finite() && *f <= i64::MAX as f64 && *f >= i64::MIN as f64).map(|f| f as i64)
            }
            _ => None,
        };
        if value.is_none() {
            self.schema(node.span, scope, format!("expected an integer for `{field}`, found {found}"));
        }
        value
    }

    fn boolean(&mut self, node: &Node, field: &str, scope: &Scope) {
        let ok = match node.scalar_type() {
            Some(ScalarType::Bool) | Some(ScalarType::Null) => true,
            // yaml.v3 still accepts YAML 1.1 booleans for a `bool` field.
            Some(ScalarType::Str) => matches!(
                node.as_str(),
                Some(
                    "y" | "Y"
                        | "yes"
                        | "Yes"
                        | "YES"
                        | "on"
                        | "On"
                        | "ON"
                        | "n"
                        | "N"
                        | "no"
                        | "No"
                        | "NO"
                        | "off"
                        | "Off"
                        | "OFF"
                )
            ),
            _ => false,
        };
        if !ok {
            self.schema(node.span, scope, format!("expected a boolean for `{field}`, found {}", node.kind_name()));
        }
    }

    fn string_list(&mut self, node: &Node, field: &str, scope: &Scope) {
        match &node.kind {
            NodeKind::Sequence(items) => {
                for item in items {
                    if item.as_scalar().is_none() {
                        self.schema(
                            item.span,
                            scope,
                            format!("expected a string in `{field}`, found {}", item.kind_name()),
                        );
                    }
                }
            }
            _ if node.is_null() => {}
            _ => {
                self.schema(
                    node.span,
                    scope,
                    format!("expected a sequence of strings for `{field}`, found {}", node.kind_name()),
                );
            }
        }
    }

    fn partial_response_strategy(&mut self, node: &Node, scope: &Scope) {
        match node.as_str() {
            Some(v) if node.is_null() || v.eq_ignore_ascii_case("warn") || v.eq_ignore_ascii_case("abort") => {}
            Some(v) => {
                self.schema(
                    node.span,
                    scope,
                    format!("invalid `partial_response_strategy` `{v}`; expected `warn` or `abort`"),
                );
            }
            None => {
                self.schema(
                    node.span,
                    scope,
                    format!("expected a string for `partial_response_strategy`, found {}", node.kind_name()),
                );
            }
        }
    }

    /// A `map[string]string` field (labels, annotations).
    fn key_values(&mut self, node: &Node, field: &str, _labels: bool, scope: &Scope) -> Vec<KeyValue> {
        let entries = match &node.kind {
            NodeKind::Mapping(entries) => entries,
            _ if node.is_null() => return Vec::new(),
            _ => {
                self.schema(node.span, scope, format!("expected a mapping for `{field}`, found {}", node.kind_name()));
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(key) = self.text(k, field, scope) else {
                continue;
            };
            let value = match &v.kind {
                NodeKind::Scalar(_) => self.text(v, field, scope),
                _ => {
                    self.schema(
                        v.span,
                        scope,
                        format!("expected a string value for `{}` in `{field}`, found {}", key.value, v.kind_name()),
                    );
                    None
                }
            };
            if let Some(value) = value {
                out.push(KeyValue { key, value });
            }
        }
        out
    }
}

/// The closest allowed field name, if close enough to be a likely typo.
pub(crate) fn suggest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    // Spelled-out forms too far from the short field name for edit distance.
    const LONG_FORMS: &[(&str, &str)] =
        &[("expression", "expr"), ("expresion", "expr"), ("expressions", "expr"), ("recording", "record")];
    if let Some(&(_, field)) = LONG_FORMS.iter().find(|(long, _)| *long == lower) {
        if let Some(f) = allowed.iter().find(|f| **f == field) {
            return Some(f);
        }
    }
    crate::names::closest_field(&lower, allowed)
}

/// The dialect in which `name` is a valid field of `place`, when it is not
/// valid in the current one.
fn other_dialect_field(name: &str, current: Dialect, place: &str) -> Option<&'static str> {
    if place != "rule group" {
        return None;
    }
    if THANOS_GROUP_FIELDS.contains(&name) && current != Dialect::Thanos {
        return Some("Thanos");
    }
    if MIMIR_GROUP_FIELDS.contains(&name) && current != Dialect::Mimir {
        return Some("Mimir");
    }
    None
}

fn empty_text(at: Span) -> Text {
    Text { value: CompactString::default(), span: Span::at(at.start), map: OffsetMap::identity(at.start, 0) }
}

/// The first key of a mapping (a narrow place to report something missing
/// from it), or the node itself.
pub(crate) fn first_key_span(node: &Node) -> Span {
    node.as_mapping().and_then(|e| e.first()).map_or(node.span, |(k, _)| k.span)
}

/// Go's `strconv.ParseInt(s, 0, 64)` after yaml.v3 removed underscores.
fn parse_go_int(s: &str) -> Option<i64> {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match plain.as_bytes().first() {
        Some(b'-') => (true, &plain[1..]),
        Some(b'+') => (false, &plain[1..]),
        _ => (false, plain.as_str()),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    let v = if neg { -magnitude } else { magnitude };
    i64::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("expresion", RULE_FIELDS), Some("expr"));
        assert_eq!(suggest("annotation", RULE_FIELDS), Some("annotations"));
        assert_eq!(suggest("lables", RULE_FIELDS), Some("labels"));
        assert_eq!(suggest("Alert", RULE_FIELDS), Some("alert"));
        assert_eq!(suggest("keep_firing", RULE_FIELDS), Some("keep_firing_for"));
        assert_eq!(suggest("intervall", GROUP_FIELDS), Some("interval"));
        assert_eq!(suggest("runbook", RULE_FIELDS), None);
        assert_eq!(suggest("namespace", GROUP_FIELDS), None);
        assert_eq!(suggest("concurrency", GROUP_FIELDS), None);
        assert_eq!(suggest("partial_response_strategy", GROUP_FIELDS), None);
    }

    #[test]
    fn go_ints() {
        assert_eq!(parse_go_int("10"), Some(10));
        assert_eq!(parse_go_int("-0x10"), Some(-16));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_int("9223372036854775808"), None);
    }
}
