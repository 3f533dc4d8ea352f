use crate::catalog::MetricType;
use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::analysis::range_calls;

crate::declare_lint! {
    /// ## What it does
    /// Reports `delta`, `idelta`, `deriv`, `predict_linear` or `double_exponential_smoothing`
    /// (`holt_winters`) over a counter. A metric is a counter when the saved scrapes or the
    /// server say so, or, without that, by its name: `*_bucket`, and `*_count` / `*_sum` of a
    /// histogram or summary (the same name rules as `noise/raw-counter`). Findings from the
    /// name alone say "by its name".
    ///
    /// Not reported: a metric the saved scrapes or server call a gauge whatever its name; from
    /// the name alone, `*_total` metrics (on the public corpus every `delta` over a `*_total`
    /// was a gauge named so by its exporter, and said so in a comment); and, from the name
    /// alone, a metric that at least two other rules of the file also use with these functions
    /// and none with `rate`/`increase` (the file knows its metrics better than their names).
    ///
    /// ## Why it matters
    /// These functions are meant for gauges. A counter drops to zero when its process restarts:
    /// `delta` then returns a large negative number and `deriv`/`predict_linear` a steep fall,
    /// so alerts fire (or stay silent) at each restart. Between restarts they rise with the
    /// counter, which is the rate, only noisier.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: SlowRequests
    ///   expr: deriv(http_request_duration_seconds_sum[10m]) > 100
    /// ```
    ///
    /// ## How to fix
    /// Use `increase(x[10m])` instead of `delta`, and `rate(x[10m])` instead of `deriv`;
    /// `predict_linear` of a counter rarely means anything.
    ///
    /// ## Options
    /// None.
    pub static DERIV_OF_COUNTER = {
        id: "promql/deriv-of-counter",
        severity: Warning,
        summary: "`delta`/`deriv`/`predict_linear` is applied to a counter, which resets to zero on restart",
        pass: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: ErrorsGrowing
        expr: increase(http_errors_total[10m]) > 100
        for: 5m
      - alert: DiskFillsUp
        expr: predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0
        for: 30m
      - alert: SocketsRefused
        expr: delta(systemd_socket_refused_connections_total[5m]) > 3
        for: 5m
"#),
            Example::with_metrics(r#"groups:
  - name: queue
    rules:
      - alert: QueueGrowing
        expr: deriv(queue_items_total[10m]) > 5
        for: 5m
"#, "# TYPE queue_items_total gauge\nqueue_items_total 12\n"),
        ],
        fail: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: SlowRequests
        expr: deriv(http_request_duration_seconds_sum[10m]) > 100
        for: 5m
"#),
            Example::with_metrics(r#"groups:
  - name: jobs
    rules:
      - alert: JobsSlow
        expr: deriv(jobs_processed[10m]) < 0.1
        for: 5m
"#, "# TYPE jobs_processed counter\njobs_processed_total 12\n"),
        ],
    };
}

/// Functions meant for gauges.
const GAUGE_ONLY: &[&str] =
    &["delta", "idelta", "deriv", "predict_linear", "double_exponential_smoothing", "holt_winters"];
/// Functions meant for counters.
const COUNTER_ONLY: &[&str] = &["rate", "irate", "increase", "resets"];

pub fn registration() -> Registration {
    crate::stateless_lint!(DERIV_OF_COUNTER, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let calls = range_calls(expr);
    if !calls.iter().any(|c| GAUGE_ONLY.contains(&c.function)) {
        return;
    }
    let others: Vec<&str> = expr.vector_selectors().filter_map(|(_, vs)| vs.metric_name()).collect();
    for call in calls.iter().filter(|c| GAUGE_ONLY.contains(&c.function)) {
        let by_catalog = match cx.catalog.metric_type(call.metric) {
            Some(MetricType::Counter) => true,
            Some(MetricType::Histogram | MetricType::Summary) => {
                ["_count", "_sum", "_bucket"].iter().any(|s| call.metric.ends_with(s))
            }
            _ => false,
        };
        let known_other = matches!(
            cx.catalog.metric_type(call.metric),
            Some(MetricType::Gauge | MetricType::GaugeHistogram | MetricType::Info | MetricType::StateSet)
        );
        let by_name = !by_catalog
            && !known_other
            && !call.metric.ends_with("_total")
            && crate::lints::noise::raw_counter::is_counter_name(call.metric, &others, cx.catalog)
            && !file_uses_as(cx, rcx, call.metric, GAUGE_ONLY, COUNTER_ONLY);
        if !by_catalog && !by_name {
            continue;
        }
        let evidence = if by_catalog { "a counter" } else { "a counter by its name" };
        let fix = match call.function {
            "delta" | "idelta" => "increase",
            _ => "rate",
        };
        let range = rcx.rule.expr.as_ref().and_then(|t| t.value.get(call.range_span.range())).unwrap_or("[5m]");
        cx.report(
            rcx.expr_span(call.name_span),
            format!(
                "`{}` over `{}`, which is {evidence}: it drops to zero on every restart, and `{}` reads that as a fall",
                call.function, call.metric, call.function
            ),
        )
        .help(format!("use `{fix}({}{range})` for the change of a counter", call.metric));
    }
}

/// Whether at least two other rules of the file apply one of `same` to
/// `metric` and none applies one of `opposite`: the file treats the metric
/// that way on purpose.
pub(crate) fn file_uses_as(
    cx: &FileContext<'_>,
    rcx: &RuleContext<'_>,
    metric: &str,
    same: &[&str],
    opposite: &[&str],
) -> bool {
    let (mut same_rules, mut opposite_rules) = (0, 0);
    for group in &cx.model.groups {
        for rule in &group.rules {
            if std::ptr::eq(rule, rcx.rule) {
                continue;
            }
            let Some(text) = &rule.expr else { continue };
            if !text.value.contains(metric) {
                continue;
            }
            let Ok(parsed) = crate::promql::parse(&text.value, &crate::promql::ParseOptions::all_enabled()) else {
                continue;
            };
            let calls = range_calls(&parsed);
            if calls.iter().any(|c| c.metric == metric && same.contains(&c.function)) {
                same_rules += 1;
            }
            if calls.iter().any(|c| c.metric == metric && opposite.contains(&c.function)) {
                opposite_rules += 1;
            }
        }
    }
    same_rules >= 2 && opposite_rules == 0
}
