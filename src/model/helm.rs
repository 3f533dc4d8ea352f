//! Helm chart templates: rule files with `{{ ... }}` directives at the YAML
//! level (`{{- if .Values.alerts }}`, `name: {{ .Release.Name }}`), which no
//! YAML parser reads. The directives are blanked out, keeping every line and
//! column, so the rest of the file is checked with its own positions.
//!
//! A directive whose whole content is a string literal is Helm's way of
//! writing braces into the output (``{{`{{ $labels.job }}`}}``,
//! `{{ "{{" }}`): it is replaced by the literal's text, padded with spaces.

/// The text with Helm directives blanked, or `None` when it has none.
pub fn blank_directives(text: &str) -> Option<String> {
    if !text.contains("{{") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut changed = false;
    while let Some(found) = text[at..].find("{{") {
        let start = at + found;
        let Some(end) = directive_end(text, start) else { break };
        out.push_str(&text[at..start]);
        let directive = &text[start..end];
        match literal_content(directive) {
            Some(literal) if !literal.contains('\n') => {
                out.push_str(literal);
                pad(&mut out, &directive[literal.len()..]);
            }
            _ => pad(&mut out, directive),
        }
        changed = true;
        at = end;
    }
    if !changed {
        return None;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Spaces for every character of `s`, its line breaks kept.
fn pad(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(c),
            // Keep byte offsets: one space per byte of the character.
            _ => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
        }
    }
}

/// The offset just past the `}}` closing the directive opened at `start`,
/// skipping string literals inside it.
fn directive_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start + 2;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'}' if bytes[i + 1] == b'}' => return Some(i + 2),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The text of a directive that is only a string literal: ``{{`x`}}``,
/// `{{ "x" }}`, with optional `-` trim markers.
fn literal_content(directive: &str) -> Option<&str> {
    let inner = directive.strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix('-').unwrap_or(inner).trim_start();
    let inner = inner.strip_suffix('-').unwrap_or(inner).trim_end();
    let quote = inner.chars().next()?;
    if !matches!(quote, '`' | '"') || inner.len() < 2 || !inner.ends_with(quote) {
        return None;
    }
    let content = &inner[1..inner.len() - 1];
    if quote == '"' && content.contains(['\\', '"']) {
        return None;
    }
    if content.contains(quote) {
        return None;
    }
    Some(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_become_spaces_with_lines_kept() {
        let text = "{{- if .Values.enabled }}\ngroups:\n  - name: {{ .Release.Name }}\n{{- end }}\n";
        let blanked = blank_directives(text).unwrap();
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert_eq!(blanked.lines().nth(1), Some("groups:"));
        assert!(blanked.lines().next().unwrap().trim().is_empty());
    }

    #[test]
    fn escaped_alert_templates_are_kept() {
        let text = "summary: {{`{{ $labels.job }}`}} is down\n";
        let blanked = blank_directives(text).unwrap();
        assert_eq!(blanked.len(), text.len());
        assert!(blanked.starts_with("summary: {{ $labels.job }}"), "{blanked}");
        assert!(blanked.ends_with("is down\n"));
        let text = "x: {{ \"{{\" }} $value {{ \"}}\" }}\n";
        assert_eq!(
            blank_directives(text).unwrap().split_whitespace().collect::<Vec<_>>(),
            ["x:", "{{", "$value", "}}"]
        );
    }

    #[test]
    fn text_without_directives_is_left_alone() {
        assert_eq!(blank_directives("groups: []\n"), None);
    }
}
