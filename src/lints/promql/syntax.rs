use crate::lints::{Example, FileContext, RuleContext};

crate::declare_lint! {
    /// ## What it does
    /// Reports an `expr` that is not valid PromQL, at the token where parsing failed, with the
    /// message the Prometheus parser gives. Type errors count too (for example a range vector
    /// where a function expects an instant vector).
    ///
    /// ## Why it matters
    /// Prometheus refuses to load a rule file with an invalid expression, so every rule in the
    /// file stops being evaluated.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules:
    ///       - alert: HighErrorRate
    ///         expr: sum(rate(errors_total[5m]) > 1
    /// ```
    ///
    /// ## How to fix
    /// Correct the expression at the reported position (here: close the parenthesis).
    /// `alertlint parse 'EXPR'` prints how alertlint reads an expression.
    ///
    /// ## Options
    /// None.
    pub static SYNTAX = {
        id: "promql/syntax",
        severity: Error,
        summary: "`expr` does not parse",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: sum(rate(errors_total[5m]) > 1\n")],
    };
}

/// Only the first parse error is reported, as promtool does: the ones after it
/// are mostly consequences of the first.
const MAX_PARSE_ERRORS: usize = 1;

pub fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    for error in rcx.parsed.expr_errors.iter().take(MAX_PARSE_ERRORS) {
        cx.report(rcx.expr_span(error.span), error.message.clone());
    }
}
