use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// With an Alertmanager configuration (`--alertmanager-config` or `alertmanager.config`),
    /// reports an alert whose severity value (label `severity.label`, default `severity`) no
    /// route matcher in the tree accepts, when the tree does route on severity. Matchers that
    /// accept any value, including none (`severity=~".*"`), and negative matchers do not count
    /// as accepting it.
    ///
    /// A value from the allowed set (`severity.values`) is reported only when the alert then
    /// reaches nothing but the root route: a tree that escalates `critical` under a team route
    /// and leaves `warning` to the team's route does so on purpose.
    ///
    /// ## Why it matters
    /// Severity routes decide who is paged. A value no route names (`page` where the tree
    /// matches `critical`, or a typo) slips past every severity route and only reaches a
    /// catch-all, however urgent the alert is.
    ///
    /// ## Example
    /// ```yaml
    /// # alertmanager.yml: routes: [{ matchers: [severity="critical"], receiver: pager }]
    /// - alert: DiskFull
    ///   expr: disk_free_ratio < 0.05
    ///   labels:
    ///     severity: page       # no route matches severity="page"
    /// ```
    ///
    /// ## How to fix
    /// Use a severity the routes match, or add a route for this one.
    ///
    /// ## Options
    /// Top-level `severity.label`. Runs only with an Alertmanager configuration.
    pub static UNROUTED = {
        id: "severity/unrouted",
        severity: Warning,
        summary: "with an Alertmanager config: no route matcher in the tree accepts this alert's severity value, so it only reaches a catch-all",
        pass: [
            Example::with_alertmanager(RULE_CRITICAL, TREE),
            // The tree does not route on severity at all.
            Example::with_alertmanager(RULE_PAGE, "route:\n  receiver: all\n  routes:\n    - matchers: [team=\"db\"]\n      receiver: all\nreceivers:\n  - name: all\n"),
            Example::new(RULE_PAGE),
            // Only `critical` escalates; `warning` stays with the team route by design.
            Example::with_alertmanager(RULE_WARNING, TREE_ESCALATION),
        ],
        fail: [
            Example::with_alertmanager(RULE_PAGE, TREE),
            // Only `critical` is routed; a `warning` alert falls through to the catch-all.
            Example::with_alertmanager(RULE_WARNING, "route:\n  receiver: catch-all\n  routes:\n    - matchers: [severity=\"critical\"]\n      receiver: pager\nreceivers:\n  - name: catch-all\n  - name: pager\n"),
            // The rules and the tree use different severity names.
            Example::with_alertmanager(RULE_CRITICAL, "route:\n  receiver: catch-all\n  routes:\n    - matchers: [severity=\"P1\"]\n      receiver: pager\nreceivers:\n  - name: catch-all\n  - name: pager\n"),
        ],
    };
}

const TREE: &str = "route:\n  receiver: catch-all\n  routes:\n    - matchers: [severity=~\"critical|error\"]\n      receiver: pager\n    - matchers: [severity=\"warning\"]\n      receiver: tickets\nreceivers:\n  - name: catch-all\n  - name: pager\n  - name: tickets\n";
const RULE_CRITICAL: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { severity: critical }\n";
const TREE_ESCALATION: &str = "route:\n  receiver: catch-all\n  routes:\n    - matchers: [team=\"db\"]\n      receiver: db-slack\n      routes:\n        - matchers: [severity=\"critical\"]\n          receiver: db-pager\nreceivers:\n  - name: catch-all\n  - name: db-slack\n  - name: db-pager\n";
const RULE_WARNING: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { severity: warning, team: db }\n";
const RULE_PAGE: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { severity: page }\n";

pub fn registration() -> Registration {
    crate::stateless_lint!(UNROUTED, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(am) = cx.alertmanager else { return };
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let label = cx.config.severity.label.as_str();
    let Some(kv) = rcx.label(label) else { return };
    let value = &kv.value.value;
    // Templated values are known only at evaluation; empty removes the label.
    if value.is_empty() || value.contains("{{") {
        return;
    }
    let only_catch_all =
        crate::lints::routing::routed(cx, rcx).is_some_and(|(_, r)| r.always(crate::alertmanager::is_default_only));
    let Some(routed) = crate::alertmanager::unrouted_severity(
        am,
        &cx.config.severity.label,
        &cx.config.severity.values,
        value,
        only_catch_all,
    ) else {
        return;
    };
    cx.report(
        kv.value.span,
        format!(
            "severity `{value}` of alert `{}` is matched by no route, so it only reaches a catch-all; routes match {routed}",
            rcx.rule.name.value
        ),
    )
    .help(format!("use a value a route matches, or add a route for `{label}=\"{value}\"`"));
}
