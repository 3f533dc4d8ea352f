use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;
use crate::promql::ExprKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert whose expression uses `irate` or `idelta`.
    ///
    /// ## Why it matters
    /// `irate` and `idelta` look only at the last two samples of the range, whatever its length.
    /// They are made for graphs that zoom into fast-moving data; in an alert they follow every
    /// jitter, so the alert flaps between firing and resolved.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighRequestRate
    ///   expr: sum(irate(http_requests_total[5m])) > 1000
    ///   for: 5m
    /// ```
    ///
    /// ## How to fix
    /// Use `rate` (or `delta` for gauges) over a window of at least four scrape intervals:
    /// `sum(rate(http_requests_total[5m])) > 1000`.
    ///
    /// ## Options
    /// None.
    pub static IRATE = {
        id: "noise/irate",
        severity: Info,
        summary: "an alert uses `irate`/`idelta`, which follow the last two samples and flap",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighRequestRate\n        expr: sum(rate(http_requests_total[5m])) > 1000\n        for: 5m\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighRequestRate\n        expr: sum(irate(http_requests_total[5m])) > 1000\n        for: 5m\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(IRATE, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    expr.walk(|e| {
        let ExprKind::Call(call) = &e.kind else { return };
        let (name, instead) = match call.func.name {
            "irate" => ("irate", "rate"),
            "idelta" => ("idelta", "delta"),
            _ => return,
        };
        cx.report(
            rcx.expr_span(call.name_span),
            format!("alert `{}` uses `{name}`, which follows only the last two samples and flaps", rcx.rule.name.value),
        )
        .help(format!("use `{instead}` over a window of at least four scrape intervals"));
    });
}
