use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::values::constant_comparisons;
use crate::promql::{ExprKind, MatchOp};

crate::declare_lint! {
    /// ## What it does
    /// Reports a comparison that can never be true given what its other side can return, and a
    /// selector whose matchers contradict each other. Both make the expression return nothing,
    /// always: an alert built on them can never fire.
    ///
    /// What a side can return comes from the value model of the expression
    /// (`src/promql/values.rs`): `count(...)` returns whole numbers of at least 1 (a count of
    /// no series is no series, not 0); `absent(...)` and `group(...)` return only 1; a `bool`
    /// comparison returns only 0 or 1; `rate`, `increase`, `changes` never return a negative
    /// number; `hour()` is 0 to 23; and a comparison used as a filter keeps only the values it
    /// lets through, so chained comparisons narrow each other (`x == 0 > 0`).
    ///
    /// Not reported: comparisons that can be true for some input, however unlikely
    /// (`count by (job) (up == 0) > 0`, `deriv(x[5m]) < 0`, `x / y < 0`), bands written with
    /// `and` (`(x > 10) and (x < 50)`), and comparisons between two vectors.
    ///
    /// ## Why it matters
    /// An alert that cannot fire gives the comfort of coverage and pages nobody when the outage
    /// comes. `count(up{job="db"} == 1) == 0` looks like "no database is up" but returns nothing
    /// exactly when every database is down.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: AllDatabasesDown
    ///   expr: count(up{job="db"} == 1) == 0
    ///   for: 5m
    /// - alert: ExporterMissing
    ///   expr: absent(up{job="exporter"}) != 1
    /// - alert: TypeDown
    ///   expr: sum by (type) (up) == 0 > 0
    /// ```
    ///
    /// ## How to fix
    /// Ask the question the engine can answer: `count(up{job="db"} == 1) == 0` becomes
    /// `absent(up{job="db"} == 1)` or `sum(up{job="db"}) == 0`; `absent(x) != 1` becomes
    /// `absent(x)`; `sum by (type) (up) == 0 > 0` becomes `sum by (type) (up) == 0`. For
    /// contradictory matchers, keep the one you meant.
    ///
    /// ## Options
    /// None.
    pub static IMPOSSIBLE = {
        id: "promql/impossible",
        severity: Warning,
        summary: "a comparison or a set of matchers can never be true, so the expression never returns anything",
        pass: [
            Example::new(r#"groups:
  - name: up
    rules:
      - alert: JobDown
        expr: count by (job) (up == 0) > 0
        for: 5m
      - alert: QueueBand
        expr: (queue_depth > 10) and (queue_depth < 50)
        for: 5m
      - alert: ExporterMissing
        expr: absent(up{job="exporter"}) == 1
        for: 10m
      - alert: AllDatabasesDown
        expr: sum(up{job="db"}) == 0
        for: 5m
      - alert: Shrinking
        expr: deriv(disk_free_bytes[1h]) < 0
        for: 1h
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: up
    rules:
      - alert: AllDatabasesDown
        expr: count(up{job="db"} == 1) == 0
        for: 5m
      - alert: ExporterMissing
        expr: absent(up{job="exporter"}) != 1
        for: 10m
      - alert: TypeDown
        expr: sum by (type) (up) == 0 > 0
        for: 5m
      - alert: NegativeRate
        expr: rate(http_requests_total[5m]) < 0
        for: 5m
      - alert: Conflicting
        expr: up{job="api", job="web"} == 0
        for: 5m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(IMPOSSIBLE, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let source = rcx.rule.expr.as_ref().map(|t| t.value.as_str()).unwrap_or("");
    let text = |span: crate::span::Span| source.get(span.range()).unwrap_or("").trim().to_string();
    let short = |span: crate::span::Span| crate::promql::snippet(source, span.start, span.end);
    for c in constant_comparisons(expr) {
        // A side that is already always empty was reported where it became so.
        if c.range.empty.is_some() || !c.range.is_narrowed() || c.range.can_satisfy(c.op, c.threshold) {
            continue;
        }
        let constant = if c.compared.span == c.binary.lhs.span { &c.binary.rhs } else { &c.binary.lhs };
        let written = format!("{} {}", c.binary.op.as_str(), text(constant.span));
        let origin = c.range.origin.unwrap_or(c.compared.span);
        let what = short(origin);
        let outcome = if c.binary.return_bool { "`bool` always returns 0" } else { "the comparison returns nothing" };
        let mut report = cx
            .report(
                rcx.expr_span(c.binary.op_span.cover(constant.span)),
                format!("`{written}` can never be true: `{what}` returns {}, so {outcome}", c.range.describe()),
            )
            .label(rcx.expr_span(origin), format!("returns {}", c.range.describe()));
        if let Some(help) = fix_hint(c.compared, c.threshold) {
            report = report.help(help);
        }
    }
    expr.walk(|e| {
        let ExprKind::VectorSelector(vs) = &e.kind else { return };
        for (i, a) in vs.matchers.iter().enumerate() {
            for b in &vs.matchers[i + 1..] {
                if a.name != b.name {
                    continue;
                }
                let conflict = match (a.op, b.op) {
                    (MatchOp::Equal, MatchOp::Equal) => a.value != b.value,
                    (MatchOp::Equal, MatchOp::NotEqual) | (MatchOp::NotEqual, MatchOp::Equal) => a.value == b.value,
                    _ => false,
                };
                if conflict {
                    let help = if a.op == b.op {
                        format!(
                            "keep one matcher on `{}`, or match either value with `{}=~\"{}|{}\"`",
                            a.name, a.name, a.value, b.value
                        )
                    } else {
                        format!("remove one of the two matchers on `{}`", a.name)
                    };
                    cx.report(
                        rcx.expr_span(b.span),
                        format!(
                            "`{}` contradicts `{}`: no series matches both, so the selector returns nothing",
                            text(b.span),
                            text(a.span)
                        ),
                    )
                    .label(rcx.expr_span(a.span), "first matcher on the label")
                    .help(help);
                }
            }
        }
        if let (Some(name), Some(m)) =
            (&vs.name, vs.matchers.iter().find(|m| m.name == "__name__" && m.op == MatchOp::Equal))
            && *name != m.value
        {
            cx.report(
                rcx.expr_span(m.span),
                format!("`{}` contradicts the metric name `{name}`: the selector returns nothing", text(m.span)),
            );
        }
    });
}

fn fix_hint(compared: &crate::promql::Expr, threshold: f64) -> Option<String> {
    use crate::promql::AggregateOp;
    let mut e = compared;
    while let ExprKind::ParenExpr(p) = &e.kind {
        e = &p.expr;
    }
    match &e.kind {
        ExprKind::AggregateExpr(a) if a.op == AggregateOp::Count && threshold <= 0.0 => Some(
            "a count of no series is no series, not 0: use `absent(...)` of the inner expression, or `sum(...) == 0` over a 0/1 metric"
                .into(),
        ),
        ExprKind::Call(c) if c.func.name.starts_with("absent") => {
            Some("`absent(...)` returns 1 when nothing matches and nothing otherwise: use it without a comparison".into())
        }
        ExprKind::BinaryExpr(b) if b.op.is_comparison() && !b.return_bool => {
            Some("a comparison filters series and keeps their values: remove one of the two comparisons".into())
        }
        _ => None,
    }
}
