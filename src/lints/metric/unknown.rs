use crate::lints::{Example, Lint, LintMeta, Registration, WorkspaceContext};

crate::declare_lint! {
    /// ## What it does
    /// Reports a selector whose metric name appears in none of the saved scrapes
    /// (`prometheus.metrics`, `--metrics`), and suggests the closest known name. Names recorded
    /// by any rule being checked count as known. The lint runs only when saved scrapes were
    /// loaded; with a live Prometheus, `metric/missing-series` asks the server instead.
    ///
    /// ## Why it matters
    /// A misspelt metric name is valid PromQL: the selector matches nothing, the alert never
    /// fires, and nothing says so until the outage it should have caught.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: ManyErrors
    ///   expr: sum(rate(http_request_total[5m])) > 10   # the scrape has http_requests_total
    /// ```
    ///
    /// ## How to fix
    /// Correct the name, or add a scrape of the target that exposes it to the saved scrapes.
    ///
    /// ## Options
    /// None. The saved scrapes come from `prometheus.metrics` or `--metrics`.
    pub static UNKNOWN = {
        id: "metric/unknown",
        severity: Info,
        summary: "a selector's metric name appears in none of the loaded scrapes",
        pass: [
            Example::with_metrics(
                "groups:\n  - name: api\n    rules:\n      - alert: ManyErrors\n        expr: sum(rate(http_requests_total[5m])) > 10\n        for: 5m\n",
                "# TYPE http_requests_total counter\nhttp_requests_total{code=\"500\"} 3\n",
            ),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: ManyErrors\n        expr: sum(rate(http_request_total[5m])) > 10\n        for: 5m\n"),
        ],
        fail: [Example::with_metrics(
            "groups:\n  - name: api\n    rules:\n      - alert: ManyErrors\n        expr: sum(rate(http_request_total[5m])) > 10\n        for: 5m\n",
            "# TYPE http_requests_total counter\nhttp_requests_total{code=\"500\"} 3\n",
        )],
    };
}

pub fn registration() -> Registration {
    Registration {
        meta: &UNKNOWN,
        build: |cx| {
            cx.options.no_options()?;
            Ok(Box::new(Unknown))
        },
    }
}

struct Unknown;

impl Lint for Unknown {
    fn meta(&self) -> &'static LintMeta {
        &UNKNOWN
    }

    fn check_workspace(&self, cx: &mut WorkspaceContext<'_>) {
        if !cx.catalog.is_loaded() || cx.catalog.online().is_some() {
            return;
        }
        let recorded = super::recorded(cx.files);
        let parsed = super::parse_all(cx.files);
        let mut found = Vec::new();
        for (file, group, rule, expr) in &parsed {
            for u in super::uses(*file, group, rule, expr, &recorded, false) {
                let Some(name) = u.selector.metric_name() else {
                    continue;
                };
                if cx.catalog.knows(name) {
                    continue;
                }
                let suggestion = crate::lints::closest(name, cx.catalog.names()).map(str::to_string);
                found.push((
                    u.file,
                    u.name_span,
                    name.to_string(),
                    suggestion,
                    group.name.value.clone(),
                    rule.name.value.clone(),
                ));
            }
        }
        for (file, span, name, suggestion, group, rule) in found {
            let message = match &suggestion {
                Some(s) => {
                    format!("`{name}` is in none of the loaded scrapes; did you mean `{s}`?")
                }
                None => format!("`{name}` is in none of the loaded scrapes"),
            };
            let help = match &suggestion {
                Some(s) => {
                    format!("if it is a typo, write `{s}`; otherwise add a scrape of the target that exposes `{name}`")
                }
                None => {
                    format!("check the name, or add a scrape of the target that exposes `{name}`")
                }
            };
            cx.report(file, span, message).help(help).group(&group).rule(&rule);
        }
    }
}
