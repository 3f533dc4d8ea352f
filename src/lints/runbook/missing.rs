use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert without a runbook annotation (by default `runbook_url`).
    ///
    /// ## Why it matters
    /// The person paged at night is often not the person who wrote the alert. A runbook tells
    /// them what the alert means, how to confirm it, and what to do; without one, every page
    /// becomes an investigation or an escalation.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: job:errors:rate5m > 0.05
    ///   for: 10m
    ///   annotations:
    ///     summary: "Error rate above 5%"
    /// ```
    ///
    /// ## How to fix
    /// Add an annotation pointing at the runbook:
    /// ```yaml
    ///   annotations:
    ///     runbook_url: https://runbooks.example.com/api/high-error-rate
    /// ```
    ///
    /// ## Options
    /// Top-level `runbook.annotations` lists the accepted annotation names (default `[runbook_url]`).
    pub static MISSING = {
        id: "runbook/missing",
        severity: Warning,
        summary: "an alert has no runbook annotation",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook_url: https://runbooks.example.com/api/high-error-rate\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          playbook: https://runbooks.example.com/api\n", "runbook: { annotations: [runbook_url, playbook] }\n"),
        ],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          summary: Error rate above 5%\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(MISSING, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let names = &cx.config.runbook.annotations;
    if rcx.rule.kind != RuleKind::Alert || names.iter().any(|n| rcx.annotation(n).is_some()) {
        return;
    }
    let first = names.first().map_or("runbook_url", String::as_str);
    // A link under another name is probably the runbook: say how to accept it.
    let other_link = rcx.rule.annotations.iter().find(|kv| {
        kv.value.value.trim_start().starts_with("http://") || kv.value.value.trim_start().starts_with("https://")
    });
    let help = match other_link {
        Some(kv) => format!(
            "if `{}` links to the runbook, add `{}` to `runbook.annotations` in .alertlint.yaml; otherwise add `{first}: https://...`",
            kv.key.value, kv.key.value
        ),
        None => format!("add an annotation `{first}: https://...` pointing at the runbook"),
    };
    cx.report(
        rcx.rule.name.span,
        format!("alert `{}` has no {} annotation", rcx.rule.name.value, super::annotation_names(names)),
    )
    .help(help);
}
