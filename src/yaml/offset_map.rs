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
/// Most scalars are one stretch of the file starting at value offset 0: that
/// map is stored inline in 16 bytes, without an allocation. A YAML tree has
/// one map per scalar, so its size is much of the tree's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Segments,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Segments {
    #[default]
    Empty,
    /// One segment with `value.start == 0`, its offsets in 32 bits (files
    /// are far smaller than 4 GiB: `Limits::max_bytes`).
    One { value_end: u32, file_start: u32, file_end: u32 },
    /// Boxed twice so that the map stays small: few scalars have more than one segment.
    #[expect(clippy::box_collection, reason = "a thin pointer keeps the map at 16 bytes")]
    Many(Box<Vec<Segment>>),
}

/// The segments of a map, as a slice (`Deref`): one built in place, or the
/// map's own.
pub enum SegmentsRef<'a> {
    One([Segment; 1]),
    Many(&'a [Segment]),
}

impl std::ops::Deref for SegmentsRef<'_> {
    type Target = [Segment];

    fn deref(&self) -> &[Segment] {
        match self {
            SegmentsRef::One(one) => one,
            SegmentsRef::Many(all) => all,
        }
    }
}

impl Segments {
    /// The compact form of `segment`, when it has one.
    fn one(segment: Segment) -> Option<Segments> {
        let narrow = |n: usize| u32::try_from(n).ok();
        if segment.value.start != 0 {
            return None;
        }
        Some(Segments::One {
            value_end: narrow(segment.value.end)?,
            file_start: narrow(segment.file.start)?,
            file_end: narrow(segment.file.end)?,
        })
    }

    /// The segment a `One` stands for.
    fn widen(value_end: u32, file_start: u32, file_end: u32) -> Segment {
        Segment { value: Span::new(0, value_end as usize), file: Span::new(file_start as usize, file_end as usize) }
    }

    fn single(segment: Segment) -> Segments {
        Segments::one(segment).unwrap_or_else(|| Segments::Many(Box::new(vec![segment])))
    }
}

impl OffsetMap {
    /// A map for a value that is a verbatim copy of the file text at `file_start`.
    pub fn identity(file_start: usize, len: usize) -> OffsetMap {
        OffsetMap {
            segments: Segments::single(Segment {
                value: Span::new(0, len),
                file: Span::new(file_start, file_start + len),
            }),
        }
    }

    /// Appends a stretch; merges it into the previous one when both are
    /// linear and adjacent in value and file space.
    pub fn push(&mut self, value: Span, file: Span) {
        let next = Segment { value, file };
        let linear = |s: &Segment| s.value.len() == s.file.len();
        let merge = |last: &Segment| {
            (linear(last) && linear(&next) && last.value.end == value.start && last.file.end == file.start).then(|| {
                Segment { value: Span::new(last.value.start, value.end), file: Span::new(last.file.start, file.end) }
            })
        };
        self.segments = match std::mem::take(&mut self.segments) {
            Segments::Empty => Segments::single(next),
            Segments::One { value_end, file_start, file_end } => {
                let first = Segments::widen(value_end, file_start, file_end);
                match merge(&first) {
                    Some(merged) => Segments::single(merged),
                    None => Segments::Many(Box::new(vec![first, next])),
                }
            }
            Segments::Many(mut all) => {
                match all.last_mut() {
                    Some(last) if let Some(merged) = merge(last) => *last = merged,
                    _ => all.push(next),
                }
                Segments::Many(all)
            }
        };
    }

    pub fn segments(&self) -> SegmentsRef<'_> {
        match &self.segments {
            Segments::Empty => SegmentsRef::Many(&[]),
            &Segments::One { value_end, file_start, file_end } => {
                SegmentsRef::One([Segments::widen(value_end, file_start, file_end)])
            }
            Segments::Many(all) => SegmentsRef::Many(all),
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
