use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports a `# alertlint disable ...` comment (or one of the lints it names) that
    /// suppressed nothing, including a comment that is not attached to any rule or group.
    /// Suppressions of lints that are turned off in the configuration are not reported.
    ///
    /// ## Why it matters
    /// A stale suppression hides the next real problem of the same kind in that rule, and
    /// tells readers about a problem that no longer exists.
    ///
    /// ## Example
    /// ```yaml
    /// # alertlint disable runbook/missing -- runbook pending
    /// - alert: HighErrorRate
    ///   expr: job:errors:rate5m > 0.05
    ///   annotations:
    ///     runbook_url: https://runbooks.example.com/high-error-rate
    /// ```
    ///
    /// ## How to fix
    /// Remove the comment, or the ids in it that no longer apply.
    ///
    /// ## Options
    /// None.
    pub static UNUSED = {
        id: "suppression/unused",
        severity: Warning,
        summary: "an inline `disable` comment suppressed nothing",
        pass: [Example::with_config("groups:\n  - name: api\n    rules:\n      # alertlint disable runbook/missing -- runbook pending\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels: { severity: warning, team: api }\n", "runbook: { annotations: [runbook_url] }\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      # alertlint disable runbook/missing -- runbook pending\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels: { severity: warning, team: api }\n        annotations:\n          runbook_url: https://runbooks.example.com/high-error-rate\n")],
    };
}
