//! Rule files embedded in a string of another YAML file (a Kubernetes
//! `ConfigMap`'s `data` values): loaded on their own, then every position is
//! moved into the outer file through the string scalar's offset map.

use super::{Duration, Group, KeyValue, Rule, Text};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::yaml::{OffsetMap, Segment};

/// Moves positions of a document read from a scalar's value into the file
/// the scalar was read from.
pub(crate) struct Remap<'a> {
    pub outer: &'a OffsetMap,
}

impl Remap<'_> {
    pub fn span(&self, span: Span) -> Span {
        self.outer.span_to_file(span)
    }

    /// `inner` maps value offsets to offsets in the embedded document; the
    /// result maps them to offsets in the outer file.
    pub fn map(&self, inner: &OffsetMap) -> OffsetMap {
        let outer = self.outer.segments();
        let mut out = OffsetMap::default();
        for seg in inner.segments().iter() {
            if seg.value.len() != seg.file.len() || seg.value.is_empty() {
                out.push(seg.value, self.span(seg.file));
                continue;
            }
            // A linear stretch may cross several outer segments (one per line
            // of a block scalar): split it at their boundaries.
            let (mut value, mut at) = (seg.value.start, seg.file.start);
            while at < seg.file.end {
                let i = outer.partition_point(|s| s.value.end <= at);
                let Some(o) = outer.get(i).filter(|o| o.value.start <= at) else {
                    out.push(Span::new(value, seg.value.end), self.span(Span::new(at, seg.file.end)));
                    break;
                };
                let end = seg.file.end.min(o.value.end);
                let n = end - at;
                let file = if linear(o) {
                    let start = o.file.start + (at - o.value.start);
                    Span::new(start, start + n)
                } else {
                    o.file
                };
                out.push(Span::new(value, value + n), file);
                value += n;
                at = end;
            }
        }
        out
    }

    pub fn text(&self, t: &mut Text) {
        t.span = self.span(t.span);
        t.map = self.map(&t.map);
    }

    fn duration(&self, d: &mut Option<Duration>) {
        if let Some(d) = d {
            d.span = self.span(d.span);
        }
    }

    fn key_values(&self, kvs: &mut [KeyValue]) {
        for kv in kvs {
            self.text(&mut kv.key);
            self.text(&mut kv.value);
        }
    }

    fn rule(&self, r: &mut Rule) {
        self.text(&mut r.name);
        r.span = self.span(r.span);
        if let Some(e) = &mut r.expr {
            self.text(e);
        }
        self.duration(&mut r.for_);
        self.duration(&mut r.keep_firing_for);
        self.key_values(&mut r.labels);
        self.key_values(&mut r.annotations);
    }

    pub fn group(&self, g: &mut Group) {
        self.text(&mut g.name);
        g.span = self.span(g.span);
        self.duration(&mut g.interval);
        self.duration(&mut g.query_offset);
        self.key_values(&mut g.labels);
        for r in &mut g.rules {
            self.rule(r);
        }
    }

    pub fn diagnostic(&self, d: &mut Diagnostic) {
        d.span = self.span(d.span);
        for label in &mut d.labels {
            label.span = self.span(label.span);
        }
    }
}

fn linear(s: &Segment) -> bool {
    s.value.len() == s.file.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_stretches_are_split_at_outer_line_breaks() {
        // Outer: a block scalar whose lines start at file offsets 10 and 30.
        let mut outer = OffsetMap::default();
        outer.push(Span::new(0, 6), Span::new(10, 16));
        outer.push(Span::new(6, 12), Span::new(30, 36));
        // Inner: a value read verbatim from offsets 2..9 of the embedded text.
        let inner = OffsetMap::identity(2, 7);
        let map = Remap { outer: &outer }.map(&inner);
        assert_eq!(map.to_file(0), 12);
        assert_eq!(map.to_file(3), 15);
        assert_eq!(map.to_file(4), 30);
        assert_eq!(map.span_to_file(Span::new(0, 7)), Span::new(12, 33));
    }
}
