use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports what Alertmanager would reject in the configuration given with
    /// `--alertmanager-config` (or `alertmanager.config`): invalid YAML, a route without a
    /// receiver, a route naming a receiver that does not exist, a matcher that does not parse,
    /// an invalid regular expression, unknown fields. The configuration may also sit inside a
    /// Kubernetes `Secret` (`stringData` or `data`).
    ///
    /// ## Why it matters
    /// Alertmanager refuses to load an invalid configuration and keeps running the previous
    /// one, so the routing you reviewed is not the routing in force. The routing lints also
    /// need a valid tree to follow alerts through it.
    ///
    /// ## Example
    /// ```yaml
    /// route:
    ///   receiver: team-pager
    ///   routes:
    ///     - matchers: [severity="critical"]
    ///       receiver: db-pagr          # no receiver has this name
    /// receivers:
    ///   - name: team-pager
    /// ```
    ///
    /// ## How to fix
    /// Correct the configuration at the reported position; `amtool check-config` agrees.
    ///
    /// ## Options
    /// None.
    pub static CONFIG = {
        id: "alertmanager/config",
        severity: Error,
        summary: "the Alertmanager configuration is invalid",
        pass: [Example::new("groups: []\n")],
        fail: [Example::with_alertmanager("groups: []\n", "route:\n  receiver: pager\n  routes:\n    - matchers: [severity=\"critical\"]\n      receiver: pagr\nreceivers:\n  - name: pager\n")],
    };
}
