use crate::lints::{Example, FileContext, RuleContext};

crate::declare_lint! {
    /// ## What it does
    /// Reports a label or annotation value that is not a valid Go `text/template` as Prometheus
    /// expands it: unclosed actions, unknown functions, undefined variables.
    ///
    /// ## Why it matters
    /// Prometheus refuses to load a rule file with a template that does not parse.
    ///
    /// ## Example
    /// ```yaml
    /// annotations:
    ///   summary: "{{ $labels.instance } is down"
    /// ```
    ///
    /// ## How to fix
    /// Correct the template at the reported position. The variables `$labels`, `$value`,
    /// `$externalLabels` and `$externalURL` are defined; functions are those of Prometheus's
    /// template engine (`humanize`, `humanizeDuration`, `printf`, ...).
    ///
    /// ## Options
    /// None.
    pub static SYNTAX = {
        id: "template/syntax",
        severity: Error,
        summary: "a label or annotation value is not a valid Go text/template",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: InstanceDown\n        expr: up == 0\n        annotations:\n          summary: \"{{ $labels.instance }} is down\"\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: InstanceDown\n        expr: up == 0\n        annotations:\n          summary: \"{{ $labels.instance } is down\"\n")],
    };
}

pub fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    for (span, message) in &rcx.parsed.template_errors {
        cx.report(*span, message.clone());
    }
}
