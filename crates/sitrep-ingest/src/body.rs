//! Building a clean body paragraph by paragraph while keeping the way back to the source.

use memchr::memmem;
use sitrep_model::{Block, BlockKind, OffsetMap};

/// Accumulates paragraphs into a body, normalising whitespace, and records an [`OffsetMap`]
/// for text copied verbatim from the source.
#[derive(Debug, Default)]
pub struct BodyBuilder {
    body: String,
    blocks: Vec<Block>,
    offsets: OffsetMap,
}

/// Characters treated as whitespace inside a paragraph (collapsed to one space).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
}

impl BodyBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn start_block(&mut self) -> usize {
        if !self.body.is_empty() {
            self.body.push_str("\n\n");
        }
        self.body.len()
    }

    fn finish_block(&mut self, kind: BlockKind, start: usize) {
        // Trailing collapsed space is never emitted, so the block ends at the body end.
        if self.body.len() > start {
            self.blocks.push(Block {
                kind,
                start,
                end: self.body.len(),
            });
        } else if start >= 2 && self.body.ends_with("\n\n") {
            self.body.truncate(start - 2);
        }
    }

    /// Appends `source[start..end]` as one paragraph, collapsing whitespace runs; the map
    /// records every verbatim run.
    pub fn push_source(&mut self, kind: BlockKind, source: &str, start: usize, end: usize) {
        let text = &source[start..end];
        let block_start = self.start_block();
        let mut pending_space = false;
        let mut run_start: Option<usize> = None; // source offset of the current verbatim run
        let mut run_body = 0usize;
        for (i, c) in text.char_indices() {
            let src = start + i;
            if is_space(c) {
                if let Some(rs) = run_start.take() {
                    self.offsets.push(run_body, rs, src - rs);
                }
                pending_space = self.body.len() > block_start;
                continue;
            }
            if pending_space {
                self.body.push(' ');
                pending_space = false;
            }
            if run_start.is_none() {
                run_start = Some(src);
                run_body = self.body.len();
            }
            self.body.push(c);
        }
        if let Some(rs) = run_start {
            self.offsets.push(run_body, rs, end - rs);
        }
        self.finish_block(kind, block_start);
    }

    /// Appends text that is not a verbatim slice of the source (decoded HTML); its offsets are
    /// filled in later by [`BodyBuilder::finish_aligned`].
    pub fn push_text(&mut self, kind: BlockKind, text: &str) {
        let block_start = self.start_block();
        let mut first = true;
        for word in text.split(is_space).filter(|w| !w.is_empty()) {
            if !first {
                self.body.push(' ');
            }
            first = false;
            self.body.push_str(word);
        }
        self.finish_block(kind, block_start);
    }

    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// The body, its blocks and the offset map built from verbatim copies.
    pub fn finish(self) -> (String, Vec<Block>, OffsetMap) {
        (self.body, self.blocks, self.offsets)
    }

    /// The body and blocks, with an offset map found by aligning the body's words with `source`.
    pub fn finish_aligned(self, source: &str) -> (String, Vec<Block>, OffsetMap) {
        let offsets = align(&self.body, source);
        (self.body, self.blocks, offsets)
    }
}

/// How far ahead of the last match a word is searched for in the source.
const ALIGN_WINDOW: usize = 64 * 1024;

/// Aligns the words of `body` with their occurrences in `source`, in order. Words that cannot be
/// found verbatim (entities, markup inside the word) are split into alphanumeric runs and those
/// are aligned; what still cannot be found maps to the closest aligned text before it.
pub fn align(body: &str, source: &str) -> OffsetMap {
    let mut map = OffsetMap::default();
    let src = source.as_bytes();
    let mut cursor = 0usize;
    let find = |needle: &str, cursor: &mut usize| -> Option<usize> {
        if needle.is_empty() || *cursor >= src.len() {
            return None;
        }
        let end = (*cursor + ALIGN_WINDOW).min(src.len());
        let hit = memmem::find(&src[*cursor..end], needle.as_bytes())? + *cursor;
        *cursor = hit + needle.len();
        Some(hit)
    };
    let mut pos = 0usize;
    for word in body.split(['\n', ' ']) {
        let word_start = pos;
        pos += word.len() + 1;
        if word.is_empty() {
            continue;
        }
        if let Some(hit) = find(word, &mut cursor) {
            map.push(word_start, hit, word.len());
            continue;
        }
        let mut start = None;
        for (i, c) in word
            .char_indices()
            .chain(std::iter::once((word.len(), ' ')))
        {
            let alnum = c.is_alphanumeric() && i < word.len();
            match (alnum, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    let part = &word[s..i];
                    if part.len() >= 2
                        && let Some(hit) = find(part, &mut cursor)
                    {
                        map.push(word_start + s, hit, part.len());
                    }
                    start = None;
                }
                _ => {}
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_source_collapses_whitespace_and_maps_back() {
        let src = "  Talks   resumed\ton Monday.  \nSecond line ";
        let mut b = BodyBuilder::new();
        b.push_source(BlockKind::Paragraph, src, 0, 30);
        b.push_source(BlockKind::Heading, src, 31, src.len());
        let (body, blocks, map) = b.finish();
        assert_eq!(body, "Talks resumed on Monday.\n\nSecond line");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].kind, BlockKind::Heading);
        let on = body.find("on").unwrap_or(0);
        let s = map.to_source(on).unwrap_or(0);
        assert_eq!(&src[s..s + 2], "on");
        let sec = body.find("Second").unwrap_or(0);
        let s = map.to_source(sec).unwrap_or(0);
        assert_eq!(&src[s..s + 6], "Second");
    }

    #[test]
    fn empty_paragraphs_leave_no_trace() {
        let mut b = BodyBuilder::new();
        b.push_text(BlockKind::Paragraph, "One");
        b.push_text(BlockKind::Paragraph, "   ");
        b.push_text(BlockKind::Paragraph, "Two");
        let (body, blocks, _) = b.finish();
        assert_eq!(body, "One\n\nTwo");
        assert_eq!(blocks.len(), 2);
        assert_eq!(&body[blocks[1].start..blocks[1].end], "Two");
    }

    #[test]
    fn align_finds_words_through_markup_and_entities() {
        let src = "<p>Mira&#8217;s <b>team</b> won.</p><p>Next day</p>";
        let body = "Mira\u{2019}s team won.\n\nNext day";
        let map = align(body, src);
        let team = body.find("team").unwrap_or(0);
        let s = map.to_source(team).unwrap_or(0);
        assert_eq!(&src[s..s + 4], "team");
        let mira = map.to_source(0).unwrap_or(99);
        assert_eq!(&src[mira..mira + 4], "Mira");
        let next = body.find("Next").unwrap_or(0);
        let s = map.to_source(next).unwrap_or(0);
        assert_eq!(&src[s..s + 4], "Next");
    }
}
