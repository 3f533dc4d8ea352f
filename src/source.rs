//! A file's text and the conversions between byte offsets, 1-based
//! line/column (columns in characters) and LSP positions (UTF-16 or UTF-8).

use std::sync::Arc;

/// A position as reported to users: 1-based line, 1-based column counted in
/// Unicode scalar values, and the byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// One loaded file: the name it is reported under and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: Arc<str>,
    /// An `Arc<String>`, not `Arc<str>`: a file read into a `String` is
    /// shared without copying its text again.
    text: Arc<String>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<String>) -> SourceFile {
        let text = Arc::new(text.into());
        // A line ends at `\n`, `\r\n` or a lone `\r`, as YAML and LSP count lines.
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        if memchr::memchr(b'\r', bytes).is_none() {
            line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
            return SourceFile { name: name.into(), text, line_starts };
        }
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
                .map(|(i, _)| i + 1),
        );
        SourceFile { name: name.into(), text, line_starts }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn name_arc(&self) -> Arc<str> {
        self.name.clone()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Clamps `offset` into the text and back onto a character boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// 0-based line index containing `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte range of 0-based line `index`, without its line terminator.
    pub fn line_range(&self, index: usize) -> std::ops::Range<usize> {
        let start = self.line_starts.get(index).copied().unwrap_or(self.text.len());
        let mut end = self.line_starts.get(index + 1).copied().unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and character column of `offset`.
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        Position { line: line + 1, column, offset }
    }

    /// 0-based line and column in UTF-16 code units (LSP's default encoding).
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let column: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        (line as u32, column as u32)
    }

    /// 0-based line and column in bytes (LSP's `utf-8` encoding).
    pub fn utf8_position(&self, offset: usize) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        (line as u32, (offset - self.line_starts[line]) as u32)
    }

    /// Byte offset of a 0-based line and UTF-16 column; past-the-end values clamp.
    pub fn offset_from_utf16(&self, line: u32, column: u32) -> usize {
        let range = self.line_range(line as usize);
        let mut units = 0u32;
        for (i, c) in self.text[range.clone()].char_indices() {
            if units >= column {
                return range.start + i;
            }
            units += c.len_utf16() as u32;
        }
        range.end
    }

    /// Byte offset of a 0-based line and byte column; past-the-end values clamp.
    pub fn offset_from_utf8(&self, line: u32, column: u32) -> usize {
        let range = self.line_range(line as usize);
        self.clamp((range.start + column as usize).min(range.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let f = SourceFile::new("f", "a: é\nbb: \"x\"\r\n");
        assert_eq!(f.position(0), Position { line: 1, column: 1, offset: 0 });
        // 'é' is two bytes; the character after it is column 5.
        assert_eq!(f.position(5).column, 5);
        assert_eq!(f.position(6), Position { line: 2, column: 1, offset: 6 });
        assert_eq!(f.line_range(1), 6..13);
        assert_eq!(f.utf16_position(5), (0, 4));
        assert_eq!(f.offset_from_utf16(0, 4), 5);
        assert_eq!(f.offset_from_utf16(1, 100), 13);
    }

    #[test]
    fn carriage_returns_end_lines_as_in_lsp() {
        let f = SourceFile::new("f", "a\rb\r\nc\nd");
        assert_eq!(f.line_count(), 4);
        assert_eq!(f.line_range(0), 0..1);
        assert_eq!(f.line_range(1), 2..3);
        assert_eq!(f.line_range(2), 5..6);
        assert_eq!(f.position(2), Position { line: 2, column: 1, offset: 2 });
        assert_eq!(f.utf16_position(7), (3, 0));
        assert_eq!(f.offset_from_utf16(1, 1), 3);
    }

    #[test]
    fn clamps_offsets_inside_multibyte_characters() {
        let f = SourceFile::new("f", "é");
        assert_eq!(f.clamp(1), 0);
        assert_eq!(f.position(99).offset, 2);
    }
}
