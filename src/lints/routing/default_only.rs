use crate::alertmanager::{code_list, is_default_only};
use crate::lints::routing::routed;
use crate::lints::{Example, FileContext, Registration, RuleContext};

crate::declare_lint! {
    /// ## What it does
    /// With an Alertmanager configuration (`--alertmanager-config` or `alertmanager.config`),
    /// follows each alert through the routing tree as Alertmanager does and reports an alert
    /// whose labels match no child route, so it reaches only the root route's receiver.
    ///
    /// The labels are those known before the alert fires: rule and group labels, external
    /// labels, `alertname`, and values the expression's equality matchers fix. When a label a
    /// route reads is only known at evaluation (the series' `instance`, a templated label), the
    /// lint reports only if *every* value of it leads to the root route; if some value reaches
    /// a child route it stays silent (`alertlint routes` shows what the outcome depends on).
    /// A tree with no child routes sends everything to the root on purpose and is not reported.
    ///
    /// ## Why it matters
    /// The root receiver is a catch-all: a shared channel nobody watches, or a `null` receiver
    /// that drops alerts. An alert that only reaches it usually has a typo in a label a route
    /// matches on, or belongs to a team whose route was never written.
    ///
    /// ## Example
    /// ```yaml
    /// # alertmanager.yml: route: { receiver: catch-all, routes: [{ matchers: [team="db"], receiver: db-pager }] }
    /// - alert: DiskFull
    ///   expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.05
    ///   labels:
    ///     team: dba            # no route matches team="dba"
    /// ```
    ///
    /// ## How to fix
    /// Give the alert labels a route matches (`team: db`), or add a route for them.
    ///
    /// ## Options
    /// None. Runs only with an Alertmanager configuration.
    pub static DEFAULT_ONLY = {
        id: "routing/default-only",
        severity: Warning,
        summary: "with an Alertmanager config: the alert's labels reach only the root route's receiver",
        pass: [
            Example::with_alertmanager(RULE_DB, TREE),
            // `team` comes from the series: some values reach a team's route.
            Example::with_alertmanager("groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n", TREE),
            // No child routes: everything goes to the root on purpose.
            Example::with_alertmanager(RULE_DBA, "route:\n  receiver: everyone\nreceivers:\n  - name: everyone\n    webhook_configs: [{ url: \"http://hooks.example.com/\" }]\n"),
            Example::new(RULE_DBA),
        ],
        fail: [
            Example::with_alertmanager(RULE_DBA, TREE),
            // The aggregation drops every series label: nothing but the root is possible.
            Example::with_alertmanager("groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: sum(disk_full) > 0\n        for: 10m\n        labels: { severity: critical }\n", TREE),
        ],
    };
}

const TREE: &str = "route:\n  receiver: catch-all\n  routes:\n    - matchers: [team=\"db\"]\n      receiver: db-pager\nreceivers:\n  - name: catch-all\n    webhook_configs: [{ url: \"http://hooks.example.com/all\" }]\n  - name: db-pager\n    webhook_configs: [{ url: \"http://hooks.example.com/db\" }]\n";
const RULE_DB: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { team: db }\n";
const RULE_DBA: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { team: dba }\n";

pub fn registration() -> Registration {
    crate::stateless_lint!(DEFAULT_ONLY, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some((am, routed)) = routed(cx, rcx) else {
        return;
    };
    if am.route.routes.is_empty() {
        return;
    }
    // Without a definite outcome some values of the unknown labels reach a
    // child route (or the enumeration was cut short): not provably wrong.
    let Some(matches) = &routed.outcomes.definite else {
        return;
    };
    if !is_default_only(matches) {
        return;
    }
    let receiver = am.root_receiver();
    let mut message =
        format!("alert `{}` reaches only the default receiver `{receiver}` (route /)", rcx.rule.name.value);
    if !routed.labels.unknown.is_empty() {
        message.push_str(&format!(" whatever the values of {}", code_list(&routed.labels.unknown)));
    }
    if am.receiver(receiver).is_some_and(|r| !r.has_integrations()) {
        message.push_str(", which has no integrations: its notifications are dropped");
    }
    // What the first-level routes look at, and what this alert has there.
    let mut read: Vec<&str> = am.route.routes.iter().flat_map(|r| r.matchers.iter().map(|m| m.name.as_str())).collect();
    read.sort_unstable();
    read.dedup();
    let has: Vec<String> = read
        .iter()
        .map(|name| match routed.labels.known.get(*name) {
            Some(value) => format!("`{name}=\"{value}\"`"),
            None if routed.labels.unknown.contains(*name) => {
                format!("`{name}` (set at evaluation)")
            }
            None => format!("no `{name}`"),
        })
        .collect();
    let help = if read.is_empty() {
        "no child route matches it; add a route for it, or give it labels an existing route matches".to_string()
    } else {
        format!(
            "the routes below / match on {}; this alert has {}: use a value a route matches, or add a route for it",
            code_list(&read),
            has.join(", ")
        )
    };
    cx.report(rcx.rule.name.span, message).help(help);
}
