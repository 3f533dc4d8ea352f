//! Open documents: their text, edits to it, and conversions between LSP
//! positions and byte offsets in the negotiated encoding.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use crate::source::SourceFile;
use crate::span::Span;

/// How LSP positions count columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units: LSP's default, what every client supports.
    Utf16,
    /// Bytes: offered by some clients (Neovim, Helix), cheaper and exact.
    Utf8,
}

impl Encoding {
    pub fn position(self, file: &SourceFile, offset: usize) -> Position {
        let (line, character) = match self {
            Encoding::Utf16 => file.utf16_position(offset),
            Encoding::Utf8 => file.utf8_position(offset),
        };
        Position { line, character }
    }

    pub fn range(self, file: &SourceFile, span: Span) -> Range {
        let start = file.clamp(span.start);
        let end = file.clamp(span.end).max(start);
        Range { start: self.position(file, start), end: self.position(file, end) }
    }

    /// The byte offset of an LSP position; positions past a line's end or
    /// the file's end clamp to them, as the protocol asks.
    pub fn offset(self, file: &SourceFile, position: Position) -> usize {
        match self {
            Encoding::Utf16 => file.offset_from_utf16(position.line, position.character),
            Encoding::Utf8 => file.offset_from_utf8(position.line, position.character),
        }
    }

    pub fn span(self, file: &SourceFile, range: Range) -> Span {
        let a = self.offset(file, range.start);
        let b = self.offset(file, range.end);
        Span::new(a.min(b), a.max(b))
    }
}

/// A document the client has open.
#[derive(Debug)]
pub struct Document {
    pub uri: Uri,
    /// The file on disk, for `file:` URIs.
    pub path: Option<PathBuf>,
    pub language_id: String,
    pub version: i32,
    pub text: String,
}

impl Document {
    /// Whether alertlint lints this document: YAML by language or extension.
    pub fn is_yaml(&self) -> bool {
        let by_extension = self
            .path
            .as_deref()
            .or_else(|| Some(Path::new(self.uri.as_str())))
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yml" | "yaml"));
        matches!(self.language_id.as_str(), "yaml" | "yml") || by_extension
    }

    /// Applies one change from `textDocument/didChange`: a full replacement
    /// when it has no range, otherwise an edit of the range.
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent, encoding: Encoding) {
        match change.range {
            None => self.text = change.text,
            Some(range) => {
                let file = SourceFile::new("", self.text.as_str());
                let span = encoding.span(&file, range);
                self.text.replace_range(span.range(), &change.text);
            }
        }
    }
}

/// The path of a `file:` URI, percent-decoded. `None` for other schemes
/// (unsaved buffers) and for URIs that do not decode to a path.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path`: only an empty host or `localhost` is this machine.
    let path = if rest.starts_with('/') { rest } else { rest.strip_prefix("localhost")? };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `file:///C:/x` on Windows.
    #[cfg(windows)]
    let decoded =
        decoded.strip_prefix('/').filter(|p| p.as_bytes().get(1) == Some(&b':')).map(str::to_string).unwrap_or(decoded);
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let text = if text.starts_with('/') { text } else { format!("/{text}") };
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/' | b':') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&format!("file://{encoded}")).ok()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> Document {
        Document {
            uri: Uri::from_str("file:///tmp/a.yaml").unwrap(),
            path: None,
            language_id: "yaml".into(),
            version: 1,
            text: text.into(),
        }
    }

    fn change(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(a, b)| Range {
                start: Position { line: a.0, character: a.1 },
                end: Position { line: b.0, character: b.1 },
            }),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_count_utf16_units() {
        let mut d = document("a: 😀x\nb: 1\n");
        // 😀 is two UTF-16 units: `x` starts at character 5.
        d.apply(change(Some(((0, 5), (0, 6))), "y"), Encoding::Utf16);
        assert_eq!(d.text, "a: 😀y\nb: 1\n");
        d.apply(change(Some(((1, 3), (1, 4))), "22"), Encoding::Utf16);
        assert_eq!(d.text, "a: 😀y\nb: 22\n");
        d.apply(change(Some(((2, 0), (2, 0))), "c: 3\n"), Encoding::Utf16);
        assert_eq!(d.text, "a: 😀y\nb: 22\nc: 3\n");
        d.apply(change(None, "whole"), Encoding::Utf16);
        assert_eq!(d.text, "whole");
    }

    #[test]
    fn incremental_edits_count_bytes_in_utf8() {
        let mut d = document("a: é😀x\n");
        // é is 2 bytes and 😀 4: `x` starts at byte 9.
        d.apply(change(Some(((0, 9), (0, 10))), "y"), Encoding::Utf8);
        assert_eq!(d.text, "a: é😀y\n");
    }

    #[test]
    fn edits_across_lines_and_past_the_end_clamp() {
        let mut d = document("one\ntwo\nthree");
        d.apply(change(Some(((0, 2), (1, 1))), "-"), Encoding::Utf16);
        assert_eq!(d.text, "on-wo\nthree");
        d.apply(change(Some(((1, 99), (99, 0))), "!"), Encoding::Utf16);
        assert_eq!(d.text, "on-wo\nthree!");
        // A reversed range is the same range.
        d.apply(change(Some(((0, 2), (0, 0))), ""), Encoding::Utf16);
        assert_eq!(d.text, "-wo\nthree!");
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a dir/é,x.yaml");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%A9%2Cx.yaml");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        assert_eq!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()), None);
        assert_eq!(
            uri_to_path(&Uri::from_str("file://localhost/etc/x.yaml").unwrap()).as_deref(),
            Some(Path::new("/etc/x.yaml"))
        );
        assert_eq!(uri_to_path(&Uri::from_str("file:///bad%FF").unwrap()), None);
    }
}
