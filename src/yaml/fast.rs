//! A direct loader for the block-style YAML that nearly all rule files use.
//!
//! saphyr-parser turns text into tokens, tokens into events, and the builder
//! turns events into the tree: three passes and an allocation per token. Rule
//! files use a small part of YAML — block mappings and sequences, plain and
//! quoted scalars, block scalars, comments, `---` between documents — so this
//! loader reads that part straight into the tree the builder would give, in
//! one pass over the bytes. Scalars are decoded by the same functions the
//! builder uses (`scalar`), so values and offset maps are the same.
//!
//! Anything outside that part, or anything that is not valid YAML, makes it
//! give up (`None`) and the file is loaded by saphyr as before: anchors,
//! aliases, tags, flow collections other than `[]` and `{}`, explicit keys,
//! directives, tabs, carriage returns, control characters, duplicate keys,
//! merge keys, explicit block-scalar indentation, odd indentation. Errors and
//! their messages therefore always come from the builder. Every repository
//! and corpus file, and the fuzzer's inputs, are checked to give the same
//! tree both ways (`tests::same_tree_as_the_builder`).

use std::ops::Range;

use compact_str::CompactString;

use super::scalar::{self, FlowStyle};
use super::{Document, Limits, Node, NodeKind, OffsetMap, Scalar, ScalarStyle};
use crate::span::Span;

/// Deeper nesting is left to the builder, which has no recursion; rule files
/// nest about eight levels.
const MAX_DEPTH: usize = 64;

/// saphyr rejects implicit keys longer than 1024 characters; longer keys are
/// left to it.
const MAX_KEY_BYTES: usize = 1000;

/// Loads `text[range]` (positions in `text`) when it stays inside the subset
/// described above; `None` otherwise.
pub(super) fn load(text: &str, range: Range<usize>, limits: &Limits) -> Option<Vec<Document>> {
    let bytes = text.as_bytes();
    let part = bytes.get(range.clone())?;
    if !plain_characters(part) {
        return None;
    }
    // A part must start at a line start: columns are counted from there.
    if range.start > 0 && bytes.get(range.start - 1) != Some(&b'\n') {
        return None;
    }
    let mut loader = Loader {
        text,
        bytes,
        start: range.start,
        end: range.end,
        depth: 0,
        max_depth: limits.max_depth.min(MAX_DEPTH),
        map_buffers: Vec::new(),
        seq_buffers: Vec::new(),
        last_line_end: std::cell::Cell::new(None),
    };
    loader.documents()
}

/// True when `part` has no byte this loader leaves to saphyr: tabs, carriage
/// returns, other control characters, a byte order mark, and the Unicode
/// characters YAML treats as breaks or forbids (NEL, LS, PS, C1 controls).
fn plain_characters(part: &[u8]) -> bool {
    // Whole chunks are tested without branches (the compiler vectorises
    // this); only chunks with non-ASCII bytes are looked at closely.
    const CHUNK: usize = 64;
    for (n, chunk) in part.chunks(CHUNK).enumerate() {
        let (mut control, mut wide) = (false, false);
        for &b in chunk {
            control |= (b < 0x20) & (b != b'\n') | (b == 0x7f);
            wide |= b >= 0x80;
        }
        if control {
            return false;
        }
        if wide {
            let start = n * CHUNK;
            for i in start..start + chunk.len() {
                match (part[i], part.get(i + 1), part.get(i + 2)) {
                    // U+0080..U+009F (C1 controls, NEL)
                    (0xC2, Some(0x80..=0x9F), _) => return false,
                    // U+2028, U+2029
                    (0xE2, Some(0x80), Some(0xA8 | 0xA9)) => return false,
                    // U+FEFF
                    (0xEF, Some(0xBB), Some(0xBF)) => return false,
                    _ => {}
                }
            }
        }
    }
    true
}

/// The next thing after blanks, comments and line breaks.
#[derive(Clone, Copy, Debug)]
enum Next {
    /// A token at byte `pos`, column `col`; `newline` when a line break was
    /// crossed to reach it.
    Token { pos: usize, col: usize, newline: bool },
    /// `---` at the start of a line.
    DocumentStart(usize),
    /// The end of the text (or of the part being loaded).
    End,
}

struct Loader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    start: usize,
    end: usize,
    depth: usize,
    max_depth: usize,
    /// Emptied buffers for the entries and items of collections being read:
    /// each collection is gathered in one, then copied out at its exact size
    /// (one allocation per collection, no growth, no spare capacity).
    map_buffers: Vec<Vec<(Node, Node)>>,
    seq_buffers: Vec<Vec<Node>>,
    /// The last [`Loader::plain_line_end`]: its position and answer.
    last_line_end: std::cell::Cell<Option<(usize, (usize, bool))>>,
}

impl Loader<'_> {
    fn byte(&self, i: usize) -> Option<u8> {
        if i < self.end { self.bytes.get(i).copied() } else { None }
    }

    /// Whether the byte at `i` ends a token: a blank, a line break or the end.
    fn blank_or_end(&self, i: usize) -> bool {
        matches!(self.byte(i), None | Some(b' ' | b'\n'))
    }

    fn line_start(&self, pos: usize) -> usize {
        let mut i = pos;
        while i > self.start && self.bytes[i - 1] != b'\n' {
            i -= 1;
        }
        i
    }

    /// Skips blanks, comments and line breaks from `from`. `line_start` is
    /// the start of the line of `from` when the caller knows it; otherwise
    /// it is looked for (only needed when no line break is crossed).
    fn next(&self, from: usize, mut line_start: Option<usize>) -> Next {
        let mut i = from;
        let mut newline = false;
        loop {
            match self.byte(i) {
                None => return Next::End,
                Some(b' ') => i += 1,
                Some(b'\n') => {
                    i += 1;
                    newline = true;
                    line_start = Some(i);
                }
                Some(b'#') if i == from && i > self.start && !matches!(self.bytes[i - 1], b' ' | b'\n') => {
                    // `#` right after a token is not a comment.
                    let ls = line_start.unwrap_or_else(|| self.line_start(i));
                    return Next::Token { pos: i, col: i - ls, newline };
                }
                Some(b'#') => {
                    while self.byte(i).is_some_and(|b| b != b'\n') {
                        i += 1;
                    }
                }
                Some(_) => {
                    let ls = line_start.unwrap_or_else(|| self.line_start(i));
                    let col = i - ls;
                    if col == 0 && self.document_marker(i) {
                        return Next::DocumentStart(i);
                    }
                    return Next::Token { pos: i, col, newline };
                }
            }
        }
    }

    /// `---` or `...` followed by a blank, a break or the end. `...` is left
    /// to saphyr (the caller gives up on it as on any unknown token).
    fn document_marker(&self, i: usize) -> bool {
        i + 3 <= self.end && scalar::is_document_indicator(self.bytes, i)
    }

    fn documents(&mut self) -> Option<Vec<Document>> {
        let mut docs = Vec::new();
        let mut next = self.next(self.start, Some(self.start));
        loop {
            let (doc_start, first) = match next {
                Next::End => return Some(docs),
                Next::DocumentStart(at) => {
                    if self.bytes.get(at..at + 3) != Some(b"---") {
                        return None;
                    }
                    match self.next(at + 3, Some(at)) {
                        // Content on the marker's line, or an empty document.
                        t @ Next::Token { newline: true, .. } => (at, t),
                        _ => return None,
                    }
                }
                t @ Next::Token { pos, .. } => {
                    if !docs.is_empty() {
                        return None;
                    }
                    (pos, t)
                }
            };
            let Next::Token { pos, col, .. } = first else { return None };
            let (root, after) = self.block_node(pos, col, -1)?;
            // The document ends at the next marker or at the end of the text:
            // saphyr's document end event is that token.
            let end = match after {
                Next::End => self.end,
                Next::DocumentStart(at) => at + 3,
                Next::Token { .. } => return None,
            };
            let span = Span::new(doc_start, end.max(root.span.end).max(doc_start));
            docs.push(Document { root, span });
            next = after;
        }
    }

    /// A node whose first token is at `pos` (column `col`), inside a block
    /// collection indented `indent` (-1 at the top). Returns the node and what
    /// follows it.
    fn block_node(&mut self, pos: usize, col: usize, indent: isize) -> Option<(Node, Next)> {
        if col as isize <= indent {
            return None;
        }
        if self.is_entry(pos) {
            return self.sequence(pos, col, false);
        }
        if self.starts_key(pos, indent)? {
            return self.mapping(pos, col);
        }
        self.inline_value(pos, indent)
    }

    /// Whether the token at `pos` is a key (`: ` follows it on its line);
    /// `None` for tokens left to saphyr.
    fn starts_key(&self, pos: usize, indent: isize) -> Option<bool> {
        match self.bytes[pos] {
            b'"' | b'\'' => {
                let end = self.quoted_end(pos, indent)?;
                Some(self.byte(end) == Some(b':') && self.blank_or_end(end + 1))
            }
            _ => Some(!self.starts_inline_value(pos)? && self.plain_line_end(pos).1),
        }
    }

    /// Whether a token at `pos` starts a value that cannot be a key (a block
    /// scalar, an empty flow collection); `None` for tokens left to saphyr.
    fn starts_inline_value(&self, pos: usize) -> Option<bool> {
        match self.bytes[pos] {
            b'|' | b'>' | b'[' | b'{' => Some(true),
            b'?' | b':' | b'-' if self.blank_or_end(pos + 1) => None,
            b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b'#' => None,
            _ => Some(false),
        }
    }

    /// A value on the line of its key or `-` (or a top-level scalar): a block
    /// scalar, an empty flow collection, a quoted or plain scalar, never a
    /// collection of its own.
    fn inline_value(&mut self, pos: usize, indent: isize) -> Option<(Node, Next)> {
        match self.bytes[pos] {
            b'|' | b'>' => self.block_scalar(pos, indent),
            b'[' | b'{' => {
                let (node, end) = self.flow_collection(pos)?;
                self.scalar_then_next(node, end)
            }
            b'"' | b'\'' => {
                let end = self.quoted_end(pos, indent)?;
                if self.byte(end) == Some(b':') && self.blank_or_end(end + 1) {
                    return None;
                }
                self.scalar_then_next(self.quoted(pos, end)?, end)
            }
            _ => {
                self.starts_inline_value(pos)?;
                let end = self.plain_end(pos, indent)?;
                self.scalar_then_next(self.flow_scalar(pos, end, ScalarStyle::Plain)?, end)
            }
        }
    }

    /// A flow collection written on one line and closed at the end of it:
    /// `[a, "b"]`, `{k: v, "q": 'w'}`, of scalars only. Returns the node and
    /// the end of its text.
    fn flow_collection(&mut self, pos: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let sequence = self.bytes[pos] == b'[';
        let close = if sequence { b']' } else { b'}' };
        let mut items = Vec::new();
        let mut entries: Vec<(Node, Node)> = Vec::new();
        let mut i = self.skip_blanks(pos + 1);
        while self.byte(i) != Some(close) {
            let (item, end) = self.flow_scalar_at(i)?;
            i = self.skip_blanks(end);
            if sequence {
                items.push(item);
            } else {
                // `key: value`, the value on the same line and not empty.
                if self.byte(i) != Some(b':') || self.byte(i + 1) != Some(b' ') {
                    return None;
                }
                let name = item.as_str()?;
                if entries.iter().any(|(k, _)| k.as_str() == Some(name)) || name == "<<" {
                    return None;
                }
                let (value, end) = self.flow_scalar_at(self.skip_blanks(i + 1))?;
                i = self.skip_blanks(end);
                entries.push((item, value));
            }
            match self.byte(i)? {
                b',' => i = self.skip_blanks(i + 1),
                b if b == close => {}
                _ => return None,
            }
        }
        // saphyr's span of the closing bracket runs on over blanks and a
        // comment after it: only a bracket that ends its line is taken.
        if !matches!(self.byte(i + 1), None | Some(b'\n')) {
            return None;
        }
        self.depth -= 1;
        let kind = if sequence { NodeKind::Sequence(items) } else { NodeKind::Mapping(entries) };
        Some((Node { kind, span: Span::new(pos, i + 1), tag: None }, i + 1))
    }

    fn skip_blanks(&self, mut i: usize) -> usize {
        while self.byte(i) == Some(b' ') {
            i += 1;
        }
        i
    }

    /// A quoted or plain scalar inside a one-line flow collection, and the
    /// end of its text.
    fn flow_scalar_at(&self, pos: usize) -> Option<(Node, usize)> {
        match self.byte(pos)? {
            b'"' | b'\'' => {
                let end = self.quoted_end(pos, isize::MAX)?;
                Some((self.quoted(pos, end)?, end))
            }
            b'-' | b'?' | b':' | b'|' | b'>' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b',' | b'[' | b']' | b'{'
            | b'}' | b'#' | b'\n' | b' ' => None,
            _ => {
                let mut i = pos;
                let mut end = pos;
                loop {
                    match self.byte(i)? {
                        b',' | b']' | b'}' => break,
                        b'[' | b'{' | b'\n' => return None,
                        b':' if matches!(
                            self.byte(i + 1),
                            Some(b' ' | b',' | b']' | b'}' | b'[' | b'{' | b'\n') | None
                        ) =>
                        {
                            break;
                        }
                        b' ' => {
                            if self.byte(i + 1) == Some(b'#') {
                                return None;
                            }
                        }
                        _ => end = i + 1,
                    }
                    i += 1;
                }
                Some((self.flow_scalar(pos, end, ScalarStyle::Plain)?, end))
            }
        }
    }

    /// A scalar ending at `end` and the token after it, which must be on a
    /// later line.
    fn scalar_then_next(&self, node: Node, end: usize) -> Option<(Node, Next)> {
        match self.next(end, None) {
            Next::Token { newline: false, .. } => None,
            next => Some((node, next)),
        }
    }

    fn enter(&mut self) -> Option<()> {
        if self.depth + 1 >= self.max_depth {
            return None;
        }
        self.depth += 1;
        Some(())
    }

    /// A block sequence whose first `-` is at `pos`, column `col`;
    /// `indentless` when it is a mapping value at the key's indentation.
    fn sequence(&mut self, pos: usize, col: usize, indentless: bool) -> Option<(Node, Next)> {
        self.enter()?;
        // saphyr starts an indentless sequence where its first entry's
        // content would start: after the `-`, blanks and a comment.
        let start = if indentless { self.after_entry_indicator(pos) } else { pos };
        let mut items = self.seq_buffers.pop().unwrap_or_default();
        let mut children_end = pos + 1;
        let mut at = pos;
        let next = loop {
            let (item, next) = match self.next(at + 1, Some(at - col)) {
                // An entry on the next line is indented more than the `-` and
                // one more column (saphyr indents the entry by one there).
                Next::Token { pos, col: c, newline } if !newline || c > col + 1 => {
                    self.block_node(pos, c, col as isize)?
                }
                Next::Token { col: c, newline: true, .. } if c == col + 1 => return None,
                // saphyr places an empty entry after the `-` and what
                // follows it on its line.
                next => (null_node(self.after_entry_indicator(at)), next),
            };
            children_end = children_end.max(item.span.end);
            items.push(item);
            match next {
                Next::Token { pos, col: c, .. } if c == col && self.is_entry(pos) => at = pos,
                Next::Token { col: c, .. } if c > col => return None,
                _ => break next,
            }
        };
        self.depth -= 1;
        let span = Span::new(start, children_end.max(start));
        let kind = NodeKind::Sequence(exact(&mut items));
        self.seq_buffers.push(items);
        Some((Node { kind, span, tag: None }, next))
    }

    /// The end of the `-` at `pos` and of the blanks and comment after it on
    /// its line.
    fn after_entry_indicator(&self, pos: usize) -> usize {
        let mut i = self.skip_blanks(pos + 1);
        if self.byte(i) == Some(b'#') {
            while self.byte(i).is_some_and(|b| b != b'\n') {
                i += 1;
            }
        }
        i
    }

    fn is_entry(&self, pos: usize) -> bool {
        self.bytes[pos] == b'-' && self.blank_or_end(pos + 1)
    }

    /// A block mapping whose first key is at `pos`, column `col`.
    fn mapping(&mut self, pos: usize, col: usize) -> Option<(Node, Next)> {
        self.enter()?;
        let mut entries = self.map_buffers.pop().unwrap_or_default();
        // Small mappings (nearly all) are searched in place for a duplicate.
        let mut keys: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut children_end = pos;
        let mut at = pos;
        let next = loop {
            let (key, colon) = self.key(at)?;
            let name = key.as_str()?;
            if name == "<<" && key.as_scalar()?.style == ScalarStyle::Plain {
                return None;
            }
            let duplicate = if entries.len() < 16 {
                entries.iter().any(|(k, _)| k.as_str() == Some(name))
            } else {
                if keys.is_empty() {
                    keys.extend(entries.iter().filter_map(|(k, _)| k.as_str()).map(str::to_string));
                }
                !keys.insert(name.to_string())
            };
            if duplicate {
                return None;
            }
            let (value, next) = match self.next(colon + 1, Some(at - col)) {
                Next::Token { pos, newline: false, .. } => self.inline_value(pos, col as isize)?,
                Next::Token { pos, col: c, newline: true } if c > col => self.block_node(pos, c, col as isize)?,
                Next::Token { pos, col: c, newline: true } if c == col && self.is_entry(pos) => {
                    self.sequence(pos, c, true)?
                }
                // saphyr places an empty value at the `:`.
                next => (null_node(colon), next),
            };
            children_end = children_end.max(value.span.end);
            entries.push((key, value));
            match next {
                Next::Token { pos, col: c, .. } if c == col => {
                    if self.is_entry(pos) {
                        return None;
                    }
                    at = pos;
                }
                Next::Token { col: c, .. } if c > col => return None,
                _ => break next,
            }
        };
        self.depth -= 1;
        let span = Span::new(pos, children_end);
        let kind = NodeKind::Mapping(exact(&mut entries));
        self.map_buffers.push(entries);
        Some((Node { kind, span, tag: None }, next))
    }

    /// The key at `pos` and the position of its `:`.
    fn key(&self, pos: usize) -> Option<(Node, usize)> {
        match self.bytes[pos] {
            b'"' | b'\'' => {
                let end = self.quoted_end(pos, -1)?;
                if self.byte(end) != Some(b':') || !self.blank_or_end(end + 1) || end - pos > MAX_KEY_BYTES {
                    return None;
                }
                if self.bytes[pos..end].contains(&b'\n') {
                    return None;
                }
                Some((self.quoted(pos, end)?, end))
            }
            _ => {
                if self.starts_inline_value(pos)? {
                    return None;
                }
                let (end, is_key) = self.plain_line_end(pos);
                if !is_key || end - pos > MAX_KEY_BYTES {
                    return None;
                }
                let colon = self.find_colon(end)?;
                Some((self.flow_scalar(pos, end, ScalarStyle::Plain)?, colon))
            }
        }
    }

    /// The `:` after a plain key that ends at `end` (blanks may come between).
    fn find_colon(&self, end: usize) -> Option<usize> {
        let i = self.skip_blanks(end);
        (self.byte(i) == Some(b':')).then_some(i)
    }

    /// Scans the plain scalar starting at `pos` on its first line: the end
    /// of its content there, and whether it ends as a key (`: ` follows).
    /// A token is asked about twice (is it a key? then: read it), so the
    /// last answer is kept.
    fn plain_line_end(&self, pos: usize) -> (usize, bool) {
        if let Some((at, found)) = self.last_line_end.get()
            && at == pos
        {
            return found;
        }
        let found = self.scan_plain_line(pos);
        self.last_line_end.set(Some((pos, found)));
        found
    }

    fn scan_plain_line(&self, pos: usize) -> (usize, bool) {
        // Only a line break, `: ` and ` #` can end it: jump between them.
        let line = self.bytes.get(pos..self.end).unwrap_or_default();
        let mut from = 0;
        let (stop, is_key) = loop {
            let Some(k) = memchr::memchr3(b'\n', b':', b'#', &line[from..]) else {
                break (self.end, false);
            };
            let i = pos + from + k;
            match self.bytes[i] {
                b'\n' => break (i, false),
                b':' if self.blank_or_end(i + 1) => break (i, true),
                b'#' if i > pos && self.bytes[i - 1] == b' ' => break (i, false),
                _ => from += k + 1,
            }
        };
        // The content ends at the last non-blank before the stop.
        let mut content_end = stop;
        while content_end > pos && self.bytes[content_end - 1] == b' ' {
            content_end -= 1;
        }
        (content_end, is_key)
    }

    /// The end of a plain scalar value starting at `pos`, over continuation
    /// lines indented more than `indent`. `None` when a line holds `: `
    /// (saphyr rejects it) or the scalar is not plain YAML.
    fn plain_end(&self, pos: usize, indent: isize) -> Option<usize> {
        let (mut end, is_key) = self.plain_line_end(pos);
        if is_key {
            return None;
        }
        loop {
            // Only a line break can continue the scalar: a comment (or the end)
            // ends it, and what follows is checked by the caller.
            let mut i = self.skip_blanks(end);
            if self.byte(i) != Some(b'\n') {
                return Some(end);
            }
            // The next line with content.
            let (line, first) = loop {
                i += 1;
                let line = i;
                i = self.skip_blanks(i);
                match self.byte(i) {
                    None => return Some(end),
                    Some(b'\n') => continue,
                    Some(_) => break (line, i),
                }
            };
            let col = first - line;
            if col as isize <= indent || self.bytes[first] == b'#' || (col == 0 && self.document_marker(first)) {
                return Some(end);
            }
            let (line_end, is_key) = self.plain_line_end(first);
            if is_key {
                return None;
            }
            end = line_end;
        }
    }

    /// The end (after the closing quote) of the quoted scalar at `pos`.
    /// Continuation lines must be indented more than `indent` (saphyr's rule
    /// is looser; the rest is left to it).
    fn quoted_end(&self, pos: usize, indent: isize) -> Option<usize> {
        let quote = self.bytes[pos];
        let mut i = pos + 1;
        loop {
            match self.byte(i)? {
                b'\\' if quote == b'"' => {
                    // An escaped line break is left to saphyr, as is a
                    // backslash at the end.
                    if matches!(self.byte(i + 1), None | Some(b'\n')) {
                        return None;
                    }
                    i += 2;
                }
                b'\'' if quote == b'\'' && self.byte(i + 1) == Some(b'\'') => i += 2,
                b if b == quote => return Some(i + 1),
                b'\n' => {
                    i += 1;
                    let line = i;
                    i = self.skip_blanks(i);
                    match self.byte(i) {
                        None => return None,
                        Some(b'\n') => {}
                        Some(_) => {
                            let col = i - line;
                            if col as isize <= indent || (col == 0 && self.document_marker(i)) {
                                return None;
                            }
                        }
                    }
                }
                _ => i += 1,
            }
        }
    }

    fn quoted(&self, pos: usize, end: usize) -> Option<Node> {
        let style = if self.bytes[pos] == b'"' { ScalarStyle::DoubleQuoted } else { ScalarStyle::SingleQuoted };
        self.flow_scalar(pos, end, style)
    }

    /// A plain or quoted scalar whose token is `start..end`, decoded as the
    /// builder decodes it.
    fn flow_scalar(&self, start: usize, end: usize, style: ScalarStyle) -> Option<Node> {
        let flow = match style {
            ScalarStyle::SingleQuoted => FlowStyle::Single,
            ScalarStyle::DoubleQuoted => FlowStyle::Double,
            _ => FlowStyle::Plain,
        };
        let plain = flow == FlowStyle::Plain;
        // A plain scalar on one line is its text (the common case).
        if plain && memchr::memchr(b'\n', self.bytes.get(start..end)?).is_none() {
            let value = CompactString::new(self.text.get(start..end)?);
            return Some(scalar_node(value, style, OffsetMap::identity(start, end - start), Span::new(start, end)));
        }
        if let Some(inner) = scalar::verbatim_flow(self.text, start, end, flow) {
            let value = CompactString::new(self.text.get(inner.start..inner.end)?);
            let span_end = if plain { end } else { (inner.end + 1).clamp(start, end) };
            let map = OffsetMap::identity(inner.start, inner.len());
            return Some(scalar_node(value, style, map, Span::new(start, span_end)));
        }
        let d = scalar::decode_flow(self.text, start, end, flow)?;
        let span_end = if plain { end } else { d.end.clamp(start, end) };
        Some(scalar_node(d.value.into(), style, d.map, Span::new(start, span_end)))
    }

    /// A block scalar whose indicator is at `at`, inside a collection indented
    /// `indent`.
    fn block_scalar(&self, at: usize, indent: isize) -> Option<(Node, Next)> {
        if indent < 0 {
            return None;
        }
        // A comment right after the indicators, without a blank, is an error
        // for saphyr.
        let mut i = at + 1;
        while matches!(self.byte(i), Some(b'+' | b'-' | b'0'..=b'9')) {
            i += 1;
        }
        if self.byte(i) == Some(b'#') {
            return None;
        }
        let header = scalar::block_header(self.text, at)?;
        if header.increment != 0 || header.body > self.end {
            return None;
        }
        // saphyr takes at least one more than the enclosing collection's
        // indentation; a less indented first line leaves the scalar empty
        // (and the builder's positions for it are saphyr's): left to saphyr.
        let content_indent = scalar::block_auto_indent(self.text, &header);
        if content_indent as isize <= indent {
            return None;
        }
        let decoded = scalar::decode_block(self.text, &header, content_indent);
        if decoded.content_end > self.end {
            return None;
        }
        let mut map = decoded.decoded.map;
        if decoded.decoded.value.is_empty() {
            map = OffsetMap::identity(decoded.content_end, 0);
        }
        let style = if header.literal { ScalarStyle::Literal } else { ScalarStyle::Folded };
        let span = Span::new(at, decoded.content_end.max(at + 1));
        let node = scalar_node(decoded.decoded.value.into(), style, map, span);
        let next = self.next(decoded.content_end, None);
        if let Next::Token { newline: false, .. } = next {
            return None;
        }
        Some((node, next))
    }
}

/// Moves the contents of `buffer` into a vector of their exact size; the
/// buffer keeps its capacity for the next collection.
fn exact<T>(buffer: &mut Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(buffer.len());
    out.append(buffer);
    out
}

fn scalar_node(value: CompactString, style: ScalarStyle, map: OffsetMap, span: Span) -> Node {
    Node { kind: NodeKind::Scalar(Scalar { value, style, map }), span, tag: None }
}

fn null_node(at: usize) -> Node {
    scalar_node(CompactString::default(), ScalarStyle::Plain, OffsetMap::identity(at, 0), Span::at(at))
}

#[cfg(test)]
mod tests;
