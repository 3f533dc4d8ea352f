//! Renderers, one file per output format. Lints know nothing about output.

pub mod checkstyle;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::diagnostic::Severity;
use crate::engine::FileReport;

/// Counts shown at the end of every format that has a summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub rules: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut summary = Summary { files: reports.len(), ..Summary::default() };
        for report in reports {
            summary.rules += report.rule_count();
            for d in &report.diagnostics {
                match d.severity {
                    Severity::Error => summary.error += 1,
                    Severity::Warning => summary.warning += 1,
                    Severity::Info => summary.info += 1,
                }
            }
        }
        summary
    }
}

/// The output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
    Checkstyle,
}

/// Text for a terminal: control characters (escape sequences, carriage
/// returns, backspaces, C1 controls) written as `\u{1b}`, so that a rule
/// file or a server's error body cannot set the window title, clear the
/// screen or overwrite earlier lines. Newlines and tabs are kept.
pub fn escape_control(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// A file's text made safe to show in a terminal without moving any byte
/// offset: a lone carriage return becomes a newline (it ends a line, as the
/// line table counts it), other one-byte controls become `?`, and two-byte C1
/// controls become `¿`.
pub fn neutralise_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    let unsafe_at = |(i, c): (usize, char)| (is_unsafe_control(c) && c != '\r') || (c == '\r' && lone_cr(i));
    if !text.char_indices().any(unsafe_at) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '\r' if lone_cr(i) => out.push('\n'),
            '\r' | '\n' | '\t' => out.push(c),
            c if c.is_control() && c.len_utf8() == 1 => out.push('?'),
            c if c.is_control() => out.push('\u{bf}'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A message on one line, for line-oriented formats.
pub fn one_line(message: &str) -> std::borrow::Cow<'_, str> {
    if message.contains(['\n', '\r']) {
        message.replace("\r\n", " ").replace(['\n', '\r'], " ").into()
    } else {
        message.into()
    }
}

#[cfg(test)]
mod control_tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_offsets_kept() {
        assert_eq!(
            escape_control("X\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nok\tend"),
            "X\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{d}\nok\tend"
        );
        assert_eq!(escape_control("plain"), "plain");
        let text = "a\u{1b}b\rc\r\nd\u{9b}e";
        let safe = neutralise_controls(text);
        assert_eq!(safe, "a?b\nc\r\nd\u{bf}e");
        assert_eq!(safe.len(), text.len());
    }
}
