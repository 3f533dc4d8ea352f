use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::span::Span;

crate::declare_lint! {
    /// ## What it does
    /// Reports a template that reads `$externalLabels.x` (or `.ExternalLabels.x`) when the
    /// server has no external label `x` (as `prometheus.external_labels`, `prometheus.config`
    /// or the live server say). Silent when nothing says what the external labels are.
    ///
    /// ## Why it matters
    /// A missing external label renders as an empty string: the summary says "in cluster " and
    /// a link built from it points nowhere.
    ///
    /// ## Example
    /// ```yaml
    /// # external labels: { cluster: eu1 }
    /// annotations:
    ///   summary: "API down in {{ $externalLabels.region }}"
    /// ```
    ///
    /// ## How to fix
    /// Use an external label the server has, or add it to the server's `global.external_labels`.
    ///
    /// ## Options
    /// None.
    pub static UNKNOWN_EXTERNAL = {
        id: "labels/unknown-external",
        severity: Warning,
        summary: "a template reads an external label the server does not have",
        pass: [Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up == 0\n        annotations:\n          summary: \"down in {{ $externalLabels.cluster }}\"\n", "prometheus: { external_labels: { cluster: eu1 } }\n")],
        fail: [Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: up == 0\n        annotations:\n          summary: \"down in {{ $externalLabels.region }}\"\n", "prometheus: { external_labels: { cluster: eu1 } }\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(UNKNOWN_EXTERNAL, check)
}

/// `$externalLabels.x`, `.ExternalLabels.x` and `$.ExternalLabels.x` in a
/// template's text: the name and its span.
pub fn external_refs(text: &str) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for needle in ["$externalLabels.", ".ExternalLabels."] {
        let mut from = 0;
        while let Some(i) = text[from..].find(needle) {
            let start = from + i + needle.len();
            let end = text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |n| start + n);
            if end > start {
                out.push((text[start..end].to_string(), Span::new(start, end)));
            }
            from = end.max(start);
        }
    }
    out
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    if rcx.rule.kind != crate::model::RuleKind::Alert {
        return;
    }
    let Some(external) = super::external_labels(cx) else { return };
    for kv in rcx.rule.labels.iter().chain(&rcx.rule.annotations) {
        for (name, span) in external_refs(&kv.value.value) {
            if external.iter().any(|(k, _)| *k == name) {
                continue;
            }
            let have: Vec<&str> = external.iter().map(|(k, _)| k.as_str()).collect();
            let known = if have.is_empty() { "none".to_string() } else { have.join(", ") };
            let hint = crate::lints::closest(&name, have.iter().copied())
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            cx.report(
                kv.value.to_file(span),
                format!("`{}` reads external label `{name}`, which the server does not have", kv.key.value),
            )
            .help(format!("{hint}the server's external labels: {known}"));
        }
    }
}
