use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::{AggregateOp, Expr, ExprKind};

crate::declare_lint! {
    /// ## What it does
    /// Reports `rate`, `irate`, `increase` or `resets` over a subquery of an aggregation:
    /// `rate(sum(http_requests_total)[5m:])`.
    ///
    /// Not reported: `sum(rate(http_requests_total[5m]))`, the usual order, and `max_over_time`
    /// or other non-counter functions over aggregated subqueries.
    ///
    /// ## Why it matters
    /// `rate` detects a counter reset when a value goes down. After `sum`, one process
    /// restarting makes the total drop by its share only: `rate` takes the whole new total as
    /// the increase and spikes. The rates of the parts must be taken first, then summed.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighRequestRate
    ///   expr: rate(sum by (job) (http_requests_total)[5m:]) > 100
    /// ```
    ///
    /// ## How to fix
    /// Swap them: `sum by (job) (rate(http_requests_total[5m])) > 100`.
    ///
    /// ## Options
    /// None.
    pub static RATE_OF_AGGREGATION = {
        id: "promql/rate-of-aggregation",
        severity: Warning,
        summary: "`rate`/`increase` is taken over an aggregation of counters instead of before it",
        pass: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: HighRequestRate
        expr: sum by (job) (rate(http_requests_total[5m])) > 100
        for: 5m
      - alert: PeakQueue
        expr: max_over_time(sum by (job) (queue_depth)[30m:]) > 100
        for: 5m
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: HighRequestRate
        expr: rate(sum by (job) (http_requests_total)[5m:]) > 100
        for: 5m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(RATE_OF_AGGREGATION, check)
}

fn unparen(mut e: &Expr) -> &Expr {
    while let ExprKind::ParenExpr(p) = &e.kind {
        e = &p.expr;
    }
    e
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::Call(call) = &e.kind else { return };
        if !matches!(call.func.name, "rate" | "irate" | "increase" | "resets") {
            return;
        }
        let Some(ExprKind::SubqueryExpr(sub)) = call.args.first().map(|a| &unparen(a).kind) else { return };
        let ExprKind::AggregateExpr(agg) = &unparen(&sub.expr).kind else { return };
        if matches!(agg.op, AggregateOp::Topk | AggregateOp::Bottomk | AggregateOp::Limitk | AggregateOp::LimitRatio) {
            return;
        }
        found.push((call.func.name, call.name_span, agg.op.as_str(), agg.op_span));
    });
    for (func, at, op, agg_at) in found {
        cx.report(
            rcx.expr_span(at),
            format!("`{func}` over `{op}(...)`: a reset of one series lowers the total only by its share, and `{func}` counts the whole total as new"),
        )
        .label(rcx.expr_span(agg_at), "aggregated before the rate")
        .help(format!("take `{func}` of each series first, then aggregate: `{op}(rate(x[5m]))`"));
    }
}
