//! Helpers the lints share: constant folding and static-threshold comparisons.
//! (Vector selectors are iterated with [`Expr::vector_selectors`].)

use super::ast::*;
use crate::span::Span;

/// The value of an expression made only of number literals, parentheses,
/// signs and arithmetic (`2 * 60`, `-(1)`); `None` for anything else.
pub fn constant_value(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::NumberLiteral(n) => Some(n.value),
        ExprKind::ParenExpr(p) => constant_value(&p.expr),
        ExprKind::UnaryExpr(u) => {
            let v = constant_value(&u.expr)?;
            Some(if u.op == UnaryOp::Sub { -v } else { v })
        }
        ExprKind::BinaryExpr(_) => {
            // The left spine of a chain (`1 + 2 + 3 ...`) with a loop, not recursion.
            let mut spine = Vec::new();
            let mut node = expr;
            while let ExprKind::BinaryExpr(b) = &node.kind {
                if b.op.is_comparison() || b.op.is_set_operator() {
                    return None;
                }
                spine.push(b);
                node = &b.lhs;
            }
            let mut l = constant_value(node)?;
            for b in spine.iter().rev() {
                let r = constant_value(&b.rhs)?;
                l = match b.op {
                    BinaryOp::Add => l + r,
                    BinaryOp::Sub => l - r,
                    BinaryOp::Mul => l * r,
                    BinaryOp::Div => l / r,
                    BinaryOp::Mod => l % r,
                    BinaryOp::Pow => l.powf(r),
                    BinaryOp::Atan2 => l.atan2(r),
                    _ => return None,
                };
            }
            Some(l)
        }
        _ => None,
    }
}

/// A comparison (without `bool`) of an expression against a constant, such as
/// `rate(errors[5m]) > 0.1`: a filter with a static threshold.
#[derive(Debug)]
pub struct ThresholdComparison<'a> {
    /// The comparison node itself.
    pub comparison: &'a Expr,
    pub op: BinaryOp,
    pub threshold: f64,
    /// The constant side, to point a diagnostic at.
    pub threshold_span: Span,
    /// The side compared with the threshold.
    pub compared: &'a Expr,
    /// The constant is written on the left (`0.1 < x`).
    pub threshold_on_left: bool,
}

/// Every comparison against a constant threshold in the expression, in source order.
pub fn threshold_comparisons(expr: &Expr) -> Vec<ThresholdComparison<'_>> {
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::BinaryExpr(b) = &e.kind else {
            return;
        };
        if !b.op.is_comparison() || b.return_bool {
            return;
        }
        let (constant_side, compared, threshold_on_left) = match (constant_value(&b.lhs), constant_value(&b.rhs)) {
            (None, Some(v)) => ((v, b.rhs.span), &*b.lhs, false),
            (Some(v), None) => ((v, b.lhs.span), &*b.rhs, true),
            _ => return,
        };
        found.push(ThresholdComparison {
            comparison: e,
            op: b.op,
            threshold: constant_side.0,
            threshold_span: constant_side.1,
            compared,
            threshold_on_left,
        });
    });
    found
}

/// A function applied directly to a range selector of a named metric:
/// `rate(http_requests_total[5m])`.
#[derive(Debug)]
pub struct RangeCall<'a> {
    pub function: &'static str,
    pub metric: &'a str,
    /// The metric name (or the whole selector when the name is a matcher).
    pub name_span: Span,
    /// The `[5m]`.
    pub range_span: Span,
}

/// Every call whose first argument is a range selector with a metric name, in source order.
pub fn range_calls(expr: &Expr) -> Vec<RangeCall<'_>> {
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::Call(call) = &e.kind else { return };
        let Some(ExprKind::MatrixSelector(matrix)) =
            call.args.iter().find(|a| a.value_type() == ValueType::Matrix).map(|a| &a.kind)
        else {
            return;
        };
        let Some(selector) = matrix.selector() else { return };
        let Some(metric) = selector.metric_name() else { return };
        found.push(RangeCall {
            function: call.func.name,
            metric,
            name_span: selector.name_span.unwrap_or(matrix.vector_selector.span),
            range_span: matrix.range_span,
        });
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::{ParseOptions, parse};

    fn parsed(input: &str) -> Expr {
        parse(input, &ParseOptions::default()).expect("test expression parses")
    }

    #[test]
    fn constants_fold_through_signs_parens_and_arithmetic() {
        assert_eq!(constant_value(&parsed("2 * (60 + 1)")), Some(122.0));
        assert_eq!(constant_value(&parsed("-(1)")), Some(-1.0));
        assert_eq!(constant_value(&parsed("up")), None);
        assert_eq!(constant_value(&parsed("time()")), None);
    }

    #[test]
    fn finds_static_thresholds_on_either_side() {
        let input = "rate(errors_total[5m]) > 0.1 and 5 * 60 <= up";
        let expr = parsed(input);
        let found = threshold_comparisons(&expr);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].op, found[0].threshold, found[0].threshold_on_left), (BinaryOp::Gtr, 0.1, false));
        assert_eq!(&input[found[0].threshold_span.range()], "0.1");
        assert_eq!(found[0].compared.kind_name(), "Call");
        assert_eq!((found[1].threshold, found[1].threshold_on_left), (300.0, true));
        assert_eq!(&input[found[1].threshold_span.range()], "5 * 60");
    }

    #[test]
    fn ignores_bool_comparisons_and_vector_to_vector_comparisons() {
        assert!(threshold_comparisons(&parsed("up == bool 1")).is_empty());
        assert!(threshold_comparisons(&parsed("a > b")).is_empty());
        assert!(threshold_comparisons(&parsed("a + 1")).is_empty());
    }
}
