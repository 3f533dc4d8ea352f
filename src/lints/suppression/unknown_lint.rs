use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports a `# alertlint disable ...` comment that names a lint (or family glob) that does
    /// not exist, and suggests the closest lint id.
    ///
    /// ## Why it matters
    /// A misspelt id suppresses nothing, so the finding it was meant to silence keeps coming
    /// back, or a real finding is hidden when the id is later corrected by somebody else.
    ///
    /// ## Example
    /// ```yaml
    /// # alertlint disable runbook/mising
    /// - alert: HighErrorRate
    /// ```
    ///
    /// ## How to fix
    /// Use an id from `alertlint rules`.
    ///
    /// ## Options
    /// None.
    pub static UNKNOWN_LINT = {
        id: "suppression/unknown-lint",
        severity: Warning,
        summary: "an inline comment names a lint that does not exist",
        pass: [Example::new("# alertlint disable-file runbook/*\ngroups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels: { severity: warning, team: api }\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      # alertlint disable runbook/mising\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels: { severity: warning, team: api }\n")],
    };
}
