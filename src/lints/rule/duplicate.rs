use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::LoadScope;
use crate::lints::{Example, Lint, LintMeta, Registration, WorkspaceContext};
use crate::model::{Group, Rule, RuleKind};
use crate::promql::{Expr, MatchOp};
use crate::source::SourceFile;
use crate::span::Span;

crate::declare_lint! {
    /// ## What it does
    /// Reports a rule whose name and labels (its own merged with its group's) equal those of
    /// another rule that the same Prometheus server loads, like
    /// `promtool check rules --lint=duplicate-rules`. Which files one server loads together
    /// comes from the configuration: the `rule_files` of `prometheus.config`, or the `paths`
    /// of each server when `prometheus` is a list of servers. When nothing says more, only
    /// rules of the same file are compared: copies across files are usually staging and
    /// production variants or files for different servers. The same file reached twice (a
    /// symlink) counts once; a copy made with a YAML alias or merge key (`<<: *rule`) is
    /// reported at the copy. Two rules whose expressions fix the same label to different
    /// values (`job="a"` and `job="b"` surviving to the result) cannot produce the same
    /// series and are left alone. Alerts of one name and labels whose expressions differ
    /// other than in numbers and matchers are one alert raised by several conditions, as
    /// mixins write on purpose (Loki's compactor alert: "no run since the last one" and "no
    /// run since startup"), and are left alone too; copies that differ only in a threshold
    /// or a matcher are reported.
    ///
    /// ## Why it matters
    /// Two recording rules writing the same series overwrite each other's samples; two alerts
    /// with the same name and labels produce alerts with the same identity, so one silently
    /// resolves or masks the other. It is usually a copy-paste left behind.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules:
    ///       - record: job:errors:rate5m
    ///         expr: sum by (job) (rate(errors_total[5m]))
    ///       - record: job:errors:rate5m
    ///         expr: sum by (job) (rate(errors_total[5m]))
    /// ```
    ///
    /// ## How to fix
    /// Delete one copy, or tell them apart with a label (for example different `severity`
    /// labels for a warning and a critical threshold).
    ///
    /// ## Options
    /// None.
    pub static DUPLICATE = {
        id: "rule/duplicate",
        severity: Warning,
        summary: "the same rule name with the same labels is defined twice",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: latency_seconds > 1\n        for: 5m\n        labels: { severity: warning }\n      - alert: HighLatency\n        expr: latency_seconds > 5\n        for: 5m\n        labels: { severity: critical }\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n")],
    };
}

pub fn registration() -> Registration {
    Registration {
        meta: &DUPLICATE,
        build: |cx| {
            cx.options.no_options()?;
            Ok(Box::new(Duplicate))
        },
    }
}

struct Duplicate;

/// A rule's identity within the files one server loads: scope (an index of
/// the scopes met), kind, name and merged labels.
type Identity<'a> = (usize, bool, &'a str, BTreeMap<&'a str, &'a str>);

/// A rule, its group, the index of its file and its expression as the
/// engine parsed it.
type RuleAt<'a> = (usize, &'a Group, &'a Rule, Option<&'a Expr>);

/// Copies of one identity remembered to compare later ones with.
const MAX_VARIANTS: usize = 32;

/// A rule seen earlier, with the label values its expression fixes.
struct Seen<'a> {
    file: usize,
    rule: &'a Rule,
    fixed: BTreeMap<String, Fixed>,
}

/// Where a rule is written: its name, or, when the name comes from a YAML
/// alias or merge key (and so points into the anchor), the rule item itself.
fn rule_span(file: &SourceFile, rule: &Rule) -> Span {
    let name = rule.name.span;
    if rule.span.start <= name.start && name.end <= rule.span.end {
        return name;
    }
    let line_end = file.text()[rule.span.start.min(file.text().len())..]
        .find('\n')
        .map_or(rule.span.end, |n| rule.span.start + n)
        .min(rule.span.end);
    Span::new(rule.span.start, line_end.max(rule.span.start))
}

/// What every series of a rule's result is known to carry in one label.
#[derive(Debug, PartialEq)]
enum Fixed {
    /// This value (an equality matcher that survives to the result).
    Value(String),
    /// Any value but this one.
    NotValue(String),
    /// A value starting with this text (a regex matcher such as `code=~"5.."`).
    Prefix(String),
}

/// What every series of the expression's result carries in its labels: values
/// fixed by equality matchers that survive to the result, and matchers that
/// every selector of the expression has alike (`handler!="/x"` on both sides
/// of a ratio).
fn fixed_labels(expr: Option<&Expr>) -> BTreeMap<String, Fixed> {
    let Some(expr) = expr else { return BTreeMap::new() };
    let output = crate::promql::labels::output_labels(expr);
    let mut fixed: BTreeMap<String, Fixed> = output
        .known
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .filter_map(|(k, v)| Some((k.to_string(), Fixed::Value(v.as_deref()?.to_string()))))
        .collect();
    let selectors: Vec<_> = expr.vector_selectors().map(|(_, vs)| vs).collect();
    let Some(first) = selectors.first() else { return fixed };
    for m in &first.matchers {
        if m.name == "__name__" || fixed.contains_key(&m.name) || !output.can_have(&m.name) {
            continue;
        }
        let alike = selectors.iter().all(|vs| {
            let mut on_label = vs.matchers.iter().filter(|n| n.name == m.name);
            matches!((on_label.next(), on_label.next()), (Some(n), None) if n.op == m.op && n.value == m.value)
        });
        let known = match m.op {
            MatchOp::NotEqual => Some(Fixed::NotValue(m.value.clone())),
            MatchOp::Regex => regex_prefix(&m.value).map(Fixed::Prefix),
            _ => None,
        };
        if let (true, Some(known)) = (alike, known) {
            fixed.insert(m.name.clone(), known);
        }
    }
    fixed
}

/// The literal text every match of an anchored Go regex starts with, when
/// there is some and the pattern has no alternation.
fn regex_prefix(pattern: &str) -> Option<String> {
    const META: &[char] = &['.', '[', ']', '(', ')', '*', '+', '?', '{', '}', '|', '^', '$', '\\'];
    if pattern.contains('|') {
        return None;
    }
    let end = pattern.find(META).unwrap_or(pattern.len());
    let mut prefix = pattern[..end].to_string();
    // `ab*` or `ab?` makes the `b` optional.
    if pattern[end..].starts_with(['*', '?', '{']) {
        prefix.pop();
    }
    (!prefix.is_empty()).then_some(prefix)
}

/// Whether two rules of one name and labels are copies, not one alert
/// raised by several conditions. Recording rules always are (both write the
/// same series). Alerts are when their conditions differ at most in
/// thresholds and matchers: mixins give one alert several expressions on
/// purpose (Loki's compactor alert, "since the last run" and "since
/// startup"), but a copy whose threshold or selector was changed and whose
/// labels were not is a mistake (whether the two can select the same series
/// is left to [`may_overlap`]).
fn same_condition(first: &Rule, later: &Rule) -> bool {
    if first.kind == RuleKind::Record {
        return true;
    }
    match (&first.expr, &later.expr) {
        (Some(a), Some(b)) => crate::promql::same_shape(&a.value, &b.value),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// Whether two results can share a series: not when one label is fixed to
/// values that cannot be equal.
fn may_overlap(a: &BTreeMap<String, Fixed>, b: &BTreeMap<String, Fixed>) -> bool {
    !a.iter().any(|(k, x)| {
        b.get(k).is_some_and(|y| match (x, y) {
            (Fixed::Value(v), Fixed::Value(w)) => v != w,
            (Fixed::Value(v), Fixed::Prefix(p)) | (Fixed::Prefix(p), Fixed::Value(v)) => !v.starts_with(p.as_str()),
            (Fixed::Prefix(p), Fixed::Prefix(q)) => !p.starts_with(q.as_str()) && !q.starts_with(p.as_str()),
            (Fixed::Value(v), Fixed::NotValue(w)) | (Fixed::NotValue(w), Fixed::Value(v)) => v == w,
            _ => false,
        })
    })
}

impl Lint for Duplicate {
    fn meta(&self) -> &'static LintMeta {
        &DUPLICATE
    }

    fn check_workspace(&self, cx: &mut WorkspaceContext<'_>) {
        // Rules grouped by identity, in file order. Only identities held by
        // more than one rule are compared further (their expressions parsed).
        let mut scopes: HashMap<LoadScope, usize> = HashMap::new();
        let mut canonical_seen: HashSet<PathBuf> = HashSet::new();
        // Rules by scope, kind and name, in file order; most names occur
        // once, so labels are merged only for the others. One vector sorted
        // by name, not a map of small vectors: one allocation, not one per
        // name.
        let rules: usize = cx.files.iter().flat_map(|c| &c.model.groups).map(|g| g.rules.len()).sum();
        let mut by_name: Vec<((usize, bool, &str), RuleAt<'_>)> = Vec::with_capacity(rules);
        // Each file's scope and canonical path: a system call per directory of
        // its path, so on every thread.
        let scoped: Vec<(LoadScope, std::io::Result<PathBuf>)> = cx
            .files
            .par_iter()
            .map(|checked| {
                let path = Path::new(checked.file.name());
                let scope = cx.config.load_scope(path);
                let canonical = match &scope {
                    LoadScope::Alone(canonical) => Ok(canonical.clone()),
                    LoadScope::Server(_) => std::fs::canonicalize(path),
                };
                (scope, canonical)
            })
            .collect();
        for ((index, checked), (scope, canonical)) in cx.files.iter().enumerate().zip(scoped) {
            // The same file reached twice (a symlink, or named twice) is one file.
            if let Ok(canonical) = canonical
                && !canonical_seen.insert(canonical)
            {
                continue;
            }
            let next = scopes.len();
            let scope = *scopes.entry(scope).or_insert(next);
            for (g, group) in checked.model.groups.iter().enumerate() {
                for (r, rule) in group.rules.iter().enumerate() {
                    let expr = checked.parsed.rule(g, r).and_then(|p| p.expr.as_deref());
                    let name = (scope, rule.kind == RuleKind::Alert, rule.name.value.as_str());
                    by_name.push((name, (index, group, rule, expr)));
                }
            }
        }
        // Stable: the copies of one name stay in file order.
        by_name.sort_by(|a, b| a.0.cmp(&b.0));
        let mut by_identity: HashMap<Identity<'_>, Vec<RuleAt<'_>>> = HashMap::new();
        for rules in by_name.chunk_by(|a, b| a.0 == b.0).filter(|rules| rules.len() > 1) {
            for &((scope, alert, name), (index, group, rule, expr)) in rules {
                // Rule labels override group labels; later keys win. A map
                // keeps this linear in the number of labels.
                let merged: BTreeMap<&str, &str> = group
                    .labels
                    .iter()
                    .chain(&rule.labels)
                    .map(|kv| (kv.key.value.as_str(), kv.value.value.as_str()))
                    .collect();
                by_identity.entry((scope, alert, name, merged)).or_default().push((index, group, rule, expr));
            }
        }
        let mut found = Vec::new();
        for copies in by_identity.into_values().filter(|copies| copies.len() > 1) {
            let mut seen: Vec<Seen<'_>> = Vec::new();
            for (index, group, rule, expr) in copies {
                let fixed = fixed_labels(expr);
                if let Some(first) = seen.iter().find(|s| may_overlap(&s.fixed, &fixed) && same_condition(s.rule, rule))
                {
                    found.push((index, group, rule, first.file, first.rule));
                }
                // Enough to tell variants apart, and linear in the number of copies.
                if seen.len() < MAX_VARIANTS {
                    seen.push(Seen { file: index, rule, fixed });
                }
            }
        }
        // In file order, as the rules were read.
        found.sort_by_key(|(index, _, rule, _, _)| (*index, rule.span.start, rule.name.span.start));
        for (index, group, rule, first_file, first_rule) in found {
            let kind = if rule.kind == RuleKind::Alert { "alert" } else { "recording rule" };
            let first = cx.files[first_file].file;
            let first_span = rule_span(first, first_rule);
            let position = first.position(first_span.start);
            let place = if first_file == index {
                format!("line {}", position.line)
            } else {
                format!("{}:{}", first.name(), position.line)
            };
            let here = rule_span(cx.files[index].file, rule);
            let message = format!("{kind} `{}` with the same labels is already defined at {place}", rule.name.value);
            let report = cx.report(index, here, message).group(&group.name.value).rule(&rule.name.value);
            let report = if first_file == index { report.label(first_span, "first defined here") } else { report };
            report.help("delete one of the copies, or tell them apart with a label");
        }
    }
}
