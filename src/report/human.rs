//! The default terminal output, rendered with miette: the source line, a label
//! under the exact span, and help.

use std::fmt::{self, Write as _};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use super::{Summary, escape_control, neutralise_controls};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileReport;
use crate::source::SourceFile;

/// Rendering choices: colour and width.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<std::sync::Arc<str>>,
    file: &'a SourceFile,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_control(&self.diagnostic.message))
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_control(&self.diagnostic.message))
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.help.as_ref().map(|h| Box::new(escape_control(h)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = |s: crate::span::Span| {
            let start = self.file.clamp(s.start);
            let end = self.file.clamp(s.end).max(start);
            (start, end - start)
        };
        let primary =
            LabeledSpan::new_primary_with_span(Some(short_label(self.diagnostic)), span(self.diagnostic.span));
        let secondary = self
            .diagnostic
            .labels
            .iter()
            .map(move |l| LabeledSpan::new_with_span(Some(escape_control(&l.message).into_owned()), span(l.span)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// The text under the primary span: the lint id keeps it short; the message is above.
fn short_label(d: &Diagnostic) -> String {
    d.lint.to_string()
}

/// Renders every finding, then a summary line.
pub fn render(reports: &[FileReport], style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false).with_urls(false);
    let mut out = String::new();
    for report in reports {
        // Names and text come from the user's files: no raw control
        // characters reach the terminal (byte offsets are unchanged).
        let name = escape_control(report.file.name());
        let text: std::sync::Arc<str> = match neutralise_controls(report.file.text()) {
            std::borrow::Cow::Borrowed(_) => report.file.text_arc(),
            std::borrow::Cow::Owned(safe) => safe.into(),
        };
        for diagnostic in &report.diagnostics {
            let rendered = Rendered {
                diagnostic,
                source: NamedSource::new(name.as_ref(), text.clone()).with_language("yaml"),
                file: &report.file,
            };
            let position = report.file.position(diagnostic.span.start);
            let _ = writeln!(
                out,
                "{}:{}:{}: {} [{}]",
                name, position.line, position.column, diagnostic.severity, diagnostic.lint
            );
            if handler.render_report(&mut out, &rendered).is_err() {
                let _ = writeln!(out, "  {}", escape_control(&diagnostic.message));
            }
        }
    }
    out.push_str(&summary_line(&Summary::of(reports)));
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

pub fn summary_line(s: &Summary) -> String {
    let scope = format!("{} ({} checked)", plural(s.files, "file"), plural(s.rules, "rule"));
    if s.error + s.warning + s.info == 0 {
        return format!("No problems found in {scope}.\n");
    }
    let infos = if s.info == 1 { "1 info".to_string() } else { format!("{} infos", s.info) };
    format!("Found {}, {}, {infos} in {scope}.\n", plural(s.error, "error"), plural(s.warning, "warning"))
}
