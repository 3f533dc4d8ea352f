use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;
use crate::promql::labels::output_labels;

crate::declare_lint! {
    /// ## What it does
    /// Reports a template in an alert's labels or annotations that reads `$labels.x` (or
    /// `.Labels.x`, `index $labels "x"`) when the alert's expression can never return a label
    /// `x`: an aggregation `by (...)` that does not keep it, `without (x)`, `on(...)` matching,
    /// `absent(...)`, `vector(...)` and similar.
    ///
    /// ## Why it matters
    /// `$labels` holds the labels of the series the expression returned. A label the expression
    /// dropped renders as an empty string, so the page reads "instance  is down" and the
    /// on-call engineer has to find out which one on their own. The rule's own `labels:` are
    /// not visible to templates either.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: sum by (job) (rate(http_errors_total[5m])) > 1
    ///   annotations:
    ///     summary: "{{ $labels.instance }} is failing"   # `instance` was summed away
    /// ```
    ///
    /// ## How to fix
    /// Keep the label in the aggregation (`sum by (job, instance)`), or use a label the
    /// expression keeps.
    ///
    /// ## Options
    /// None.
    pub static UNDEFINED_LABEL = {
        id: "template/undefined-label",
        severity: Warning,
        summary: "a template reads `$labels.x` but the expression can never produce label `x`",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: sum by (job, instance) (rate(http_errors_total[5m])) > 1\n        for: 10m\n        annotations:\n          summary: \"{{ $labels.instance }} of {{ $labels.job }} is failing\"\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: InstanceDown\n        expr: up == 0\n        for: 5m\n        annotations:\n          summary: \"{{ $labels.instance }} is down\"\n"),
        ],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: sum by (job) (rate(http_errors_total[5m])) > 1\n        for: 10m\n        annotations:\n          summary: \"{{ $labels.instance }} is failing\"\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: ApiMissing\n        expr: absent(up{job=\"api\"})\n        for: 5m\n        annotations:\n          summary: \"{{ $labels.job }} on {{ $labels.instance }} is missing\"\n"),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(UNDEFINED_LABEL, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let labels = output_labels(expr);
    // An open set allows every label it did not explicitly remove.
    if labels.open && labels.removed.is_empty() {
        return;
    }
    let kept = if labels.open {
        "the expression removes it".to_string()
    } else if labels.known.keys().all(|k| k == "__name__") {
        "the expression's result has no labels".to_string()
    } else {
        let names: Vec<String> = labels.known.keys().filter(|k| *k != "__name__").map(|k| format!("`{k}`")).collect();
        format!("the expression's result has only {}", names.join(", "))
    };
    let pairs = rcx
        .rule
        .labels
        .iter()
        .zip(rcx.label_templates)
        .chain(rcx.rule.annotations.iter().zip(rcx.annotation_templates));
    for (kv, template) in pairs {
        let Some(template) = template else { continue };
        for reference in template.label_refs() {
            if labels.can_have(&reference.name) {
                continue;
            }
            let message =
                format!("`{}` reads label `{}`, which is always empty here: {kept}", kv.key.value, reference.name);
            let report = cx.report(kv.value.to_file(reference.span), message);
            let report = match labels.narrowed_by {
                Some(span) => report.label(rcx.expr_span(span), "labels are narrowed here"),
                None => report,
            };
            let fix = if rcx.rule.labels.iter().chain(&rcx.group.labels).any(|l| l.key.value == reference.name) {
                format!(
                    "`{}` is a label of the rule, not of the series: templates see only the series' labels; write its value directly",
                    reference.name
                )
            } else {
                format!(
                    "keep `{}` in the expression (for example in `by (...)`), or do not use it in the template",
                    reference.name
                )
            };
            report.help(fix);
        }
    }
}
