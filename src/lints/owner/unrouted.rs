use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// With an Alertmanager configuration (`--alertmanager-config` or `alertmanager.config`),
    /// reports an alert whose owner (the first of `owner.labels` it has, default `team`) no
    /// route matcher accepts while the tree does route on that label for other owners.
    ///
    /// ## Why it matters
    /// When routes are per team, a team without a route, or a misspelt team name, means the
    /// alert never reaches its owner: it goes to whatever catches the rest.
    ///
    /// ## Example
    /// ```yaml
    /// # alertmanager.yml: routes: [{ matchers: [team="db"], receiver: db-pager }]
    /// - alert: DiskFull
    ///   expr: disk_free_ratio < 0.05
    ///   labels:
    ///     team: dba            # no route matches team="dba"
    /// ```
    ///
    /// ## How to fix
    /// Use the owner name the routes use, or add a route for the team.
    ///
    /// ## Options
    /// Top-level `owner.labels`. Runs only with an Alertmanager configuration.
    pub static UNROUTED = {
        id: "owner/unrouted",
        severity: Warning,
        summary: "with an Alertmanager config: no route matcher accepts the alert's owner while the tree routes other owners",
        pass: [
            Example::with_alertmanager(RULE_DB, TREE),
            // The tree does not route on `team`.
            Example::with_alertmanager(RULE_DBA, "route:\n  receiver: all\n  routes:\n    - matchers: [severity=\"critical\"]\n      receiver: all\nreceivers:\n  - name: all\n"),
            Example::new(RULE_DBA),
        ],
        fail: [
            Example::with_alertmanager(RULE_DBA, TREE),
        ],
    };
}

const TREE: &str = "route:\n  receiver: catch-all\n  routes:\n    - matchers: [team=\"db\"]\n      receiver: db-pager\n    - matchers: [team=~\"web|api\"]\n      receiver: web-pager\nreceivers:\n  - name: catch-all\n  - name: db-pager\n  - name: web-pager\n";
const RULE_DB: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { team: db }\n";
const RULE_DBA: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { team: dba }\n";

pub fn registration() -> Registration {
    crate::stateless_lint!(UNROUTED, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(am) = cx.alertmanager else { return };
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let Some((label, kv)) = cx.config.owner.labels.iter().find_map(|l| rcx.label(l).map(|kv| (l.as_str(), kv))) else {
        return;
    };
    let value = &kv.value.value;
    if value.is_empty() || value.contains("{{") {
        return;
    }
    let Some(routed) = crate::alertmanager::unrouted_value(am, label, value) else {
        return;
    };
    cx.report(
        kv.value.span,
        format!(
            "owner `{value}` of alert `{}` is matched by no route, so it never reaches a route of its own; routes match {routed}",
            rcx.rule.name.value
        ),
    )
    .help(format!("use the owner name a route matches, or add a route for `{label}=\"{value}\"`"));
}
