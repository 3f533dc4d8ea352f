//! A YAML loader that keeps the position of every key and value.
//!
//! Built on saphyr-parser's event stream (not its tree builder, which has no
//! depth limit). Limits on nesting depth, alias expansion and input size turn
//! hostile input into an error instead of a crash or an exhausted machine.

mod builder;
mod chars;
mod fast;
mod lenient;
mod offset_map;
mod resolve;
mod scalar;
mod split;

pub use offset_map::{OffsetMap, Segment, SegmentsRef};
pub use resolve::{ScalarType, resolve_plain};

use crate::span::Span;

/// Resource limits applied while loading.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Total nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
}

/// Default for `Limits::max_bytes`: far above any real rule file.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_depth: 256, max_alias_nodes: 1_000_000, max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// A positioned load error (syntax error, duplicate key, limit exceeded).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Byte range in the file at fault.
    pub span: Span,
    pub message: String,
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The decoded value. Most scalars (keys, names, label values) are
    /// short: they are stored inline, without an allocation.
    pub value: compact_str::CompactString,
    pub style: ScalarStyle,
    /// Where each part of `value` came from in the file.
    pub map: OffsetMap,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Entries in document order. Duplicate keys are a load error.
    Mapping(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The node's own text in the file. For a node that came from an alias,
    /// the span of the `*alias` token, so findings point where it was used.
    pub span: Span,
    /// An explicit tag such as `!!str`, in its full form (`tag:yaml.org,2002:str`)
    /// ([`Node::tag`]). Boxed twice: a pointer, as most nodes have none.
    pub tag: Option<Box<String>>,
}

/// One document of a (possibly multi-document) stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The root node; an empty document has a null plain scalar root.
    pub root: Node,
    pub span: Span,
}

/// Loads every document of `text`.
///
/// Errors (syntax, duplicate key, limit exceeded) stop the load: the first
/// one is returned with its position. An empty stream (no text, or only
/// comments) has no documents.
pub fn load(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    builder::load(text, limits)
}

/// Frees the trees of `docs`, the items of long sequences on every thread.
/// A 10,000-rule file's tree took as long to free, on one thread, as its
/// model took to build on all of them.
pub fn free(docs: Vec<Document>) {
    for doc in docs {
        free_node(doc.root);
    }
}

/// Sequences at least this long are freed in parallel.
const PARALLEL_FREE: usize = 512;

fn free_node(node: Node) {
    use rayon::prelude::*;
    match node.kind {
        NodeKind::Sequence(items) if items.len() >= PARALLEL_FREE => {
            items.into_par_iter().with_min_len(PARALLEL_FREE / 8).for_each(drop);
        }
        // Long sequences sit under a key or two (`groups:`, `rules:`).
        NodeKind::Mapping(entries) if entries.len() <= 8 => {
            for (_, value) in entries {
                free_node(value);
            }
        }
        NodeKind::Sequence(items) if items.len() <= 8 => items.into_iter().for_each(free_node),
        _ => {}
    }
}

/// The direct loader's documents (`None` where it leaves the text to saphyr)
/// and saphyr's, for the fuzzer and tests that compare the two.
#[doc(hidden)]
pub fn load_both_ways(text: &str, limits: &Limits) -> (Option<Vec<Document>>, Result<Vec<Document>, YamlError>) {
    (fast::load(text, 0..text.len(), limits), builder::saphyr_range(text, 0..text.len(), limits))
}

impl Scalar {
    /// The scalar's core-schema type, as yaml.v3 resolves it (`tag` is the
    /// node's explicit tag, if any).
    pub fn resolve(&self, tag: Option<&str>) -> ScalarType {
        resolve::resolve(self, tag)
    }
}

impl Node {
    /// The node's explicit tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref().map(String::as_str)
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a scalar node.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }

    pub fn as_mapping(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// The value under scalar key `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value under scalar key `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_mapping()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
    }

    /// The scalar's type as yaml.v3 resolves it; `None` for collections.
    pub fn scalar_type(&self) -> Option<ScalarType> {
        self.as_scalar().map(|s| s.resolve(self.tag()))
    }

    /// True for a null scalar (`~`, `null`, an empty value).
    pub fn is_null(&self) -> bool {
        self.scalar_type() == Some(ScalarType::Null)
    }

    /// "a mapping", "a sequence", "a string", "an integer", "null", ... for
    /// messages such as "expected a mapping, found a sequence".
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Mapping(_) => "a mapping",
            NodeKind::Sequence(_) => "a sequence",
            NodeKind::Scalar(s) => s.resolve(self.tag()).name(),
        }
    }

    /// Calls `f` on every scalar of the tree, keys included, in document
    /// order. Iterative, so deep trees cannot overflow the stack.
    pub fn for_each_scalar<'a>(&'a self, mut f: impl FnMut(&'a Node, &'a Scalar)) {
        let mut stack: Vec<&'a Node> = vec![self];
        while let Some(node) = stack.pop() {
            match &node.kind {
                NodeKind::Scalar(s) => f(node, s),
                NodeKind::Sequence(items) => stack.extend(items.iter().rev()),
                NodeKind::Mapping(entries) => {
                    for (k, v) in entries.iter().rev() {
                        stack.push(v);
                        stack.push(k);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
