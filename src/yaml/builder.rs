//! Building positioned trees from saphyr-parser's event stream.
//!
//! The tree is built with an explicit stack (no recursion), so nesting depth
//! is bounded by `Limits::max_depth` and never by the thread's stack. Aliases
//! are expanded by cloning the anchored node under a budget of nodes and
//! bytes, so alias bombs stop early with an error.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use compact_str::CompactString;
use saphyr_parser::{Event, Parser, ScalarStyle as ParserStyle, ScanError, Span as ParserSpan, Tag};

use super::chars::CharIndex;
use super::lenient::{self, Edit, Patched};
use super::scalar::{self, FlowStyle};
use super::{Document, Limits, Node, NodeKind, OffsetMap, Scalar, ScalarStyle, YamlError};
use crate::span::Span;

/// Full form of yaml.v3's merge tag.
const MERGE_TAG: &str = "tag:yaml.org,2002:merge";

/// What a subtree costs, for the alias budget and the depth limit.
#[derive(Clone, Copy, Debug, Default)]
struct Stats {
    nodes: usize,
    bytes: usize,
    /// Collections on the longest path down (0 for a scalar).
    height: usize,
}

impl Stats {
    fn add_child(&mut self, child: Stats) {
        self.nodes += child.nodes;
        self.bytes += child.bytes;
        self.height = self.height.max(child.height + 1);
    }
}

#[derive(Clone)]
struct Built {
    node: Node,
    stats: Stats,
}

/// Mappings with fewer entries find a duplicate key by a linear search.
const INDEXED_KEYS: usize = 16;

enum FrameKind {
    Sequence(Vec<Node>),
    Mapping {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        /// Scalar keys seen so far and the byte offset of each, once the
        /// mapping has [`INDEXED_KEYS`] entries (empty before).
        keys: HashMap<String, usize>,
    },
}

struct Frame {
    kind: FrameKind,
    start: usize,
    /// Character column of the collection's first token (the parent
    /// indentation for block scalars with an explicit indentation indicator).
    column: usize,
    /// End of the last child, for block collections whose end event is empty.
    children_end: usize,
    anchor: usize,
    #[expect(clippy::box_collection, reason = "the node's own tag, moved into it")]
    tag: Option<Box<String>>,
    stats: Stats,
}

struct Builder<'a> {
    /// The whole file (scalars are decoded from it).
    text: &'a str,
    /// Where the part saphyr reads starts in `text` (0 unless loading a part).
    base: usize,
    /// Saphyr's character positions in the part read.
    chars: CharIndex<'a>,
    limits: Limits,
    frames: Vec<Frame>,
    anchors: HashMap<usize, Built>,
    /// Whether the text has a `*` (an alias may follow).
    may_alias: bool,
    /// Nodes and bytes copied for anchors and aliases so far (one budget).
    alias_nodes: usize,
    alias_bytes: usize,
    docs: Vec<Document>,
    doc_start: usize,
    root: Option<Built>,
    /// Byte end of the previous event: block scalar headers are searched from here.
    prev_end: usize,
}

/// Patches that make saphyr accept what yaml.v3 accepts (see `lenient`),
/// at most this many rounds per file.
const MAX_PATCH_ROUNDS: usize = 32;

pub(crate) fn load(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    if text.len() > limits.max_bytes {
        return Err(YamlError {
            span: Span::new(0, 0),
            message: format!("file is {} bytes, more than the limit of {} bytes", text.len(), limits.max_bytes),
        });
    }
    // A large rule file is loaded in parts, in parallel, when its shape allows.
    if let Some(Ok(docs)) = super::split::load_parallel(text, limits) {
        return Ok(docs);
    }
    let first = guarded(text, limits);
    let Err(mut error) = first else { return first };
    if is_lenient(&error.message) {
        // One scan finds every scalar to patch: one more parse, not one per scalar.
        let edits = lenient::scan_all(text);
        if !edits.is_empty() {
            let patched = Patched::new(text, &edits);
            if let Ok(mut docs) = guarded(&patched.text, limits) {
                for doc in &mut docs {
                    translate(doc, &patched);
                }
                if edits_inside_quoted_scalars(&docs, &edits) {
                    return Ok(docs);
                }
            }
        }
    }
    let mut edits: Vec<Edit> = Vec::new();
    for _ in 0..MAX_PATCH_ROUNDS {
        let new_edits = match error.message.as_str() {
            "invalid indentation in quoted scalar" => lenient::indent_quoted(text, error.span.start),
            "while parsing a quoted scalar, found unknown escape character" => {
                lenient::rewrite_quote_escapes(text, error.span.start)
            }
            _ => Vec::new(),
        };
        let new_edits: Vec<Edit> = new_edits.into_iter().filter(|n| !edits.iter().any(|e| e.orig == n.orig)).collect();
        if new_edits.is_empty() {
            return Err(error);
        }
        edits.extend(new_edits);
        let patched = Patched::new(text, &edits);
        match guarded(&patched.text, limits) {
            Ok(mut docs) => {
                for doc in &mut docs {
                    translate(doc, &patched);
                }
                return Ok(docs);
            }
            Err(e) => error = YamlError { span: patched.span_to_original(e.span), message: e.message },
        }
    }
    Err(error)
}

/// Errors of what yaml.v3 accepts and saphyr does not (see `lenient`).
fn is_lenient(message: &str) -> bool {
    matches!(
        message,
        "invalid indentation in quoted scalar" | "while parsing a quoted scalar, found unknown escape character"
    )
}

/// Whether every edit of the one-scan patch landed where it keeps the value:
/// escape rewrites inside double-quoted scalars, indentation inside quoted ones.
fn edits_inside_quoted_scalars(docs: &[Document], edits: &[Edit]) -> bool {
    let mut quoted: Vec<(Span, bool)> = Vec::new();
    for doc in docs {
        doc.root.for_each_scalar(|node, scalar| match scalar.style {
            ScalarStyle::DoubleQuoted => quoted.push((node.span, true)),
            ScalarStyle::SingleQuoted => quoted.push((node.span, false)),
            _ => {}
        });
    }
    quoted.sort_by_key(|(span, _)| (span.start, span.end));
    edits.iter().all(|edit| {
        let escape = !edit.orig.is_empty();
        let i = quoted.partition_point(|(span, _)| span.start <= edit.orig.start);
        i > 0 && {
            let (span, double) = quoted[i - 1];
            span.end >= edit.orig.end && (double || !escape)
        }
    })
}

/// Runs the event loop; a panic inside saphyr-parser (it has internal
/// assertions) becomes an ordinary load error instead of ending the run.
fn guarded(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load_events(text, limits)));
    match result {
        Ok(r) => r,
        Err(_) => Err(YamlError {
            span: Span::new(0, 0),
            message: "the YAML parser failed on this input (internal error)".into(),
        }),
    }
}

/// Moves every position of `doc` from the patched text to the original.
fn translate(doc: &mut Document, patched: &Patched) {
    doc.span = patched.span_to_original(doc.span);
    let mut stack: Vec<&mut Node> = vec![&mut doc.root];
    while let Some(node) = stack.pop() {
        node.span = patched.span_to_original(node.span);
        match &mut node.kind {
            NodeKind::Scalar(s) => {
                let mut map = OffsetMap::default();
                for seg in s.map.segments().iter() {
                    map.push(seg.value, patched.span_to_original(seg.file));
                }
                if map.segments().is_empty() {
                    let at = patched.to_original(s.map.to_file(0));
                    map = OffsetMap::identity(at, 0);
                }
                s.map = map;
            }
            NodeKind::Sequence(items) => stack.extend(items.iter_mut()),
            NodeKind::Mapping(entries) => {
                for (k, v) in entries.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
}

fn load_events(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    load_range(text, 0..text.len(), limits)
}

/// Loads the documents of `text[range]` with positions in `text` (a part of
/// a file loaded on its own; see `split`): directly when the text stays in
/// the block style rule files use (`fast`), with saphyr otherwise.
pub(super) fn load_range(
    text: &str,
    range: std::ops::Range<usize>,
    limits: &Limits,
) -> Result<Vec<Document>, YamlError> {
    if let Some(docs) = super::fast::load(text, range.clone(), limits) {
        return Ok(docs);
    }
    saphyr_range(text, range, limits)
}

/// [`load_range`] through saphyr's event stream, whatever the text holds.
pub(super) fn saphyr_range(
    text: &str,
    range: std::ops::Range<usize>,
    limits: &Limits,
) -> Result<Vec<Document>, YamlError> {
    let part = text.get(range.clone()).unwrap_or_default();
    let mut b = Builder {
        text,
        base: range.start,
        chars: CharIndex::new(part),
        limits: *limits,
        frames: Vec::new(),
        anchors: HashMap::new(),
        may_alias: part.contains('*'),
        alias_nodes: 0,
        alias_bytes: 0,
        docs: Vec::new(),
        doc_start: range.start,
        root: None,
        prev_end: range.start,
    };
    let mut parser = Parser::new_from_str(part);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| b.scan_error(&e))?;
        b.event(event, span)?;
    }
    Ok(b.docs)
}

impl Builder<'_> {
    fn byte(&self, marker: saphyr_parser::Marker) -> usize {
        self.base + self.chars.byte(marker.index())
    }

    fn span(&self, span: ParserSpan) -> Span {
        let start = self.byte(span.start);
        Span::new(start, self.byte(span.end).max(start))
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let at = self.byte(*e.marker());
        let end = self.text.get(at..).and_then(|t| t.chars().next()).map_or(at, |c| at + c.len_utf8());
        YamlError { span: Span::new(at, end), message: e.info().to_string() }
    }

    fn error(&self, span: Span, message: String) -> YamlError {
        YamlError { span, message }
    }

    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
    }

    fn event(&mut self, event: Event<'_>, pspan: ParserSpan) -> Result<(), YamlError> {
        let span = self.span(pspan);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                self.doc_start = span.start;
                self.root = None;
                self.frames.clear();
                // Anchors do not cross document boundaries (as in yaml.v3).
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let root = match self.root.take() {
                    Some(b) => b.node,
                    None => null_node(self.doc_start),
                };
                let end = span.end.max(root.span.end).max(self.doc_start);
                self.docs.push(Document { root, span: Span::new(self.doc_start, end) });
            }
            Event::Alias(id) => {
                let built = self.expand_alias(id, span)?;
                self.add(built)?;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let built = self.scalar(value, style, tag.as_deref(), span);
                self.register_anchor(anchor, &built)?;
                self.add(built)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(FrameKind::Sequence(Vec::new()), anchor, tag.as_deref(), span, pspan)?;
            }
            Event::MappingStart(anchor, tag) => {
                let kind = FrameKind::Mapping { entries: Vec::new(), pending_key: None, keys: HashMap::new() };
                self.open(kind, anchor, tag.as_deref(), span, pspan)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.frames.pop() else {
                    return Err(self.error(span, "unbalanced collection end".into()));
                };
                let built = self.finish_collection(frame, span)?;
                self.add(built)?;
            }
        }
        self.prev_end = span.end;
        Ok(())
    }

    fn open(
        &mut self,
        kind: FrameKind,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
        pspan: ParserSpan,
    ) -> Result<(), YamlError> {
        if self.frames.len() >= self.limits.max_depth {
            let end = (span.start + 1).min(self.text.len()).max(span.start);
            return Err(self.error(
                Span::new(span.start, end),
                format!("nesting is deeper than the limit of {} levels", self.limits.max_depth),
            ));
        }
        self.frames.push(Frame {
            kind,
            start: span.start,
            column: pspan.start.col(),
            children_end: span.end,
            anchor,
            tag: tag.map(|t| Box::new(tag_string(t))),
            stats: Stats { nodes: 1, bytes: 0, height: 1 },
        });
        Ok(())
    }

    /// Adds a finished node to the collection being built (or as the root).
    fn add(&mut self, built: Built) -> Result<(), YamlError> {
        let Some(frame) = self.frames.last_mut() else {
            self.root = Some(built);
            return Ok(());
        };
        frame.stats.add_child(built.stats);
        frame.children_end = frame.children_end.max(built.node.span.end);
        match &mut frame.kind {
            FrameKind::Sequence(items) => items.push(built.node),
            FrameKind::Mapping { entries, pending_key, keys } => match pending_key.take() {
                Some(key) => entries.push((key, built.node)),
                None => {
                    if let NodeKind::Scalar(s) = &built.node.kind {
                        // Small mappings (nearly all) are searched in place;
                        // an index is built once a mapping grows past that.
                        let first = if keys.is_empty() {
                            entries
                                .iter()
                                .find_map(|(k, _)| (scalar_value(k) == Some(s.value.as_str())).then_some(k.span.start))
                        } else {
                            keys.get(s.value.as_str()).copied()
                        };
                        if let Some(first) = first {
                            let (value, span) = (s.value.clone(), built.node.span);
                            let line = self.line_of(first);
                            return Err(
                                self.error(span, format!("mapping key `{value}` already defined at line {line}"))
                            );
                        }
                        if !keys.is_empty() || entries.len() >= INDEXED_KEYS {
                            if keys.is_empty() {
                                keys.extend(
                                    entries
                                        .iter()
                                        .filter_map(|(k, _)| Some((scalar_value(k)?.to_string(), k.span.start))),
                                );
                            }
                            keys.insert(s.value.to_string(), built.node.span.start);
                        }
                    }
                    *pending_key = Some(built.node);
                }
            },
        }
        Ok(())
    }

    /// Keeps a copy of an anchored node for the aliases that refer to it.
    /// The copy counts against the same budget as alias expansion (nested
    /// anchors copy their subtree once per level). Without any `*` in the
    /// text there can be no alias, and nothing is copied.
    fn register_anchor(&mut self, anchor: usize, built: &Built) -> Result<(), YamlError> {
        if anchor == 0 || !self.may_alias {
            return Ok(());
        }
        self.charge(built.stats, built.node.span)?;
        self.anchors.insert(anchor, built.clone());
        Ok(())
    }

    /// Counts a copy of a subtree against the file's budget of copied nodes and bytes.
    fn charge(&mut self, stats: Stats, span: Span) -> Result<(), YamlError> {
        let what = "anchors and aliases expand to";
        self.alias_nodes = self.alias_nodes.saturating_add(stats.nodes);
        self.alias_bytes = self.alias_bytes.saturating_add(stats.bytes);
        if self.alias_nodes > self.limits.max_alias_nodes {
            return Err(
                self.error(span, format!("{what} more than the limit of {} nodes", self.limits.max_alias_nodes))
            );
        }
        if self.alias_bytes > self.limits.max_bytes {
            return Err(self.error(span, format!("{what} more than the limit of {} bytes", self.limits.max_bytes)));
        }
        Ok(())
    }

    fn expand_alias(&mut self, id: usize, span: Span) -> Result<Built, YamlError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(self.error(span, "alias refers to an anchor that is not defined (or not yet complete)".into()));
        };
        let stats = anchored.stats;
        if self.frames.len() + stats.height > self.limits.max_depth {
            return Err(self.error(
                span,
                format!("alias expands to nesting deeper than the limit of {} levels", self.limits.max_depth),
            ));
        }
        self.charge(stats, span)?;
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(self.error(span, "alias refers to an anchor that is not defined (or not yet complete)".into()));
        };
        let mut built = anchored.clone();
        built.node.span = span;
        Ok(built)
    }

    fn scalar(&self, value: Cow<'_, str>, style: ParserStyle, tag: Option<&Tag>, span: Span) -> Built {
        let tag = tag.map(|t| Box::new(tag_string(t)));
        let style = match style {
            ParserStyle::Plain => ScalarStyle::Plain,
            ParserStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            ParserStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            ParserStyle::Literal => ScalarStyle::Literal,
            ParserStyle::Folded => ScalarStyle::Folded,
        };
        let (node_span, map, decoded) = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let (span, map) = self.block_map(&value, span);
                (span, map, None)
            }
            _ => self.flow_map(&value, style, span),
        };
        let bytes = value.len() + std::mem::size_of_val(&*map.segments());
        // The decoded copy is equal to saphyr's value: keep whichever is
        // already owned rather than copying again.
        let value = match (value, decoded) {
            (Cow::Owned(value), _) => value.into(),
            (Cow::Borrowed(_), Some(decoded)) => decoded.into(),
            (Cow::Borrowed(value), None) => CompactString::new(value),
        };
        let scalar = Scalar { value, style, map };
        Built {
            node: Node { kind: NodeKind::Scalar(scalar), span: node_span, tag },
            stats: Stats { nodes: 1, bytes, height: 0 },
        }
    }

    /// The scalar's span and offset map, and its decoded value when decoding
    /// was needed to find them.
    fn flow_map(&self, value: &str, style: ScalarStyle, span: Span) -> (Span, OffsetMap, Option<String>) {
        let start = scalar::skip_properties(self.text, span.start, span.end);
        if style == ScalarStyle::Plain && value.is_empty() && start >= span.end {
            // An empty value (`key:`): saphyr places it at the end of the key.
            return (Span::at(start), OffsetMap::identity(start, 0), None);
        }
        let flow = match style {
            ScalarStyle::SingleQuoted => FlowStyle::Single,
            ScalarStyle::DoubleQuoted => FlowStyle::Double,
            _ => FlowStyle::Plain,
        };
        let token = Span::new(start, span.end.max(start));
        // Most scalars are a verbatim stretch of the file: no decoding.
        if let Some(inner) = scalar::verbatim_flow(self.text, start, span.end, flow)
            && self.text.get(inner.start..inner.end) == Some(value)
        {
            let end = if flow == FlowStyle::Plain { token.end } else { (inner.end + 1).clamp(start, token.end) };
            return (Span::new(start, end), OffsetMap::identity(inner.start, inner.len()), None);
        }
        match scalar::decode_flow(self.text, start, span.end, flow) {
            Some(d) if d.value == value => {
                let end = if flow == FlowStyle::Plain { token.end } else { d.end.clamp(start, token.end) };
                (Span::new(start, end), d.map, Some(d.value))
            }
            _ => (token, coarse_map(value, token), None),
        }
    }

    fn block_map(&self, value: &str, span: Span) -> (Span, OffsetMap) {
        let fallback = || (span, coarse_map(value, span));
        let from = self.prev_end.min(span.start);
        let Some(at) = scalar::find_block_indicator(self.text, from, self.text.len()) else {
            return fallback();
        };
        let Some(header) = scalar::block_header(self.text, at) else {
            return fallback();
        };
        let mut candidates = Vec::with_capacity(3);
        if header.increment == 0 {
            candidates.push(scalar::block_auto_indent(self.text, &header));
        } else {
            if let Some(parent) = self.frames.last() {
                candidates.push(parent.column + header.increment);
            }
            candidates.push(header.increment);
        }
        for indent in candidates {
            let decoded = scalar::decode_block(self.text, &header, indent);
            if decoded.decoded.value == value {
                let mut map = decoded.decoded.map;
                if value.is_empty() {
                    map = OffsetMap::identity(decoded.content_end, 0);
                }
                return (Span::new(at, decoded.content_end.max(at + 1)), map);
            }
        }
        fallback()
    }

    fn finish_collection(&mut self, frame: Frame, end_span: Span) -> Result<Built, YamlError> {
        // Flow collections end with `]`/`}` (a non-empty end event); block
        // collections end where their last child ends.
        let end = if end_span.is_empty() { frame.children_end } else { end_span.end };
        let span = Span::new(frame.start, end.max(frame.start));
        let kind = match frame.kind {
            FrameKind::Sequence(items) => NodeKind::Sequence(items),
            FrameKind::Mapping { entries, pending_key, .. } => {
                let mut entries = entries;
                if let Some(key) = pending_key {
                    // Cannot happen with a well-formed event stream; keep the key with a null value.
                    let at = key.span.end;
                    entries.push((key, null_node(at)));
                }
                NodeKind::Mapping(self.merge_keys(entries)?)
            }
        };
        let built = Built { node: Node { kind, span, tag: frame.tag }, stats: frame.stats };
        self.register_anchor(frame.anchor, &built)?;
        Ok(built)
    }

    /// Applies `<<` merge keys as yaml.v3 does: the value is a mapping or a
    /// sequence of mappings; keys written in the mapping itself win, and
    /// among merged mappings the first one wins.
    fn merge_keys(&self, entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, YamlError> {
        if !entries.iter().any(|(k, _)| is_merge_key(k)) {
            return Ok(entries);
        }
        let mut seen: HashSet<String> = entries
            .iter()
            .filter(|(k, _)| !is_merge_key(k))
            .filter_map(|(k, _)| scalar_value(k).map(str::to_string))
            .collect();
        let mut out = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if !is_merge_key(&key) {
                out.push((key, value));
                continue;
            }
            let value_span = value.span;
            let sources = match value.kind {
                NodeKind::Mapping(m) => vec![m],
                NodeKind::Sequence(items) => {
                    let mut maps = Vec::with_capacity(items.len());
                    for item in items {
                        match item.kind {
                            NodeKind::Mapping(m) => maps.push(m),
                            _ => {
                                return Err(self.error(
                                    item.span,
                                    "map merge requires a mapping or a sequence of mappings as the value".into(),
                                ));
                            }
                        }
                    }
                    maps
                }
                NodeKind::Scalar(_) => {
                    return Err(self.error(
                        value_span,
                        "map merge requires a mapping or a sequence of mappings as the value".into(),
                    ));
                }
            };
            for source in sources {
                for (k, v) in source {
                    match scalar_value(&k) {
                        Some(name) => {
                            if seen.insert(name.to_string()) {
                                out.push((k, v));
                            }
                        }
                        None => out.push((k, v)),
                    }
                }
            }
        }
        Ok(out)
    }
}

fn is_merge_key(key: &Node) -> bool {
    match &key.kind {
        NodeKind::Scalar(s) => {
            s.value == "<<" && s.style == ScalarStyle::Plain && key.tag().is_none_or(|t| t == "!" || t == MERGE_TAG)
        }
        _ => false,
    }
}

fn scalar_value(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(s) => Some(&s.value),
        _ => None,
    }
}

fn tag_string(tag: &Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

/// The null scalar of an empty document or a missing value.
fn null_node(at: usize) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar {
            value: CompactString::default(),
            style: ScalarStyle::Plain,
            map: OffsetMap::identity(at, 0),
        }),
        span: Span::at(at),
        tag: None,
    }
}

/// A map that sends every offset of `value` to the start of `token` (used
/// when the value could not be matched with its source text).
fn coarse_map(value: &str, token: Span) -> OffsetMap {
    let mut map = OffsetMap::default();
    if value.is_empty() {
        return OffsetMap::identity(token.start, 0);
    }
    if value.len() == token.len() {
        // Same length but different text: keep it atomic by splitting off a
        // zero-length file range (a linear segment would claim a false
        // character-to-character correspondence).
        map.push(Span::new(0, value.len()), Span::new(token.start, token.start));
        return map;
    }
    map.push(Span::new(0, value.len()), token);
    map
}
