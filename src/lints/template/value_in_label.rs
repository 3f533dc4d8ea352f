use crate::lints::{Example, FileContext, Registration, RuleContext};

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert label whose template reads the alert's value: `$value`, `.Value`, or a
    /// function of it such as `humanize $value`.
    ///
    /// ## Why it matters
    /// Labels are an alert's identity. When a label changes at every evaluation, Prometheus sees
    /// a new alert each time: the old one resolves, the new one starts its `for` from zero and
    /// Alertmanager sends a fresh notification. The alert never fires steadily, or pages again
    /// and again.
    ///
    /// ## Example
    /// ```yaml
    /// labels:
    ///   severity: warning
    ///   current: "{{ $value }}"
    /// ```
    ///
    /// ## How to fix
    /// Put the value in an annotation, which may change freely:
    /// ```yaml
    /// annotations:
    ///   summary: "error ratio is {{ $value | humanizePercentage }}"
    /// ```
    ///
    /// ## Options
    /// None.
    pub static VALUE_IN_LABEL = {
        id: "template/value-in-label",
        severity: Warning,
        summary: "`$value` is used in a label, creating a new alert identity at every evaluation",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRatio\n        expr: job:errors:ratio_rate5m > 0.05\n        for: 10m\n        labels:\n          severity: warning\n        annotations:\n          summary: \"error ratio is {{ $value | humanizePercentage }}\"\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRatio\n        expr: job:errors:ratio_rate5m > 0.05\n        for: 10m\n        labels:\n          severity: warning\n          current: \"{{ humanize $value }}\"\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(VALUE_IN_LABEL, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    for (kv, template) in rcx.rule.labels.iter().zip(rcx.label_templates) {
        let Some(template) = template else { continue };
        if let Some(&first) = template.value_refs().first() {
            cx.report(
                kv.value.to_file(first),
                format!(
                    "label `{}` of alert `{}` uses the alert's value, so every evaluation creates a new alert",
                    kv.key.value, rcx.rule.name.value
                ),
            )
            .help("move the value to an annotation; labels must stay the same while the alert fires");
        }
    }
}
