use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports a file that is not valid YAML: a syntax error, a duplicate mapping key, a file
    /// that is not UTF-8, or input beyond alertlint's limits (nesting depth, alias expansion, size).
    ///
    /// ## Why it matters
    /// Prometheus refuses to load a rule file it cannot parse, so none of its rules is evaluated.
    /// A duplicate key is worse: YAML libraries disagree on which value wins, and Prometheus rejects it.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules:
    ///       - alert: HighErrorRate
    ///         expr: rate(errors_total[5m]) > 1
    ///         expr: rate(errors_total[10m]) > 1   # duplicate key
    /// ```
    ///
    /// ## How to fix
    /// Fix the YAML at the reported position. For duplicate keys, keep one of the values.
    ///
    /// ## Options
    /// None.
    pub static SYNTAX = {
        id: "yaml/syntax",
        severity: Error,
        summary: "the file is not valid YAML",
        pass: [Example::new("groups:\n  - name: api\n    rules: []\n")],
        fail: [
            Example::new("groups:\n  - name: api\n    rules: [\n"),
            Example::new("groups:\n  - name: api\n    name: web\n    rules: []\n"),
        ],
    };
}
