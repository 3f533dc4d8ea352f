use crate::diagnostic::{Diagnostic, Severity};
use crate::lints::Example;
use crate::source::SourceFile;
use crate::span::Span;

crate::declare_lint! {
    /// ## What it does
    /// Notes a file named on the command line that holds YAML but no rules: no top-level
    /// `groups:`, no `PrometheusRule`, no bare list of groups or rules, no ConfigMap whose
    /// `data` holds a rule file. Files found by walking a directory are skipped silently
    /// instead; the language server does not report it either.
    ///
    /// ## Why it matters
    /// A CI job or pre-commit hook that names the wrong file would otherwise pass while checking
    /// nothing. A file that is nearly a rule file (a misspelt `grups:` key) is a `rule/schema`
    /// error instead.
    ///
    /// ## Example
    /// ```yaml
    /// replicas: 3
    /// image: { name: prometheus, tag: v3.5.0 }
    /// ```
    ///
    /// ## How to fix
    /// Name the rule files instead, or leave the file out (`exclude:` in `.alertlint.yaml`).
    ///
    /// ## Options
    /// None.
    pub static NOT_RULES = {
        id: "rule/not-rules",
        severity: Info,
        summary: "a file named on the command line holds YAML that is not a rule file",
        pass: [Example::new("groups:\n  - name: api\n    rules: []\n"), Example::new("# no rules yet\n")],
        fail: [Example::new("replicas: 3\nimage: { name: prometheus, tag: v3.5.0 }\n")],
    };
}

/// The note for a file that loaded as YAML but holds no rules; none for a
/// file with no content (Prometheus loads it as a rule file with no groups).
pub fn note(file: &SourceFile) -> Option<Diagnostic> {
    let text = file.text();
    // The first line that is neither blank nor a comment: what the file starts with.
    let mut offset = 0;
    let mut span = Span::at(0);
    for line in text.split_inclusive('\n') {
        let content = line.trim_end();
        let trimmed = content.trim_start();
        if !trimmed.is_empty() && !trimmed.starts_with('#') && trimmed != "---" {
            let start = offset + (content.len() - trimmed.len());
            span = Span::new(start, offset + content.len());
            break;
        }
        offset += line.len();
    }
    if span.is_empty() {
        return None;
    }
    let message = "file is YAML but not a rule file (no `groups:`, `PrometheusRule` or ConfigMap holding rules), so no rule was checked";
    Some(
        Diagnostic::new(NOT_RULES.id, Severity::Info, span, message)
            .help("name rule files only, or exclude this file in `.alertlint.yaml`"),
    )
}
