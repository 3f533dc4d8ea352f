use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert without a severity label (by default `severity`) in its labels or its
    /// group's labels.
    ///
    /// ## Why it matters
    /// Alertmanager routes decide from the severity whether to wake someone up or open a
    /// ticket. Without it, an alert is routed by accident: it pages everybody or nobody.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: job:errors:rate5m > 0.05
    ///   for: 10m
    /// ```
    ///
    /// ## How to fix
    /// Add `severity: critical` (someone must act now), `warning` (act soon) or `info`.
    ///
    /// ## Options
    /// Top-level `severity.label` (default `severity`).
    pub static MISSING = {
        id: "severity/missing",
        severity: Warning,
        summary: "an alert has no severity label",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(MISSING, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let label = &cx.config.severity.label;
    if rcx.rule.kind != RuleKind::Alert || rcx.label(label).is_some() {
        return;
    }
    let values = cx.config.severity.values.join("`, `");
    cx.report(rcx.rule.name.span, format!("alert `{}` has no `{label}` label", rcx.rule.name.value))
        .help(format!("add `{label}:` with one of `{values}`"));
}
