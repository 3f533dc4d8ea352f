use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports a comment that starts with `# alertlint` but is not one of the directive
    /// forms: `# alertlint disable ID[,ID...] [until YYYY-MM-DD] [-- reason]` and
    /// `# alertlint disable-file ID[,ID...]`. Forms borrowed from other linters
    /// (`disable=`, `disable-next-line`, `ignore`, `noqa`), ids separated by spaces and
    /// dates that are not `YYYY-MM-DD` are all reported.
    ///
    /// ## Why it matters
    /// A directive that is silently ignored looks like a suppression to the reader while
    /// suppressing nothing, or, worse, looks like it expires while it never will.
    ///
    /// ## Example
    /// ```yaml
    /// # alertlint disable-next-line runbook/missing
    /// - alert: QueueBacklog
    ///   expr: queue_depth > 1000
    /// ```
    ///
    /// ## How to fix
    /// Write the directive in one of the forms above: `# alertlint disable runbook/missing`
    /// on the line above the rule.
    ///
    /// ## Options
    /// None.
    pub static MALFORMED = {
        id: "suppression/malformed",
        severity: Warning,
        summary: "a comment starting with `# alertlint` is not a valid directive",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      # alertlint disable runbook/missing -- TICKET-123\n      - alert: QueueBacklog\n        expr: queue_depth > 1000\n        for: 10m\n        labels: { severity: warning, team: api }\n")],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      # alertlint disable-next-line runbook/missing\n      - alert: QueueBacklog\n        expr: queue_depth > 1000\n        for: 10m\n        labels: { severity: warning, team: api }\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      # alertlint disable runbook/missing until next-week\n      - alert: QueueBacklog\n        expr: queue_depth > 1000\n        for: 10m\n        labels: { severity: warning, team: api }\n"),
        ],
    };
}
