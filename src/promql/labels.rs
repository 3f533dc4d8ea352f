//! Label propagation: which label names an expression's result can carry.
//!
//! Prometheus templates read `$labels.x` from the series the alert expression
//! returned, so a label the expression can never output always renders empty.
//! Selectors return any labels; aggregations, `on(...)` matching and a few
//! functions narrow the set. Where a label's value is fixed by an equality
//! matcher that survives to the output, the value is known too (used to route
//! alerts before they exist).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::{AggregateOp, BinaryOp, Call, Expr, ExprKind, MatchOp, ValueType, VectorMatchCardinality};
use crate::span::Span;

const METRIC_NAME: &str = "__name__";

/// The labels an expression's result can have. Names and values are
/// borrowed from the expression where they are written in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputLabels<'a> {
    /// Labels known to be possible, with their value when an equality matcher fixes it.
    pub known: BTreeMap<Cow<'a, str>, Option<Cow<'a, str>>>,
    /// When `true`, any label not in `removed` may also appear (the result
    /// comes from selectors whose labels are not known statically).
    pub open: bool,
    /// Labels the result can never have (only meaningful when `open`).
    pub removed: BTreeSet<Cow<'a, str>>,
    /// The node that made the set closed (an aggregation or `on(...)`), for
    /// explaining why a label is absent.
    pub narrowed_by: Option<Span>,
}

impl<'a> OutputLabels<'a> {
    fn closed(known: BTreeMap<Cow<'a, str>, Option<Cow<'a, str>>>, narrowed_by: Option<Span>) -> OutputLabels<'a> {
        OutputLabels { known, open: false, removed: BTreeSet::new(), narrowed_by }
    }

    fn none() -> OutputLabels<'a> {
        OutputLabels::closed(BTreeMap::new(), None)
    }

    /// Whether the result can carry label `name`.
    pub fn can_have(&self, name: &str) -> bool {
        if self.open { !self.removed.contains(name) } else { self.known.contains_key(name) }
    }

    /// The value of `name` when it is the same on every output series.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.known.get(name).and_then(|v| v.as_deref())
    }

    fn remove(&mut self, name: &'a str) {
        self.known.remove(name);
        if self.open {
            self.removed.insert(Cow::Borrowed(name));
        }
    }

    fn add(&mut self, name: Cow<'a, str>, value: Option<Cow<'a, str>>) {
        self.removed.remove(&name);
        self.known.insert(name, value);
    }

    /// Only the labels in `keep`.
    fn keep(&mut self, keep: &[&'a str], narrowed_by: Span) {
        let known = keep
            .iter()
            .filter(|l| self.can_have(l))
            .map(|l| (Cow::Borrowed(*l), self.known.get(*l).cloned().flatten()))
            .collect();
        *self = OutputLabels::closed(known, Some(narrowed_by));
    }
}

/// The labels `expr`'s result can carry. Never recurses deeper than the
/// parser allowed (the tree depth is bounded there).
pub fn output_labels(expr: &Expr) -> OutputLabels<'_> {
    match &expr.kind {
        ExprKind::NumberLiteral(_) | ExprKind::StringLiteral(_) => OutputLabels::none(),
        ExprKind::VectorSelector(vs) => {
            let mut out =
                OutputLabels { known: BTreeMap::new(), open: true, removed: BTreeSet::new(), narrowed_by: None };
            if let Some(name) = &vs.name {
                out.add(Cow::Borrowed(METRIC_NAME), Some(Cow::Borrowed(name)));
            }
            for m in &vs.matchers {
                match m.op {
                    MatchOp::Equal if m.value.is_empty() => out.remove(&m.name),
                    MatchOp::Equal => out.add(Cow::Borrowed(&m.name), Some(Cow::Borrowed(&m.value))),
                    MatchOp::Regex | MatchOp::NotEqual | MatchOp::NotRegex => {
                        if !out.known.contains_key(m.name.as_str()) {
                            out.add(Cow::Borrowed(&m.name), None);
                        }
                    }
                }
            }
            out
        }
        ExprKind::MatrixSelector(m) => output_labels(&m.vector_selector),
        ExprKind::SubqueryExpr(s) => output_labels(&s.expr),
        ExprKind::ParenExpr(p) => output_labels(&p.expr),
        ExprKind::UnaryExpr(u) => {
            let mut out = output_labels(&u.expr);
            out.remove(METRIC_NAME);
            out
        }
        ExprKind::Call(call) => call_labels(call),
        ExprKind::AggregateExpr(agg) => {
            let inner = output_labels(&agg.expr);
            let mut out = match agg.op {
                // These select series; they do not merge them.
                AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk | AggregateOp::LimitRatio => inner,
                _ => match &agg.grouping {
                    Some(g) if !g.without => {
                        let keep: Vec<&str> = g.labels.iter().map(|l| l.name.as_str()).collect();
                        let mut out = inner;
                        out.keep(&keep, g.span);
                        out
                    }
                    Some(g) => {
                        let mut out = inner;
                        for l in &g.labels {
                            out.remove(&l.name);
                        }
                        out.remove(METRIC_NAME);
                        out
                    }
                    None => OutputLabels::closed(BTreeMap::new(), Some(agg.op_span)),
                },
            };
            if agg.op == AggregateOp::CountValues
                && let Some(ExprKind::StringLiteral(s)) = agg.param.as_deref().map(|p| &p.kind)
            {
                out.add(String::from_utf8_lossy(&s.value), None);
            }
            out
        }
        ExprKind::BinaryExpr(_) => {
            // The left spine of a chain (`a or b or c ...`, thousands of
            // operators long) with a loop: each step reuses the left result.
            let mut spine = Vec::new();
            let mut node = expr;
            while let ExprKind::BinaryExpr(b) = &node.kind {
                spine.push(&**b);
                node = &b.lhs;
            }
            let mut lt = node.value_type();
            let mut out = output_labels(node);
            for b in spine.into_iter().rev() {
                let rt = b.rhs.value_type();
                out = binary_labels(b, out, lt, rt);
                lt = if lt == ValueType::Scalar && rt == ValueType::Scalar {
                    ValueType::Scalar
                } else {
                    ValueType::Vector
                };
            }
            out
        }
    }
}

/// The labels of a binary operation, given those of its left side.
fn binary_labels<'a>(
    b: &'a super::BinaryExpr,
    lhs: OutputLabels<'a>,
    lt: ValueType,
    rt: ValueType,
) -> OutputLabels<'a> {
    if lt != ValueType::Vector && rt != ValueType::Vector {
        return OutputLabels::none();
    }
    let drop_name = !b.op.is_comparison() || b.return_bool;
    let mut out = if lt != ValueType::Vector {
        output_labels(&b.rhs)
    } else if rt != ValueType::Vector {
        lhs
    } else {
        vector_binary(b, lhs)
    };
    if drop_name && !b.op.is_set_operator() {
        out.remove(METRIC_NAME);
    }
    out
}

fn vector_binary<'a>(b: &'a super::BinaryExpr, lhs: OutputLabels<'a>) -> OutputLabels<'a> {
    let rhs = output_labels(&b.rhs);
    match b.op {
        BinaryOp::And | BinaryOp::Unless => return lhs,
        BinaryOp::Or => return union(lhs, rhs),
        _ => {}
    }
    let Some(matching) = &b.matching else { return lhs };
    let names: Vec<&str> = matching.matching_labels.iter().map(|l| l.name.as_str()).collect();
    match matching.card {
        VectorMatchCardinality::OneToOne => {
            let mut out = lhs;
            if matching.on {
                out.keep(&names, matching.matching_span.unwrap_or(b.op_span));
            } else {
                for name in names {
                    out.remove(name);
                }
            }
            out
        }
        VectorMatchCardinality::ManyToOne | VectorMatchCardinality::OneToMany => {
            let (mut many, one) =
                if matching.card == VectorMatchCardinality::ManyToOne { (lhs, rhs) } else { (rhs, lhs) };
            for include in &matching.include {
                if one.can_have(&include.name) {
                    many.add(Cow::Borrowed(&include.name), one.known.get(include.name.as_str()).cloned().flatten());
                } else {
                    many.remove(&include.name);
                }
            }
            many
        }
        VectorMatchCardinality::ManyToMany => union(lhs, rhs),
    }
}

fn union<'a>(a: OutputLabels<'a>, b: OutputLabels<'a>) -> OutputLabels<'a> {
    let mut known = a.known;
    for (name, value) in b.known {
        match known.get(&name) {
            Some(existing) if *existing == value => {}
            Some(_) => {
                known.insert(name, None);
            }
            None => {
                known.insert(name, value);
            }
        }
    }
    let open = a.open || b.open;
    let removed = if open {
        a.removed.intersection(&b.removed).filter(|l| !known.contains_key(*l)).cloned().collect()
    } else {
        BTreeSet::new()
    };
    OutputLabels { known, open, removed, narrowed_by: a.narrowed_by.or(b.narrowed_by) }
}

/// Functions whose result keeps the metric name.
const KEEPS_NAME: &[&str] = &[
    "last_over_time",
    "first_over_time",
    "sort",
    "sort_desc",
    "sort_by_label",
    "sort_by_label_desc",
    "label_replace",
    "label_join",
    "limitk",
    "limit_ratio",
];

fn call_labels(call: &Call) -> OutputLabels<'_> {
    let name = call.func.name;
    if call.func.return_type != ValueType::Vector {
        return OutputLabels::none();
    }
    match name {
        "vector" | "time" | "pi" => return OutputLabels::none(),
        "absent" | "absent_over_time" => {
            // The labels of the equality matchers, as upstream builds them, and only when the
            // argument is a selector: `absent(up{job="x"} == 1)` has no labels at all. A label
            // with a second matcher is dropped, as upstream does for backwards compatibility.
            let mut known = BTreeMap::new();
            let mut arg = call.args.first();
            while let Some(Expr { kind: ExprKind::ParenExpr(p), .. }) = arg {
                arg = Some(&p.expr);
            }
            let selector = match arg.map(|a| &a.kind) {
                Some(ExprKind::VectorSelector(vs)) => Some(&**vs),
                Some(ExprKind::MatrixSelector(m)) => m.selector(),
                _ => None,
            };
            let mut seen = BTreeSet::new();
            for m in selector.map(|vs| vs.matchers.as_slice()).unwrap_or_default() {
                if m.name == METRIC_NAME {
                    continue;
                }
                if m.op == MatchOp::Equal && seen.insert(m.name.as_str()) {
                    known.insert(Cow::Borrowed(m.name.as_str()), Some(Cow::Borrowed(m.value.as_str())));
                } else {
                    seen.insert(m.name.as_str());
                    known.remove(m.name.as_str());
                }
            }
            return OutputLabels::closed(known, Some(call.name_span));
        }
        _ => {}
    }
    let Some(source) = call.args.iter().find(|a| matches!(a.value_type(), ValueType::Vector | ValueType::Matrix))
    else {
        return OutputLabels::none();
    };
    let mut out = output_labels(source);
    if !KEEPS_NAME.contains(&name) {
        out.remove(METRIC_NAME);
    }
    let string_arg = |i: usize| match call.args.get(i).map(|a| &a.kind) {
        Some(ExprKind::StringLiteral(s)) => Some(String::from_utf8_lossy(&s.value)),
        _ => None,
    };
    match name {
        "label_replace" => {
            if let Some(dst) = string_arg(1) {
                match string_arg(2) {
                    // A literal replacement sets the value whenever the regex matches.
                    Some(repl) if !repl.contains('$') && !repl.is_empty() => out.add(dst, None),
                    Some(repl) if repl.is_empty() && !out.known.contains_key(&dst) => {}
                    _ => out.add(dst, None),
                }
            }
        }
        "label_join" => {
            if let Some(dst) = string_arg(1) {
                out.add(dst, None);
            }
        }
        "histogram_quantile" | "histogram_fraction" => out.remove("le"),
        // Adds the labels of info metrics, which are not known statically.
        "info" => out.open = true,
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::{ParseOptions, parse};

    fn labels(q: &str) -> OutputLabels<'static> {
        let options = ParseOptions { experimental_functions: true, ..ParseOptions::default() };
        // Leaked: the labels borrow from the expression, and each test reads a few.
        let expr = Box::leak(Box::new(parse(q, &options).unwrap_or_else(|e| panic!("{q}: {e:?}"))));
        output_labels(expr)
    }

    #[test]
    fn selectors_are_open_and_keep_equality_values() {
        let l = labels(r#"up{job="api", instance=~"a.*", env=""}"#);
        assert!(l.open);
        assert!(l.can_have("anything"));
        assert!(!l.can_have("env"));
        assert_eq!(l.value("job"), Some("api"));
        assert_eq!(l.value("instance"), None);
        assert_eq!(l.value("__name__"), Some("up"));
    }

    #[test]
    fn aggregations_narrow() {
        let l = labels(r#"sum by (job, env) (rate(http_requests_total{job="api", env=""}[5m]))"#);
        assert!(!l.open);
        assert!(l.can_have("job") && !l.can_have("env") && !l.can_have("instance"));
        assert_eq!(l.value("job"), Some("api"));
        assert!(l.narrowed_by.is_some());
        let l = labels("sum without (instance) (up)");
        assert!(l.can_have("job") && !l.can_have("instance") && !l.can_have("__name__"));
        assert!(!labels("count(up)").can_have("job"));
        let l = labels(r#"count_values("version", build_info)"#);
        assert!(l.can_have("version") && !l.can_have("job"));
        assert!(labels("topk(3, up)").can_have("instance"));
    }

    #[test]
    fn binary_operators_follow_vector_matching() {
        assert!(labels("a / on(job) b").can_have("job"));
        assert!(!labels("a / on(job) b").can_have("instance"));
        assert!(!labels("a / ignoring(code) b").can_have("code"));
        let l = labels(r#"sum by (job) (a) * on(job) group_left(team) b{team="db"}"#);
        assert!(l.can_have("team") && l.can_have("job") && !l.can_have("instance"));
        assert_eq!(l.value("team"), Some("db"));
        let l = labels("sum by (job) (a) and on(job) b");
        assert!(!l.can_have("instance"));
        let l = labels("sum by (job) (a) or sum by (instance) (b)");
        assert!(l.can_have("job") && l.can_have("instance") && !l.can_have("pod"));
        assert!(labels("a > 5").can_have("__name__"));
        assert!(!labels("a * 5").can_have("__name__"));
    }

    #[test]
    fn functions() {
        let l = labels(r#"absent(up{job="api", instance=~"x"})"#);
        assert!(!l.open && l.can_have("job") && !l.can_have("instance"));
        assert!(!labels("vector(1)").can_have("job"));
        // Only a selector argument gives labels (upstream `createLabelsForAbsentFunction`).
        assert!(!labels(r#"absent(up{job="x"} == 1)"#).can_have("job"));
        assert!(!labels(r#"absent(sum by (job) (up{job="x"}))"#).can_have("job"));
        assert!(labels(r#"absent((up{job="x"}))"#).can_have("job"));
        assert!(labels(r#"absent_over_time(up{job="x"}[5m])"#).can_have("job"));
        assert!(!labels(r#"absent(up{job="x", job!="y"})"#).can_have("job"));
        let l = labels(r#"label_replace(sum by (job) (up), "team", "$1", "job", "(.*)-.*")"#);
        assert!(l.can_have("team") && l.can_have("job") && !l.can_have("instance"));
        let l = labels("histogram_quantile(0.9, sum by (le, job) (rate(d_bucket[5m])))");
        assert!(l.can_have("job") && !l.can_have("le"));
        assert!(!labels("scalar(up) * vector(1)").can_have("job"));
    }
}
