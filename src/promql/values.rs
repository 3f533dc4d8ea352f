//! Value ranges: what numbers an expression can return, and whether it can
//! return anything at all.
//!
//! Built bottom-up over the tree, conservatively: a range is only narrowed by
//! facts that hold for every possible input. `count(x)` returns whole numbers
//! of at least 1 (a count of no series is no series, not 0), `absent(x)`
//! returns only 1, a `bool` comparison only 0 or 1, `rate(x[5m])` never a
//! negative number; a comparison used as a filter keeps only the values it
//! lets through. A comparison that lets nothing through makes its result
//! always empty, and so does everything built only on it.

use super::analysis::constant_value;
use super::ast::*;
use crate::span::Span;

/// What an expression can return.
#[derive(Clone, Debug, PartialEq)]
pub struct Values {
    /// Lowest possible value (`-inf` when unbounded).
    pub lo: f64,
    /// The lowest value itself is excluded (`> 5` leaves `(5, ...`).
    pub lo_open: bool,
    pub hi: f64,
    pub hi_open: bool,
    /// Only whole numbers.
    pub integer: bool,
    /// May be NaN (a NaN fails every comparison except `!=`).
    pub nan: bool,
    /// Never returns anything, with the comparison that removed everything.
    pub empty: Option<Span>,
    /// What narrowed the range, for messages: `count(...)`, `absent(...)`, `== 0`.
    pub origin: Option<Span>,
}

impl Values {
    /// Any number, NaN included.
    pub fn any() -> Values {
        Values {
            lo: f64::NEG_INFINITY,
            lo_open: false,
            hi: f64::INFINITY,
            hi_open: false,
            integer: false,
            nan: true,
            empty: None,
            origin: None,
        }
    }

    fn between(lo: f64, hi: f64, integer: bool, origin: Span) -> Values {
        Values { lo, hi, integer, nan: false, origin: Some(origin), ..Values::any() }
    }

    fn exactly(v: f64, origin: Span) -> Values {
        Values::between(v, v, v.fract() == 0.0, origin)
    }

    fn non_negative(origin: Span) -> Values {
        Values::between(0.0, f64::INFINITY, false, origin)
    }

    /// Whether the range is bounded in some way worth explaining.
    pub fn is_narrowed(&self) -> bool {
        self.lo > f64::NEG_INFINITY || self.hi < f64::INFINITY || self.integer
    }

    /// The same range with NaN and the empty mark cleared and a new origin.
    fn with_origin(mut self, origin: Span) -> Values {
        self.origin = Some(origin);
        self
    }

    /// Whether `value op threshold` can hold for some value in the range.
    pub fn can_satisfy(&self, op: BinaryOp, threshold: f64) -> bool {
        if threshold.is_nan() {
            // Every comparison with NaN is false, except `!=`.
            return op == BinaryOp::Neq;
        }
        if self.nan && op == BinaryOp::Neq {
            return true;
        }
        let below_hi = |t: f64, strict: bool| {
            // Some value >= t (or > t when strict) exists.
            if strict { self.hi > t } else { self.hi > t || (self.hi == t && !self.hi_open) }
        };
        let above_lo = |t: f64, strict: bool| {
            if strict { self.lo < t } else { self.lo < t || (self.lo == t && !self.lo_open) }
        };
        match op {
            BinaryOp::Gtr => below_hi(threshold, true) && self.integer_above(threshold),
            BinaryOp::Gte => below_hi(threshold, false),
            BinaryOp::Lss => above_lo(threshold, true) && self.integer_below(threshold),
            BinaryOp::Lte => above_lo(threshold, false),
            BinaryOp::Eql => {
                below_hi(threshold, false) && above_lo(threshold, false) && (!self.integer || threshold.fract() == 0.0)
            }
            BinaryOp::Neq => !(self.lo == self.hi && self.lo == threshold && !self.lo_open && !self.hi_open),
            _ => true,
        }
    }

    /// Whether `value op threshold` holds for every value in the range (and
    /// the range is not empty and never NaN).
    pub fn always_satisfies(&self, op: BinaryOp, threshold: f64) -> bool {
        if self.nan || threshold.is_nan() || self.empty.is_some() {
            return false;
        }
        let negated = match op {
            BinaryOp::Gtr => BinaryOp::Lte,
            BinaryOp::Gte => BinaryOp::Lss,
            BinaryOp::Lss => BinaryOp::Gte,
            BinaryOp::Lte => BinaryOp::Gtr,
            BinaryOp::Eql => BinaryOp::Neq,
            BinaryOp::Neq => BinaryOp::Eql,
            _ => return false,
        };
        let without_nan = Values { nan: false, ..self.clone() };
        !without_nan.can_satisfy(negated, threshold)
    }

    /// For whole numbers, `> t` needs a whole number above `t` within the range.
    fn integer_above(&self, t: f64) -> bool {
        if !self.integer || !t.is_finite() {
            return true;
        }
        let next = t.floor() + 1.0;
        next < self.hi || (next == self.hi && !self.hi_open)
    }

    fn integer_below(&self, t: f64) -> bool {
        if !self.integer || !t.is_finite() {
            return true;
        }
        let prev = t.ceil() - 1.0;
        prev > self.lo || (prev == self.lo && !self.lo_open)
    }

    /// The range left after the filter `value op threshold`.
    fn filtered(&self, op: BinaryOp, threshold: f64, at: Span) -> Values {
        let mut out = Values { nan: false, origin: Some(at), ..self.clone() };
        if out.empty.is_some() {
            return out;
        }
        if !self.can_satisfy(op, threshold) {
            out.empty = Some(at);
            return out;
        }
        match op {
            BinaryOp::Gtr | BinaryOp::Gte => {
                let open = op == BinaryOp::Gtr;
                if threshold > out.lo || (threshold == out.lo && open) {
                    out.lo = threshold;
                    out.lo_open = open;
                }
            }
            BinaryOp::Lss | BinaryOp::Lte => {
                let open = op == BinaryOp::Lss;
                if threshold < out.hi || (threshold == out.hi && open) {
                    out.hi = threshold;
                    out.hi_open = open;
                }
            }
            BinaryOp::Eql => {
                out.lo = threshold;
                out.hi = threshold;
                out.lo_open = false;
                out.hi_open = false;
            }
            BinaryOp::Neq => out.nan = self.nan,
            _ => {}
        }
        out
    }

    /// A short description of the range: `only 1`, `0 or 1`, `whole numbers of at least 1`.
    pub fn describe(&self) -> String {
        let num = |v: f64| {
            if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
        };
        if self.lo == self.hi && !self.lo_open {
            return format!("only {}", num(self.lo));
        }
        if self.integer && self.lo.is_finite() && self.hi.is_finite() && self.hi - self.lo == 1.0 {
            return format!("only {} or {}", num(self.lo), num(self.hi));
        }
        let kind = if self.integer { "whole numbers" } else { "values" };
        let lo = if self.lo_open { format!("above {}", num(self.lo)) } else { format!("at least {}", num(self.lo)) };
        let hi = if self.hi_open { format!("below {}", num(self.hi)) } else { format!("at most {}", num(self.hi)) };
        match (self.lo.is_finite(), self.hi.is_finite()) {
            (true, true) => format!("{kind} from {} to {}", num(self.lo), num(self.hi)),
            (true, false) if self.lo == 0.0 && !self.lo_open && !self.integer => "no negative values".to_string(),
            (true, false) if self.integer => format!("{kind} of {lo}"),
            (true, false) => format!("{kind} {lo}"),
            (false, true) => format!("{kind} {hi}"),
            (false, false) => kind.to_string(),
        }
    }
}

/// Functions whose result is never negative (or NaN when their input is).
const NON_NEGATIVE: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "abs",
    "exp",
    "sqrt",
    "time",
    "timestamp",
    "stddev_over_time",
    "stdvar_over_time",
    "absent_over_time",
    "present_over_time",
];

/// Functions of the time of day, with their possible values.
const CALENDAR: &[(&str, f64, f64)] = &[
    ("minute", 0.0, 59.0),
    ("hour", 0.0, 23.0),
    ("day_of_week", 0.0, 6.0),
    ("day_of_month", 1.0, 31.0),
    ("day_of_year", 1.0, 366.0),
    ("days_in_month", 28.0, 31.0),
    ("month", 1.0, 12.0),
];

/// What `expr` can return. Recursion depth is bounded by the parser's nesting limit.
pub fn values(expr: &Expr) -> Values {
    let at = expr.span;
    match &expr.kind {
        ExprKind::NumberLiteral(n) => Values::exactly(n.value, at),
        ExprKind::StringLiteral(_) => Values::any(),
        ExprKind::VectorSelector(_) => Values::any(),
        ExprKind::MatrixSelector(m) => values(&m.vector_selector),
        ExprKind::SubqueryExpr(s) => values(&s.expr),
        ExprKind::ParenExpr(p) => values(&p.expr),
        ExprKind::UnaryExpr(u) => {
            let inner = values(&u.expr);
            if u.op == UnaryOp::Add {
                return inner;
            }
            Values {
                lo: -inner.hi,
                lo_open: inner.hi_open,
                hi: -inner.lo,
                hi_open: inner.lo_open,
                origin: Some(at),
                ..inner
            }
        }
        ExprKind::Call(call) => call_values(call, at),
        ExprKind::AggregateExpr(agg) => aggregate_values(agg, at),
        ExprKind::BinaryExpr(b) => binary_values(b, at),
    }
}

fn empty_of(args: &[&Values]) -> Option<Span> {
    args.iter().find_map(|v| v.empty)
}

fn call_values(call: &Call, at: Span) -> Values {
    let name = call.func.name;
    let arg = |i: usize| call.args.get(i).map(values).unwrap_or_else(Values::any);
    let constant = |i: usize| call.args.get(i).and_then(constant_value);
    let mut out = match name {
        // `absent()` of an always empty argument is always 1, so no emptiness passes through.
        "absent" | "absent_over_time" => return Values::exactly(1.0, at),
        "vector" => return arg(0).with_origin(at),
        "scalar" => return Values::any(),
        "count_over_time" => Values::between(1.0, f64::INFINITY, true, at),
        "changes" | "resets" => Values::between(0.0, f64::INFINITY, true, at),
        "present_over_time" => Values::exactly(1.0, at),
        "clamp_min" => match constant(1) {
            Some(c) if !c.is_nan() => Values::between(c, f64::INFINITY, false, at),
            _ => Values::any(),
        },
        "clamp_max" => match constant(1) {
            Some(c) if !c.is_nan() => Values::between(f64::NEG_INFINITY, c, false, at),
            _ => Values::any(),
        },
        "clamp" => match (constant(1), constant(2)) {
            (Some(a), Some(b)) if a <= b => Values::between(a, b, false, at),
            _ => Values::any(),
        },
        "sgn" => Values::between(-1.0, 1.0, true, at),
        // These keep their input's values.
        "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" | "label_replace" | "label_join"
        | "last_over_time" | "first_over_time" | "min_over_time" | "max_over_time" | "avg_over_time" | "ceil"
        | "floor" | "round" => {
            let mut v = arg(0);
            if matches!(name, "ceil" | "floor") {
                v.integer = true;
            }
            v.with_origin(at)
        }
        "sum_over_time" => {
            let v = arg(0);
            if v.lo >= 0.0 { Values::non_negative(at) } else { Values::any() }
        }
        _ if NON_NEGATIVE.contains(&name) => {
            let mut v = Values::non_negative(at);
            v.nan = matches!(name, "sqrt");
            v
        }
        _ => match CALENDAR.iter().find(|(n, _, _)| *n == name) {
            Some((_, lo, hi)) => Values::between(*lo, *hi, true, at),
            None => Values::any(),
        },
    };
    // An always empty vector argument leaves the call empty (except `vector`/`absent`, above).
    let vector_args: Vec<Values> = call
        .args
        .iter()
        .filter(|a| matches!(a.value_type(), ValueType::Vector | ValueType::Matrix))
        .map(values)
        .collect();
    out.empty = empty_of(&vector_args.iter().collect::<Vec<_>>());
    out
}

fn aggregate_values(agg: &AggregateExpr, at: Span) -> Values {
    let inner = values(&agg.expr);
    let op_at = at;
    let mut out = match agg.op {
        AggregateOp::Count | AggregateOp::CountValues => Values::between(1.0, f64::INFINITY, true, op_at),
        AggregateOp::Group => Values::exactly(1.0, op_at),
        AggregateOp::Stddev | AggregateOp::Stdvar => Values::non_negative(op_at),
        AggregateOp::Sum => {
            let mut v = Values::any();
            if inner.lo >= 0.0 {
                v = Values::non_negative(op_at);
                v.integer = inner.integer;
                v.nan = inner.nan;
            }
            v
        }
        AggregateOp::Min
        | AggregateOp::Max
        | AggregateOp::Avg
        | AggregateOp::Topk
        | AggregateOp::Bottomk
        | AggregateOp::Limitk
        | AggregateOp::LimitRatio => {
            let mut v = inner.clone();
            if agg.op == AggregateOp::Avg {
                v.integer = false;
            }
            v
        }
        AggregateOp::Quantile => match agg.param.as_deref().and_then(constant_value) {
            Some(q) if (0.0..=1.0).contains(&q) => Values { integer: false, ..inner.clone() },
            _ => Values::any(),
        },
    };
    out.empty = inner.empty;
    out
}

fn binary_values(b: &BinaryExpr, at: Span) -> Values {
    let (l, r) = (values(&b.lhs), values(&b.rhs));
    let empty = if b.op == BinaryOp::Or {
        if l.empty.is_some() && r.empty.is_some() { l.empty } else { None }
    } else if b.op == BinaryOp::Unless {
        l.empty
    } else {
        l.empty.or(r.empty)
    };
    let mut out = match b.op {
        BinaryOp::And | BinaryOp::Unless => l.clone(),
        BinaryOp::Or => union(&l, &r, at),
        op if op.is_comparison() && b.return_bool => Values::between(0.0, 1.0, true, at),
        op if op.is_comparison() => comparison(b, &l, &r, at),
        BinaryOp::Add => arith(&l, &r, at, |a, b| a + b),
        BinaryOp::Sub => arith(&l, &negate(&r), at, |a, b| a + b),
        BinaryOp::Mul => {
            if l.lo >= 0.0 && r.lo >= 0.0 {
                Values { nan: l.nan || r.nan, ..Values::non_negative(at) }
            } else {
                Values::any()
            }
        }
        BinaryOp::Div => {
            if l.lo >= 0.0 && r.lo >= 0.0 {
                // 0/0 is NaN.
                Values { nan: true, ..Values::non_negative(at) }
            } else {
                Values::any()
            }
        }
        _ => Values::any(),
    };
    if out.empty.is_none() {
        out.empty = empty;
    }
    out
}

fn negate(v: &Values) -> Values {
    Values { lo: -v.hi, lo_open: v.hi_open, hi: -v.lo, hi_open: v.lo_open, ..v.clone() }
}

fn arith(l: &Values, r: &Values, at: Span, f: impl Fn(f64, f64) -> f64) -> Values {
    let lo = f(l.lo, r.lo);
    let hi = f(l.hi, r.hi);
    if lo.is_nan() || hi.is_nan() {
        return Values::any();
    }
    Values {
        lo,
        lo_open: l.lo_open || r.lo_open,
        hi,
        hi_open: l.hi_open || r.hi_open,
        integer: l.integer && r.integer,
        nan: l.nan || r.nan,
        empty: None,
        origin: Some(at),
    }
}

fn union(l: &Values, r: &Values, at: Span) -> Values {
    if l.empty.is_some() {
        return r.clone();
    }
    if r.empty.is_some() {
        return l.clone();
    }
    let (lo, lo_open) = if l.lo < r.lo || (l.lo == r.lo && !l.lo_open) { (l.lo, l.lo_open) } else { (r.lo, r.lo_open) };
    let (hi, hi_open) = if l.hi > r.hi || (l.hi == r.hi && !l.hi_open) { (l.hi, l.hi_open) } else { (r.hi, r.hi_open) };
    Values {
        lo,
        lo_open,
        hi,
        hi_open,
        integer: l.integer && r.integer,
        nan: l.nan || r.nan,
        empty: None,
        origin: Some(at),
    }
}

/// A filtering comparison: the values it lets through.
fn comparison(b: &BinaryExpr, l: &Values, r: &Values, at: Span) -> Values {
    let (lt, rt) = (b.lhs.value_type(), b.rhs.value_type());
    let at_op = at;
    match (constant_value(&b.rhs), constant_value(&b.lhs)) {
        (Some(c), _) if lt == ValueType::Vector => l.filtered(b.op, c, at_op),
        (_, Some(c)) if rt == ValueType::Vector => r.filtered(mirror(b.op), c, at_op).with_origin(at_op),
        _ if lt == ValueType::Vector => Values { nan: false, ..l.clone() },
        _ => Values { nan: false, ..r.clone() },
    }
}

/// `c < x` is `x > c`.
pub fn mirror(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Gtr => BinaryOp::Lss,
        BinaryOp::Lss => BinaryOp::Gtr,
        BinaryOp::Gte => BinaryOp::Lte,
        BinaryOp::Lte => BinaryOp::Gte,
        other => other,
    }
}

/// A comparison with a constant that can never let anything through, or
/// always lets everything through, given what its other side can return.
#[derive(Debug)]
pub struct ConstantComparison<'a> {
    pub comparison: &'a Expr,
    pub binary: &'a BinaryExpr,
    /// The side compared with the constant.
    pub compared: &'a Expr,
    /// The operator as if the compared side were on the left.
    pub op: BinaryOp,
    pub threshold: f64,
    /// What the compared side can return.
    pub range: Values,
}

/// Every comparison of a vector with a constant, with the compared side's range.
pub fn constant_comparisons(expr: &Expr) -> Vec<ConstantComparison<'_>> {
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::BinaryExpr(b) = &e.kind else { return };
        if !b.op.is_comparison() {
            return;
        }
        let (compared, op, threshold) = match (constant_value(&b.lhs), constant_value(&b.rhs)) {
            (None, Some(c)) if b.lhs.value_type() == ValueType::Vector => (&*b.lhs, b.op, c),
            (Some(c), None) if b.rhs.value_type() == ValueType::Vector => (&*b.rhs, mirror(b.op), c),
            _ => return,
        };
        found.push(ConstantComparison { comparison: e, binary: b, compared, op, threshold, range: values(compared) });
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::{ParseOptions, parse};

    fn v(q: &str) -> Values {
        values(&parse(q, &ParseOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}")))
    }

    fn empty(q: &str) -> bool {
        v(q).empty.is_some()
    }

    #[test]
    fn functions_and_aggregations_bound_their_results() {
        assert_eq!(v("count(up)").describe(), "whole numbers of at least 1");
        assert_eq!(v("absent(up)").describe(), "only 1");
        assert_eq!(v("up > bool 1").describe(), "only 0 or 1");
        assert_eq!(v("rate(x[5m])").describe(), "no negative values");
        assert_eq!(v("sum(rate(x[5m]))").describe(), "no negative values");
        assert_eq!(v("hour()").describe(), "whole numbers from 0 to 23");
        assert!(!v("up").is_narrowed());
        assert!(!v("deriv(x[5m])").is_narrowed());
        assert!(!v("count(up) - 1").can_satisfy(BinaryOp::Lss, 0.0));
        assert!(v("count(up) - 2").can_satisfy(BinaryOp::Lss, 0.0));
        assert!(v("-rate(x[5m])").can_satisfy(BinaryOp::Lss, 0.0));
        assert!(!v("-rate(x[5m])").can_satisfy(BinaryOp::Gtr, 0.0));
    }

    #[test]
    fn impossible_comparisons_make_results_empty() {
        assert!(empty("sum by (type) (up) == 0 > 0"));
        assert!(empty("count(x == 1) == 0"));
        assert!(empty("absent(x) != 1"));
        assert!(empty("rate(x[5m]) < 0"));
        assert!(empty("(x > bool 5) == 2"));
        assert!(empty("x > 10 <= 10"));
        assert!(empty("count(x) < 1"));
        assert!(empty("count(x) > 1.5 < 2"));
        assert!(empty("(rate(x[5m]) < 0) and y"));
        assert!(empty("count(rate(x[5m]) < 0) > 0"));
    }

    #[test]
    fn possible_comparisons_are_not_empty() {
        assert!(!empty("count by (job) (up == 0) > 0"));
        assert!(!empty("(x > 10) and (x < 50)"));
        assert!(!empty("x > 10 < 50"));
        assert!(!empty("absent(x) == 1"));
        assert!(!empty("up == 0"));
        assert!(!empty("count(x) > 0.5"));
        assert!(!empty("(rate(x[5m]) < 0) or y"));
        assert!(!empty("y unless (rate(x[5m]) < 0)"));
        assert!(!empty("absent(rate(x[5m]) < 0)"));
        assert!(!empty("x / y < 0"));
        assert!(!empty("deriv(x[5m]) < 0"));
        assert!(!empty("rate(x[5m]) != 0"));
        assert!(!empty("0 < count(x)"));
        assert!(!empty("histogram_quantile(0.9, rate(x[5m])) != 0"));
    }

    #[test]
    fn always_true_comparisons() {
        let always = |q: &str| {
            constant_comparisons(&parse(q, &ParseOptions::default()).unwrap())
                .iter()
                .any(|c| c.range.always_satisfies(c.op, c.threshold))
        };
        assert!(always("count(x) >= 0"));
        assert!(always("count(x) > 0"));
        assert!(always("absent(x) == 1"));
        assert!(always("rate(x[5m]) >= 0"));
        assert!(!always("rate(x[5m]) > 0"));
        assert!(!always("count(x) > 1"));
        assert!(!always("up >= 0"));
        assert!(!always("x / y >= 0"));
    }

    #[test]
    fn conditions() {
        let cond = |q: &str| has_condition(&parse(q, &ParseOptions::default()).unwrap());
        assert!(!cond(r#"max(request_duration_seconds{status=~"5.*"})"#));
        assert!(!cond("count(x) >= 0"));
        assert!(!cond("up > bool 0"));
        assert!(!cond("a > 5 or b"));
        assert!(!cond("vector(1)"));
        assert!(cond("count by (job) (up == 0) > 0"));
        assert!(cond("count(x) > 0 and y"));
        assert!(cond("absent(x)"));
        assert!(cond("absent(x) == 1"));
        assert!(cond("a > 5 or b < 3"));
        assert!(cond("a / b > 0.1"));
        assert!(cond("max_over_time((x > 5)[10m:])"));
        assert!(cond(r#"cluster_info{phase!="Healthy"}"#));
        assert!(cond(r#"label_replace(cluster_info{pause="true"}, "c", "$1", "name", "(.*)")"#));
        assert!(!cond(r#"up{job="api"}"#));
        assert!(!cond(r#"sum by (job) (rate(errors_total{code=~"5.."}[5m]))"#));
    }
}

/// Labels that say where a series comes from, not what state it is in.
const IDENTITY_LABELS: &[&str] = &[
    "__name__",
    "job",
    "instance",
    "namespace",
    "pod",
    "container",
    "cluster",
    "service",
    "node",
    "env",
    "environment",
    "region",
    "endpoint",
    "prometheus",
];

/// Name endings of metrics whose value is a measurement, not a 0/1 state.
const MEASUREMENT_SUFFIXES: &[&str] =
    &["_seconds", "_milliseconds", "_bytes", "_total", "_count", "_sum", "_bucket", "_ratio", "_percent", "_celsius"];

/// A selector that picks series by a state label of an info-style metric
/// (`cluster_info{phase!="Healthy"}`, `topic_resource_info{ready!="True"}`):
/// which series exist is the condition.
fn filters_state(vs: &VectorSelector) -> bool {
    let measurement = vs.metric_name().is_some_and(|n| MEASUREMENT_SUFFIXES.iter().any(|s| n.ends_with(s)));
    !measurement
        && vs.matchers.iter().any(|m| {
            !IDENTITY_LABELS.contains(&m.name.as_str())
                && !(m.op == MatchOp::Regex && matches!(m.value.as_str(), ".*" | ".+"))
        })
}

/// Whether an expression filters its series: a comparison (without `bool`)
/// that can be false, `and`, `unless`, `absent(...)`, or a selector of a
/// state label. An alert without a filter fires for every series its
/// selectors return.
pub fn has_condition(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::NumberLiteral(_) | ExprKind::StringLiteral(_) => false,
        ExprKind::VectorSelector(vs) => filters_state(vs),
        ExprKind::MatrixSelector(m) => has_condition(&m.vector_selector),
        ExprKind::SubqueryExpr(s) => has_condition(&s.expr),
        ExprKind::ParenExpr(p) => has_condition(&p.expr),
        ExprKind::UnaryExpr(u) => has_condition(&u.expr),
        ExprKind::AggregateExpr(a) => has_condition(&a.expr),
        ExprKind::Call(c) => matches!(c.func.name, "absent" | "absent_over_time") || c.args.iter().any(has_condition),
        ExprKind::BinaryExpr(b) => match b.op {
            BinaryOp::And | BinaryOp::Unless => true,
            BinaryOp::Or => has_condition(&b.lhs) && has_condition(&b.rhs),
            op if op.is_comparison() && !b.return_bool => {
                let always = match (constant_value(&b.lhs), constant_value(&b.rhs)) {
                    (None, Some(c)) => values(&b.lhs).always_satisfies(op, c),
                    (Some(c), None) => values(&b.rhs).always_satisfies(mirror(op), c),
                    _ => false,
                };
                !always || has_condition(&b.lhs) || has_condition(&b.rhs)
            }
            _ => has_condition(&b.lhs) || has_condition(&b.rhs),
        },
    }
}
