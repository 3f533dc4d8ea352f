use crate::lints::{Example, FileContext, Registration, RuleContext, closest};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert whose severity label has a value outside the allowed set (by default
    /// `critical`, `warning`, `info`) and suggests the closest allowed value.
    ///
    /// ## Why it matters
    /// Routes match severities exactly: `severity: critica` or `severity: Critical` matches no
    /// paging route, and the alert is delivered to a catch-all or to nobody.
    ///
    /// ## Example
    /// ```yaml
    /// labels:
    ///   severity: critica
    /// ```
    ///
    /// ## How to fix
    /// Use an allowed value (`critical`), or extend `severity.values`.
    ///
    /// ## Options
    /// Top-level `severity.label` and `severity.values`.
    pub static UNKNOWN = {
        id: "severity/unknown",
        severity: Warning,
        summary: "the severity value is not in the allowed set",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: warning\n")],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critica\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: warning\n", "severity: { values: [page, ticket] }\n"),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(UNKNOWN, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let label = &cx.config.severity.label;
    let allowed = &cx.config.severity.values;
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let Some(kv) = rcx.label(label) else { return };
    let value = &kv.value.value;
    if value.contains("{{") || allowed.contains(value) {
        return;
    }
    let help = match closest(value, allowed.iter().map(String::as_str)) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!("allowed values: {}", allowed.join(", ")),
    };
    cx.report(
        kv.value.span,
        format!("severity `{value}` of alert `{}` is not one of the allowed values", rcx.rule.name.value),
    )
    .help(help);
}
