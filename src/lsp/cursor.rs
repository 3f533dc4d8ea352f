//! What the cursor is on inside a rule's `expr`: a function, a metric name,
//! a label name or value. Read lexically, so that it works on expressions
//! being typed, which rarely parse.

use crate::model::{RuleFile, Text};
use crate::source::SourceFile;
use crate::span::Span;

/// An expression under the cursor, and how its offsets map to the file.
pub struct ExprAt<'a> {
    pub value: String,
    /// The cursor, as an offset in `value`.
    pub cursor: usize,
    /// The scalar the value came from; `None` when read from the line being
    /// typed (a plain scalar: offsets are the file's, from `base`).
    text: Option<&'a Text>,
    base: usize,
}

impl ExprAt<'_> {
    /// A span of `value` as a span of the file.
    pub fn to_file(&self, span: Span) -> Span {
        match self.text {
            Some(text) => text.to_file(span),
            None => Span::new(self.base + span.start, self.base + span.end),
        }
    }
}

/// The `expr` value containing the file offset `offset`: a rule's `expr`
/// scalar, or else a line `expr: ...` being typed.
pub fn expr_at<'a>(file: &SourceFile, model: &'a RuleFile, offset: usize) -> Option<ExprAt<'a>> {
    let exprs = model.groups.iter().flat_map(|g| &g.rules).filter_map(|r| r.expr.as_ref());
    for text in exprs {
        if text.span.start <= offset && offset <= text.span.end {
            let cursor = value_offset(text, offset);
            return Some(ExprAt { value: text.value.to_string(), cursor, text: Some(text), base: 0 });
        }
    }
    // A plain one-line value typed after `expr:`.
    let line = file.line_range(file.line_index(offset));
    let line_text = &file.text()[line.clone()];
    let trimmed = line_text.trim_start().trim_start_matches("- ").trim_start();
    let rest = trimmed.strip_prefix("expr:")?;
    let value_start = line.end - rest.len() + (rest.len() - rest.trim_start().len());
    if offset < value_start {
        return None;
    }
    let value = file.text()[value_start..line.end].to_string();
    Some(ExprAt { cursor: (offset - value_start).min(value.len()), value, text: None, base: value_start })
}

/// The offset in a scalar's value of a file offset inside the scalar: the
/// last value offset that maps at or before it.
fn value_offset(text: &Text, offset: usize) -> usize {
    let mut best = 0;
    for (i, _) in text.value.char_indices().chain(std::iter::once((text.value.len(), ' '))) {
        if text.map.to_file(i) <= offset {
            best = i;
        } else {
            break;
        }
    }
    best
}

/// PromQL aggregation operators, with a one-line doc each.
pub const AGGREGATIONS: &[(&str, &str)] = &[
    ("avg", "average over dimensions"),
    ("bottomk", "smallest k elements by sample value"),
    ("count", "number of elements in the vector"),
    ("count_values", "number of elements with the same value"),
    ("group", "1 for every group (all values 1)"),
    ("limit_ratio", "a deterministic sample of roughly the given ratio of elements"),
    ("limitk", "k elements, chosen deterministically"),
    ("max", "maximum over dimensions"),
    ("min", "minimum over dimensions"),
    ("quantile", "φ-quantile (0 ≤ φ ≤ 1) over dimensions"),
    ("stddev", "population standard deviation over dimensions"),
    ("stdvar", "population variance over dimensions"),
    ("sum", "sum over dimensions"),
    ("topk", "largest k elements by sample value"),
];

/// Words that are neither metrics nor functions.
pub const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "atan2",
    "inf",
    "nan",
    "Inf",
    "NaN",
];

/// What the cursor is on or after.
#[derive(Debug, PartialEq, Eq)]
pub enum Context {
    /// An identifier outside selectors' braces: a metric, function or
    /// aggregation. `span` covers the whole word in the value.
    Word { word: String, span: Span, prefix: String, called: bool },
    /// A label name inside `{...}` (of `metric`) or a `by (...)` list.
    LabelName { metric: Option<String>, prefix: String, span: Span },
    /// Inside the quotes of a label matcher's value.
    LabelValue { metric: Option<String>, label: String, prefix: String, span: Span },
    /// A string, a number, a duration: nothing to offer.
    Nothing,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

const GROUPING: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];

/// Reads `value` up to `cursor` and says what the cursor is on.
pub fn context(value: &str, cursor: usize) -> Context {
    let cursor = (0..=cursor.min(value.len())).rev().find(|i| value.is_char_boundary(*i)).unwrap_or(0);
    // Parentheses: whether each open one is a label list (`by (`).
    let mut parens: Vec<bool> = Vec::new();
    let mut brace_metric: Option<Option<String>> = None;
    let mut brackets = 0usize;
    let mut last_word = String::new();
    let mut last_label = String::new();
    let mut string: Option<(char, usize)> = None;
    let mut chars = value[..cursor].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some((quote, _)) = string {
            if c == '\\' && quote != '`' {
                chars.next();
            } else if c == quote {
                string = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => string = Some((c, i + 1)),
            '#' => {
                // A comment to the end of the line.
                while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                    chars.next();
                }
            }
            '(' => {
                parens.push(GROUPING.contains(&last_word.as_str()));
                last_word.clear();
            }
            ')' => {
                parens.pop();
                last_word.clear();
            }
            '{' => {
                let metric =
                    (!last_word.is_empty() && !GROUPING.contains(&last_word.as_str())).then(|| last_word.clone());
                brace_metric = Some(metric);
                last_word.clear();
            }
            '}' => {
                brace_metric = None;
                last_word.clear();
            }
            '[' => brackets += 1,
            ']' => brackets = brackets.saturating_sub(1),
            '=' | '!' | '~' => {
                if !last_word.is_empty() {
                    last_label = last_word.clone();
                }
            }
            c if is_word(c) => {
                // Start a new word after a non-word character.
                let previous = value[..i].chars().next_back();
                if previous.is_none_or(|p| !is_word(p)) {
                    last_word.clear();
                }
                last_word.push(c);
            }
            c if c.is_whitespace() => {}
            _ => last_word.clear(),
        }
    }
    if let Some((_, start)) = string {
        return match brace_metric {
            Some(metric) => Context::LabelValue {
                metric,
                label: last_label,
                prefix: value[start..cursor].to_string(),
                span: Span::new(start, cursor),
            },
            None => Context::Nothing,
        };
    }
    if brackets > 0 {
        return Context::Nothing;
    }
    let start = value[..cursor].char_indices().rev().take_while(|(_, c)| is_word(*c)).last().map_or(cursor, |(i, _)| i);
    let end = value[cursor..].char_indices().find(|(_, c)| !is_word(*c)).map_or(value.len(), |(i, _)| cursor + i);
    let prefix = value[start..cursor].to_string();
    if let Some(metric) = brace_metric {
        return Context::LabelName { metric, prefix, span: Span::new(start, end) };
    }
    if parens.last() == Some(&true) {
        return Context::LabelName { metric: None, prefix, span: Span::new(start, end) };
    }
    let word = value[start..end].to_string();
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return Context::Nothing;
    }
    let called = value[end..].trim_start().starts_with('(');
    Context::Word { word, span: Span::new(start, end), prefix, called }
}

/// The spans (in `value`) where `name` is used as a metric name: a word not
/// inside braces, brackets or strings, not called as a function.
pub fn metric_uses(value: &str, name: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = value[from..].find(name) {
        let start = from + i;
        let end = start + name.len();
        from = end;
        let before = value[..start].chars().next_back();
        let after = value[end..].chars().next();
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            continue;
        }
        if let Context::Word { word, called: false, .. } = context(value, end) {
            if word == name {
                found.push(Span::new(start, end));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Context {
        let cursor = text.find('|').unwrap();
        context(&text.replace('|', ""), cursor)
    }

    #[test]
    fn reads_what_the_cursor_is_on() {
        assert!(matches!(at("ra|te(x[5m])"), Context::Word { word, called: true, .. } if word == "rate"));
        assert!(
            matches!(at("sum(job:x|)"), Context::Word { word, called: false, prefix, .. } if word == "job:x" && prefix == "job:x")
        );
        assert!(
            matches!(at("up{jo|}"), Context::LabelName { metric: Some(m), prefix, .. } if m == "up" && prefix == "jo")
        );
        assert!(matches!(at("sum by (|) (up)"), Context::LabelName { metric: None, .. }));
        assert!(matches!(at("sum by (job) (u|p)"), Context::Word { word, .. } if word == "up"));
        assert!(
            matches!(at(r#"up{job="a\"p|"}"#), Context::LabelValue { label, prefix, .. } if label == "job" && prefix == "a\\\"p")
        );
        assert!(
            matches!(at("up{job=~\"x\",instance!=\"|\"}"), Context::LabelValue { label, .. } if label == "instance")
        );
        assert_eq!(at("rate(x[5|m])"), Context::Nothing);
        assert_eq!(at("x > 1|0"), Context::Nothing);
        assert!(matches!(at("|"), Context::Word { word, .. } if word.is_empty()));
    }

    #[test]
    fn finds_metric_uses_only() {
        let value = r#"job:x + rate(job:x[5m]) + job:xy + y{a="job:x"} + job:x(1)"#;
        let spans = metric_uses(value, "job:x");
        assert_eq!(spans, [Span::new(0, 5), Span::new(13, 18)]);
    }
}
