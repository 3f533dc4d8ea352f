use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;
use crate::promql::{ExprKind, MatchOp};

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert built on `absent(...)` that has no `for`, or a `for` shorter than two
    /// scrape intervals of the job it watches (the server's interval when `--prometheus-url` is
    /// given, else Prometheus' default of 1m, so 2m).
    ///
    /// Not reported: `absent_over_time(x[10m])`, whose window already tolerates gaps, and
    /// `absent(x)` alerts with `for: 10m`.
    ///
    /// ## Why it matters
    /// A single failed scrape marks every series of the target stale at once, and a restarted
    /// Prometheus has a gap in its data: `absent(x)` is then true immediately. Without a `for`
    /// the alert pages on every such blip, and people learn to ignore it.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: ExporterMissing
    ///   expr: absent(node_exporter_build_info{job="node"})
    /// ```
    ///
    /// ## How to fix
    /// Give the alert a `for` of a few scrape intervals (`for: 5m`), or use
    /// `absent_over_time(x[5m])`.
    ///
    /// ## Options
    /// None.
    pub static ABSENT_FOR = {
        id: "alerts/absent-for",
        severity: Warning,
        summary: "an `absent()` alert has no `for`, or one shorter than two scrape intervals, so one failed scrape fires it",
        pass: [
            Example::new(r#"groups:
  - name: meta
    rules:
      - alert: ExporterMissing
        expr: absent(node_exporter_build_info{job="node"})
        for: 10m
      - alert: ExporterGone
        expr: absent_over_time(node_exporter_build_info{job="node"}[10m])
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: meta
    rules:
      - alert: ExporterMissing
        expr: absent(node_exporter_build_info{job="node"})
      - alert: ApiMissing
        expr: absent(up{job="api"} == 1)
        for: 1m
"#),
        ],
    };
}

/// Prometheus' default scrape interval, used without a server.
const DEFAULT_SCRAPE_MS: i64 = 60_000;

pub fn registration() -> Registration {
    crate::stateless_lint!(ABSENT_FOR, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let Some(expr) = rcx.expr else { return };
    let Some((call_span, job)) = expr.iter().find_map(|e| match &e.kind {
        ExprKind::Call(c) if c.func.name == "absent" => {
            let job = c.args.first().and_then(|a| {
                a.vector_selectors()
                    .flat_map(|(_, vs)| vs.matchers.iter())
                    .find(|m| m.name == "job" && m.op == MatchOp::Equal)
                    .map(|m| m.value.clone())
            });
            Some((c.name_span, job))
        }
        _ => None,
    }) else {
        return;
    };
    let interval = cx.catalog.scrape_interval(job.as_deref()).unwrap_or(DEFAULT_SCRAPE_MS);
    let needed = 2 * interval;
    let for_ms = rcx.rule.for_.as_ref().map(|d| d.millis).unwrap_or(0);
    if for_ms >= needed {
        return;
    }
    let interval_text = crate::duration::format(interval);
    let message = match &rcx.rule.for_ {
        Some(f) if f.millis > 0 => format!(
            "`for: {}` is shorter than two scrape intervals ({interval_text} each): one failed scrape or a restart fires this `absent()` alert",
            f.text
        ),
        _ => "this `absent()` alert has no `for`: one failed scrape or a Prometheus restart fires it".to_string(),
    };
    let at = rcx.rule.for_.as_ref().map(|f| f.span).unwrap_or_else(|| rcx.expr_span(call_span));
    cx.report(at, message)
        .help(format!("add `for: {}` or more", crate::duration::format(needed.max(5 * 60_000).min(needed * 3))));
}
