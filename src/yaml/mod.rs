//! A YAML loader that keeps the position of every key and value.
//!
//! Built on saphyr-parser's event stream (not its tree builder, which has no
//! depth limit). Limits on nesting depth, alias expansion and input size turn
//! hostile input into an error instead of a crash or an exhausted machine.

mod offset_map;

pub use offset_map::{OffsetMap, Segment};

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

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 256,
            max_alias_nodes: 1_000_000,
            max_bytes: 64 << 20,
        }
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
    /// The decoded value.
    pub value: String,
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
    /// An explicit tag such as `!!str`, in its full form (`tag:yaml.org,2002:str`).
    pub tag: Option<String>,
}

/// One document of a (possibly multi-document) stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The root node; an empty document has a null plain scalar root.
    pub root: Node,
    pub span: Span,
}

/// Loads every document of `text`.
pub fn load(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    let _ = (text, limits);
    Err(YamlError {
        span: Span::default(),
        message: "the YAML loader is not built yet".into(),
    })
}
