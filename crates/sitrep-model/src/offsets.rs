//! The map from byte offsets in a clean body back to byte offsets in the decoded source.

use serde::{Deserialize, Serialize};

/// `body[body..body+len]` was copied verbatim from `source[source..source+len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub body: u32,
    pub source: u32,
    pub len: u32,
}

/// A sorted list of verbatim segments. Body bytes outside every segment (paragraph breaks we
/// inserted, text decoded from HTML entities) map to the nearest segment before them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetMap {
    segments: Vec<Segment>,
}

impl OffsetMap {
    /// The map of a body that is its own source.
    pub fn identity(len: usize) -> Self {
        let mut map = OffsetMap::default();
        map.push(0, 0, len);
        map
    }

    /// Records that `len` bytes at `body` were copied from `source`. Segments must be pushed in
    /// increasing body order; adjacent segments that continue each other are merged.
    pub fn push(&mut self, body: usize, source: usize, len: usize) {
        if len == 0 {
            return;
        }
        let (body, source, len) = (to_u32(body), to_u32(source), to_u32(len));
        if let Some(last) = self.segments.last_mut() {
            debug_assert!(last.body + last.len <= body, "segments out of order");
            if last.body + last.len == body && last.source + last.len == source {
                last.len += len;
                return;
            }
        }
        self.segments.push(Segment { body, source, len });
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The source offset of body offset `pos`: exact inside a verbatim segment, otherwise the end
    /// of the closest segment before it (or the start of the first one).
    pub fn to_source(&self, pos: usize) -> Option<usize> {
        let pos = to_u32(pos);
        let idx = self.segments.partition_point(|s| s.body <= pos);
        if idx == 0 {
            return self.segments.first().map(|s| s.source as usize);
        }
        let seg = self.segments[idx - 1];
        let off = (pos - seg.body).min(seg.len);
        Some((seg.source + off) as usize)
    }

    /// The source range covering body range `start..end`.
    pub fn range_to_source(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let s = self.to_source(start)?;
        let e = self.to_source(end)?.max(s);
        Some((s, e))
    }

    /// Whether body offset `pos` lies inside a verbatim segment.
    pub fn is_exact(&self, pos: usize) -> bool {
        let pos = to_u32(pos);
        let idx = self.segments.partition_point(|s| s.body <= pos);
        idx > 0 && {
            let seg = self.segments[idx - 1];
            pos < seg.body + seg.len
        }
    }
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_inside_and_between_segments() {
        let mut m = OffsetMap::default();
        m.push(0, 10, 5); // body 0..5 <- source 10..15
        m.push(7, 30, 4); // body 7..11 <- source 30..34
        assert_eq!(m.to_source(0), Some(10));
        assert_eq!(m.to_source(4), Some(14));
        assert_eq!(m.to_source(6), Some(15));
        assert_eq!(m.to_source(8), Some(31));
        assert!(m.is_exact(8));
        assert!(!m.is_exact(6));
        assert_eq!(m.range_to_source(7, 11), Some((30, 34)));
    }

    #[test]
    fn merges_contiguous_segments() {
        let mut m = OffsetMap::default();
        m.push(0, 0, 3);
        m.push(3, 3, 3);
        assert_eq!(m.segments().len(), 1);
    }
}
