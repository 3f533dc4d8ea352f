use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert that has no owner: no owner label in its own labels or its group's
    /// `labels`, and none produced by its expression (`... * on (instance) group_left (team)
    /// service_owner`).
    ///
    /// Without `owner.labels` in the configuration, any label whose key names an owner (`team`,
    /// `owner`, `squad`, `support_group`, `owning_team`, `*_team`, ...) counts, and the lint
    /// reports only where owner labels are the convention: in files where at least half of the
    /// alerts name an owner, or where half of the
    /// alerts in the files of its directory do. A repository that
    /// never adopted owner labels (it routes by other labels, or owns everything with one team)
    /// gets no finding at all; configure `owner.labels` to require them.
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
    /// Top-level `owner.labels` lists the accepted label names. When it is set, every alert must
    /// have one of them, whatever the other files do.
    pub static MISSING = {
        id: "owner/missing",
        severity: Warning,
        summary: "an alert has no owner label in its labels or its group's labels",
        pass: [
            Example::new("groups:\n  - name: node\n    labels:\n      team: sre\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n"),
            // Nobody uses owner labels here: no convention to enforce.
            Example::new("groups:\n  - name: node\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n        labels:\n          severity: critical\n      - alert: DiskAlmostFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n        labels:\n          severity: warning\n"),
            // The repository's own owner label, and an owner joined in by the expression.
            Example::new("groups:\n  - name: node\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n        labels:\n          support_group: storage\n      - alert: NodeDown\n        expr: up{job=\"node\"} * on (instance) group_left (support_group) role_owner == 0\n        for: 15m\n"),
        ],
        fail: [
            Example::with_config("groups:\n  - name: node\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n        labels:\n          severity: critical\n", "owner: { labels: [team] }\n"),
            // The other alerts name a squad; this one names none.
            Example::new("groups:\n  - name: node\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n        labels:\n          squad: storage\n      - alert: DiskSlow\n        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05\n        for: 15m\n        labels:\n          squad: storage\n      - alert: NodeDown\n        expr: up == 0\n        for: 15m\n        labels:\n          severity: critical\n"),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(MISSING, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let conventions = cx.conventions;
    if rcx.rule.kind != RuleKind::Alert || !conventions.expects_owner(cx.file.name()) {
        return;
    }
    let text = rcx.rule.expr.as_ref().map(|e| e.value.as_str());
    if conventions.has_owner(rcx.group, &rcx.rule.labels, text, rcx.expr) {
        return;
    }
    let key = conventions.owner.preferred("team");
    cx.report(rcx.rule.name.span, format!("alert `{}` has no `{key}` label", rcx.rule.name.value)).help(format!(
        "add `{key}: <owning team>` to the rule's labels, or to its group's `labels`{}",
        conventions.owner.others_note()
    ));
}
