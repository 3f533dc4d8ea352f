use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::{DurationExpr, ExprKind, Offset};
use crate::span::Span;

crate::declare_lint! {
    /// ## What it does
    /// With a Prometheus server (`prometheus.url`): reports a range (`[60d]`), a subquery range
    /// or an `offset` that reaches further back than the server keeps samples (its
    /// `--storage.tsdb.retention.time`, read from `/api/v1/status/flags`). Range and offset
    /// add up: `x[20d] offset 20d` reaches 40 days back. Without a server, or when the server
    /// does not say its retention, the lint does nothing.
    ///
    /// ## Why it matters
    /// Data older than the retention is gone: `rate(x[60d])` on a server that keeps 15 days
    /// sees 15 days, and `x offset 30d` sees nothing at all, so the rule compares with a
    /// baseline that does not exist and the alert never fires (or always does).
    ///
    /// ## Example
    /// ```yaml
    /// - alert: TrafficDropped            # the server keeps 15d
    ///   expr: sum(rate(requests_total[5m])) < 0.5 * sum(rate(requests_total[5m] offset 30d))
    /// ```
    ///
    /// ## How to fix
    /// Shorten the range or offset to fit the retention, raise the server's retention, or
    /// query long-term storage (Thanos, Mimir) where the data is kept.
    ///
    /// ## Options
    /// None. The server comes from `prometheus.url` or `--prometheus-url`.
    pub static BEYOND_RETENTION = {
        id: "prometheus/beyond-retention",
        severity: Warning,
        summary: "with a Prometheus server: a range or offset reaches further back than the server keeps samples",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:requests:rate60d\n        expr: sum by (job) (rate(requests_total[60d]))\n")],
        fail: [Example::with_prometheus(
            "groups:\n  - name: api\n    rules:\n      - record: job:requests:rate60d\n        expr: sum by (job) (rate(requests_total[60d]))\n",
            "",
            "{\"now\": 1763596800, \"retention\": \"15d\"}",
        )],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(BEYOND_RETENTION, check)
}

fn seconds(d: &DurationExpr) -> Option<f64> {
    d.constant_seconds()
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let Some(retention_ms) = cx.catalog.online().and_then(|o| o.settings.retention) else { return };
    let retention = retention_ms as f64 / 1000.0;
    let offset_of = |o: &Option<Offset>| o.as_ref().and_then(|o| seconds(&o.duration).map(|s| (s, o.span)));
    let mut found: Vec<(Span, f64)> = Vec::new();
    expr.walk(|e| {
        let (range, range_span, offset) = match &e.kind {
            ExprKind::MatrixSelector(m) => {
                (seconds(&m.range), Some(m.range_span), m.selector().and_then(|vs| offset_of(&vs.offset)))
            }
            ExprKind::SubqueryExpr(s) => (seconds(&s.range), Some(s.brackets_span), offset_of(&s.offset)),
            ExprKind::VectorSelector(vs) => (None, None, offset_of(&vs.offset)),
            _ => return,
        };
        let (offset, offset_span) = offset.map_or((0.0, None), |(s, span)| (s, Some(span)));
        let reach = range.unwrap_or(0.0) + offset;
        // A range's selector is visited too: one finding per `offset`.
        if reach > retention
            && let Some(span) = offset_span.or(range_span)
            && !found.iter().any(|(s, _)| *s == span)
        {
            found.push((span, reach));
        }
    });
    // Retention is set and read in days: `60d`, not `8w4d`.
    let days = |ms: i64| {
        if ms % 86_400_000 == 0 { format!("{}d", ms / 86_400_000) } else { crate::duration::format(ms) }
    };
    let keep = days(retention_ms);
    for (span, reach) in found {
        let back = days((reach * 1000.0) as i64);
        cx.report(rcx.expr_span(span), format!("reaches {back} back, but the server keeps only {keep} of samples"))
            .help(format!(
                "fit the range and offset within {keep}, or query long-term storage where older data is kept"
            ));
    }
}
