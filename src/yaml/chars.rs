//! Converting saphyr's character indices to byte offsets.
//!
//! saphyr counts positions in characters. A table with one entry per
//! character would take eight times the file's size, so we keep the byte
//! offset of every 64th character and walk at most 63 characters from there:
//! linear to build, constant time per lookup, 1/8 byte of memory per character.

const STRIDE: usize = 64;

pub(crate) struct CharIndex<'a> {
    text: &'a str,
    /// Byte offset of character `k * STRIDE`; empty when the text is ASCII.
    checkpoints: Vec<usize>,
    ascii: bool,
}

impl<'a> CharIndex<'a> {
    pub fn new(text: &'a str) -> CharIndex<'a> {
        if text.is_ascii() {
            return CharIndex { text, checkpoints: Vec::new(), ascii: true };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        for (n, (byte, _)) in text.char_indices().enumerate() {
            if n % STRIDE == 0 {
                checkpoints.push(byte);
            }
        }
        CharIndex { text, checkpoints, ascii: false }
    }

    /// Byte offset of character index `chars`; past the end clamps to the
    /// text's length.
    pub fn byte(&self, chars: usize) -> usize {
        if self.ascii {
            return chars.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(chars / STRIDE) else {
            return self.text.len();
        };
        let rest = chars % STRIDE;
        match self.text.get(base..).and_then(|t| t.char_indices().nth(rest)) {
            Some((off, _)) => base + off,
            None => self.text.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_characters_to_bytes() {
        let text = "aé€😀b".repeat(40);
        let idx = CharIndex::new(&text);
        for (n, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(idx.byte(n), byte, "char {n}");
        }
        assert_eq!(idx.byte(text.chars().count()), text.len());
        assert_eq!(idx.byte(usize::MAX / 2), text.len());
        let ascii = CharIndex::new("abc");
        assert_eq!(ascii.byte(2), 2);
        assert_eq!(ascii.byte(9), 3);
    }
}
