use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::labels::{OutputLabels, output_labels};
use crate::promql::{AggregateOp, BinaryOp, Expr, ExprKind, ValueType, VectorMatchCardinality};
use crate::span::Span;

crate::declare_lint! {
    /// ## What it does
    /// Reports a label named in `by (...)`, `on (...)` or `group_left (...)`/`group_right (...)`
    /// that the expression it applies to can never carry, because an inner aggregation, `on`
    /// or function removed it:
    ///
    /// - `sum by (instance) (sum by (job) (x))`: `instance` is always empty, so the outer `by`
    ///   groups nothing;
    /// - `x and on (instance) sum by (job) (y)`: the right side has no `instance`, so only
    ///   series of the left side without `instance` can match (usually none);
    /// - `x * on (job) group_left (team) sum by (job) (y)`: the right side has no `team`, so
    ///   the join copies nothing and the result has no `team` either.
    ///
    /// Where the labels come from is the label model of the expression
    /// (`src/promql/labels.rs`): selectors may carry any label; aggregations, `on (...)`,
    /// `absent(...)` of anything but a selector, and a few functions narrow the set.
    ///
    /// - `up{job="api"} == 0 and sum(node_maintenance) == 0`: without `on (...)` the sides
    ///   match on all their labels; the left side always has `job`, the right side never, so
    ///   nothing ever matches (and an `unless` never removes anything).
    ///
    /// Not reported: labels a side may carry (a selector can have any label), `without (...)`
    /// and `ignoring (...)` of missing labels (harmless), and `on ()` with an empty list.
    ///
    /// ## Why it matters
    /// The join or grouping reads as if it did something, but the label is empty on every
    /// series: an `and on (...)` that can never match silences the alert for good, and a
    /// `group_left` that copies nothing leaves routing labels and templates empty.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: NodeDown
    ///   expr: up{job="node"} == 0 and on (instance) sum by (job) (node_maintenance) == 0
    /// ```
    ///
    /// ## How to fix
    /// Keep the label in the inner aggregation (`sum by (job, instance) (...)`), or match on
    /// labels both sides have.
    ///
    /// ## Options
    /// None. Expressions of more than 2,000 syntax-tree nodes (generated chains of
    /// thousands of operators) are checked for aggregations only, not for vector matching.
    pub static DROPPED_LABEL = {
        id: "promql/dropped-label",
        severity: Warning,
        summary: "`by`, `on`, `group_left` or an implicit match needs a label that an inner aggregation already removed",
        pass: [
            Example::new(r#"groups:
  - name: node
    rules:
      - alert: NodeDown
        expr: up{job="node"} == 0 and on (instance) node_maintenance == 0
        for: 5m
      - record: job:errors:ratio5m
        expr: sum by (job) (rate(errors_total[5m])) / on (job) sum by (job) (rate(requests_total[5m]))
      - record: team:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m])) * on (job) group_left (team) max by (job, team) (job_owner)
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: node
    rules:
      - alert: NodeDown
        expr: up{job="node"} == 0 and on (instance) sum by (job) (node_maintenance) == 0
        for: 5m
      - record: instance:errors:rate5m
        expr: sum by (instance) (sum by (job) (rate(errors_total[5m])))
      - record: team:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m])) * on (job) group_left (team) sum by (job) (job_owner)
      - alert: ApiDown
        expr: up{job="api"} == 0 and sum(node_maintenance) == 0
        for: 5m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(DROPPED_LABEL, check)
}

struct Finding {
    at: Span,
    message: String,
    narrowed: Option<Span>,
    help: String,
}

/// Largest expression (in syntax-tree nodes) whose binary operators are
/// checked; real rules stay far below it.
const MAX_NODES_FOR_MATCHING: usize = 2_000;

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let source = rcx.rule.expr.as_ref().map(|t| t.value.as_str()).unwrap_or("");
    let snippet = |span: Span| crate::promql::snippet(source, span.start, span.end);
    let mut found = Vec::new();
    // Each binary operator reads the labels of both operands: on a generated
    // chain of thousands of operators that is quadratic, so such expressions
    // are not checked for vector matching (aggregations still are).
    let mut nodes = 0usize;
    expr.walk(|_| nodes += 1);
    let check_matching = nodes <= MAX_NODES_FOR_MATCHING;
    expr.walk(|e| match &e.kind {
        ExprKind::AggregateExpr(agg) => {
            let Some(grouping) = &agg.grouping else { return };
            if grouping.without
                || matches!(agg.op, AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk | AggregateOp::LimitRatio)
            {
                return;
            }
            let inner = output_labels(&agg.expr);
            for label in &grouping.labels {
                if lacks(&inner, &label.name) {
                    found.push(Finding {
                        at: label.span,
                        message: format!(
                            "`by ({})`: `{}` cannot carry `{}`, so grouping by it does nothing",
                            label.name,
                            snippet(agg.expr.span),
                            label.name
                        ),
                        narrowed: inner.narrowed_by,
                        help: format!("keep `{}` in the inner aggregation, or remove it here", label.name),
                    });
                }
            }
        }
        ExprKind::BinaryExpr(b) if check_matching => {
            let Some(matching) = &b.matching else { return };
            if b.lhs.value_type() != ValueType::Vector || b.rhs.value_type() != ValueType::Vector || b.op == BinaryOp::Or
            {
                return;
            }
            let (lhs, rhs) = (output_labels(&b.lhs), output_labels(&b.rhs));
            if matching.on {
                for label in &matching.matching_labels {
                    let side = match (lacks(&lhs, &label.name), lacks(&rhs, &label.name)) {
                        (true, false) => Some((&lhs, &b.lhs, "left")),
                        (false, true) => Some((&rhs, &b.rhs, "right")),
                        _ => None,
                    };
                    if let Some((labels, side_expr, which)) = side {
                        found.push(Finding {
                            at: label.span,
                            message: format!(
                                "`on ({})`: the {which} side `{}` cannot carry `{}`, so only series without it on the other side can match",
                                label.name,
                                snippet(side_expr.span),
                                label.name
                            ),
                            narrowed: labels.narrowed_by,
                            help: format!("keep `{}` on both sides, or match on labels both sides have", label.name),
                        });
                    }
                }
            }
            // Without `on (...)`, the sides match on all their labels (less `ignoring`): a label
            // one side always has (an equality matcher fixes it) and the other never has means
            // no series can ever match.
            if !matching.on
                && (matching.card == VectorMatchCardinality::OneToOne || matches!(b.op, BinaryOp::And | BinaryOp::Unless))
            {
                let ignored = |name: &str| matching.matching_labels.iter().any(|l| l.name == name);
                let pairs = [(&lhs, &rhs, &b.rhs, "right"), (&rhs, &lhs, &b.lhs, "left")];
                let other_side = |which: &str| if which == "right" { "left" } else { "right" };
                if let Some((name, labels, side_expr, which)) = pairs.into_iter().find_map(|(has, other, other_expr, which)| {
                    has.known
                        .iter()
                        .filter(|(name, value)| *name != "__name__" && value.as_deref().is_some_and(|v| !v.is_empty()))
                        .find(|(name, _)| !ignored(name) && lacks(other, name))
                        .map(|(name, _)| (name.clone(), other, other_expr, which))
                }) {
                    found.push(Finding {
                        at: b.op_span,
                        message: format!(
                            "`{}` can never match: the {} side always has `{name}` and the {which} side `{}` never does",
                            b.op.as_str(),
                            other_side(which),
                            snippet(side_expr.span)
                        ),
                        narrowed: labels.narrowed_by,
                        help: format!("match on labels both sides have, for example `on ()` or `ignoring ({name})`"),
                    });
                }
            }
            let one = match matching.card {
                VectorMatchCardinality::ManyToOne => Some((&rhs, &b.rhs, "group_left")),
                VectorMatchCardinality::OneToMany => Some((&lhs, &b.lhs, "group_right")),
                _ => None,
            };
            if let Some((labels, side_expr, keyword)) = one {
                for label in &matching.include {
                    if lacks(labels, &label.name) && !is_constant(side_expr) {
                        found.push(Finding {
                            at: label.span,
                            message: format!(
                                "`{keyword} ({})`: `{}` cannot carry `{}`, so the join copies nothing and the result has no `{}`",
                                label.name,
                                snippet(side_expr.span),
                                label.name,
                                label.name
                            ),
                            narrowed: labels.narrowed_by,
                            help: format!("keep `{}` in that side's aggregation (`by (..., {})`)", label.name, label.name),
                        });
                    }
                }
            }
        }
        _ => {}
    });
    for f in found {
        let report = cx.report(rcx.expr_span(f.at), f.message).help(f.help);
        if let Some(span) = f.narrowed {
            report.label(rcx.expr_span(span), "labels are narrowed here");
        }
    }
}

/// The side can never carry the label, because something narrowed it (not
/// merely because it is a literal such as `vector(1)`).
fn lacks(labels: &OutputLabels, name: &str) -> bool {
    !labels.can_have(name) && (labels.narrowed_by.is_some() || labels.open)
}

fn is_constant(expr: &Expr) -> bool {
    expr.vector_selectors().next().is_none()
}
