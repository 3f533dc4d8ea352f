use crate::alertmanager::{code_list, is_blackhole, is_default_only};
use crate::lints::routing::{deciding_span, describe, routed};
use crate::lints::{Example, FileContext, Registration, RuleContext};

crate::declare_lint! {
    /// ## What it does
    /// With an Alertmanager configuration (`--alertmanager-config` or `alertmanager.config`),
    /// follows each alert through the routing tree and reports an alert whose every receiver
    /// has no integrations (no `*_configs`): Alertmanager accepts it and notifies nobody.
    ///
    /// When a label a route reads is only known at evaluation, the lint reports only if *every*
    /// value of it ends at receivers without integrations. An alert that falls through to a
    /// root receiver without integrations is reported by `routing/default-only` instead, once.
    ///
    /// ## Why it matters
    /// A receiver without integrations is how Alertmanager discards alerts. It is right for
    /// alerts nobody should see, and wrong for a team whose receiver was declared but never
    /// given its Slack or PagerDuty configuration: their alerts fire, show in the Alertmanager
    /// UI, and reach nobody.
    ///
    /// ## Example
    /// ```yaml
    /// # alertmanager.yml: routes: [{ matchers: [team="orders"], receiver: orders-slack }]
    /// #                   receivers: [{ name: orders-slack }]      # no slack_configs
    /// - alert: OrdersQueueBacklog
    ///   expr: sum by (queue) (orders_queue_depth) > 1000
    ///   labels:
    ///     team: orders
    /// ```
    ///
    /// ## How to fix
    /// Add an integration to the receiver, or route the alert to one that notifies someone. If
    /// dropping the alert is intended, delete the rule, or suppress the finding with a reason.
    ///
    /// ## Options
    /// None. Runs only with an Alertmanager configuration.
    pub static BLACKHOLE = {
        id: "routing/blackhole",
        severity: Warning,
        summary: "with an Alertmanager config: every receiver the alert reaches has no integrations",
        pass: [
            Example::with_alertmanager(RULE_DB, TREE),
            // Falls through to the silent root: `routing/default-only` reports it.
            Example::with_alertmanager("groups:\n  - name: web\n    rules:\n      - alert: WebDown\n        expr: sum(up{job=\"web\"}) < 1\n        for: 5m\n        labels: { team: web }\n", TREE),
            Example::new(RULE_ORDERS),
        ],
        fail: [
            Example::with_alertmanager(RULE_ORDERS, TREE),
            // Whatever `severity` the series carries, both possible receivers are silent.
            Example::with_alertmanager("groups:\n  - name: orders\n    rules:\n      - alert: OrdersQueueBacklog\n        expr: orders_queue_depth > 1000\n        for: 15m\n        labels: { team: orders }\n", TREE),
        ],
    };
}

const TREE: &str = "route:\n  receiver: discard\n  routes:\n    - matchers: [team=\"db\"]\n      receiver: db-pager\n    - matchers: [team=\"orders\"]\n      receiver: orders-slack\n      routes:\n        - matchers: [severity=\"critical\"]\n          receiver: orders-pager\nreceivers:\n  - name: discard\n  - name: db-pager\n    webhook_configs: [{ url: \"http://hooks.example.com/db\" }]\n  - name: orders-slack\n  - name: orders-pager\n";
const RULE_DB: &str = "groups:\n  - name: db\n    rules:\n      - alert: DiskFull\n        expr: disk_free_ratio < 0.05\n        for: 10m\n        labels: { team: db }\n";
const RULE_ORDERS: &str = "groups:\n  - name: orders\n    rules:\n      - alert: OrdersQueueBacklog\n        expr: sum by (queue) (orders_queue_depth) > 1000\n        for: 15m\n        labels: { team: orders, severity: warning }\n";

pub fn registration() -> Registration {
    crate::stateless_lint!(BLACKHOLE, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some((am, routed)) = routed(cx, rcx) else {
        return;
    };
    if !routed.always(|m| is_blackhole(am, m)) {
        return;
    }
    if !am.route.routes.is_empty() && routed.always(is_default_only) {
        return;
    }
    let mut reached: Vec<crate::alertmanager::RouteMatch> = Vec::new();
    for m in routed.outcomes.possible.iter().flatten() {
        if !reached.contains(m) {
            reached.push(m.clone());
        }
    }
    let mut message =
        format!("alert `{}` reaches only receivers without integrations: {}", rcx.rule.name.value, describe(&reached));
    if !routed.outcomes.depends_on.is_empty() {
        message.push_str(&format!(", whatever the values of {}", code_list(&routed.outcomes.depends_on)));
    }
    let mut receivers: Vec<&str> = Vec::new();
    for m in &reached {
        if !receivers.contains(&m.receiver.as_str()) {
            receivers.push(&m.receiver);
        }
    }
    let help = format!(
        "give {} an integration (such as `slack_configs` or `pagerduty_configs`), or route the alert to a receiver that notifies someone",
        code_list(receivers)
    );
    cx.report(deciding_span(am, rcx, &reached), message).help(help);
}
