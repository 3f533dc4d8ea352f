//! Accepting what Go's yaml.v3 accepts where saphyr is stricter.
//!
//! Prometheus reads rule files with yaml.v3 (a port of libyaml). Two things
//! that libyaml accepts and saphyr rejects occur in real rule files:
//!
//! - a multi-line quoted scalar whose continuation lines are not indented
//!   more than its key (`description: "...\n  more"` at the key's column);
//! - the escape `\'` in a double-quoted scalar.
//!
//! When saphyr reports one of these, the text is patched (continuation lines
//! indented; `\'` written as the equivalent `\x27`, so the value is the same)
//! and parsed again; every position is then translated back to the original
//! text. One scan finds every scalar to patch, so a file is parsed at most
//! twice in the common case; when the scan is unsure, scalars are patched one
//! at a time, a bounded number of times.

use crate::span::Span;

/// One replacement in the original text.
#[derive(Clone, Debug)]
pub(crate) struct Edit {
    pub orig: Span,
    pub replacement: std::borrow::Cow<'static, str>,
}

/// The patched text and the means to translate its offsets back.
pub(crate) struct Patched {
    pub text: String,
    /// (modified start, modified end, original span) per edit, sorted.
    points: Vec<(usize, usize, Span)>,
}

impl Patched {
    pub fn new(original: &str, edits: &[Edit]) -> Patched {
        let mut edits: Vec<&Edit> = edits.iter().collect();
        edits.sort_by_key(|e| (e.orig.start, e.orig.end));
        let mut text = String::with_capacity(original.len() + edits.iter().map(|e| e.replacement.len()).sum::<usize>());
        let mut points = Vec::with_capacity(edits.len());
        let mut at = 0;
        for e in edits {
            if e.orig.start < at || e.orig.end > original.len() {
                continue;
            }
            text.push_str(&original[at..e.orig.start]);
            let start = text.len();
            text.push_str(&e.replacement);
            points.push((start, text.len(), e.orig));
            at = e.orig.end;
        }
        text.push_str(&original[at..]);
        Patched { text, points }
    }

    /// The original offset of modified offset `m`. Offsets inside a
    /// replacement map to the start of the replaced text; its end maps to the
    /// end of the replaced text.
    pub fn to_original(&self, m: usize) -> usize {
        let i = self.points.partition_point(|&(start, _, _)| start <= m);
        if i == 0 {
            return m;
        }
        let (_, end, orig) = self.points[i - 1];
        if m < end { orig.start } else { orig.end + (m - end) }
    }

    pub fn span_to_original(&self, span: Span) -> Span {
        let start = self.to_original(span.start);
        Span::new(start, self.to_original(span.end).max(start))
    }
}

/// The extent of the quoted scalar starting at `quote` (the offset of `"` or
/// `'`): the offset just after its closing quote.
fn quoted_end(text: &str, quote: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let q = *bytes.get(quote)?;
    let mut i = quote + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q == b'"' => i += 2,
            b'\'' if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == q => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Edits that indent the continuation lines of the quoted scalar at `quote`
/// past its opening quote's column.
pub(crate) fn indent_quoted(text: &str, quote: usize) -> Vec<Edit> {
    let Some(end) = quoted_end(text, quote) else {
        return Vec::new();
    };
    let line_start = text[..quote].rfind('\n').map_or(0, |i| i + 1);
    let quote_col = text[line_start..quote].chars().count();
    let bytes = text.as_bytes();
    let mut edits = Vec::new();
    let mut i = quote;
    while i < end {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            let ls = i + 1;
            let mut indent = 0;
            while ls + indent < end && bytes[ls + indent] == b' ' {
                indent += 1;
            }
            // Lines with no content (only a line break) need no indentation.
            let empty = ls + indent >= end || matches!(bytes[ls + indent], b'\n' | b'\r');
            if indent <= quote_col && !empty {
                edits.push(Edit { orig: Span::at(ls), replacement: spaces(quote_col + 1 - indent) });
            }
        }
        i += 1;
    }
    edits
}

/// `n` spaces, without allocating for the usual small counts.
fn spaces(n: usize) -> std::borrow::Cow<'static, str> {
    const SPACES: &str = "                                                                ";
    match SPACES.get(..n) {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(" ".repeat(n)),
    }
}

/// Edits that rewrite `\'` in the double-quoted scalar at `quote` as `\x27`.
pub(crate) fn rewrite_quote_escapes(text: &str, quote: usize) -> Vec<Edit> {
    if text.as_bytes().get(quote) != Some(&b'"') {
        return Vec::new();
    }
    let Some(end) = quoted_end(text, quote) else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut edits = Vec::new();
    let mut i = quote + 1;
    while i + 1 < end {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == b'\'' {
                edits.push(Edit { orig: Span::new(i, i + 2), replacement: std::borrow::Cow::Borrowed("\\x27") });
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    edits
}

/// Every patch the file may need, found in one scan: `\'` in each
/// double-quoted scalar and under-indented continuation lines of each
/// multi-line quoted scalar. Quoted scalars are recognised by where they
/// start (after indentation, `: `, `- `, `[`, `{` or `,`); comments and block
/// scalars are skipped. The loader checks afterwards that every edit landed
/// inside a quoted scalar, and otherwise patches one scalar at a time.
pub(crate) fn scan_all(text: &str) -> Vec<Edit> {
    let bytes = text.as_bytes();
    let line_end = |from: usize| text[from..].find('\n').map_or(bytes.len(), |n| from + n);
    let mut edits = Vec::new();
    let mut i = 0;
    let mut at_line_start = true;
    let mut line_indent = 0;
    // Indentation of the line that opened a block scalar; deeper lines are its content.
    let mut block_parent: Option<usize> = None;
    // The previous byte that matters for where a quoted scalar may start.
    let mut prev = b'\n';
    while i < bytes.len() {
        if at_line_start {
            at_line_start = false;
            let mut indent = 0;
            while bytes.get(i + indent) == Some(&b' ') {
                indent += 1;
            }
            let end = line_end(i);
            if let Some(parent) = block_parent {
                if text[i..end].trim().is_empty() || indent > parent {
                    i = end + 1;
                    at_line_start = true;
                    continue;
                }
                block_parent = None;
            }
            line_indent = indent;
            i += indent;
            prev = b'\n';
            continue;
        }
        let b = bytes[i];
        match b {
            b'\n' => {
                at_line_start = true;
                i += 1;
            }
            b'#' if matches!(prev, b' ' | b'\t' | b'\n') => i = line_end(i),
            b'"' | b'\'' if matches!(prev, b'\n' | b' ' | b'\t' | b'[' | b'{' | b',') => {
                let Some(end) = quoted_end(text, i) else {
                    return edits;
                };
                if b == b'"' {
                    edits.extend(rewrite_quote_escapes(text, i));
                }
                if text[i..end].contains('\n') {
                    edits.extend(indent_quoted(text, i));
                }
                i = end;
                prev = b'"';
            }
            b'|' | b'>' if matches!(prev, b' ' | b'\n') && is_block_header(&text[i..line_end(i)]) => {
                block_parent = Some(line_indent);
                i = line_end(i);
            }
            _ => {
                prev = b;
                i += 1;
            }
        }
    }
    edits
}

/// Whether `rest` (from `|` or `>` to the end of the line) is a block scalar
/// header: indicators, then nothing but an optional comment.
fn is_block_header(rest: &str) -> bool {
    let after = rest[1..].trim_start_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    let after = after.trim_start();
    after.is_empty() || after.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_offsets_back() {
        let original = "ab\ncd";
        let p = Patched::new(original, &[Edit { orig: Span::at(3), replacement: "  ".into() }]);
        assert_eq!(p.text, "ab\n  cd");
        assert_eq!(p.to_original(0), 0);
        assert_eq!(p.to_original(3), 3);
        assert_eq!(p.to_original(4), 3);
        assert_eq!(p.to_original(5), 3);
        assert_eq!(p.to_original(6), 4);
        let p = Patched::new("\"a\\'b\"", &rewrite_quote_escapes("\"a\\'b\"", 0));
        assert_eq!(p.text, "\"a\\x27b\"");
        assert_eq!(p.span_to_original(Span::new(2, 6)), Span::new(2, 4));
        assert_eq!(p.to_original(6), 4);
    }
}
