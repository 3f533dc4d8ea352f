use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;
use crate::promql::values::{constant_comparisons, has_condition};
use crate::promql::{ExprKind, ValueType};

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert whose expression has no condition: nothing in it can remove a series.
    /// That is an expression without any comparison, `and`, `unless` or `absent(...)`
    /// (`max(request_duration_seconds)`), one whose only comparisons are always true given what
    /// their other side can return (`count(x) >= 0`, `rate(x[5m]) >= 0`), and one whose
    /// comparison carries `bool`, which turns it into a 0/1 value instead of a filter.
    ///
    /// Heartbeat alerts, meant to fire all the time so that an outside system notices when they
    /// stop, are left alone: the rule must say so in its name, labels or annotations
    /// (`Watchdog`, `DeadMansSwitch`, "heartbeat", "always firing", `InfoInhibitor`).
    ///
    /// A selector that picks series by a state label of a metric whose value is not a
    /// measurement counts as a condition: `cluster_info{phase!="Healthy"}` fires only for the
    /// clusters in that state. Metrics named as measurements (`_seconds`, `_bytes`, `_total`,
    /// `_count`, `_ratio`...) and labels that only say where a series comes from (`job`,
    /// `instance`, `namespace`, `pod`...) do not make a condition.
    ///
    /// Not reported: `count by (job) (up == 0) > 0` (the `> 0` is always true but `== 0` is a
    /// condition), `absent(x)`, `kube_pod_info{phase="Failed"}`-style state selectors, and a
    /// `vector(1)` heartbeat.
    ///
    /// ## Why it matters
    /// Prometheus fires an alert for every series its expression returns. Without a condition,
    /// the alert fires as long as the metric exists: it pages all the time, gets silenced, and
    /// hides the real alerts of the same name.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorLatency
    ///   expr: max(request_duration_seconds{status=~"5.*"})
    ///   for: 5m
    /// - alert: PodsRunning
    ///   expr: count(kube_pod_info) >= 0
    /// - alert: ErrorRate
    ///   expr: rate(errors_total[5m]) > bool 1
    /// ```
    ///
    /// ## How to fix
    /// Add the threshold that was meant (`max(request_duration_seconds{status=~"5.*"}) > 2`),
    /// remove `bool` from the comparison, or, for a deliberate heartbeat, say so in the name or
    /// a `description` annotation.
    ///
    /// ## Options
    /// None.
    pub static ALWAYS_FIRES = {
        id: "alerts/always-fires",
        severity: Warning,
        summary: "an alert's expression has no condition that can be false, so it fires whenever its series exist",
        pass: [
            Example::new(r#"groups:
  - name: meta
    rules:
      - alert: Watchdog
        expr: vector(1)
        annotations:
          description: always firing, to check the alerting pipeline
      - alert: JobDown
        expr: count by (job) (up == 0) > 0
        for: 5m
      - alert: ExporterMissing
        expr: absent(up{job="exporter"})
        for: 10m
      - alert: HighErrorLatency
        expr: max(request_duration_seconds{status=~"5.*"}) > 2
        for: 5m
      - alert: SeedNotHealthy
        expr: seed_info{phase!="Healthy"}
        for: 10m
  - name: recording
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: HighErrorLatency
        expr: max(request_duration_seconds{status=~"5.*"})
        for: 5m
      - alert: PodsRunning
        expr: count(kube_pod_info) >= 0
      - alert: ErrorRate
        expr: rate(errors_total[5m]) > bool 1
        for: 5m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(ALWAYS_FIRES, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let Some(expr) = rcx.expr else { return };
    if expr.value_type() != ValueType::Vector || has_condition(expr) || super::is_heartbeat(rcx) {
        return;
    }
    let source = rcx.rule.expr.as_ref().map(|t| t.value.as_str()).unwrap_or("");
    let text = |span: crate::span::Span| source.get(span.range()).unwrap_or("").trim().to_string();
    let short = |span: crate::span::Span| crate::promql::snippet(source, span.start, span.end);
    // The most telling reason: an always-true comparison, a `bool`, or none at all.
    let always_true = constant_comparisons(expr)
        .into_iter()
        .find(|c| !c.binary.return_bool && c.range.always_satisfies(c.op, c.threshold));
    let top_bool = expr.iter().find_map(|e| match &e.kind {
        ExprKind::BinaryExpr(b) if b.return_bool => b.bool_span.map(|s| (s, b.op)),
        _ => None,
    });
    if let Some(c) = always_true {
        let constant = if c.compared.span == c.binary.lhs.span { &c.binary.rhs } else { &c.binary.lhs };
        let origin = c.range.origin.unwrap_or(c.compared.span);
        cx.report(
            rcx.expr_span(c.binary.op_span.cover(constant.span)),
            format!(
                "`{} {}` is always true: `{}` returns {}, so the alert fires whenever its series exist",
                c.binary.op.as_str(),
                text(constant.span),
                short(origin),
                c.range.describe()
            ),
        )
        .label(rcx.expr_span(origin), format!("returns {}", c.range.describe()))
        .help("compare with a threshold that can be crossed, or filter the series inside (`count(up == 0) > 0`)");
    } else if let Some((bool_span, op)) = top_bool {
        cx.report(
            rcx.expr_span(bool_span),
            format!(
                "`{} bool` returns 0 or 1 for every series instead of filtering them, so the alert always fires",
                op.as_str()
            ),
        )
        .help("remove `bool`: an alert fires for every series its expression returns");
    } else {
        cx.report(
            rcx.expr_span(expr.span),
            format!(
                "`{}` has no condition: it returns every series it finds, so the alert fires whenever they exist",
                short(expr.span)
            ),
        )
        .help(
            "add a threshold (`> ...`), or for a deliberate heartbeat say so in the name or a `description` annotation",
        );
    }
}
