use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert that has no owner label (by default `team`) in its own labels or in its
    /// group's `labels`.
    ///
    /// ## Why it matters
    /// An alert nobody owns goes to whoever is unlucky. The owner label is what Alertmanager
    /// routes on to page the right team, and what tells a reader whom to ask.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05
    ///   for: 15m
    ///   labels:
    ///     severity: critical
    /// ```
    ///
    /// ## How to fix
    /// Add `team: <owning team>` to the rule's labels, or once to the group's `labels` so every
    /// rule of the group inherits it.
    ///
    /// ## Options
    /// Top-level `owner.labels` lists the accepted label names (default `[team]`).
    pub static MISSING = {
        id: "owner/missing",
        severity: Warning,
        summary: "an alert has no owner label in its labels or its group's labels",
        pass: [
            Example::new("groups:\n  - name: node\n    labels:\n      team: sre\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n"),
        ],
        fail: [Example::new("groups:\n  - name: node\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n        labels:\n          severity: critical\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(MISSING, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let names = &cx.config.owner.labels;
    if rcx.rule.kind != RuleKind::Alert || names.iter().any(|n| rcx.label(n).is_some()) {
        return;
    }
    let quoted = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ");
    let first = names.first().map_or("team", String::as_str);
    cx.report(rcx.rule.name.span, format!("alert `{}` has no {quoted} label", rcx.rule.name.value))
        .help(format!("add `{first}: <owning team>` to the rule's labels, or to its group's `labels`"));
}
