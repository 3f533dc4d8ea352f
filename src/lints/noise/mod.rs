//! Alerts that page on noise: thresholds without `for`, raw counters, short
//! windows and `irate`.

pub mod for_too_short;
pub mod irate;
pub mod rate_window_too_short;
pub mod raw_counter;

use crate::promql::{BinaryExpr, Expr, ExprKind, ValueType};

pub fn registrations() -> Vec<super::Registration> {
    vec![for_too_short::registration(), raw_counter::registration(), rate_window_too_short::registration(), irate::registration()]
}

/// A comparison of a vector with a static threshold.
pub struct Threshold<'a> {
    pub comparison: &'a BinaryExpr,
    /// The side that varies.
    pub vector: &'a Expr,
    /// The constant side (`5`, `0.9 * 100`).
    pub constant: &'a Expr,
    /// The operator and the constant as written, e.g. `> 5`.
    pub text: String,
}

/// Whether `expr` is a constant: a scalar that reads no series.
pub fn is_constant(expr: &Expr) -> bool {
    expr.value_type() == ValueType::Scalar && expr.vector_selectors().next().is_none()
}

/// Every comparison without `bool` between a vector and a constant, outermost first.
pub fn thresholds<'a>(expr: &'a Expr, source: &str) -> Vec<Threshold<'a>> {
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::BinaryExpr(b) = &e.kind else { return };
        if !b.op.is_comparison() || b.return_bool {
            return;
        }
        let (vector, constant) = match (is_constant(&b.lhs), is_constant(&b.rhs)) {
            (false, true) => (&*b.lhs, &*b.rhs),
            (true, false) => (&*b.rhs, &*b.lhs),
            _ => return,
        };
        if vector.value_type() != ValueType::Vector {
            return;
        }
        let literal = source.get(constant.span.range()).unwrap_or("").trim();
        // Written the way a reader reads it: the vector on the left.
        let op = if std::ptr::eq(vector, &*b.lhs) { b.op.as_str().to_string() } else { mirrored(b.op.as_str()).to_string() };
        found.push(Threshold { comparison: b, vector, constant, text: format!("{op} {literal}") });
    });
    found
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
    fn ignores_what_is_not_a_threshold() {
        assert!(texts("absent(up{job=\"x\"})").is_empty());
        assert!(texts("vector(1)").is_empty());
        assert!(texts("a > b").is_empty());
        assert!(texts("a > bool 5").is_empty());
        assert!(texts("a > scalar(b)").is_empty());
    }
}
