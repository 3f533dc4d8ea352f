//! Alerts that page on noise: thresholds without `for`, raw counters, short
//! windows and `irate`.

pub mod flapping;
pub mod for_too_short;
pub mod irate;
pub mod rate_of_gauge;
pub mod rate_window_too_short;
pub mod raw_counter;

pub use crate::promql::analysis::constant_value;
use crate::promql::analysis::threshold_comparisons;
use crate::promql::{AggregateOp, BinaryExpr, BinaryOp, Expr, ExprKind, ValueType, VectorMatchCardinality};

pub fn registrations() -> Vec<super::Registration> {
    vec![
        for_too_short::registration(),
        raw_counter::registration(),
        rate_window_too_short::registration(),
        irate::registration(),
        rate_of_gauge::registration(),
        flapping::registration(),
    ]
}

/// A comparison of a vector with a static threshold.
pub struct Threshold<'a> {
    pub comparison: &'a BinaryExpr,
    /// The side that varies.
    pub vector: &'a Expr,
    /// The constant side (`5`, `0.9 * 100`).
    pub constant: &'a Expr,
    /// The operator and the constant as written, with the vector on the left: `> 5`.
    pub text: String,
}

/// Every comparison without `bool` between a vector and a constant, outermost first.
pub fn thresholds<'a>(expr: &'a Expr, source: &str) -> Vec<Threshold<'a>> {
    threshold_comparisons(expr)
        .into_iter()
        .filter(|t| t.compared.value_type() == ValueType::Vector)
        .filter_map(|t| {
            let ExprKind::BinaryExpr(b) = &t.comparison.kind else { return None };
            let constant = if t.threshold_on_left { &*b.lhs } else { &*b.rhs };
            let literal = source.get(constant.span.range()).unwrap_or("").trim();
            let op = if t.threshold_on_left { mirrored(b.op.as_str()) } else { b.op.as_str() };
            Some(Threshold { comparison: b, vector: t.compared, constant, text: format!("{op} {literal}") })
        })
        .collect()
}

/// `expr` with parentheses, aggregations and value-preserving wrappers removed:
/// what actually produces the compared values.
pub fn innermost(expr: &Expr) -> &Expr {
    let mut e = expr;
    loop {
        e = match &e.kind {
            ExprKind::ParenExpr(p) => &p.expr,
            ExprKind::AggregateExpr(a)
                if !matches!(a.op, AggregateOp::Count | AggregateOp::CountValues | AggregateOp::Group) =>
            {
                &a.expr
            }
            ExprKind::Call(c)
                if matches!(c.func.name, "label_replace" | "label_join" | "sort" | "sort_desc" | "abs") =>
            {
                match c.args.first() {
                    Some(arg) => arg,
                    None => return e,
                }
            }
            // `x * on (instance) group_left (node) node_info`: a join that adds labels;
            // the values come from the side that is not the info metric.
            ExprKind::BinaryExpr(b) if b.op == BinaryOp::Mul => match b.matching.as_ref().map(|m| m.card) {
                Some(VectorMatchCardinality::ManyToOne) => &b.lhs,
                Some(VectorMatchCardinality::OneToMany) => &b.rhs,
                _ => return e,
            },
            _ => return e,
        };
    }
}

/// Functions that count or measure change over a window.
pub const CHANGE_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets"];

/// Whether the comparison counts discrete events in a window: anything
/// happening at all (`increase(x[10m]) > 0`, `sum(rate(x[5m])) != 0`), or a
/// number of restarts or resets (`changes(start_time[15m]) > 2`).
pub fn is_event_check(threshold: &Threshold<'_>) -> bool {
    let ExprKind::Call(call) = &innermost(threshold.vector).kind else { return false };
    if matches!(call.func.name, "changes" | "resets") {
        return true;
    }
    let happened = match (threshold.text.split_whitespace().next(), constant_value(threshold.constant)) {
        (Some(">" | "!="), Some(v)) => v == 0.0,
        (Some(">="), Some(v)) => v > 0.0 && v <= 1.0,
        _ => false,
    };
    happened && CHANGE_FUNCTIONS.contains(&call.func.name)
}

fn mirrored(op: &str) -> &str {
    match op {
        ">" => "<",
        "<" => ">",
        ">=" => "<=",
        "<=" => ">=",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::{ParseOptions, parse};

    fn texts(q: &str) -> Vec<String> {
        let expr = parse(q, &ParseOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        thresholds(&expr, q).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn finds_static_thresholds() {
        assert_eq!(texts("rate(x[5m]) > 5"), ["> 5"]);
        assert_eq!(texts("0.9 * 100 < up"), ["> 0.9 * 100"]);
        assert_eq!(texts("count(up == 0) > 3"), ["> 3", "== 0"]);
        assert_eq!(texts("a > 1 and b < 2"), ["> 1", "< 2"]);
    }

    #[test]
    fn recognises_event_checks() {
        let events = |q: &str| -> Vec<bool> {
            let expr = parse(q, &ParseOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
            thresholds(&expr, q).iter().map(is_event_check).collect()
        };
        assert_eq!(events("increase(x_total[10m]) > 0"), [true]);
        assert_eq!(events("sum by (job) (rate(x_total[5m])) != 0"), [true]);
        assert_eq!(events("changes(x[1h]) >= 1"), [true]);
        assert_eq!(events("increase(x_total[10m]) > 5"), [false]);
        assert_eq!(events("changes(process_start_time_seconds[15m]) > 2"), [true]);
        assert_eq!(
            events(
                "sum by (instance) (rate(evictions[15m])) * on (instance) group_left (node) max by (instance, node) (node_name) > 0"
            ),
            [true]
        );
        assert_eq!(events("up == 0"), [false]);
    }

    #[test]
    fn ignores_what_is_not_a_threshold() {
        assert!(texts("absent(up{job=\"x\"})").is_empty());
        assert!(texts("vector(1)").is_empty());
        assert!(texts("a > b").is_empty());
        assert!(texts("a > bool 5").is_empty());
        assert!(texts("a > scalar(b)").is_empty());
    }
}
