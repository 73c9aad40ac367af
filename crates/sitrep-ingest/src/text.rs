//! Cleaning scraped plain text: outlet line, title, standfirst, bylines, datelines, photo
//! credits, captions, separators and trailing site chrome are recognised line by line; what is
//! left is the body, one paragraph per line, with mid-article subheadings marked.

use sitrep_model::{BlockKind, NaiveDate};

use crate::body::BodyBuilder;
use crate::dates::parse_date_text;
use crate::lines::{LineKind, classify, ends_like_sentence, looks_like_heading};

/// What the plain-text cleaner found.
#[derive(Debug, Default)]
pub struct CleanText {
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<NaiveDate>,
    pub body: String,
    pub blocks: Vec<sitrep_model::Block>,
    pub offsets: sitrep_model::OffsetMap,
    /// Number of lines dropped as chrome, credits, captions or trailing boilerplate.
    pub dropped: usize,
}

/// A non-empty line of the source: its trimmed byte range and its kind.
struct Line {
    start: usize,
    end: usize,
    kind: LineKind,
}

fn lines_of(source: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pos = 0;
    for raw in source.split_inclusive('\n') {
        let start = pos;
        pos += raw.len();
        let trimmed_start = raw.len() - raw.trim_start().len();
        let content = raw.trim();
        if content.is_empty() {
            continue;
        }
        let s = start + trimmed_start;
        out.push(Line {
            start: s,
            end: s + content.len(),
            kind: classify(content),
        });
    }
    out
}

fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// A title line: short, several words, not a finished sentence unless it is a question.
fn title_like(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let chars = text.chars().count();
    (2..=30).contains(&words) && chars <= 220 && !text.trim_end().ends_with(['.', ',', ';', ':'])
}

/// Cleans scraped plain text. `source` is the decoded input; every body offset maps back to it.
pub fn clean_text(source: &str) -> CleanText {
    clean_text_with(source, None)
}

/// Like [`clean_text`], for text whose title is already known (a JSON record's `title`): the
/// first line is taken as the title only if it repeats it.
pub fn clean_text_with(source: &str, known_title: Option<&str>) -> CleanText {
    let lines = lines_of(source);
    let mut out = CleanText::default();
    let mut i = 0;
    let text_at = |i: usize| &source[lines[i].start..lines[i].end];

    // Header: outlet line, title, then datelines/bylines/credits and an optional standfirst.
    if let Some(Line {
        kind: LineKind::Domain(d),
        ..
    }) = lines.first()
    {
        out.outlet = Some(d.clone());
        i = 1;
    }
    let text_lines_after = |from: usize| {
        lines[from..]
            .iter()
            .filter(|l| l.kind == LineKind::Text)
            .count()
    };
    if i < lines.len()
        && lines[i].kind == LineKind::Text
        && match known_title {
            Some(t) => same_text(t, text_at(i)),
            None => title_like(text_at(i)),
        }
        && text_lines_after(i + 1) >= 1
    {
        out.title = Some(text_at(i).to_string());
        i += 1;
    }
    let header_end = (i + 6).min(lines.len());
    let mut seen_text_in_header = false;
    while i < header_end {
        match &lines[i].kind {
            LineKind::DateLine => {
                out.published = out.published.or_else(|| parse_date_text(text_at(i)));
            }
            LineKind::Byline(names) => extend_unique(&mut out.authors, names),
            LineKind::PhotoCredit
            | LineKind::Caption
            | LineKind::Separator
            | LineKind::Chrome
            | LineKind::Domain(_) => {}
            LineKind::Text if out.title.is_some() && !seen_text_in_header => {
                // A standfirst is a lone paragraph the scrape separates from the body by a
                // separator, credit, caption, byline or dateline.
                let next = lines.get(i + 1).map(|l| &l.kind);
                let separated = matches!(
                    next,
                    Some(
                        LineKind::Separator
                            | LineKind::PhotoCredit
                            | LineKind::Caption
                            | LineKind::Byline(_)
                            | LineKind::DateLine
                    )
                );
                if separated && text_at(i).chars().count() <= 500 && text_lines_after(i + 1) >= 1 {
                    out.subtitle = Some(text_at(i).to_string());
                    seen_text_in_header = true;
                } else {
                    break;
                }
            }
            _ => break,
        }
        out.dropped += usize::from(!matches!(lines[i].kind, LineKind::Text));
        i += 1;
    }

    // Body.
    let paras: Vec<Para<'_>> = lines[i..]
        .iter()
        .map(|l| Para {
            text: &source[l.start..l.end],
            kind: l.kind.clone(),
            heading: None,
        })
        .collect();
    let sel = select_body(&paras);
    extend_unique(&mut out.authors, &sel.authors);
    out.published = out.published.or(sel.published);
    out.dropped += sel.dropped;
    let kept: Vec<(BlockKind, usize)> = sel.kept.into_iter().map(|(k, j)| (k, i + j)).collect();

    let mut builder = BodyBuilder::new();
    for (kind, idx) in kept {
        builder.push_source(kind, source, lines[idx].start, lines[idx].end);
    }
    let (body, blocks, offsets) = builder.finish();
    out.body = body;
    out.blocks = blocks;
    out.offsets = offsets;
    out
}

/// A paragraph candidate for the body: its text, its line kind, and whether the markup says it
/// is a heading (`None`: judge by its shape).
pub(crate) struct Para<'a> {
    pub text: &'a str,
    pub kind: LineKind,
    pub heading: Option<bool>,
}

/// Which paragraphs make the body, and what the dropped ones told about the article.
#[derive(Debug, Default)]
pub(crate) struct BodySelection {
    pub kept: Vec<(BlockKind, usize)>,
    pub authors: Vec<String>,
    pub published: Option<NaiveDate>,
    pub dropped: usize,
}

/// Chooses the body paragraphs: drops credits, captions, separators and chrome lines, takes
/// early bylines and datelines as metadata, cuts trailing site chrome, marks subheadings.
pub(crate) fn select_body(paras: &[Para<'_>]) -> BodySelection {
    let mut out = BodySelection::default();
    let total = paras.len();
    let mut i = 0;
    while i < total {
        let para = &paras[i];
        match &para.kind {
            LineKind::Text => {
                let later_text = paras[i + 1..]
                    .iter()
                    .take(3)
                    .any(|l| l.kind == LineKind::Text);
                let heading = para
                    .heading
                    .unwrap_or_else(|| looks_like_heading(para.text));
                let kind = if !out.kept.is_empty() && later_text && heading {
                    BlockKind::Heading
                } else {
                    BlockKind::Paragraph
                };
                out.kept.push((kind, i));
            }
            // A line that is only "By Name" is never prose: dropped wherever it stands, and
            // read as the article's byline near the top.
            LineKind::Byline(names) => {
                if out.kept.len() < 3 {
                    extend_unique(&mut out.authors, names);
                }
                out.dropped += 1;
            }
            LineKind::TailStart => {
                let rest = &paras[i + 1..];
                let rest_chars: usize = rest.iter().map(|l| l.text.len()).sum();
                let short_rest = rest.is_empty() || rest_chars / rest.len() < 120;
                let late = i * 2 >= total;
                if !out.kept.is_empty() && (late || short_rest) {
                    out.dropped += total - i;
                    break;
                }
                out.dropped += 1;
            }
            LineKind::DateLine if out.kept.len() < 2 => {
                out.published = out.published.or_else(|| parse_date_text(para.text));
                out.dropped += 1;
            }
            _ => out.dropped += 1,
        }
        i += 1;
    }
    // Trailing headline-like lines (lists of other stories) are not part of the article.
    while let Some(&(_, idx)) = out.kept.last() {
        let text = paras[idx].text;
        if out.kept.len() > 1 && !ends_like_sentence(text) && text.chars().count() < 150 {
            out.kept.pop();
            out.dropped += 1;
        } else {
            break;
        }
    }
    out
}

pub(crate) fn extend_unique(into: &mut Vec<String>, names: &[String]) {
    for n in names {
        if !into.contains(n) {
            into.push(n.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paragraphs_without_header_stay_whole() {
        let src = "The council met on Monday and approved the budget.\nIt takes effect in May.";
        let c = clean_text(src);
        assert_eq!(c.title, None);
        assert_eq!(
            c.body,
            "The council met on Monday and approved the budget.\n\nIt takes effect in May."
        );
    }

    #[test]
    fn cleaning_is_idempotent_on_its_output() {
        let src = "harbourwire.net\n\nPort Deal Signed After Long Talks\n\n[Photo : Harbour Wire]\n\nThe two cities signed the port deal on Friday.\n\nOfficials said the deal would last ten years.\n\nExit mobile version";
        let once = clean_text(src);
        let twice = clean_text(&once.body);
        assert_eq!(once.body, twice.body);
    }
}
