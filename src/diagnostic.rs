//! The one finding type every stage produces. Renderers live in `report`.

use crate::span::Span;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location that explains the primary one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A finding in one file. `span` is a byte range in that file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Lint id, `family/name`.
    pub lint: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Name of the rule group the finding belongs to, if any.
    pub group: Option<String>,
    /// Name of the alert or recording rule the finding belongs to, if any.
    pub rule: Option<String>,
    /// A safe, certain correction: `--fix` applies it and editors offer it.
    pub fix: Option<Fix>,
}

/// Replace the bytes at `span` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// A correction attached to a finding: its title (shown by editors) and its
/// edits, which must not overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

impl Diagnostic {
    pub fn new(lint: &'static str, severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            lint,
            severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            group: None,
            rule: None,
            fix: None,
        }
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    pub fn fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Diagnostic {
        self.fix = Some(Fix { title: title.into(), edits });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn in_group(mut self, group: impl Into<String>) -> Diagnostic {
        self.group = Some(group.into());
        self
    }

    pub fn in_rule(mut self, rule: impl Into<String>) -> Diagnostic {
        self.rule = Some(rule.into());
        self
    }
}
