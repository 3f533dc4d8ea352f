use std::collections::HashMap;

use rayon::prelude::*;

use crate::lints::{Example, Lint, LintMeta, Registration, WorkspaceContext};

crate::declare_lint! {
    /// ## What it does
    /// With a Prometheus server (`prometheus.url` or `--prometheus-url`): asks it, for every
    /// selector, whether any series matched it in the last hour (`/api/v1/series`), and reports
    /// the selectors that matched none. Selectors inside `absent()`/`absent_over_time()`, the
    /// synthetic `ALERTS` series and metrics recorded by the checked rules are left out.
    /// Without a server the lint does nothing.
    ///
    /// ## Why it matters
    /// A selector that matches nothing makes its alert silent forever: a renamed metric, a
    /// misspelt `job` label or a target that was never scraped all look like a healthy service.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: ApiDown
    ///   expr: up{job="apii"} == 0    # the job is called `api`
    ///   for: 5m
    /// ```
    ///
    /// ## How to fix
    /// Correct the metric name or label values. If the series exists only in some
    /// environments, keep the rule where it applies, or guard it with `absent()` on purpose.
    ///
    /// ## Options
    /// None. The server comes from `prometheus.url` or `--prometheus-url`.
    pub static MISSING_SERIES = {
        id: "metric/missing-series",
        severity: Warning,
        summary: "with a Prometheus server: a selector matched no series in the last hour",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up{job=\"apii\"} == 0\n        for: 5m\n"),
            Example::with_prometheus("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up{job=\"api\"} == 0 or absent(up{job=\"api\"})\n        for: 5m\n", "", "{\"now\": 1763596800, \"present\": [\"up\"]}"),
        ],
        fail: [Example::with_prometheus(
            "groups:\n  - name: api\n    rules:\n      - alert: QueueFull\n        expr: queue_length{job=\"api\"} > 100\n        for: 5m\n",
            "",
            "{\"now\": 1763596800, \"present\": [\"up\"]}",
        )],
    };
}

/// How far back a series counts as existing.
const WINDOW_SECONDS: f64 = 3600.0;

pub fn registration() -> Registration {
    Registration {
        meta: &MISSING_SERIES,
        build: |cx| {
            cx.options.no_options()?;
            Ok(Box::new(MissingSeries))
        },
    }
}

struct MissingSeries;

impl Lint for MissingSeries {
    fn meta(&self) -> &'static LintMeta {
        &MISSING_SERIES
    }

    fn check_workspace(&self, cx: &mut WorkspaceContext<'_>) {
        let Some(online) = cx.catalog.online() else {
            return;
        };
        let recorded = super::recorded(cx.files);
        let parsed = super::parse_all(cx.files);
        let uses: Vec<(super::Use<'_>, String)> = parsed
            .iter()
            .flat_map(|(file, group, rule, expr)| super::uses(*file, group, rule, expr, &recorded, true))
            .map(|u| {
                let matcher = super::series_matcher(u.selector);
                (u, matcher)
            })
            .collect();

        // Each distinct selector is asked once; the client bounds the requests in flight.
        let mut distinct: Vec<&str> = uses.iter().map(|(_, m)| m.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let end = online.api.now();
        let exists: HashMap<&str, bool> = distinct
            .par_iter()
            // A failed query is reported once by the engine (`prometheus/unreachable`), not here.
            .filter_map(|m| online.api.series_exist(m, end - WINDOW_SECONDS, end).ok().map(|found| (*m, found)))
            .collect();

        for (u, matcher) in &uses {
            if exists.get(matcher.as_str()) != Some(&false) {
                continue;
            }
            let name = u.selector.metric_name().unwrap_or_default();
            let help = match cx.catalog.knows(name) {
                true => "check the label values against the server's series; a selector that matches nothing keeps the alert silent".to_string(),
                false => match crate::lints::closest(name, cx.catalog.names()) {
                    Some(s) => format!("the server has no metric `{name}`; did you mean `{s}`?"),
                    None => format!("the server has no metric `{name}`; check the name"),
                },
            };
            cx.report(u.file, u.span, format!("no series matched `{matcher}` in the last hour"))
                .help(help)
                .group(&u.group.name.value)
                .rule(&u.rule.name.value);
        }
    }
}
