use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert without a severity label in its labels or its group's labels.
    ///
    /// Without `severity.label` in the configuration, any label whose key names a severity
    /// (`severity`, `level`, `priority`, `urgency`, `*_severity`, ...) counts, and the lint
    /// reports only where severity labels are the convention: in files where at least half of
    /// the alerts have one, or where half of the
    /// alerts in the files of its directory do. A repository that
    /// routes by something else gets no finding; configure `severity.label` to require it.
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
    /// Top-level `severity.label`; `severity.values` gives the values the help suggests.
    pub static MISSING = {
        id: "severity/missing",
        severity: Warning,
        summary: "an alert has no severity label",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n"),
            // The repository says `level`, and nothing says `severity`.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          level: emergency\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          level: warning\n"),
            // No alert has a severity label: no convention to enforce.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          team: api\n"),
        ],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: warning\n      - alert: HighRetryRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n", "severity: { label: severity, values: [page, ticket] }\n"),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(MISSING, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let conventions = cx.conventions;
    if rcx.rule.kind != RuleKind::Alert || !conventions.expects_severity(cx.file.name()) {
        return;
    }
    if conventions.severity_of(rcx.group, &rcx.rule.labels).is_some() {
        return;
    }
    let label = conventions.severity.preferred("severity");
    let values = if !conventions.severity_values.is_empty() {
        conventions.severity_values.clone()
    } else {
        let mut used: Vec<(&String, &usize)> =
            conventions.severity_counts.get(label).map(|c| c.iter().collect()).unwrap_or_default();
        used.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        used.into_iter().take(4).map(|(v, _)| v.clone()).collect()
    };
    let help = match values.is_empty() {
        true => format!("add `{label}:` saying how urgently someone must act, such as `critical`, `warning` or `info`"),
        false => format!("add `{label}:` with one of `{}`", values.join("`, `")),
    };
    cx.report(rcx.rule.name.span, format!("alert `{}` has no `{label}` label", rcx.rule.name.value))
        .help(format!("{help}{}", conventions.severity.others_note()));
}
