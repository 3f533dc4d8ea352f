//! Lints that compare selectors with what is known about metrics: saved
//! scrapes and a live Prometheus.

pub mod missing_series;
pub mod unknown;

use std::collections::HashSet;

use crate::lints::CheckedFile;
use crate::model::{Group, Rule, RuleKind};
use crate::promql::{Expr, ExprKind, MatchOp, VectorSelector, quote_label_value};
use crate::span::Span;

pub fn registrations() -> Vec<super::Registration> {
    vec![unknown::registration(), missing_series::registration()]
}

/// Series Prometheus makes itself, which no scrape shows.
const SYNTHETIC: &[&str] = &["ALERTS", "ALERTS_FOR_STATE"];

/// A selector of a rule, with what the metric lints need to report it.
pub struct Use<'a> {
    pub file: usize,
    pub group: &'a Group,
    pub rule: &'a Rule,
    pub selector: &'a VectorSelector,
    /// The whole selector, in the file.
    pub span: Span,
    /// The metric name, in the file.
    pub name_span: Span,
}

/// A set of metric names, looked up for every selector of every rule:
/// hashed with foldhash (seeded per process, as std's SipHash is, and
/// several times faster on short strings).
pub type Names<'a> = HashSet<&'a str, foldhash::fast::RandomState>;

/// Names recorded by any rule checked: they exist once the rules are
/// deployed, whatever the scrapes say.
pub fn recorded<'a>(files: &[CheckedFile<'a>]) -> Names<'a> {
    let rules =
        || files.iter().flat_map(|f| &f.model.groups).flat_map(|g| &g.rules).filter(|r| r.kind == RuleKind::Record);
    let mut recorded = Names::with_capacity_and_hasher(rules().count(), Default::default());
    recorded.extend(rules().map(|r| r.name.value.as_str()));
    recorded
}

/// Every rule's parsed expression of every file (parsed once by the engine).
pub fn parse_all<'a>(files: &'a [CheckedFile<'a>]) -> Vec<(usize, &'a Group, &'a Rule, &'a Expr)> {
    let mut out = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for (g, group) in file.model.groups.iter().enumerate() {
            for (r, rule) in group.rules.iter().enumerate() {
                if let Some(expr) = file.parsed.rule(g, r).and_then(|p| p.expr.as_deref()) {
                    out.push((index, group, rule, expr));
                }
            }
        }
    }
    out
}

/// Named selectors of `expr` whose metric is neither recorded by a checked
/// rule nor synthetic. With `skip_absent`, selectors inside `absent()` and
/// `absent_over_time()` are left out: there, no series is the point.
pub fn uses<'a>(
    file: usize,
    group: &'a Group,
    rule: &'a Rule,
    expr: &'a Expr,
    recorded: &Names<'_>,
    skip_absent: bool,
) -> Vec<Use<'a>> {
    uses_where(file, group, rule, expr, recorded, skip_absent, |_| true)
}

/// [`uses`] of the metric names that `wanted` accepts (tested first: a
/// cheap test spares the rest for the names that do not matter).
pub fn uses_where<'a>(
    file: usize,
    group: &'a Group,
    rule: &'a Rule,
    expr: &'a Expr,
    recorded: &Names<'_>,
    skip_absent: bool,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Use<'a>> {
    let Some(text) = &rule.expr else {
        return Vec::new();
    };
    let mut absent_spans = Vec::new();
    if skip_absent {
        expr.walk(|e| {
            if let ExprKind::Call(call) = &e.kind
                && matches!(call.func.name, "absent" | "absent_over_time")
            {
                absent_spans.push(e.span);
            }
        });
    }
    expr.vector_selectors()
        .filter_map(|(e, vs)| {
            let name = vs.metric_name().filter(|name| wanted(name))?;
            if recorded.contains(name)
                || SYNTHETIC.contains(&name)
                || absent_spans.iter().any(|s| s.start <= e.span.start && e.span.end <= s.end)
            {
                return None;
            }
            let name_span = vs
                .name_span
                .or_else(|| {
                    vs.matchers.iter().find(|m| m.name == "__name__" && m.op == MatchOp::Equal).map(|m| m.value_span)
                })
                .unwrap_or(e.span);
            Some(Use {
                file,
                group,
                rule,
                selector: vs,
                span: text.to_file(e.span),
                name_span: text.to_file(name_span),
            })
        })
        .collect()
}

/// The selector as a series matcher for the HTTP API (`match[]`): name and
/// matchers, without `offset` or `@`.
pub fn series_matcher(vs: &VectorSelector) -> String {
    let mut parts = Vec::new();
    let name = vs.name.as_deref();
    let legacy = |s: &str| crate::model::NameValidation::Legacy.is_valid_metric_name(s);
    let mut prefix = String::new();
    match name {
        Some(n) if legacy(n) => prefix = n.to_string(),
        Some(n) => parts.push(quote_label_value(n)),
        None => {}
    }
    for m in &vs.matchers {
        let label = if legacy(&m.name) { m.name.clone() } else { quote_label_value(&m.name) };
        parts.push(format!("{label}{}{}", m.op.as_str(), quote_label_value(&m.value)));
    }
    if parts.is_empty() {
        return prefix;
    }
    format!("{prefix}{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(q: &str) -> String {
        let expr =
            crate::promql::parse(q, &crate::promql::ParseOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        expr.vector_selectors().next().map(|(_, vs)| series_matcher(vs)).unwrap_or_default()
    }

    #[test]
    fn writes_series_matchers() {
        assert_eq!(matcher("up"), "up");
        assert_eq!(
            matcher("rate(http_requests_total{job=\"a\\\"b\",code=~\"5..\"}[5m] offset 1h)"),
            "http_requests_total{job=\"a\\\"b\",code=~\"5..\"}"
        );
        assert_eq!(matcher("{__name__=\"up\", job!=\"x\"}"), "{__name__=\"up\",job!=\"x\"}");
        assert_eq!(matcher("{\"my.metric\", \"a.b\"=\"c\"}"), "{__name__=\"my.metric\",\"a.b\"=\"c\"}");
    }
}
