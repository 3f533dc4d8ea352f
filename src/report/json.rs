//! `--format json`: one document, as SPEC describes.

use std::io::{self, Write};

use serde::Serialize;

use super::Summary;
use crate::engine::FileReport;
use crate::source::Position;

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

/// The whole document as a string (tests, the fuzzer).
pub fn render(reports: &[FileReport]) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out, reports);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes the document one finding at a time: a run with millions of
/// findings never holds its whole report in memory.
pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    out.write_all(b"{\n  \"version\": 1,\n  \"diagnostics\": [")?;
    let mut first = true;
    for report in reports {
        for d in &report.diagnostics {
            let item = Item {
                lint: d.lint,
                severity: d.severity.as_str(),
                message: &d.message,
                file: report.file.name(),
                range: Range { start: report.file.position(d.span.start), end: report.file.position(d.span.end) },
                group: d.group.as_deref(),
                rule: d.rule.as_deref(),
                help: d.help.as_deref(),
                url: crate::lints::find(d.lint).map(|m| m.url()).unwrap_or_default(),
            };
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            first = false;
            serde_json::to_writer(&mut *out, &item)?;
        }
    }
    out.write_all(if first { b"],\n  \"summary\": " } else { b"\n  ],\n  \"summary\": " })?;
    serde_json::to_writer(&mut *out, &Summary::of(reports))?;
    out.write_all(b"\n}\n")
}
