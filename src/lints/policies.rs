//! Evaluating the configured policies (`policy/NAME`) on groups and rules,
//! beside the registered lints and through the same contexts.

use crate::diagnostic::Diagnostic;
use crate::lints::{FileContext, RuleContext};
use crate::model::{Duration, Group, KeyValue, Rule, RuleKind};
use crate::policy::{AggregateRule, Bounds, Policy, PolicySet, SelectorRule, ValueRule, unanchor};
use crate::promql::{AggregateOp, Expr, ExprKind};
use crate::span::Span;

/// The policies that apply to one file (their `paths` admit it).
pub struct FilePolicies<'a> {
    policies: Vec<&'a Policy>,
}

impl PolicySet {
    /// The policies whose `paths` admit the file reported as `name`.
    pub fn for_file(&self, name: &str) -> FilePolicies<'_> {
        FilePolicies { policies: self.applying_to(name) }
    }
}

/// One finding before it becomes a diagnostic.
struct Finding {
    span: Span,
    detail: String,
    help: Option<String>,
}

fn finding(span: Span, detail: String) -> Finding {
    Finding { span, detail, help: None }
}

fn kind_word(rule: &Rule) -> &'static str {
    match rule.kind {
        RuleKind::Alert => "alert",
        RuleKind::Record => "recording rule",
    }
}

impl FilePolicies<'_> {
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Group bounds, for groups holding at least one rule the policy matches.
    pub fn check_group(&self, cx: &mut FileContext<'_>, group: &Group) {
        for policy in &self.policies {
            if !policy.group.is_set() {
                continue;
            }
            if !group.rules.iter().any(|rule| matches_rule(policy, group, rule)) && !matches_empty_group(policy, group)
            {
                continue;
            }
            let mut found = Vec::new();
            let g = &policy.group;
            let name = &group.name.value;
            duration_bound(
                &mut found,
                group.interval.as_ref(),
                g.interval,
                &format!("group `{name}`"),
                "interval",
                None,
            );
            duration_bound(
                &mut found,
                group.query_offset.as_ref(),
                g.query_offset,
                &format!("group `{name}`"),
                "query_offset",
                None,
            );
            if let Some(re) = &g.name
                && !re.is_match(name)
            {
                found.push(finding(group.name.span, format!("group name `{name}` does not match `{}`", unanchor(re))));
            }
            match group.limit {
                // `limit: 0` is no limit, as an absent one.
                Some(limit) if limit > 0 => count_bound(
                    &mut found,
                    limit,
                    g.limit,
                    group.name.span,
                    &format!("group `{name}` has `limit: {limit}`"),
                ),
                _ => {
                    if let Some(max) = g.limit.max {
                        found.push(Finding {
                            span: group.name.span,
                            detail: format!("group `{name}` has no `limit`; the maximum is {max}"),
                            help: Some(format!("add `limit: {max}` or lower to the group")),
                        });
                    }
                }
            }
            let rules = group.rules.len() as i64;
            count_bound(
                &mut found,
                rules,
                g.rules,
                group.name.span,
                &format!("group `{name}` has {rules} rule{}", if rules == 1 { "" } else { "s" }),
            );
            emit(cx, policy, found, Some(name), None);
        }
    }

    pub fn check_rule(&self, cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
        let rule = rcx.rule;
        for policy in &self.policies {
            if !matches_rule(policy, rcx.group, rule) {
                continue;
            }
            let found = check_rule(policy, rcx);
            emit(cx, policy, found, Some(&rcx.group.name.value), Some(&rule.name.value));
        }
    }
}

fn emit(cx: &mut FileContext<'_>, policy: &Policy, found: Vec<Finding>, group: Option<&str>, rule: Option<&str>) {
    for f in found {
        let (message, label) = match &policy.message {
            Some(message) => (message.clone(), Some(f.detail)),
            None => (f.detail, None),
        };
        let mut d = Diagnostic::new(policy.id, policy.severity, f.span, message);
        if let Some(label) = label {
            d = d.label(f.span, label);
        }
        d.help = f.help;
        d.group = group.map(str::to_string);
        d.rule = rule.map(str::to_string);
        cx.out.push(d);
    }
}

/// A group with no rules is matched only by policies without rule conditions.
fn matches_empty_group(policy: &Policy, group: &Group) -> bool {
    let m = &policy.matcher;
    group.rules.is_empty() && m.kind.is_none() && m.name.is_none() && m.labels.is_empty()
}

fn label_of<'a>(group: &'a Group, rule: &'a Rule, name: &str) -> Option<&'a KeyValue> {
    rule.labels.iter().find(|kv| kv.key.value == name).or_else(|| group.labels.iter().find(|kv| kv.key.value == name))
}

fn matches_rule(policy: &Policy, group: &Group, rule: &Rule) -> bool {
    let m = &policy.matcher;
    m.kind.is_none_or(|k| k == rule.kind)
        && m.name.as_ref().is_none_or(|re| re.is_match(&rule.name.value))
        && m.labels
            .iter()
            .all(|(label, value)| label_of(group, rule, label).is_some_and(|kv| value.matches(&kv.value.value)))
}

fn check_rule(policy: &Policy, rcx: &RuleContext<'_>) -> Vec<Finding> {
    let rule = rcx.rule;
    let group = rcx.group;
    let what = format!("{} `{}`", kind_word(rule), rule.name.value);
    let mut found = Vec::new();
    let r = &policy.require;

    for (key, requirement) in &r.labels {
        let kv = label_of(group, rule, key);
        check_value(&mut found, &what, "label", key, kv, requirement, rule.name.span);
    }
    for (key, requirement) in &r.annotations {
        let kv = rule.annotations.iter().find(|kv| kv.key.value == *key);
        check_value(&mut found, &what, "annotation", key, kv, requirement, rule.name.span);
    }
    if let Some(re) = &r.name
        && !re.is_match(&rule.name.value)
    {
        found.push(finding(
            rule.name.span,
            format!("{} name `{}` does not match `{}`", kind_word(rule), rule.name.value, unanchor(re)),
        ));
    }
    if rule.kind == RuleKind::Alert {
        duration_bound(&mut found, rule.for_.as_ref(), r.for_, &what, "for", Some(rule.name.span));
        duration_bound(
            &mut found,
            rule.keep_firing_for.as_ref(),
            r.keep_firing_for,
            &what,
            "keep_firing_for",
            Some(rule.name.span),
        );
    }

    let f = &policy.forbid;
    // A group label is reported once, with the first rule of the group the policy applies to.
    let first_in_group =
        group.rules.iter().find(|r| matches_rule(policy, group, r)).is_some_and(|r| std::ptr::eq(r, rule));
    let group_labels: &[KeyValue] = if first_in_group { &group.labels } else { &[] };
    for key in &f.labels {
        for kv in rule.labels.iter().chain(group_labels).filter(|kv| kv.key.value == *key) {
            found.push(finding(kv.key.span, format!("{what} sets the forbidden label `{key}`")));
        }
    }
    for key in &f.annotations {
        for kv in rule.annotations.iter().filter(|kv| kv.key.value == *key) {
            found.push(finding(kv.key.span, format!("{what} sets the forbidden annotation `{key}`")));
        }
    }

    if let Some(expr) = rcx.expr {
        if let Some(rule) = &r.aggregate {
            check_aggregations(&mut found, rcx, expr, rule, true);
        }
        if let Some(rule) = &f.aggregate {
            check_aggregations(&mut found, rcx, expr, rule, false);
        }
        if let Some(rule) = &r.selectors {
            check_selectors(&mut found, rcx, expr, rule, true);
        }
        if let Some(rule) = &f.selectors {
            check_selectors(&mut found, rcx, expr, rule, false);
        }
    }
    found
}

fn check_value(
    found: &mut Vec<Finding>,
    what: &str,
    kind: &str,
    key: &str,
    kv: Option<&KeyValue>,
    requirement: &ValueRule,
    name_span: Span,
) {
    let Some(kv) = kv else {
        found.push(Finding {
            span: name_span,
            detail: format!("{what} has no `{key}` {kind}"),
            help: Some(format!("add the {kind} `{key}`")),
        });
        return;
    };
    let value = &kv.value.value;
    if value.is_empty() {
        found.push(finding(kv.value.span, format!("{kind} `{key}` of {what} is empty")));
        return;
    }
    if let Some(values) = &requirement.values
        && !values.iter().any(|v| v == value)
    {
        let mut f =
            finding(kv.value.span, format!("{kind} `{key}` of {what} is `{value}`, not one of: {}", values.join(", ")));
        if let Some(close) = crate::names::closest(value, values.iter().map(String::as_str)) {
            f.help = Some(format!("did you mean `{close}`?"));
        }
        found.push(f);
        return;
    }
    if let Some(re) = &requirement.pattern
        && !re.is_match(value)
    {
        found.push(finding(kv.value.span, format!("{kind} `{key}` of {what} does not match `{}`", unanchor(re))));
    }
}

/// Checks a duration field against bounds. An absent field counts as zero
/// (Prometheus's default) and is reported at `missing_span` when below `min`.
fn duration_bound(
    found: &mut Vec<Finding>,
    value: Option<&Duration>,
    bounds: Bounds,
    what: &str,
    field: &str,
    missing_span: Option<Span>,
) {
    match value {
        Some(d) => {
            if let Some(min) = bounds.min
                && d.millis < min
            {
                found.push(finding(
                    d.span,
                    format!("{what} has `{field}: {}`, below the minimum {}", d.text, crate::duration::format(min)),
                ));
            }
            if let Some(max) = bounds.max
                && d.millis > max
            {
                found.push(finding(
                    d.span,
                    format!("{what} has `{field}: {}`, above the maximum {}", d.text, crate::duration::format(max)),
                ));
            }
        }
        None => {
            if let (Some(min), Some(span)) = (bounds.min, missing_span)
                && min > 0
            {
                found.push(Finding {
                    span,
                    detail: format!("{what} has no `{field}`; the minimum is {}", crate::duration::format(min)),
                    help: Some(format!("add `{field}: {}` or longer", crate::duration::format(min))),
                });
            }
        }
    }
}

fn count_bound(found: &mut Vec<Finding>, value: i64, bounds: Bounds, span: Span, what: &str) {
    if let Some(min) = bounds.min
        && value < min
    {
        found.push(finding(span, format!("{what}, below the minimum {min}")));
    }
    if let Some(max) = bounds.max
        && value > max
    {
        found.push(finding(span, format!("{what}, above the maximum {max}")));
    }
}

/// Aggregations that decide the labels of the result: the outermost ones on
/// every path from the root. `topk`-like operators keep their input's labels,
/// so the search goes on below them.
fn deciding_aggregations(expr: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::AggregateExpr(a) if !keeps_input_labels(a.op) => out.push(e),
            ExprKind::AggregateExpr(a) => stack.push(&a.expr),
            _ => stack.extend(e.children()),
        }
    }
    out.sort_by_key(|e| e.span.start);
    out
}

fn keeps_input_labels(op: AggregateOp) -> bool {
    matches!(op, AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk | AggregateOp::LimitRatio)
}

fn check_aggregations(found: &mut Vec<Finding>, rcx: &RuleContext<'_>, expr: &Expr, rule: &AggregateRule, keep: bool) {
    for e in deciding_aggregations(expr) {
        let ExprKind::AggregateExpr(a) = &e.kind else { continue };
        for label in &rule.keep {
            let kept = match &a.grouping {
                Some(g) if g.without => !g.labels.iter().any(|l| l.name == *label),
                Some(g) => g.labels.iter().any(|l| l.name == *label),
                None => false,
            };
            let span = rcx.expr_span(a.grouping.as_ref().map_or(a.op_span, |g| g.span));
            let op = a.op.as_str();
            if keep && !kept {
                found.push(Finding {
                    span,
                    detail: format!("`{op}` removes the `{label}` label, which aggregations must keep"),
                    help: Some(match &a.grouping {
                        Some(g) if g.without => format!("remove `{label}` from `without (...)`"),
                        _ => format!("add `{label}` to `by (...)`"),
                    }),
                });
            } else if !keep && kept {
                found.push(Finding {
                    span,
                    detail: format!("`{op}` keeps the `{label}` label, which aggregations must remove"),
                    help: Some(match &a.grouping {
                        Some(g) if !g.without => format!("remove `{label}` from `by (...)`"),
                        _ => format!("add `{label}` to `without (...)`"),
                    }),
                });
            }
        }
    }
}

fn check_selectors(found: &mut Vec<Finding>, rcx: &RuleContext<'_>, expr: &Expr, rule: &SelectorRule, require: bool) {
    for (e, vs) in expr.vector_selectors() {
        let text = rcx.rule.expr.as_ref().and_then(|t| t.value.get(e.span.start..e.span.end)).unwrap_or_default();
        let span = rcx.expr_span(e.span);
        for label in &rule.labels {
            let matcher = vs.matchers.iter().find(|m| m.name == *label);
            match (require, matcher) {
                (true, None) => found.push(Finding {
                    span,
                    detail: format!("selector `{text}` has no matcher on `{label}`"),
                    help: Some(format!("add `{label}=\"...\"` to the selector")),
                }),
                (false, Some(m)) => found.push(finding(
                    rcx.expr_span(m.span),
                    format!("selector `{text}` matches on the forbidden label `{label}`"),
                )),
                _ => {}
            }
        }
        if rule.metrics.is_empty() {
            continue;
        }
        let name = vs.metric_name();
        let matching = name.and_then(|n| rule.metrics.iter().find(|(_, re)| re.is_match(n)));
        match (require, name, matching) {
            (true, None, _) => found.push(finding(span, format!("selector `{text}` names no metric"))),
            (true, Some(n), None) => {
                let allowed: Vec<&str> = rule.metrics.iter().map(|(t, _)| t.as_str()).collect();
                found.push(finding(
                    span,
                    format!("selector `{text}` reads `{n}`, which matches none of: {}", allowed.join(", ")),
                ))
            }
            (false, Some(n), Some((pattern, _))) => {
                found.push(finding(span, format!("selector `{text}` reads `{n}`, a forbidden metric (`{pattern}`)")))
            }
            _ => {}
        }
    }
}
