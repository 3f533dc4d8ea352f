//! The classic matcher syntax (Alertmanager's `pkg/labels` parser), used by
//! every Alertmanager up to 0.26 and still the fallback after it.
//!
//! Tolerant by design: braces optional, values optionally double-quoted,
//! spurious backslashes kept literally. Label names must be Prometheus label
//! names (`[a-zA-Z_:][a-zA-Z0-9_:]*`).

use super::matcher::{MatchOp, Matcher};
use super::parse_utf8::MatcherError;
use crate::span::Span;

/// Parses a comma-separated list such as `{foo="bar", baz=~"q.*"}`.
///
/// Splits on commas outside double quotes (a `\"` does not toggle quoting),
/// drops one trailing empty item, then parses each item.
pub fn parse_matchers(input: &str) -> Result<Vec<Matcher>, MatcherError> {
    let (body, body_start) = strip_braces(input);
    let mut items: Vec<(usize, &str)> = Vec::new();
    let mut inside_quotes = false;
    let mut escaped = false;
    let mut item_start = 0;
    for (i, c) in body.char_indices() {
        match c {
            ',' if !inside_quotes => {
                items.push((item_start, &body[item_start..i]));
                item_start = i + 1;
                continue;
            }
            // Upstream leaves the escape state alone on a quoted comma.
            ',' => {}
            '"' => {
                if escaped {
                    escaped = false;
                } else {
                    inside_quotes = !inside_quotes;
                }
            }
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
    }
    // Only the last item is trimmed (of Unicode spaces), as upstream does.
    let last = &body[item_start..];
    let trimmed = last.trim();
    if !trimmed.is_empty() {
        let lead = last.len() - last.trim_start().len();
        items.push((item_start + lead, trimmed));
    }
    let mut out = Vec::with_capacity(items.len());
    for (start, item) in items {
        let at = body_start + start;
        let m = parse_matcher(item).map_err(|e| e.shifted(at))?;
        let span = m.span.shift(at);
        out.push(m.with_span(span));
    }
    Ok(out)
}

fn strip_braces(input: &str) -> (&str, usize) {
    let (s, start) = match input.strip_prefix('{') {
        Some(rest) => (rest, 1),
        None => (input, 0),
    };
    (s.strip_suffix('}').unwrap_or(s), start)
}

/// Go's `\s` (RE2 Perl class): ASCII space, tab, newline, form feed, carriage return.
fn is_go_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Parses one matcher, `name op value`. Spans in errors and on the matcher
/// are byte ranges into `input`.
pub fn parse_matcher(input: &str) -> Result<Matcher, MatcherError> {
    let bad_format = || MatcherError::new(format!("bad matcher format: {input}"), Span::new(0, input.len()));
    let name_start = input.len() - input.trim_start_matches(is_go_space).len();
    let rest = &input[name_start..];
    if !rest.starts_with(is_name_start) {
        return Err(bad_format());
    }
    let name_len = rest.find(|c| !is_name_char(c)).unwrap_or(rest.len());
    let name = &rest[..name_len];
    let after_name = rest[name_len..].trim_start_matches(is_go_space);
    // `=~` before `=`, as the upstream regex's alternation orders them.
    let (op, op_len) = if after_name.starts_with("=~") {
        (MatchOp::Regex, 2)
    } else if after_name.starts_with('=') {
        (MatchOp::Equal, 1)
    } else if after_name.starts_with("!=") {
        (MatchOp::NotEqual, 2)
    } else if after_name.starts_with("!~") {
        (MatchOp::NotRegex, 2)
    } else {
        return Err(bad_format());
    };
    let after_op = &after_name[op_len..];
    let raw = after_op.trim_start_matches(is_go_space).trim_end_matches(is_go_space);
    let raw_start = input.len() - after_op.trim_start_matches(is_go_space).len();
    let raw_span = Span::new(raw_start, raw_start + raw.len());

    let value = unescape(raw)
        .map_err(|()| MatcherError::new(format!("matcher value contains unescaped double quote: {raw}"), raw_span))?;
    let end = raw_span.end;
    Matcher::new(op, name, value)
        .map(|m| m.with_span(Span::new(name_start, end)))
        .map_err(|e| MatcherError::new(e.to_string(), raw_span))
}

/// OpenMetrics-style unescaping of the value token: `\"`, `\n`, `\\`; any
/// other backslash is literal. A leading `"` must be closed by a final `"`;
/// any other unescaped `"` is an error.
fn unescape(raw: &str) -> Result<String, ()> {
    let (body, mut expect_trailing_quote) = match raw.strip_prefix('"') {
        Some(rest) => (rest, true),
        None => (raw, false),
    };
    let mut value = String::with_capacity(body.len());
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        let is_last = i + c.len_utf8() == body.len();
        if escaped {
            escaped = false;
            match c {
                'n' => value.push('\n'),
                '"' | '\\' => value.push(c),
                other => {
                    value.push('\\');
                    value.push(other);
                }
            }
            continue;
        }
        match c {
            '\\' if !is_last => escaped = true,
            '\\' => value.push('\\'),
            '"' => {
                if !expect_trailing_quote || !is_last {
                    return Err(());
                }
                expect_trailing_quote = false;
            }
            other => value.push(other),
        }
    }
    if expect_trailing_quote {
        return Err(());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> (String, MatchOp, String) {
        let m = parse_matcher(s).unwrap();
        (m.name, m.op, m.value)
    }

    #[test]
    fn tolerant_forms() {
        assert_eq!(one("foo=bar"), ("foo".into(), MatchOp::Equal, "bar".into()));
        assert_eq!(one("  foo =~ \"a.*\"  "), ("foo".into(), MatchOp::Regex, "a.*".into()));
        assert_eq!(one("foo="), ("foo".into(), MatchOp::Equal, "".into()));
        assert_eq!(one(r"foo=a\b"), ("foo".into(), MatchOp::Equal, r"a\b".into()));
        assert_eq!(one(r"foo=a\"), ("foo".into(), MatchOp::Equal, r"a\".into()));
    }

    #[test]
    fn errors() {
        assert!(parse_matcher("foo").is_err());
        assert!(parse_matcher("1foo=bar").is_err());
        assert!(parse_matcher("foo=\"bar").is_err());
        assert!(parse_matcher("foo=~\"[\"").is_err());
    }

    #[test]
    fn list_spans_point_into_input() {
        let ms = parse_matchers("{a=1, b=\"x,y\"}").unwrap();
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[1].value, "x,y");
        assert_eq!(ms[1].span, Span::new(6, 13));
    }

    #[test]
    fn escaped_state_survives_a_quoted_comma() {
        // `\` then a quoted `,` leaves the next `"` escaped: one item, and
        // its value holds an unescaped quote.
        assert!(parse_matchers(r#"foo="a\,",bar=b"#).is_err());
        assert_eq!(parse_matchers(r#"foo="a,b",bar=b"#).unwrap().len(), 2);
    }
}
