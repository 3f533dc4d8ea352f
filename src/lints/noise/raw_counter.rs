use crate::catalog::{Catalog, MetricType};
use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::{AggregateOp, BinaryOp, Expr, ExprKind, VectorSelector};

crate::declare_lint! {
    /// ## What it does
    /// Reports a static threshold compared with the raw value of a counter — a series named
    /// `*_total`, `*_count`, `*_sum` or `*_bucket` — that is not inside `rate`, `irate`,
    /// `increase`, `delta`, `resets` or `changes`. Also reports `histogram_quantile` over
    /// `_bucket` series that were not passed through `rate`.
    ///
    /// With saved scrapes or a Prometheus server, the declared type decides instead of the name:
    /// a gauge named `*_total` is not reported, a counter named without a suffix is.
    ///
    /// Exporters also use these suffixes for gauges, so without metric types alertlint trusts
    /// `_count`/`_sum` only after a unit (`_seconds_count`) or next to their histogram siblings,
    /// and leaves out `_total` capacities (`bytes_used / bytes_total`, `objects_total /
    /// max_objects`), `_total` names that describe a level (`pending_task_total`,
    /// `capacity_bytes_total`, `..._timestamp_seconds_total`), uptime counters, comparisons with
    /// zero ("has it ever happened"), and raw values of a counter whose rate or increase the same
    /// expression also takes (a deliberate normalisation, `increase(x[10m]) / avg_over_time(x[10m])`).
    ///
    /// ## Why it matters
    /// A counter only goes up, and restarts at zero when the process restarts. Its raw value is
    /// the total since some arbitrary moment: `errors_total > 100` fires on a healthy service
    /// that has simply been up for long, and resolves on its own at the next restart.
    /// A quantile of raw buckets is the quantile since process start, which barely moves.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: ManyErrors
    ///   expr: sum(http_errors_total) > 100
    ///   for: 5m
    /// ```
    ///
    /// ## How to fix
    /// Compare the rate or the increase over a window:
    /// `sum(increase(http_errors_total[10m])) > 100` or `sum(rate(http_errors_total[5m])) > 0.2`.
    ///
    /// ## Options
    /// None. Metric types come from `prometheus.metrics`, `--metrics` or `prometheus.url`.
    pub static RAW_COUNTER = {
        id: "noise/raw-counter",
        severity: Warning,
        summary: "a static threshold is compared with a counter's raw value instead of its `rate`/`increase`",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: ManyErrors\n        expr: sum(increase(http_errors_total[10m])) > 100\n        for: 5m\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: Restarting\n        expr: changes(process_start_time_seconds[1h]) > 3\n        for: 5m\n"),
            // Named like a counter, but a level.
            Example::new("groups:\n  - name: tikv\n    rules:\n      - alert: PendingTasks\n        expr: sum by (name) (tikv_worker_pending_task_total) > 1000\n        for: 5m\n"),
            // The raw value only normalises the increase of the same counter.
            Example::new("groups:\n  - name: solr\n    rules:\n      - alert: ErrorSpike\n        expr: increase(solr_errors_total[10m]) / clamp_min(avg_over_time(solr_errors_total[10m]), 1) > 0.15\n        for: 5m\n"),
            Example::with_metrics(
                "groups:\n  - name: queue\n    rules:\n      - alert: QueueLarge\n        expr: queue_bytes_total > 1e9\n        for: 5m\n",
                "# TYPE queue_bytes_total gauge\nqueue_bytes_total 5e8\n",
            ),
        ],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: ManyErrors\n        expr: sum(http_errors_total) > 100\n        for: 5m\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: SlowRequests\n        expr: histogram_quantile(0.99, sum by (le) (http_request_duration_seconds_bucket)) > 1\n        for: 5m\n"),
            Example::with_metrics(
                "groups:\n  - name: worker\n    rules:\n      - alert: ManyJobs\n        expr: sum(jobs_processed) > 1000\n        for: 5m\n",
                "# TYPE jobs_processed counter\njobs_processed 12\n",
            ),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(RAW_COUNTER, check)
}

/// Name suffixes of counters and of the counter parts of summaries and histograms.
const COUNTER_SUFFIXES: &[&str] = &["_total", "_count", "_sum", "_bucket"];

/// Base units that histogram and summary names end with before `_sum`/`_count`.
/// `foo_seconds_count` is a histogram's count; `foo_listener_count` is a gauge.
const UNIT_WORDS: &[&str] = &[
    "_seconds",
    "_milliseconds",
    "_microseconds",
    "_nanoseconds",
    "_bytes",
    "_duration",
    "_latency",
    "_size",
    "_meters",
    "_joules",
    "_grams",
    "_volts",
    "_amperes",
    "_ratio",
];

/// Functions that turn a counter into something comparable with a threshold.
const COUNTER_SAFE: &[&str] = &["rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes"];

/// Functions whose result does not depend on the sample values.
const VALUE_BLIND: &[&str] = &["absent", "absent_over_time", "present_over_time", "count_over_time", "timestamp"];

fn has_counter_suffix(name: &str) -> bool {
    COUNTER_SUFFIXES.iter().any(|s| name.ends_with(s) && name.len() > s.len())
}

/// Whether `name` reads as a counter, given the other metric names `others`
/// of the same expression. The catalog's type wins when it knows the metric;
/// otherwise the name decides. Exporters name gauges `*_count` (`listener_count`)
/// and capacities `*_total` (`bytes_used / bytes_total`), so the suffix alone
/// is not trusted for those.
pub(crate) fn is_counter_name(name: &str, others: &[&str], catalog: &Catalog) -> bool {
    // Uptime counters are compared raw on purpose: "restarted in the last minute".
    if name.contains("uptime") {
        return false;
    }
    match catalog.metric_type(name) {
        Some(MetricType::Counter) => return true,
        // The `_count`/`_sum`/`_bucket` series of these only go up; the
        // quantiles of a summary (its bare family name) do not.
        Some(MetricType::Histogram | MetricType::Summary) => return has_counter_suffix(name),
        Some(MetricType::Gauge | MetricType::GaugeHistogram | MetricType::Info | MetricType::StateSet) => return false,
        Some(MetricType::Unknown) | None => {}
    }
    if name.strip_suffix("_bucket").is_some_and(|b| !b.is_empty()) {
        return true;
    }
    if let Some(base) = name.strip_suffix("_total").filter(|b| !b.is_empty()) {
        if names_a_level(base) {
            return false;
        }
        let capacity = others.iter().any(|o| {
            *o != name && o.strip_prefix(base).is_some_and(|rest| rest.starts_with('_')) && !has_counter_suffix(o)
        });
        return !capacity;
    }
    for (suffix, siblings) in [("_count", ["_sum", "_bucket"]), ("_sum", ["_count", "_bucket"])] {
        if let Some(base) = name.strip_suffix(suffix).filter(|b| !b.is_empty()) {
            return UNIT_WORDS.iter().any(|u| base.ends_with(u))
                || siblings.iter().any(|s| others.iter().any(|o| o.strip_prefix(base) == Some(s)));
        }
    }
    false
}

/// Words that make a `*_total` name a level rather than a count of events:
/// `pending_task_total`, `capacity_bytes_total`, `last_success_timestamp_seconds_total`.
const LEVEL_WORDS: &[&str] = &[
    "pending",
    "capacity",
    "current",
    "inflight",
    "active",
    "timestamp",
    "available",
    "free",
    "used",
    "limit",
    "max",
    "min",
    "size",
    "state",
    "status",
    "last",
    "queued",
    "running",
    "processes",
];

fn names_a_level(base: &str) -> bool {
    base.split('_').any(|word| LEVEL_WORDS.contains(&word.to_ascii_lowercase().as_str()))
}

/// Metric names whose rate or increase the expression also takes: a raw
/// value next to them is a deliberate normalisation, not a mistake.
fn rated_names(expr: &Expr) -> Vec<&str> {
    let mut out = Vec::new();
    expr.walk(|e| {
        if let ExprKind::Call(call) = &e.kind
            && COUNTER_SAFE.contains(&call.func.name)
        {
            for arg in &call.args {
                if let ExprKind::MatrixSelector(m) = &arg.kind
                    && let Some(name) = m.selector().and_then(|vs| vs.metric_name())
                {
                    out.push(name);
                }
            }
        }
    });
    out
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let (Some(expr), Some(text)) = (rcx.expr, &rcx.rule.expr) else { return };
    let names: Vec<&str> = expr.vector_selectors().filter_map(|(_, vs)| vs.metric_name()).collect();
    let rated = rated_names(expr);
    let mut reported = Vec::new();
    for threshold in super::thresholds(expr, &text.value) {
        // Against zero a counter answers "has it ever happened" (or "is there
        // anything"), which is what guards and sticky-error alerts ask.
        if super::constant_value(threshold.constant) == Some(0.0) {
            continue;
        }
        let mut raw = Vec::new();
        raw_counters(threshold.vector, false, &names, cx.catalog, &mut raw);
        for (selector_expr, selector, in_quantile) in raw {
            if reported.contains(&selector_expr.span)
                || selector.metric_name().is_some_and(|n| !in_quantile && rated.contains(&n))
            {
                continue;
            }
            reported.push(selector_expr.span);
            let name = selector.metric_name().unwrap_or_default();
            let at = rcx.expr_span(selector.name_span.unwrap_or(selector_expr.span));
            let threshold_span = rcx.expr_span(threshold.comparison.op_span.cover(threshold.constant.span));
            let report = if in_quantile {
                cx.report(at, format!("`histogram_quantile` over raw `{name}` is the quantile since the process started; compared with `{}`", threshold.text))
                    .help(format!("take the rate of the buckets first: `histogram_quantile(φ, sum by (le) (rate({name}[5m])))`"))
            } else {
                cx.report(at, format!("`{name}` is a counter: comparing its raw value with `{}` depends on when the process last restarted", threshold.text))
                    .help(format!("compare its rate or increase instead, such as `rate({name}[5m])` or `increase({name}[1h])`"))
            };
            report.label(threshold_span, "static threshold");
        }
    }
}

/// Counter selectors whose raw values flow into `expr`'s result.
/// `in_quantile` marks selectors reached through `histogram_quantile`;
/// `names` are all metric names of the rule's expression.
fn raw_counters<'a>(
    expr: &'a Expr,
    in_quantile: bool,
    names: &[&str],
    catalog: &Catalog,
    out: &mut Vec<(&'a Expr, &'a VectorSelector, bool)>,
) {
    match &expr.kind {
        ExprKind::VectorSelector(vs) => {
            let counter = vs
                .metric_name()
                .is_some_and(|n| if in_quantile { n.ends_with("_bucket") } else { is_counter_name(n, names, catalog) });
            if counter {
                out.push((expr, vs, in_quantile));
            }
        }
        ExprKind::MatrixSelector(m) => raw_counters(&m.vector_selector, in_quantile, names, catalog, out),
        ExprKind::SubqueryExpr(s) => raw_counters(&s.expr, in_quantile, names, catalog, out),
        ExprKind::ParenExpr(p) => raw_counters(&p.expr, in_quantile, names, catalog, out),
        ExprKind::UnaryExpr(u) => raw_counters(&u.expr, in_quantile, names, catalog, out),
        ExprKind::Call(call) => {
            let name = call.func.name;
            if COUNTER_SAFE.contains(&name) || VALUE_BLIND.contains(&name) {
                return;
            }
            if name == "histogram_quantile" {
                if let Some(buckets) = call.args.get(1) {
                    raw_counters(buckets, true, names, catalog, out);
                }
                return;
            }
            for arg in &call.args {
                raw_counters(arg, in_quantile, names, catalog, out);
            }
        }
        ExprKind::AggregateExpr(agg) => {
            if !matches!(agg.op, AggregateOp::Count | AggregateOp::CountValues | AggregateOp::Group) {
                raw_counters(&agg.expr, in_quantile, names, catalog, out);
            }
        }
        ExprKind::BinaryExpr(_) => {
            // A chain's left spine (`a + b + c ...`, possibly thousands of
            // operators) with a loop; operands are still visited left to right.
            let mut right_sides = Vec::new();
            let mut node = expr;
            let mut leftmost = None;
            loop {
                let ExprKind::BinaryExpr(b) = &node.kind else {
                    leftmost = Some(node);
                    break;
                };
                if b.op == BinaryOp::Sub && is_manual_increase(&b.lhs, &b.rhs) {
                    break;
                }
                // `objects_total / max_objects`: a level over its limit, not a counter.
                if b.op == BinaryOp::Div && (is_gauge_selector(&b.lhs, catalog) || is_gauge_selector(&b.rhs, catalog)) {
                    break;
                }
                // `a and b` / `a unless b` keep the values of `a`.
                if !matches!(b.op, BinaryOp::And | BinaryOp::Unless) {
                    right_sides.push(&*b.rhs);
                }
                node = &b.lhs;
            }
            if let Some(leftmost) = leftmost {
                raw_counters(leftmost, in_quantile, names, catalog, out);
            }
            for rhs in right_sides.into_iter().rev() {
                raw_counters(rhs, in_quantile, names, catalog, out);
            }
        }
        ExprKind::NumberLiteral(_) | ExprKind::StringLiteral(_) => {}
    }
}

/// A bare selector of a known gauge, or of a metric not named like a counter.
fn is_gauge_selector(expr: &Expr, catalog: &Catalog) -> bool {
    let mut e = expr;
    while let ExprKind::ParenExpr(p) = &e.kind {
        e = &p.expr;
    }
    let ExprKind::VectorSelector(vs) = &e.kind else { return false };
    vs.metric_name().is_some_and(|n| match catalog.metric_type(n) {
        Some(MetricType::Gauge) => true,
        Some(MetricType::Unknown) | None => !has_counter_suffix(n),
        Some(_) => false,
    })
}

/// `x - x offset 1h`: an increase written by hand.
fn is_manual_increase(lhs: &Expr, rhs: &Expr) -> bool {
    let selector = |e: &Expr| -> Option<(String, bool)> {
        let mut e = e;
        while let ExprKind::ParenExpr(p) = &e.kind {
            e = &p.expr;
        }
        match &e.kind {
            ExprKind::VectorSelector(vs) => {
                Some((vs.metric_name()?.to_string(), vs.offset.is_some() || vs.at.is_some()))
            }
            _ => None,
        }
    };
    matches!((selector(lhs), selector(rhs)), (Some((a, a_shifted)), Some((b, b_shifted))) if a == b && a_shifted != b_shifted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::{ParseOptions, parse};

    fn raw(q: &str) -> Vec<String> {
        let expr = parse(q, &ParseOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        let names: Vec<&str> = expr.vector_selectors().filter_map(|(_, vs)| vs.metric_name()).collect();
        let mut out = Vec::new();
        raw_counters(&expr, false, &names, &Catalog::default(), &mut out);
        out.into_iter().map(|(_, vs, _)| vs.metric_name().unwrap_or_default().to_string()).collect()
    }

    fn raw_typed(q: &str, metrics: &str) -> Vec<String> {
        let expr = parse(q, &ParseOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        let names: Vec<&str> = expr.vector_selectors().filter_map(|(_, vs)| vs.metric_name()).collect();
        let mut catalog = Catalog::default();
        catalog.load_exposition(metrics);
        let mut out = Vec::new();
        raw_counters(&expr, false, &names, &catalog, &mut out);
        out.into_iter().map(|(_, vs, _)| vs.metric_name().unwrap_or_default().to_string()).collect()
    }

    #[test]
    fn known_types_win_over_names() {
        assert!(raw_typed("queue_bytes_total > 5", "# TYPE queue_bytes_total gauge\n").is_empty());
        assert_eq!(raw_typed("jobs_processed > 5", "# TYPE jobs_processed counter\n"), ["jobs_processed"]);
        assert_eq!(raw_typed("rpc_total > 5", "# TYPE rpc counter\nrpc_total 1\n"), ["rpc_total"]);
        // A summary's quantiles are not counters; its `_count` is.
        assert!(raw_typed("rpc_seconds > 1", "# TYPE rpc_seconds summary\n").is_empty());
        assert_eq!(raw_typed("rpc_seconds_count > 1", "# TYPE rpc_seconds summary\n"), ["rpc_seconds_count"]);
        // Unknown metrics keep the name heuristics.
        assert_eq!(raw_typed("errors_total > 1", "# TYPE other gauge\n"), ["errors_total"]);
    }

    #[test]
    fn finds_raw_counters() {
        assert_eq!(raw("sum(errors_total)"), ["errors_total"]);
        assert_eq!(raw("errors_total / requests_total"), ["errors_total", "requests_total"]);
        assert_eq!(raw("max_over_time(errors_total[5m])"), ["errors_total"]);
        assert_eq!(raw("histogram_quantile(0.9, sum by (le) (d_bucket))"), ["d_bucket"]);
        assert_eq!(raw("errors_total and on() up"), ["errors_total"]);
    }

    #[test]
    fn accepts_rates_and_value_blind_uses() {
        assert!(raw("sum(rate(errors_total[5m]))").is_empty());
        assert!(raw("increase(errors_total[1h])").is_empty());
        assert!(raw("count(errors_total)").is_empty());
        assert!(raw("absent(errors_total)").is_empty());
        assert!(raw("histogram_quantile(0.9, sum by (le) (rate(d_bucket[5m])))").is_empty());
        assert!(raw("errors_total - errors_total offset 1h").is_empty());
        assert!(raw("up and errors_total").is_empty());
        assert!(raw("node_memory_total_bytes").is_empty());
        // Gauges and capacities named like counters.
        assert!(raw("ceph_listener_count == 0").is_empty());
        assert!(raw("objects_total / max_objects").is_empty());
        assert!(raw("apache_uptime_seconds_total / 60").is_empty());
        assert!(raw("(hdfs_bytes_total - hdfs_bytes_used) / hdfs_bytes_total").is_empty());
        assert!(raw("sum(tikv_worker_pending_task_total) by (name) > 1000").is_empty());
        assert!(raw("used / gluster_brick_capacity_bytes_total > 80").is_empty());
        assert!(raw("time() - backup_last_success_timestamp_seconds_total > 3600").is_empty());
        assert_eq!(
            raw("latency_seconds_sum / latency_seconds_count"),
            ["latency_seconds_sum", "latency_seconds_count"]
        );
        assert_eq!(raw("rows_sum / rows_count"), ["rows_sum", "rows_count"]);
    }
}
