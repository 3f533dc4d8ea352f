//! `--format github`: GitHub Actions workflow commands, which the runner turns
//! into annotations on the pull request's diff:
//! `::warning file=F,line=L,col=C,endLine=L2,endColumn=C2,title=alertlint (ID)::message`.
//!
//! Columns count characters and are 1-based, like the human and JSON output;
//! `endLine`/`endColumn` is the JSON output's `end` (one past the span, as
//! ruff's GitHub output has it). Columns are left out when the span crosses lines, because GitHub ignores columns
//! on multi-line annotations. Values are escaped as GitHub's toolkit does
//! (`@actions/core`'s `escapeData`/`escapeProperty`).

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileReport;
use crate::source::SourceFile;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            out.push_str(&command(&report.file, diagnostic));
            out.push('\n');
        }
    }
    out
}

/// The workflow command names for each severity.
pub fn command_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn command(file: &SourceFile, d: &Diagnostic) -> String {
    let start = file.position(d.span.start);
    let end = file.position(d.span.end.max(d.span.start));
    let mut properties = format!("file={},line={}", escape_property(file.name()), start.line);
    if start.line == end.line {
        let _ = write!(properties, ",col={}", start.column);
    }
    let _ = write!(properties, ",endLine={}", end.line);
    if start.line == end.line {
        let _ = write!(properties, ",endColumn={}", end.column);
    }
    let _ = write!(properties, ",title={}", escape_property(&format!("alertlint ({})", d.lint)));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{} {}::{}", command_name(d.severity), properties, escape_data(&message))
}

/// Escapes a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property's value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn render_one(name: &str, text: &str, d: Diagnostic) -> String {
        render(&[FileReport::without_rules(SourceFile::new(name, text), vec![d])])
    }

    #[test]
    fn one_line_spans_have_columns() {
        let text = "groups:\n  - name: é x\n";
        let start = text.find('x').unwrap();
        let out = render_one(
            "rules/a.yaml",
            text,
            Diagnostic::new("owner/missing", Severity::Warning, Span::new(start, start + 1), "no owner"),
        );
        assert_eq!(
            out,
            "::warning file=rules/a.yaml,line=2,col=13,endLine=2,endColumn=14,title=alertlint (owner/missing)::no owner\n"
        );
    }

    #[test]
    fn multi_line_spans_drop_columns() {
        let text = "a: 1\nb: 2\n";
        let out = render_one("f.yaml", text, Diagnostic::new("yaml/syntax", Severity::Error, Span::new(0, 7), "bad"));
        assert_eq!(out, "::error file=f.yaml,line=1,endLine=2,title=alertlint (yaml/syntax)::bad\n");
    }

    #[test]
    fn messages_and_properties_are_escaped() {
        let d =
            Diagnostic::new("record/naming", Severity::Info, Span::new(0, 1), "50% of\r\nthe: a,b").help("rename it");
        let out = render_one("dir,x/a:b%.yaml", "a", d);
        assert_eq!(
            out,
            "::notice file=dir%2Cx/a%3Ab%25.yaml,line=1,col=1,endLine=1,endColumn=2,title=alertlint (record/naming)::50%25 of%0D%0Athe: a,b%0Ahelp: rename it\n"
        );
    }

    #[test]
    fn an_empty_span_is_a_point() {
        let out = render_one("f.yaml", "ab\n", Diagnostic::new("rule/schema", Severity::Error, Span::at(2), "x"));
        assert!(out.contains("line=1,col=3,endLine=1,endColumn=3,"), "{out}");
    }
}
