use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::labels::output_labels;
use crate::promql::{ExprKind, ValueType};

crate::declare_lint! {
    /// ## What it does
    /// Reports `histogram_quantile(φ, x)` over classic histogram buckets (`*_bucket` series)
    /// where `x` can no longer carry the `le` label, because an aggregation inside dropped it
    /// (`sum by (job) (rate(x_bucket[5m]))`, `sum(...)`).
    ///
    /// Not reported: `sum by (le, job) (...)`, `sum without (instance) (...)`, native
    /// histograms (no `_bucket` series), which have no `le` label, and VictoriaMetrics buckets
    /// kept by `vmrange`, which its engine reads instead of `le`.
    ///
    /// ## Why it matters
    /// A classic histogram is one series per bucket, told apart by `le`. Without it
    /// `histogram_quantile` has no buckets and returns nothing: the alert can never fire, the
    /// dashboard stays empty.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: SlowRequests
    ///   expr: histogram_quantile(0.99, sum by (job) (rate(http_request_duration_seconds_bucket[5m]))) > 1
    /// ```
    ///
    /// ## How to fix
    /// Keep `le` in the aggregation: `sum by (job, le) (...)`.
    ///
    /// ## Options
    /// None.
    pub static QUANTILE_WITHOUT_LE = {
        id: "promql/quantile-without-le",
        severity: Warning,
        summary: "`histogram_quantile` reads classic buckets from which an aggregation removed `le`",
        pass: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: SlowRequests
        expr: histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m]))) > 1
        for: 5m
      - record: job:http_request_duration_seconds:p99
        expr: histogram_quantile(0.99, sum by (job) (rate(http_request_duration_seconds[5m])))
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: SlowRequests
        expr: histogram_quantile(0.99, sum by (job) (rate(http_request_duration_seconds_bucket[5m]))) > 1
        for: 5m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(QUANTILE_WITHOUT_LE, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::Call(call) = &e.kind else { return };
        if call.func.name != "histogram_quantile" {
            return;
        }
        let Some(arg) = call.args.get(1).filter(|a| a.value_type() == ValueType::Vector) else { return };
        let classic = arg.vector_selectors().any(|(_, vs)| vs.metric_name().is_some_and(|n| n.ends_with("_bucket")));
        let labels = output_labels(arg);
        // VictoriaMetrics buckets carry `vmrange` instead of `le`, and its engine reads them.
        if classic && !labels.can_have("le") && !labels.can_have("vmrange") {
            found.push((call.name_span, labels.narrowed_by));
        }
    });
    for (at, narrowed) in found {
        let report = cx
            .report(
                rcx.expr_span(at),
                "`histogram_quantile` over buckets without `le`: the aggregation inside removed it, so the result is always empty",
            )
            .help("keep `le` in the aggregation, for example `sum by (job, le) (...)`");
        if let Some(span) = narrowed {
            report.label(rcx.expr_span(span), "`le` is removed here");
        }
    }
}
