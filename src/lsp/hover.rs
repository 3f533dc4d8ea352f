//! Hover: the docs of the lints reporting under the cursor, and in an
//! `expr` what a function does, what a metric is (from the catalog) and what
//! a recording rule records and where.

use super::cursor::{self, Context};
use super::navigation::{self, Indexed};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::lints;
use crate::model::RuleFile;
use crate::promql;
use crate::source::SourceFile;
use crate::span::Span;

/// The Markdown shown for `offset` and the span it is about.
pub fn hover(
    file: &SourceFile,
    model: &RuleFile,
    findings: &[Diagnostic],
    offset: usize,
    catalog: Option<&Catalog>,
    files: &[Indexed],
) -> Option<(String, Span)> {
    let mut parts = Vec::new();
    let mut span: Option<Span> = None;
    let mut seen = Vec::new();
    for d in findings.iter().filter(|d| d.span.start <= offset && offset <= d.span.end) {
        if seen.contains(&d.lint) {
            continue;
        }
        seen.push(d.lint);
        if let Some(meta) = lints::find(d.lint) {
            parts.push(format!("**{}** — {}\n\n[Documentation]({})", meta.id, meta.summary, meta.url()));
            span = Some(span.map_or(d.span, |s| if d.span.len() < s.len() { d.span } else { s }));
        }
    }
    if let Some((text, token)) = token_hover(file, model, offset, catalog, files) {
        parts.push(text);
        span = Some(token);
    }
    if parts.is_empty() {
        return None;
    }
    Some((parts.join("\n\n---\n\n"), span.unwrap_or(Span::at(offset))))
}

fn token_hover(
    file: &SourceFile,
    model: &RuleFile,
    offset: usize,
    catalog: Option<&Catalog>,
    files: &[Indexed],
) -> Option<(String, Span)> {
    // The name after `record:` is the series itself.
    if let Some((name, span)) = navigation::series_at(file, model, offset) {
        return Some((series_hover(&name, catalog, files)?, span));
    }
    let at = cursor::expr_at(file, model, offset)?;
    let Context::Word { word, span, called, .. } = cursor::context(&at.value, at.cursor) else {
        return None;
    };
    let span = at.to_file(span);
    if let Some((name, doc)) = cursor::AGGREGATIONS.iter().find(|(a, _)| *a == word) {
        return Some((format!("```promql\n{name}\n```\naggregation operator: {doc}"), span));
    }
    let function = promql::lookup_function(&word).filter(|_| called)?;
    let mut text = format!("```promql\n{}\n```", promql::signature(function));
    if let Some(doc) = promql::function_doc(&word) {
        text.push_str(&format!("\n{doc}"));
    }
    if function.experimental {
        text.push_str("\n\nexperimental: needs `--enable-feature=promql-experimental-functions`");
    }
    text.push_str(&format!(
        "\n\n[Prometheus docs](https://prometheus.io/docs/prometheus/latest/querying/functions/#{word})"
    ));
    Some((text, span))
}

/// What is known about a series: its type and help from the catalog, and
/// the recording rules that record it.
pub fn series_hover(name: &str, catalog: Option<&Catalog>, files: &[Indexed]) -> Option<String> {
    let mut lines = vec![format!("```promql\n{name}\n```")];
    let mut known = false;
    if let Some(catalog) = catalog {
        if let Some(t) = catalog.metric_type(name) {
            lines.push(format!("{} metric", t.as_str()));
            known = true;
        } else if catalog.knows(name) {
            lines.push("metric (type unknown)".to_string());
            known = true;
        }
        if let Some(help) = catalog.help(name) {
            lines.push(help.to_string());
            known = true;
        }
    }
    for (f, group, rule) in navigation::definitions(files, name) {
        let expr = rule.expr.as_ref().map_or("", |e| e.value.trim());
        lines.push(format!(
            "recorded by group `{}` at {}:\n```promql\n{}\n```",
            group.name.value,
            f.where_(rule.name.span.start),
            expr
        ));
        known = true;
    }
    known.then(|| lines.join("\n\n"))
}
