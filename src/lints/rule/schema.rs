use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports everything `promtool check rules` rejects in the structure of a rule file: unknown
    /// fields, values of the wrong type, a missing `expr`, a rule with both or neither of
    /// `alert` and `record`, invalid label or annotation names, an invalid recording rule name,
    /// `for`, `keep_firing_for` or `annotations` on a recording rule, and bad durations.
    ///
    /// ## Why it matters
    /// Prometheus refuses to load the whole file when one rule is malformed, so a typo in one
    /// alert silently takes down every alert in the file until somebody reads the server log.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules:
    ///       - alert: HighErrorRate
    ///         expresion: rate(errors_total[5m]) > 1   # unknown field, and `expr` is missing
    /// ```
    ///
    /// ## How to fix
    /// Correct the field at the reported position; the message names what is expected.
    /// With `dialect: thanos` or `dialect: mimir` the extra group fields of those systems are accepted.
    ///
    /// ## Options
    /// None; see the top-level `dialect` setting.
    pub static SCHEMA = {
        id: "rule/schema",
        severity: Error,
        summary: "the rule file does not have the structure Prometheus requires",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n")],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expresion: rate(errors_total[5m]) > 1\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - record: errors rate\n        expr: rate(errors_total[5m])\n        for: 5m\n"),
        ],
    };
}
