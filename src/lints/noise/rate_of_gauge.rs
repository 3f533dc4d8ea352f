use crate::catalog::MetricType;
use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::ExprKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports `rate`, `irate`, `increase` or `resets` over a metric that the saved scrapes or
    /// the Prometheus server declare a gauge. Without metric types the lint does nothing.
    ///
    /// ## Why it matters
    /// These functions assume a counter: every decrease is taken for a process restart and the
    /// previous value is added back. Over a gauge, each drop adds a jump, so the result is much
    /// larger than the real change and swings with the noise; alerts on it fire at random.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: MemoryGrowing
    ///   expr: rate(process_resident_memory_bytes[10m]) > 1e6   # a gauge
    ///   for: 15m
    /// ```
    ///
    /// ## How to fix
    /// Use `deriv(x[10m])` for the per-second change of a gauge, or `delta(x[1h])` for its change
    /// over the window.
    ///
    /// ## Options
    /// None. Types come from `prometheus.metrics`, `--metrics` or the server's metadata.
    pub static RATE_OF_GAUGE = {
        id: "noise/rate-of-gauge",
        severity: Warning,
        summary: "`rate`/`irate`/`increase`/`resets` is applied to a metric known to be a gauge",
        pass: [Example::with_metrics(
            "groups:\n  - name: proc\n    rules:\n      - alert: MemoryGrowing\n        expr: deriv(process_resident_memory_bytes[10m]) > 1e6\n        for: 15m\n",
            "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.2e8\n",
        )],
        fail: [Example::with_metrics(
            "groups:\n  - name: proc\n    rules:\n      - alert: MemoryGrowing\n        expr: rate(process_resident_memory_bytes[10m]) > 1e6\n        for: 15m\n",
            "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.2e8\n",
        )],
    };
}

/// Functions that read resets into every decrease.
const COUNTER_ONLY: &[&str] = &["rate", "irate", "increase", "resets"];

pub fn registration() -> Registration {
    crate::stateless_lint!(RATE_OF_GAUGE, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    if cx.catalog.is_empty() {
        return;
    }
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::Call(call) = &e.kind else {
            return;
        };
        if !COUNTER_ONLY.contains(&call.func.name) {
            return;
        }
        let Some(ExprKind::MatrixSelector(matrix)) = call.args.first().map(|a| &a.kind) else {
            return;
        };
        let Some(selector) = matrix.selector() else {
            return;
        };
        let Some(name) = selector.metric_name() else {
            return;
        };
        if cx.catalog.metric_type(name) == Some(MetricType::Gauge) {
            found.push((
                call.func.name,
                name.to_string(),
                selector.name_span.unwrap_or(matrix.vector_selector.span),
                matrix.range_span,
            ));
        }
    });
    for (func, name, at, range) in found {
        let fix = if func == "increase" { "delta" } else { "deriv" };
        cx.report(
            rcx.expr_span(at),
            format!("`{func}` over `{name}`, which is a gauge: every decrease is counted as a counter reset"),
        )
        .help(format!("use `{fix}({name}{})` for the change of a gauge", range_text(rcx, range)));
    }
}

/// The `[range]` as written, for the suggested fix.
fn range_text(rcx: &RuleContext<'_>, range: crate::span::Span) -> String {
    rcx.rule.expr.as_ref().and_then(|t| t.value.get(range.range())).unwrap_or("[5m]").to_string()
}
