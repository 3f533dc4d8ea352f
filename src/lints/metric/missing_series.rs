use std::collections::HashMap;

use rayon::prelude::*;

use crate::catalog::Api;
use crate::lints::{Example, Lint, LintMeta, Registration, WorkspaceContext};
use crate::promql::{MatchOp, VectorSelector};

crate::declare_lint! {
    /// ## What it does
    /// With a Prometheus server (`prometheus.url` or `--prometheus-url`): asks it, for every
    /// selector, whether any series matched it in the last hour (`/api/v1/series`), and reports
    /// the selectors that matched none. Selectors inside `absent()`/`absent_over_time()`, the
    /// synthetic `ALERTS` series and metrics recorded by the checked rules are left out.
    /// The help says why, as pint's `promql/series` does: the metric had series in the last
    /// 7 days but has had none for N hours; or it has series but none with the label value
    /// asked for (with the closest values it has, or "no label `x`"); or the server has no such
    /// metric (with the closest name). At most 20 selectors per run are explained.
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
            .par_iter()
            .flat_map_iter(|(file, group, rule, expr)| super::uses(*file, group, rule, expr, &recorded, true))
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

        // Why each missing selector matches nothing: a few more questions per
        // selector, for a bounded number of selectors.
        let mut missing: Vec<&super::Use<'_>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (u, matcher) in &uses {
            if exists.get(matcher.as_str()) == Some(&false) && seen.insert(matcher.as_str()) {
                missing.push(u);
            }
        }
        let reasons: HashMap<String, String> = missing
            .iter()
            .take(MAX_EXPLAINED)
            .map(|u| (super::series_matcher(u.selector), explain(online.api.as_ref(), u.selector, end)))
            .filter_map(|(m, reason)| Some((m, reason?)))
            .collect();

        for (u, matcher) in &uses {
            if exists.get(matcher.as_str()) != Some(&false) {
                continue;
            }
            let name = u.selector.metric_name().unwrap_or_default();
            let help = match (reasons.get(matcher), cx.catalog.knows(name)) {
                (Some(reason), _) => reason.clone(),
                (None, true) => "check the label values against the server's series; a selector that matches nothing keeps the alert silent".to_string(),
                (None, false) => match crate::lints::closest(name, cx.catalog.names()) {
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

/// Selectors whose emptiness is explained per run (each costs up to a few queries).
const MAX_EXPLAINED: usize = 20;

/// How far back a metric that vanished is looked for.
const STALE_WINDOW_SECONDS: f64 = 7.0 * 86_400.0;

/// Why `selector` matches nothing, as pint's `promql/series` says it: the
/// metric is gone (and since when), or a label value it never has (with the
/// closest values it has). `None` when the answers do not tell.
fn explain(api: &dyn Api, selector: &VectorSelector, now: f64) -> Option<String> {
    let name = selector.metric_name()?;
    let mut only_name = selector.clone();
    only_name.matchers.retain(|m| m.name == "__name__" && m.op == MatchOp::Equal);
    let bare = super::series_matcher(&only_name);
    if !api.series_exist(&bare, now - WINDOW_SECONDS, now).ok()? {
        if !api.series_exist(&bare, now - STALE_WINDOW_SECONDS, now).ok()? {
            return None;
        }
        // The newest sample, to within the subquery's 5m step.
        let last = api.query(&format!("max(max_over_time(timestamp({bare})[7d:5m]))"), now).ok()?;
        let hours = last.first().map(|(_, t)| ((now - t) / 3600.0).floor().max(1.0));
        return Some(match hours {
            Some(h) => format!("`{name}` has had no series for {h} hours: it stopped being scraped or was renamed"),
            None => format!("`{name}` had series in the last 7 days but none in the last hour"),
        });
    }
    for m in selector.matchers.iter().filter(|m| m.op == MatchOp::Equal && m.name != "__name__") {
        let values = api.label_values(&m.name, &bare, now - WINDOW_SECONDS, now).ok()?;
        if values.contains(&m.value) {
            continue;
        }
        if values.is_empty() {
            // `x=""` matches series without the label: not the reason.
            if m.value.is_empty() {
                continue;
            }
            return Some(format!("`{name}` has no label `{}`", m.name));
        }
        let mut sorted: Vec<&str> = values.iter().map(String::as_str).collect();
        sorted.sort_by(|a, b| {
            strsim::jaro_winkler(&m.value, b).total_cmp(&strsim::jaro_winkler(&m.value, a)).then_with(|| a.cmp(b))
        });
        let closest: Vec<String> = sorted.iter().take(3).map(|v| format!("`{v}`")).collect();
        return Some(format!(
            "`{name}` has series, but none with `{}=\"{}\"`; the closest values are {}",
            m.name,
            m.value,
            closest.join(", ")
        ));
    }
    None
}
