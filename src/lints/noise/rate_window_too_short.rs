use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::{ExprKind, MatchOp};

crate::declare_lint! {
    /// ## What it does
    /// Reports a range given to `rate`, `increase`, `irate`, `delta`, `idelta`, `deriv` or an
    /// aggregating `*_over_time` function that is shorter than four scrape intervals. The
    /// finding points at the `[range]`.
    ///
    /// The scrape interval comes from a Prometheus server (`prometheus.url`: the interval of the
    /// job the selector names with `job="..."`, else the server's global one), else from
    /// `prometheus.scrape_interval`. With neither, the interval is unknown: repositories scrape
    /// anywhere from every 10s to every 2m, so only windows shorter than `1m` (four scrapes at
    /// 15s, the shortest common interval) are reported.
    ///
    /// ## Why it matters
    /// `rate` needs at least two samples in the window. With a window of one or two scrape
    /// intervals, one missed or late scrape leaves a single sample and the series disappears
    /// from the result: the alert resolves and fires again, and recording rules get gaps.
    /// Four intervals tolerate a failed scrape.
    ///
    /// ## Example
    /// ```yaml
    /// - record: job:http_requests:rate1m
    ///   expr: sum by (job) (rate(http_requests_total[1m]))   # with a 1m scrape interval
    /// ```
    ///
    /// ## How to fix
    /// Widen the window to at least four scrape intervals (`[4m]` at `1m`, `[2m]` at `30s`), and
    /// set `prometheus.scrape_interval` to your real interval so the check knows it.
    ///
    /// ## Options
    /// Top-level `prometheus.scrape_interval` (unknown by default).
    pub static RATE_WINDOW_TOO_SHORT = {
        id: "noise/rate-window-too-short",
        severity: Warning,
        summary: "a `rate`/`increase`/`delta`-style range is shorter than 4x the scrape interval",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - record: job:http_requests:rate5m\n        expr: sum by (job) (rate(http_requests_total[5m]))\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - record: job:http_requests:rate1m\n        expr: sum by (job) (rate(http_requests_total[1m]))\n", "prometheus: { scrape_interval: 15s }\n"),
            // The interval is unknown: `[1m]` is four scrapes at 15s.
            Example::new("groups:\n  - name: api\n    rules:\n      - record: job:http_requests:rate1m\n        expr: sum by (job) (rate(http_requests_total[1m]))\n"),
        ],
        fail: [
            Example::with_config("groups:\n  - name: api\n    rules:\n      - record: job:http_requests:rate1m\n        expr: sum by (job) (rate(http_requests_total[1m]))\n", "prometheus: { scrape_interval: 1m }\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - record: job:http_requests:rate30s\n        expr: sum by (job) (rate(http_requests_total[30s]))\n"),
        ],
    };
}

/// How many scrape intervals a window must span.
const MIN_INTERVALS: f64 = 4.0;

/// Functions whose result depends on the number of samples in the window.
const WINDOWED: &[&str] = &[
    "rate",
    "increase",
    "irate",
    "delta",
    "idelta",
    "deriv",
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "sum_over_time",
    "count_over_time",
    "quantile_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "mad_over_time",
];

pub fn registration() -> Registration {
    crate::stateless_lint!(RATE_WINDOW_TOO_SHORT, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let server = cx.config.prometheus_for(std::path::Path::new(cx.file.name()));
    let cx_conventions = cx.conventions;
    let catalog = cx.catalog;
    expr.walk(|e| {
        let ExprKind::Call(call) = &e.kind else { return };
        if !WINDOWED.contains(&call.func.name) {
            return;
        }
        let Some(ExprKind::MatrixSelector(matrix)) =
            call.args.iter().map(|a| &a.kind).find(|k| matches!(k, ExprKind::MatrixSelector(_)))
        else {
            return;
        };
        let Some(seconds) = matrix.range.constant_seconds() else { return };
        // The server knows each job's interval; the configuration gives one for all.
        let job = matrix
            .selector()
            .and_then(|vs| vs.matchers.iter().find(|m| m.name == "job" && m.op == MatchOp::Equal))
            .map(|m| m.value.as_str());
        // The server's interval for this job, else the configured one; unknown otherwise.
        let known = catalog.scrape_interval(server, job);
        let configured = cx_conventions.scrape_interval(catalog, server, job);
        let scrape_ms = configured.unwrap_or(crate::conventions::SHORTEST_COMMON_SCRAPE_INTERVAL_MS);
        if scrape_ms <= 0 {
            return;
        }
        let min_seconds = MIN_INTERVALS * scrape_ms as f64 / 1000.0;
        if seconds >= min_seconds {
            return;
        }
        let scrape = crate::duration::format(scrape_ms);
        let range = crate::duration::format((seconds * 1000.0) as i64);
        let minimum = crate::duration::format((min_seconds * 1000.0).ceil() as i64);
        let samples = (seconds * 1000.0 / scrape_ms as f64).floor() as i64;
        let seen = match samples {
            0 => "no sample at all".to_string(),
            1 => "at most one sample".to_string(),
            n => format!("at most {n} samples"),
        };
        let whose = match (job, known) {
            (Some(job), Some(k)) if k.per_job => format!(" (job `{job}`)"),
            _ => String::new(),
        };
        if configured.is_none() {
            cx.report(
                rcx.expr_span(matrix.range_span),
                format!(
                    "`{}` over `[{range}]` sees {seen} even at a {scrape} scrape interval, the shortest in common use",
                    call.func.name
                ),
            )
            .help(format!(
                "use a window of at least `[{minimum}]`, and set `prometheus.scrape_interval` to your interval so the check can require four of them"
            ));
            return;
        }
        cx.report(
            rcx.expr_span(matrix.range_span),
            format!("`{}` over `[{range}]` sees {seen} at a {scrape} scrape interval{whose}", call.func.name),
        )
        .help(format!(
            "use a window of at least `[{minimum}]` (four scrape intervals), or set `prometheus.scrape_interval` if the interval is wrong"
        ));
    });
}
