use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;
use crate::promql::{AggregateOp, Expr, ExprKind};

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert whose series come from `topk`, `bottomk`, `limitk` or `limit_ratio`:
    /// the aggregation is the outermost operation, or only comparisons and parentheses wrap it.
    ///
    /// Not reported: `topk` in recording rules (dashboards and reports), and `topk` inside a
    /// comparison of two vectors or an aggregation.
    ///
    /// ## Why it matters
    /// Which series `topk` keeps changes from one evaluation to the next when values are close.
    /// Every change resolves one alert and starts another: the `for` clock restarts, and
    /// notifications flap. Selecting the worst few is the receiver's job, not the alert's.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: BusiestPods
    ///   expr: topk(3, rate(container_cpu_usage_seconds_total[5m])) > 0.9
    ///   for: 10m
    /// ```
    ///
    /// ## How to fix
    /// Alert on every series above the threshold (`rate(...) > 0.9`), and let Alertmanager
    /// group them.
    ///
    /// ## Options
    /// None.
    pub static TOPK = {
        id: "alerts/topk",
        severity: Warning,
        summary: "an alert's series are picked by `topk`/`bottomk`/`limitk`, so they change between evaluations",
        pass: [
            Example::new(r#"groups:
  - name: cpu
    rules:
      - record: pod:cpu:top5
        expr: topk(5, rate(container_cpu_usage_seconds_total[5m]))
      - alert: BusyPods
        expr: rate(container_cpu_usage_seconds_total[5m]) > 0.9
        for: 10m
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: cpu
    rules:
      - alert: BusiestPods
        expr: topk(3, rate(container_cpu_usage_seconds_total[5m])) > 0.9
        for: 10m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(TOPK, check)
}

/// The `topk`-like aggregation the alert's series come from, if any.
fn source(mut e: &Expr) -> Option<&crate::promql::AggregateExpr> {
    loop {
        e = match &e.kind {
            ExprKind::ParenExpr(p) => &p.expr,
            ExprKind::BinaryExpr(b) if b.op.is_comparison() && !b.return_bool => {
                match (crate::promql::analysis::constant_value(&b.lhs), crate::promql::analysis::constant_value(&b.rhs))
                {
                    (None, Some(_)) => &b.lhs,
                    (Some(_), None) => &b.rhs,
                    _ => return None,
                }
            }
            ExprKind::AggregateExpr(a)
                if matches!(
                    a.op,
                    AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk | AggregateOp::LimitRatio
                ) =>
            {
                return Some(a);
            }
            _ => return None,
        };
    }
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let Some(expr) = rcx.expr else { return };
    let Some(agg) = source(expr) else { return };
    let op = agg.op.as_str();
    cx.report(
        rcx.expr_span(agg.op_span),
        format!("the alert's series are picked by `{op}`: which ones it keeps changes between evaluations, so alerts resolve and fire again"),
    )
    .help(format!("alert on every series past the threshold without `{op}`, and let Alertmanager group them"));
}
