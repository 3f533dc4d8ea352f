use crate::conventions::SeverityProblem;
use crate::diagnostic::Edit;
use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// With `severity.values` configured: reports an alert whose severity label has a value
    /// outside that set, and suggests the closest allowed value.
    ///
    /// Without it, the vocabulary is the one the checked files use (`s1`-`s4`, `page`/`ticket`,
    /// `high`/`low` are all fine when used consistently). A value is reported only when it is
    /// the same word as a more used value in another letter case (`Critical` among `critical`),
    /// or when it is rare (used at most twice, or by under 2% of the alerts) and close to a
    /// common value (`critcal` among `critical`).
    ///
    /// ## Why it matters
    /// Routes match severities exactly: `severity: critica` or `severity: Critical` matches no
    /// paging route, and the alert is delivered to a catch-all or to nobody.
    ///
    /// ## Example
    /// ```yaml
    /// labels:
    ///   severity: critica
    /// ```
    ///
    /// ## How to fix
    /// Use an allowed value (`critical`), or extend `severity.values`.
    ///
    /// ## Options
    /// Top-level `severity.label` and `severity.values`.
    pub static UNKNOWN = {
        id: "severity/unknown",
        severity: Warning,
        summary: "the severity value is not in the allowed set",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: warning\n"),
            // The repository's own words, used consistently.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: s1\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: s2\n      - alert: HighRetryRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: s3\n"),
            // Rare, but not close to any value in use: a deliberate word.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: Alert0\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: Alert1\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: Alert2\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: page\n"),
        ],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: Alert0\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: Alert1\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: Alert2\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critcal\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: Alert0\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: Alert1\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: Alert2\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: critical\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: Critical\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          severity: warning\n", "severity: { values: [page, ticket] }\n"),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(UNKNOWN, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let conventions = cx.conventions;
    let Some(kv) = conventions.severity_of(rcx.group, &rcx.rule.labels) else { return };
    let (label, value) = (&kv.key.value, &kv.value.value);
    let alert = &rcx.rule.name.value;
    let Some(problem) = conventions.severity_problem(label, value) else { return };
    // Replacing the value is certain only for a plain scalar holding exactly it.
    let plain = cx.file.text().get(kv.value.span.range()) == Some(value.as_str());
    let fix = |to: &str| {
        plain.then(|| (format!("Change `{value}` to `{to}`"), vec![Edit { span: kv.value.span, text: to.to_string() }]))
    };
    match problem {
        SeverityProblem::NotAllowed { suggestion } => {
            let allowed = &conventions.severity_values;
            let help = match &suggestion {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("allowed values: {}", allowed.join(", ")),
            };
            let fixed = suggestion.as_deref().and_then(fix);
            let report = cx
                .report(kv.value.span, format!("{label} `{value}` of alert `{alert}` is not one of the allowed values"))
                .help(help);
            if let Some((title, edits)) = fixed {
                report.fix(title, edits);
            }
        }
        SeverityProblem::Case { usual, count } => {
            let fixed = fix(&usual);
            let report = cx.report(
                kv.value.span,
                format!("{label} `{value}` of alert `{alert}` differs only in letter case from `{usual}`, used by {count} alerts"),
            )
            .help(format!("routes match values exactly: write `{usual}`"));
            if let Some((title, edits)) = fixed {
                report.fix(title, edits);
            }
        }
        SeverityProblem::NearMiss { usual, count } => {
            let fixed = fix(&usual);
            let report = cx.report(
                kv.value.span,
                format!("{label} `{value}` of alert `{alert}` is used almost nowhere else; `{usual}` is used by {count} alerts"),
            )
            .help(format!("did you mean `{usual}`? To allow `{value}`, list the values in `severity.values`"));
            if let Some((title, edits)) = fixed {
                report.fix(title, edits);
            }
        }
    }
}
