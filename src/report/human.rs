//! The default terminal output, rendered with miette: the source line, a label
//! under the exact span, and help.

use std::fmt::{self, Write as _};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};

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
    source: Snippets<'a>,
    file: &'a SourceFile,
}

/// The file as miette reads it: only the lines around a span, found through
/// the file's line index. miette's own `SourceCode` for strings scans from the
/// start of the file for every span, which made many findings in one large
/// file quadratic.
///
/// Shown text holds no raw control characters: a file's escape sequences
/// reach the terminal as `?` (see `neutralise_controls`; offsets unchanged).
struct Snippets<'a>(&'a SourceFile, Option<&'a str>);

impl miette::SourceCode for Snippets<'_> {
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let file = self.0;
        let start = span.offset();
        let end = start.checked_add(span.len()).ok_or(miette::MietteError::OutOfBounds)?;
        if end > file.text().len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let first_line = file.line_index(start).saturating_sub(context_lines_before);
        // An empty span at the end of a line still shows that line only.
        let last_of_span = file.line_index(if end > start { end - 1 } else { end });
        let last_line = (last_of_span + context_lines_after).min(file.line_count() - 1);
        let line_start = file.line_range(first_line).start;
        // Without context, the data starts at the span, as miette's own
        // sources do (the header shows its line and column).
        let (data_start, column) = if context_lines_before == 0 {
            (start, file.text()[line_start..start].chars().count())
        } else {
            (line_start, 0)
        };
        let data_end = file.line_range(last_line).end.max(end);
        let text = self.1.unwrap_or(file.text());
        let data = &text.as_bytes()[data_start..data_end];
        Ok(Box::new(miette::MietteSpanContents::new_named(
            super::escape_control(file.name()).into_owned(),
            data,
            (data_start, data_end - data_start).into(),
            first_line,
            column,
            last_line - first_line + 1,
        )))
    }
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
        snippet_fits(self.file, self.diagnostic).then_some(&self.source as &dyn miette::SourceCode)
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

/// Longest source line shown under a finding. Longer lines (a generated
/// expression on one line) are not drawn: the snippet would be unreadable,
/// and miette cannot pad past 65,535 columns.
const MAX_SNIPPET_LINE: usize = 1_000;

/// Whether every line a snippet of `d` would show (its spans and one line of
/// context around each) is short enough to draw.
fn snippet_fits(file: &SourceFile, d: &Diagnostic) -> bool {
    let spans = std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span));
    spans.into_iter().all(|span| {
        let first = file.line_index(file.clamp(span.start)).saturating_sub(1);
        let last = (file.line_index(file.clamp(span.end)) + 1).min(file.line_count().saturating_sub(1));
        (first..=last).all(|line| file.line_range(line).len() <= MAX_SNIPPET_LINE)
    })
}

/// The text under the primary span: the lint id keeps it short; the message is above.
fn short_label(d: &Diagnostic) -> String {
    d.lint.to_string()
}

/// Renders every finding, then a summary line.
pub fn render(reports: &[FileReport], style: Style) -> String {
    let mut out = Vec::new();
    let mut renderer = Renderer::new(style);
    for report in reports {
        let _ = renderer.write_file(&mut out, report);
    }
    out.extend_from_slice(summary_line(&Summary::of(reports)).as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes findings file by file, so output starts before the last file is
/// rendered and is never held whole in memory.
pub struct Renderer {
    handler: GraphicalReportHandler,
    buffer: String,
}

impl Renderer {
    pub fn new(style: Style) -> Renderer {
        let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler =
            GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false).with_urls(false);
        Renderer { handler, buffer: String::new() }
    }

    /// Writes one file's findings.
    pub fn write_file(&mut self, out: &mut dyn std::io::Write, report: &FileReport) -> std::io::Result<()> {
        if report.diagnostics.is_empty() {
            return Ok(());
        }
        // Names and text come from the user's files: no raw control
        // characters reach the terminal.
        let name = escape_control(report.file.name());
        let safe = neutralise_controls(report.file.text());
        let safe_text = match &safe {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(text) => Some(text.as_str()),
        };
        for diagnostic in &report.diagnostics {
            let rendered = Rendered { diagnostic, source: Snippets(&report.file, safe_text), file: &report.file };
            let position = report.file.position(diagnostic.span.start);
            self.buffer.clear();
            let _ = writeln!(
                self.buffer,
                "{}:{}:{}: {} [{}]",
                name, position.line, position.column, diagnostic.severity, diagnostic.lint
            );
            if self.handler.render_report(&mut self.buffer, &rendered).is_err() {
                let _ = writeln!(self.buffer, "  {}", escape_control(&diagnostic.message));
            }
            out.write_all(self.buffer.as_bytes())?;
        }
        Ok(())
    }
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
