use crate::catalog::MetricType;
use crate::lints::{Example, FileContext, Registration, RuleContext};

crate::declare_lint! {
    /// ## What it does
    /// Reports `rate`, `irate`, `increase` or `resets` over a metric that the saved scrapes or
    /// the Prometheus server declare a gauge, or, when they do not know its type, a gauge by
    /// its name: a name ending in `_gauge`, or a well-known gauge (`go_goroutines`,
    /// `process_resident_memory_bytes`, `node_load1`, `node_filesystem_avail_bytes`,
    /// `container_memory_working_set_bytes`...). Findings from the name alone say "by its name",
    /// and are left out when at least two other rules of the file also apply these functions to
    /// the metric and none applies `deriv`/`delta` (the file knows its metrics better than their
    /// names).
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
    /// None. Types come from `prometheus.metrics`, `--metrics` or the server's metadata, and
    /// otherwise from the name.
    pub static RATE_OF_GAUGE = {
        id: "noise/rate-of-gauge",
        severity: Warning,
        summary: "`rate`/`irate`/`increase`/`resets` is applied to a metric known to be a gauge",
        pass: [Example::new(
            "groups:\n  - name: proc\n    rules:\n      - alert: Goroutines\n        expr: deriv(go_goroutines[10m]) > 10\n        for: 15m\n",
        ), Example::with_metrics(
            "groups:\n  - name: proc\n    rules:\n      - alert: MemoryGrowing\n        expr: deriv(process_resident_memory_bytes[10m]) > 1e6\n        for: 15m\n",
            "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.2e8\n",
        )],
        fail: [Example::new(
            "groups:\n  - name: proc\n    rules:\n      - alert: QueueGrowing\n        expr: rate(queue_depth_gauge[10m]) > 1\n        for: 15m\n",
        ), Example::with_metrics(
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

/// Well-known gauges, recognised without a catalog.
const KNOWN_GAUGES: &[&str] = &[
    "go_goroutines",
    "go_threads",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
    "node_load1",
    "node_load5",
    "node_load15",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemFree_bytes",
    "node_filesystem_avail_bytes",
    "node_filesystem_free_bytes",
    "node_filesystem_size_bytes",
    "container_memory_working_set_bytes",
    "container_memory_usage_bytes",
    "container_memory_rss",
];

/// Functions meant for gauges, the other way to use a metric.
const GAUGE_FUNCTIONS: &[&str] = &["deriv", "delta", "idelta", "predict_linear"];

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let mut found = Vec::new();
    for call in crate::promql::analysis::range_calls(expr) {
        if !COUNTER_ONLY.contains(&call.function) {
            continue;
        }
        let evidence = match cx.catalog.metric_type(call.metric) {
            Some(MetricType::Gauge) => "a gauge",
            Some(MetricType::Unknown) | None
                if call.metric.ends_with("_gauge") || KNOWN_GAUGES.contains(&call.metric) =>
            {
                if crate::lints::promql::deriv_of_counter::file_uses_as(
                    cx,
                    rcx,
                    call.metric,
                    COUNTER_ONLY,
                    GAUGE_FUNCTIONS,
                ) {
                    continue;
                }
                "a gauge by its name"
            }
            _ => continue,
        };
        found.push((call.function, call.metric.to_string(), call.name_span, call.range_span, evidence));
    }
    for (func, name, at, range, evidence) in found {
        let fix = if func == "increase" { "delta" } else { "deriv" };
        cx.report(
            rcx.expr_span(at),
            format!("`{func}` over `{name}`, which is {evidence}: every decrease is counted as a counter reset"),
        )
        .help(format!("use `{fix}({name}{})` for the change of a gauge", range_text(rcx, range)));
    }
}

/// The `[range]` as written, for the suggested fix.
fn range_text(rcx: &RuleContext<'_>, range: crate::span::Span) -> String {
    rcx.rule.expr.as_ref().and_then(|t| t.value.get(range.range())).unwrap_or("[5m]").to_string()
}
