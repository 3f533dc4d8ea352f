//! `--format json`: one document, as SPEC describes.

use serde::Serialize;

use super::Summary;
use crate::engine::FileReport;
use crate::source::Position;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<Item<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Item<'a> {
    lint: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    range: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    url: String,
}

pub fn render(reports: &[FileReport]) -> String {
    let mut diagnostics = Vec::new();
    for report in reports {
        for d in &report.diagnostics {
            diagnostics.push(Item {
                lint: d.lint,
                severity: d.severity.as_str(),
                message: &d.message,
                file: report.file.name(),
                range: Range { start: report.file.position(d.span.start), end: report.file.position(d.span.end) },
                group: d.group.as_deref(),
                rule: d.rule.as_deref(),
                help: d.help.as_deref(),
                url: crate::lints::find(d.lint).map(|m| m.url()).unwrap_or_default(),
            });
        }
    }
    let output = Output { version: 1, diagnostics, summary: Summary::of(reports) };
    serde_json::to_string_pretty(&output).unwrap_or_default() + "\n"
}
