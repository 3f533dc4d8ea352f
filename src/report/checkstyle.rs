//! `--format checkstyle`: Checkstyle 4.3 XML, read by Jenkins (warnings-ng),
//! GitLab/Bitbucket plugins, reviewdog and many CI dashboards.
//!
//! One `<file>` element per file checked (also for files without findings, so a
//! consumer can tell "clean" from "not checked"); `line` and `column` are
//! 1-based, the column counted in characters; `source` is `alertlint.ID`.

use std::fmt::Write as _;

use crate::diagnostic::Severity;
use crate::engine::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for report in reports {
        let _ = writeln!(out, "  <file name=\"{}\">", escape(report.file.name()));
        for d in &report.diagnostics {
            let position = report.file.position(d.span.start);
            let _ = writeln!(
                out,
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"alertlint.{}\"/>",
                position.line,
                position.column,
                severity(d.severity),
                escape(&d.message),
                escape(d.lint)
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

/// Checkstyle's severities are `error`, `warning`, `info` and `ignore`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Escapes text for an XML 1.0 attribute value. Line breaks and tabs become
/// character references (a parser would otherwise normalise them to spaces);
/// characters XML 1.0 forbids even as references become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::source::SourceFile;
    use crate::span::Span;

    fn report(name: &str, text: &str, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport::without_rules(SourceFile::new(name, text), diagnostics)
    }

    #[test]
    fn renders_files_and_errors() {
        let text = "a: é\nb: x\n";
        let d = Diagnostic::new("owner/missing", Severity::Info, Span::new(8, 9), "no <owner> & \"team\"");
        let out = render(&[report("a.yaml", text, vec![d]), report("clean.yaml", "", vec![])]);
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n  <file name=\"a.yaml\">\n    <error line=\"2\" column=\"3\" severity=\"info\" message=\"no &lt;owner&gt; &amp; &quot;team&quot;\" source=\"alertlint.owner/missing\"/>\n  </file>\n  <file name=\"clean.yaml\">\n  </file>\n</checkstyle>\n"
        );
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(escape("a\u{0}b\u{1b}c\u{FFFF}'\t\n"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}&apos;&#9;&#10;");
    }
}
