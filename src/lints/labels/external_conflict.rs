use crate::lints::{Example, FileContext, Registration, RuleContext};

crate::declare_lint! {
    /// ## What it does
    /// Reports a rule or group label whose name is one of the server's external labels
    /// (`prometheus.external_labels`, `global.external_labels` of `prometheus.config`, or the
    /// live server's configuration) with a different value.
    ///
    /// ## Why it matters
    /// External labels say which server an alert or series comes from (`cluster`, `region`,
    /// `replica`). Prometheus adds them only where a label is missing, so the rule's value
    /// wins: the alert claims to come from another cluster, Alertmanager groups and routes
    /// it with that cluster's alerts, and deduplication across a high-availability pair breaks.
    /// Thanos and other rulers may instead overwrite the rule's value, so the label does
    /// not mean the same thing everywhere.
    ///
    /// ## Example
    /// ```yaml
    /// # prometheus.yml: global.external_labels: { cluster: eu1 }
    /// - alert: ApiDown
    ///   expr: up{job="api"} == 0
    ///   labels: { cluster: eu2 }
    /// ```
    ///
    /// ## How to fix
    /// Remove the label and let the external label say where the alert comes from, or rename it
    /// (`target_cluster`) when it means something else.
    ///
    /// ## Options
    /// None.
    pub static EXTERNAL_CONFLICT = {
        id: "labels/external-conflict",
        severity: Warning,
        summary: "a rule label has the name of one of the server's external labels, with another value",
        pass: [Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up{job=\"api\"} == 0\n        labels: { cluster: eu1 }\n", "prometheus: { external_labels: { cluster: eu1 } }\n")],
        fail: [Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up{job=\"api\"} == 0\n        labels: { cluster: eu2 }\n", "prometheus: { external_labels: { cluster: eu1 } }\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(EXTERNAL_CONFLICT, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(external) = super::external_labels(cx) else { return };
    // Group labels are reported once, with the group's first rule.
    let group_labels = if std::ptr::eq(rcx.group.rules.first().map_or(std::ptr::null(), |r| r as *const _), rcx.rule) {
        &rcx.group.labels[..]
    } else {
        &[]
    };
    for kv in rcx.rule.labels.iter().chain(group_labels) {
        let Some((_, value)) = external.iter().find(|(k, _)| *k == kv.key.value) else { continue };
        if *value == kv.value.value {
            continue;
        }
        cx.report(
            kv.key.span,
            format!(
                "label `{}: {}` conflicts with the server's external label `{}: {value}`",
                kv.key.value, kv.value.value, kv.key.value
            ),
        )
        .help("remove the label and let the external label say where the alert comes from, or rename it");
    }
}
