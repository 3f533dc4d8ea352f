//! Re-reading a scalar's source text to learn where each part of its value
//! came from.
//!
//! saphyr-parser hands us the decoded value and a rough span, not the
//! correspondence between the two. The decoders below follow saphyr's own
//! scanning algorithm (which is libyaml's) step by step, recording a segment for
//! every stretch of output. The loader compares the decoded text with
//! saphyr's value and only trusts the map when they agree, so a mistake here
//! degrades positions inside one scalar, never the value itself.

use super::offset_map::OffsetMap;
use crate::span::Span;

/// A decoded value with its offset map.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub value: String,
    pub map: OffsetMap,
    /// Where the scalar's text ends in the file: after the closing quote of
    /// a quoted scalar (saphyr's span may run on over a trailing comment).
    pub end: usize,
}

impl Decoded {
    /// Appends `src[range]` copied verbatim.
    fn verbatim(&mut self, src: &str, start: usize, end: usize) {
        if start >= end {
            return;
        }
        let Some(text) = src.get(start..end) else {
            return;
        };
        let v = self.value.len();
        self.value.push_str(text);
        self.map.push(Span::new(v, self.value.len()), Span::new(start, end));
    }

    /// Appends text that stands for the file range `file` (an escape, a fold).
    fn synth(&mut self, text: &str, file: Span) {
        let v = self.value.len();
        self.value.push_str(text);
        self.map.push(Span::new(v, self.value.len()), file);
    }

    fn synth_char(&mut self, c: char, file: Span) {
        let mut buf = [0u8; 4];
        self.synth(c.encode_utf8(&mut buf), file);
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Length of the line break at `i` (`\r\n` counts as one), 0 if none.
fn break_len(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') | Some(b'\n') => 1,
        _ => 0,
    }
}

/// Byte length of the UTF-8 character starting with byte `b`.
fn char_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        // A continuation byte cannot start a character in a `str`; step one
        // byte so the caller always makes progress.
        _ => 1,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowStyle {
    Plain,
    Single,
    Double,
}

/// Whitespace and line breaks between two runs of content, folded the way
/// YAML flow scalars fold them.
#[derive(Default)]
struct Fold {
    /// Blanks on the current line after content (kept unless a break follows).
    whitespace: Option<(usize, usize)>,
    /// The first line break (becomes a space, or disappears before empty lines).
    leading_break: Option<Span>,
    /// Further line breaks (each becomes a newline): how many, and the file
    /// range from the first to the last. A run of them maps to that range as
    /// a whole, so memory does not grow with the number of empty lines.
    trailing_breaks: Option<(usize, Span)>,
    /// True after a line break (or an escaped one): blanks are indentation.
    leading_blanks: bool,
}

impl Fold {
    /// Consumes blanks and breaks starting at `i`, up to `limit`.
    fn consume(&mut self, bytes: &[u8], mut i: usize, limit: usize) -> usize {
        while i < limit {
            let b = bytes[i];
            if is_blank(b) {
                if !self.leading_blanks {
                    match &mut self.whitespace {
                        Some((_, end)) => *end = i + 1,
                        None => self.whitespace = Some((i, i + 1)),
                    }
                }
                i += 1;
            } else if is_break(b) {
                let n = break_len(bytes, i).max(1);
                let span = Span::new(i, i + n);
                if self.leading_blanks {
                    self.trailing_breaks = Some(match self.trailing_breaks {
                        Some((count, run)) => (count + 1, Span::new(run.start, span.end)),
                        None => (1, span),
                    });
                } else {
                    self.whitespace = None;
                    self.leading_break = Some(span);
                    self.leading_blanks = true;
                }
                i += n;
            } else {
                break;
            }
        }
        i
    }

    /// Emits the folded whitespace into `out` and resets.
    fn join(&mut self, src: &str, out: &mut Decoded) {
        if self.leading_blanks {
            // A single line break folds into a space; before empty lines
            // it disappears and each further break is a newline.
            match (self.leading_break.take(), self.trailing_breaks.take()) {
                (Some(lb), None) => out.synth(" ", lb),
                (_, Some((1, b))) => out.synth("\n", b),
                (_, Some((count, run))) => out.synth(&"\n".repeat(count), run),
                (None, None) => {}
            }
            self.leading_blanks = false;
        } else if let Some((s, e)) = self.whitespace.take() {
            out.verbatim(src, s, e);
        }
        self.whitespace = None;
    }
}

/// Decodes a plain or quoted scalar whose token starts at byte `start` (the
/// opening quote for quoted styles) and ends at `end` (exclusive; for quoted
/// styles, after the closing quote). Returns `None` when the text does not
/// have the expected shape.
/// The content range of a flow scalar written on one line without escapes
/// or doubled quotes (most scalars): its value is exactly that text, so it
/// needs no decoding. `start..end` is the token (quotes included).
pub(crate) fn verbatim_flow(src: &str, start: usize, end: usize, style: FlowStyle) -> Option<Span> {
    let bytes = src.as_bytes();
    let end = end.min(bytes.len());
    if start > end {
        return None;
    }
    let inner = match style {
        FlowStyle::Plain => start,
        FlowStyle::Single => (bytes.get(start) == Some(&b'\'')).then_some(start + 1)?,
        FlowStyle::Double => (bytes.get(start) == Some(&b'"')).then_some(start + 1)?,
    };
    simple_inner_end(bytes, inner, end, style).map(|inner_end| Span::new(inner, inner_end))
}

pub(crate) fn decode_flow(src: &str, start: usize, end: usize, style: FlowStyle) -> Option<Decoded> {
    let bytes = src.as_bytes();
    let end = end.min(bytes.len());
    if start > end {
        return None;
    }
    let mut out = Decoded::default();
    let (mut i, limit) = match style {
        FlowStyle::Plain => (start, end),
        FlowStyle::Single => {
            if bytes.get(start) != Some(&b'\'') {
                return None;
            }
            (start + 1, end)
        }
        FlowStyle::Double => {
            if bytes.get(start) != Some(&b'"') {
                return None;
            }
            (start + 1, end)
        }
    };
    // Fast path: a one-line scalar without escapes is a verbatim copy.
    if let Some(inner_end) = simple_inner_end(bytes, i, limit, style) {
        out.verbatim(src, i, inner_end);
        if out.value.is_empty() {
            out.map = OffsetMap::identity(i, 0);
        }
        out.end = if style == FlowStyle::Plain { inner_end } else { inner_end + 1 };
        return Some(out);
    }
    let mut fold = Fold::default();
    loop {
        if i >= limit {
            // Plain scalars end with their content; quoted ones must close.
            out.end = limit;
            return (style == FlowStyle::Plain).then_some(out);
        }
        // A run of non-blank characters, with escapes resolved.
        let mut run = i;
        let mut escaped_break = false;
        while i < limit && !is_blank(bytes[i]) && !is_break(bytes[i]) {
            let b = bytes[i];
            match style {
                FlowStyle::Single if b == b'\'' => {
                    if bytes.get(i + 1) == Some(&b'\'') && i + 1 < limit {
                        if fold_pending(&fold) {
                            fold.join(src, &mut out);
                        }
                        out.verbatim(src, run, i);
                        out.synth("'", Span::new(i, i + 2));
                        i += 2;
                        run = i;
                        continue;
                    }
                    break;
                }
                FlowStyle::Double if b == b'"' => break,
                FlowStyle::Double if b == b'\\' => {
                    if fold_pending(&fold) {
                        fold.join(src, &mut out);
                    }
                    out.verbatim(src, run, i);
                    let n = break_len(bytes, i + 1);
                    if n > 0 {
                        i += 1 + n;
                        run = i;
                        escaped_break = true;
                        break;
                    }
                    let (c, len) = decode_escape(src, i)?;
                    out.synth_char(c, Span::new(i, i + len));
                    i += len;
                    run = i;
                    continue;
                }
                _ => {}
            }
            if fold_pending(&fold) {
                fold.join(src, &mut out);
            }
            i += char_len(b);
        }
        out.verbatim(src, run, i.min(limit));
        if escaped_break {
            fold.leading_blanks = true;
        }
        if style != FlowStyle::Plain && !escaped_break {
            let close = if style == FlowStyle::Single { b'\'' } else { b'"' };
            if bytes.get(i) == Some(&close) {
                out.end = i + 1;
                return Some(out);
            }
        }
        if i >= limit {
            out.end = limit;
            return (style == FlowStyle::Plain).then_some(out);
        }
        i = fold.consume(bytes, i, limit);
        // Quoted scalars join immediately (whitespace before the closing
        // quote is content); plain scalars only when more content follows.
        if style != FlowStyle::Plain {
            fold.join(src, &mut out);
        }
    }
}

/// True when the fold holds whitespace that must be emitted before the next
/// content (plain scalars join lazily).
fn fold_pending(fold: &Fold) -> bool {
    fold.leading_blanks || fold.whitespace.is_some()
}

/// For a scalar on one line without escapes or doubled quotes: the end of
/// its content.
fn simple_inner_end(bytes: &[u8], start: usize, limit: usize, style: FlowStyle) -> Option<usize> {
    let region = bytes.get(start..limit)?;
    match style {
        FlowStyle::Plain => (!region.iter().any(|&b| is_break(b))).then_some(limit),
        FlowStyle::Single | FlowStyle::Double => {
            let quote = if style == FlowStyle::Single { b'\'' } else { b'"' };
            let pos =
                region.iter().position(|&b| b == quote || is_break(b) || (b == b'\\' && style == FlowStyle::Double))?;
            if region[pos] != quote {
                return None;
            }
            if style == FlowStyle::Single && region.get(pos + 1) == Some(&b'\'') {
                return None;
            }
            Some(start + pos)
        }
    }
}

/// Decodes the escape sequence at `i` (which holds `\`): the character and
/// the escape's length in bytes.
fn decode_escape(src: &str, i: usize) -> Option<(char, usize)> {
    let bytes = src.as_bytes();
    let c = *bytes.get(i + 1)?;
    let simple = match c {
        b'0' => Some('\0'),
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b't' | b'\t' => Some('\t'),
        b'n' => Some('\n'),
        b'v' => Some('\x0b'),
        b'f' => Some('\x0c'),
        b'r' => Some('\r'),
        b'e' => Some('\x1b'),
        b' ' => Some(' '),
        b'"' => Some('"'),
        b'/' => Some('/'),
        b'\\' => Some('\\'),
        b'N' => Some('\u{85}'),
        b'_' => Some('\u{a0}'),
        b'L' => Some('\u{2028}'),
        b'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch, 2));
    }
    let digits = match c {
        b'x' => 2,
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let hex = src.get(i + 2..i + 2 + digits)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 2 + digits))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

/// The parsed header of a block scalar.
#[derive(Debug)]
pub(crate) struct BlockHeader {
    pub literal: bool,
    chomping: Chomping,
    /// Explicit indentation indicator (1-9), 0 when absent.
    pub increment: usize,
    /// First byte after the header line (after its line break).
    pub body: usize,
}

/// Parses the header of a block scalar whose indicator (`|` or `>`) is at `at`.
pub(crate) fn block_header(src: &str, at: usize) -> Option<BlockHeader> {
    let bytes = src.as_bytes();
    let literal = match bytes.get(at)? {
        b'|' => true,
        b'>' => false,
        _ => return None,
    };
    let mut i = at + 1;
    let mut chomping = Chomping::Clip;
    let mut increment = 0;
    for _ in 0..2 {
        match bytes.get(i) {
            Some(b'+') if chomping == Chomping::Clip => chomping = Chomping::Keep,
            Some(b'-') if chomping == Chomping::Clip => chomping = Chomping::Strip,
            Some(d @ b'1'..=b'9') if increment == 0 => increment = usize::from(d - b'0'),
            _ => break,
        }
        i += 1;
    }
    while bytes.get(i).is_some_and(|&b| is_blank(b)) {
        i += 1;
    }
    if bytes.get(i) == Some(&b'#') {
        while bytes.get(i).is_some_and(|&b| !is_break(b)) {
            i += 1;
        }
    }
    match bytes.get(i) {
        None | Some(0) => {}
        Some(b) if is_break(*b) => i += break_len(bytes, i),
        Some(_) => return None,
    }
    Some(BlockHeader { literal, chomping, increment, body: i })
}

/// The content indentation that saphyr detects when there is no explicit
/// indicator: the largest indentation among the leading empty lines and the
/// first content line.
pub(crate) fn block_auto_indent(src: &str, header: &BlockHeader) -> usize {
    let bytes = src.as_bytes();
    let mut i = header.body;
    let mut max = 0;
    loop {
        let line_start = i;
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        max = max.max(i - line_start);
        let n = break_len(bytes, i);
        if n == 0 {
            return max;
        }
        i += n;
    }
}

/// A decoded block scalar and where its content ends in the file.
pub(crate) struct BlockDecoded {
    pub decoded: Decoded,
    /// End of the last content line (before its line break), or the end of
    /// the header line when there is no content.
    pub content_end: usize,
}

/// Decodes a block scalar's body with content indentation `indent`,
/// mirroring saphyr's `scan_block_scalar`.
pub(crate) fn decode_block(src: &str, header: &BlockHeader, indent: usize) -> BlockDecoded {
    let bytes = src.as_bytes();
    let at_end = |i: usize| i >= bytes.len() || bytes[i] == 0;
    let mut out = Decoded::default();
    let mut i = header.body;
    let mut line_start = i;
    let mut trailing: Vec<Span> = Vec::new();
    let mut content_end = header.body;

    // Eats up to `indent` spaces and any empty lines, collecting their breaks.
    let skip_indent = |i: &mut usize, line_start: &mut usize, trailing: &mut Vec<Span>| loop {
        while *i - *line_start < indent && bytes.get(*i) == Some(&b' ') {
            *i += 1;
        }
        let n = break_len(bytes, *i);
        if n == 0 {
            break;
        }
        trailing.push(Span::new(*i, *i + n));
        *i += n;
        *line_start = *i;
    };

    skip_indent(&mut i, &mut line_start, &mut trailing);
    if at_end(i) {
        if header.chomping == Chomping::Keep {
            if trailing.is_empty() && i > line_start {
                out.synth("\n", Span::at(i));
            } else {
                for b in trailing {
                    out.synth("\n", b);
                }
            }
        }
        return BlockDecoded { decoded: out, content_end };
    }

    let mut leading_break: Option<Span> = None;
    let mut leading_blank = false;
    while i - line_start == indent && !at_end(i) && !is_break(bytes[i]) {
        if indent == 0 && is_document_indicator(bytes, i) {
            break;
        }
        let trailing_blank = is_blank(bytes[i]);
        if !header.literal && leading_break.is_some() && !leading_blank && !trailing_blank {
            if trailing.is_empty() {
                if let Some(lb) = leading_break {
                    out.synth(" ", lb);
                }
            } else {
                for b in trailing.drain(..) {
                    out.synth("\n", b);
                }
            }
        } else {
            if let Some(lb) = leading_break {
                out.synth("\n", lb);
            }
            for b in trailing.drain(..) {
                out.synth("\n", b);
            }
        }
        leading_break = None;
        trailing.clear();
        leading_blank = is_blank(bytes[i]);

        let content_start = i;
        while !at_end(i) && !is_break(bytes[i]) {
            i += char_len(bytes[i]);
        }
        let i_end = i.min(bytes.len());
        out.verbatim(src, content_start, i_end);
        content_end = i_end;
        let n = break_len(bytes, i);
        if n == 0 {
            break;
        }
        leading_break = Some(Span::new(i, i + n));
        i += n;
        line_start = i;
        skip_indent(&mut i, &mut line_start, &mut trailing);
    }

    if header.chomping != Chomping::Strip {
        if let Some(lb) = leading_break {
            out.synth("\n", lb);
        }
        if at_end(i) && i - line_start >= indent.max(1) {
            out.synth("\n", Span::at(i.min(bytes.len())));
        }
    }
    if header.chomping == Chomping::Keep {
        for b in trailing {
            out.synth("\n", b);
        }
    }
    BlockDecoded { decoded: out, content_end }
}

pub(crate) fn is_document_indicator(bytes: &[u8], i: usize) -> bool {
    let Some(three) = bytes.get(i..i + 3) else {
        return false;
    };
    (three == b"---" || three == b"...") && bytes.get(i + 3).is_none_or(|&b| is_blank(b) || is_break(b) || b == 0)
}

/// Finds the `|` or `>` of a block scalar, scanning forward from `from` over
/// what may separate it from the preceding token: blanks, line breaks,
/// comments, indicators (`:`, `-`, `?`) and node properties (`&a`, `!t`).
pub(crate) fn find_block_indicator(src: &str, from: usize, limit: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let limit = limit.min(bytes.len());
    let mut i = from;
    let mut after_space = true;
    while i < limit {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                after_space = true;
                continue;
            }
            b'#' if after_space => {
                while i < limit && !is_break(bytes[i]) {
                    i += 1;
                }
            }
            b'|' | b'>' => return Some(i),
            b'&' | b'!' => {
                while i < limit && !is_blank(bytes[i]) && !is_break(bytes[i]) {
                    i += 1;
                }
            }
            b':' | b'-' | b'?' => i += 1,
            _ => return None,
        }
        after_space = false;
    }
    None
}

/// Skips node properties (anchor, tag) and the blanks, breaks and comments
/// around them, returning the start of the scalar token proper.
pub(crate) fn skip_properties(src: &str, from: usize, limit: usize) -> usize {
    let bytes = src.as_bytes();
    let limit = limit.min(bytes.len());
    let mut i = from;
    if !matches!(bytes.get(i), Some(b'&') | Some(b'!')) {
        return i;
    }
    let mut after_space = true;
    while i < limit {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                after_space = true;
                continue;
            }
            b'#' if after_space => {
                while i < limit && !is_break(bytes[i]) {
                    i += 1;
                }
            }
            b'&' | b'!' if after_space => {
                while i < limit && !is_blank(bytes[i]) && !is_break(bytes[i]) {
                    i += 1;
                }
            }
            _ => return i,
        }
        after_space = false;
    }
    i.min(limit)
}
