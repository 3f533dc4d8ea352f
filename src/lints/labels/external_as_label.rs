use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::labels::output_labels;

crate::declare_lint! {
    /// ## What it does
    /// Reports a template that reads `$labels.x` when `x` is one of the server's external labels
    /// and neither the rule nor its group sets `x`. Only cases the expression does not already
    /// rule out are reported (those are `template/undefined-label`'s).
    ///
    /// ## Why it matters
    /// External labels are added when alerts leave the server; the series the expression returns
    /// do not carry them, so `$labels.cluster` renders empty. Templates read them as
    /// `$externalLabels.cluster`.
    ///
    /// ## Example
    /// ```yaml
    /// # external labels: { cluster: eu1 }
    /// annotations:
    ///   summary: "{{ $labels.instance }} is down in {{ $labels.cluster }}"
    /// ```
    ///
    /// ## How to fix
    /// Write `{{ $externalLabels.cluster }}`.
    ///
    /// ## Options
    /// None.
    pub static EXTERNAL_AS_LABEL = {
        id: "labels/external-as-label",
        severity: Warning,
        summary: "a template reads an external label through `$labels` instead of `$externalLabels`",
        pass: [Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up == 0\n        annotations:\n          summary: \"down in {{ $externalLabels.cluster }}\"\n", "prometheus: { external_labels: { cluster: eu1 } }\n")],
        fail: [Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up == 0\n        annotations:\n          summary: \"down in {{ $labels.cluster }}\"\n", "prometheus: { external_labels: { cluster: eu1 } }\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(EXTERNAL_AS_LABEL, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    if rcx.rule.kind != crate::model::RuleKind::Alert {
        return;
    }
    let Some(external) = super::external_labels(cx) else { return };
    let output = output_labels(expr);
    let pairs = rcx
        .rule
        .labels
        .iter()
        .zip(rcx.label_templates)
        .chain(rcx.rule.annotations.iter().zip(rcx.annotation_templates));
    for (kv, template) in pairs {
        let Some(template) = template else { continue };
        for reference in template.label_refs() {
            let is_external = external.iter().any(|(k, _)| *k == reference.name);
            let set_by_rule = rcx.label(&reference.name).is_some();
            if !is_external || set_by_rule || !output.can_have(&reference.name) {
                continue;
            }
            cx.report(
                kv.value.to_file(reference.span),
                format!(
                    "`{}` reads `{}` from the series, but it is an external label of the server, which series do not carry",
                    kv.key.value, reference.name
                ),
            )
            .help(format!("read it as `$externalLabels.{}`", reference.name));
        }
    }
}
