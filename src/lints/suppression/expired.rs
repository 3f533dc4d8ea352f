use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports a `# alertlint disable ID until YYYY-MM-DD` comment whose date has passed
    /// (dates are read in UTC; the comment suppresses through the end of its date). After
    /// that day the comment no longer suppresses anything, so the findings it held back are
    /// reported again beside this one.
    ///
    /// ## Why it matters
    /// A waiver without an end is how "we will add the runbook next sprint" becomes a
    /// permanent gap. A dated waiver comes back on its own, in the same CI job that
    /// accepted it.
    ///
    /// ## Example
    /// ```yaml
    /// # alertlint disable runbook/missing until 2020-01-31 -- TICKET-123
    /// - alert: QueueBacklog
    ///   expr: queue_depth > 1000
    /// ```
    ///
    /// ## How to fix
    /// Fix what the comment suppressed and delete it, or, if the waiver was extended,
    /// move the date.
    ///
    /// ## Options
    /// None.
    pub static EXPIRED = {
        id: "suppression/expired",
        severity: Warning,
        summary: "an inline `disable ... until DATE` comment is past its date and no longer suppresses",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      # alertlint disable runbook/missing until 2999-12-31 -- TICKET-123\n      - alert: QueueBacklog\n        expr: queue_depth > 1000\n        for: 10m\n        labels: { severity: warning, team: api }\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      # alertlint disable runbook/missing until 2020-01-31 -- TICKET-123\n      - alert: QueueBacklog\n        expr: queue_depth > 1000\n        for: 10m\n        labels: { severity: warning, team: api }\n")],
    };
}
