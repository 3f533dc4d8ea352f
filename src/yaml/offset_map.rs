//! Mapping byte offsets inside a decoded YAML scalar back to file offsets.
//!
//! A scalar's value differs from its source text: quotes are removed,
//! escapes decoded, block-scalar indentation stripped and folded lines joined.
//! The loader records, for each stretch of the value, where it came from.

use crate::span::Span;

/// One stretch of a scalar's value and the file range it was read from.
///
/// When both ranges have the same length (plain text) offsets map linearly;
/// otherwise (an escape sequence, a folded line break) the stretch is atomic:
/// any offset inside it maps to the start of its file range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub value: Span,
    pub file: Span,
}

/// Piecewise map from value offsets to file offsets. Segments are sorted and
/// contiguous in value space.
///
/// Most scalars are one verbatim stretch of the file: that map is stored
/// inline, without an allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Segments,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Segments {
    #[default]
    Empty,
    One(Segment),
    Many(Vec<Segment>),
}

impl OffsetMap {
    /// A map for a value that is a verbatim copy of the file text at `file_start`.
    pub fn identity(file_start: usize, len: usize) -> OffsetMap {
        OffsetMap {
            segments: Segments::One(Segment {
                value: Span::new(0, len),
                file: Span::new(file_start, file_start + len),
            }),
        }
    }

    /// Appends a stretch; merges it into the previous one when both are
    /// linear and adjacent in value and file space.
    pub fn push(&mut self, value: Span, file: Span) {
        let next = Segment { value, file };
        let last = match &mut self.segments {
            Segments::Empty => None,
            Segments::One(last) => Some(last),
            Segments::Many(all) => all.last_mut(),
        };
        if let Some(last) = last {
            let linear = |s: &Segment| s.value.len() == s.file.len();
            if linear(last) && linear(&next) && last.value.end == value.start && last.file.end == file.start {
                last.value.end = value.end;
                last.file.end = file.end;
                return;
            }
        }
        self.segments = match std::mem::take(&mut self.segments) {
            Segments::Empty => Segments::One(next),
            Segments::One(first) => Segments::Many(vec![first, next]),
            Segments::Many(mut all) => {
                all.push(next);
                Segments::Many(all)
            }
        };
    }

    pub fn segments(&self) -> &[Segment] {
        match &self.segments {
            Segments::Empty => &[],
            Segments::One(one) => std::slice::from_ref(one),
            Segments::Many(all) => all,
        }
    }

    /// File offset of the character starting at value offset `offset`.
    pub fn to_file(&self, offset: usize) -> usize {
        let segments = self.segments();
        let Some(first) = segments.first() else {
            return 0;
        };
        let i = segments.partition_point(|s| s.value.end <= offset);
        match segments.get(i) {
            Some(s) if s.value.start <= offset => map_in(s, offset, false),
            Some(s) => s.file.start,
            None => segments.last().map_or(first.file.start, |s| s.file.end),
        }
    }

    /// File offset for a value offset used as the exclusive end of a range.
    pub fn end_to_file(&self, offset: usize) -> usize {
        let segments = self.segments();
        let Some(first) = segments.first() else {
            return 0;
        };
        if offset <= first.value.start {
            return first.file.start;
        }
        let i = segments.partition_point(|s| s.value.end < offset);
        match segments.get(i) {
            Some(s) if s.value.start < offset => map_in(s, offset, true),
            Some(s) => s.file.start,
            None => segments.last().map_or(first.file.start, |s| s.file.end),
        }
    }

    /// A value span mapped to the file. Never inverted.
    pub fn span_to_file(&self, span: Span) -> Span {
        let start = self.to_file(span.start);
        let end = if span.is_empty() { start } else { self.end_to_file(span.end).max(start) };
        Span::new(start, end)
    }
}

fn map_in(s: &Segment, offset: usize, is_end: bool) -> usize {
    if s.value.len() == s.file.len() {
        s.file.start + (offset - s.value.start)
    } else if is_end {
        s.file.end
    } else {
        s.file.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_maps_linearly() {
        let m = OffsetMap::identity(10, 5);
        assert_eq!(m.to_file(0), 10);
        assert_eq!(m.to_file(4), 14);
        assert_eq!(m.span_to_file(Span::new(1, 5)), Span::new(11, 15));
    }

    #[test]
    fn escapes_are_atomic() {
        // value "a\nb" read from `"a\\nb"` at file offset 0: a at 1, \n at 2..4, b at 4.
        let mut m = OffsetMap::default();
        m.push(Span::new(0, 1), Span::new(1, 2));
        m.push(Span::new(1, 2), Span::new(2, 4));
        m.push(Span::new(2, 3), Span::new(4, 5));
        assert_eq!(m.to_file(1), 2);
        assert_eq!(m.to_file(2), 4);
        assert_eq!(m.span_to_file(Span::new(1, 2)), Span::new(2, 4));
        assert_eq!(m.span_to_file(Span::new(0, 3)), Span::new(1, 5));
    }

    #[test]
    fn adjacent_linear_segments_merge() {
        let mut m = OffsetMap::default();
        m.push(Span::new(0, 3), Span::new(7, 10));
        m.push(Span::new(3, 5), Span::new(10, 12));
        assert_eq!(m.segments().len(), 1);
        // A line break in a block scalar: value continues, file skips indentation.
        m.push(Span::new(5, 8), Span::new(15, 18));
        assert_eq!(m.segments().len(), 2);
        assert_eq!(m.to_file(6), 16);
        assert_eq!(m.span_to_file(Span::new(4, 6)), Span::new(11, 16));
    }
}
