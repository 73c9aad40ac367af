//! HTML building blocks: escaping, the page layout and its CSS, text cutting.
//!
//! Every string that did not come from this file goes through [`esc`] (text and attribute
//! values alike: `&`, `<`, `>`, `"` and `'` are all replaced).

use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a path segment or query value (everything but unreserved characters).
pub fn url_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink:#1d2430; --muted:#5d6776; --line:#dfe3ea; --bg:#f7f8fa; --card:#fff; --accent:#1f5fbf; --warn:#b4461a; --mark:#fff1a8; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.55 Georgia, "Iowan Old Style", serif; color:var(--ink); background:var(--bg); }
header.top { background:#182233; color:#fff; padding:.6rem 1.2rem; display:flex; gap:1.5rem; align-items:center; flex-wrap:wrap; }
header.top a { color:#fff; text-decoration:none; font:600 1.15rem system-ui, sans-serif; letter-spacing:.02em; }
header.top nav a { font:500 .95rem system-ui, sans-serif; margin-right:1rem; opacity:.85; }
header.top nav a:hover { opacity:1; text-decoration:underline; }
header.top form { margin-left:auto; }
header.top input { font:inherit; font-size:.95rem; padding:.3rem .6rem; border-radius:4px; border:0; width:16rem; }
main { max-width:72rem; margin:0 auto; padding:1.2rem; }
h1 { font-size:1.8rem; line-height:1.2; margin:.4rem 0 .8rem; }
h2 { font:600 1.1rem system-ui, sans-serif; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:2rem 0 .6rem; border-bottom:1px solid var(--line); padding-bottom:.3rem; }
a { color:var(--accent); }
.meta, .muted { color:var(--muted); font: .9rem system-ui, sans-serif; }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.8rem 1rem; margin:.6rem 0; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(18rem, 1fr)); gap:.8rem; }
.cards .card { margin:0; }
.story h3 { margin:.1rem 0 .3rem; font-size:1.2rem; }
.badge { display:inline-block; font:600 .75rem system-ui, sans-serif; padding:.05rem .45rem; border-radius:999px; background:#e8eef9; color:var(--accent); margin-right:.3rem; }
.badge.warn { background:#fbe9e1; color:var(--warn); }
table { border-collapse:collapse; width:100%; background:var(--card); font-size:.95rem; }
th, td { text-align:left; padding:.4rem .6rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font:600 .8rem system-ui, sans-serif; text-transform:uppercase; color:var(--muted); }
blockquote { margin:.2rem 0; padding-left:.8rem; border-left:3px solid var(--accent); }
.disagreement { border-left:4px solid var(--warn); }
.disagreement .side { margin:.4rem 0; }
mark { background:var(--mark); padding:0 .1rem; }
.body p { margin:.6rem 0; }
svg.map { width:100%; max-width:48rem; height:auto; background:#eaf1f8; border:1px solid var(--line); border-radius:6px; }
svg.map text { font: 11px system-ui, sans-serif; fill:#1d2430; }
.snippet { color:#333; }
"#;

/// A whole page: escaped `title`, the already-built `body` HTML.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · sitrep</title><style>{CSS}</style></head><body>\
         <header class=\"top\"><a href=\"/\">sitrep</a>\
         <nav><a href=\"/\">Stories</a><a href=\"/threads\">Threads</a></nav>\
         <form action=\"/search\" method=\"get\" role=\"search\">\
         <input type=\"search\" name=\"q\" placeholder=\"Search articles and quotes\" aria-label=\"Search\"></form>\
         </header><main>{body}</main></body></html>",
        esc(title)
    )
}

/// The byte range of the sentence of `text` around `start..end`: from after the previous
/// sentence end (or line break) to the next one, at most 400 bytes either side of the span,
/// spaces trimmed. `None` when the offsets do not fall on character boundaries of `text`.
pub fn sentence_bounds(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let (start, end) = (start.min(end), start.max(end));
    let before = text.get(..start)?;
    let after = text.get(end..)?;
    text.get(start..end)?;
    let from = before
        .rfind(['.', '!', '?', '\n'])
        .map_or(0, |i| i + 1)
        .max(start.saturating_sub(400));
    let from = (from..=start).find(|&i| text.is_char_boundary(i))?;
    let to_rel = after
        .find(['.', '!', '?', '\n'])
        .map_or(after.len(), |i| i + 1);
    let to_rel = to_rel.min(400);
    let to_rel = (to_rel..=after.len()).find(|&i| after.is_char_boundary(i))?;
    let head = text.get(from..start)?;
    let tail = after.get(..to_rel)?;
    let from = from + (head.len() - head.trim_start().len());
    let to = end + tail.trim_end().len();
    Some((from, to))
}

/// The sentence of `text` around `start..end` (see [`sentence_bounds`]), escaped, with the
/// span marked.
pub fn sentence_with_mark(text: &str, start: usize, end: usize) -> Option<String> {
    let (start, end) = (start.min(end), start.max(end));
    let (from, to) = sentence_bounds(text, start, end)?;
    Some(format!(
        "{}<mark>{}</mark>{}",
        esc(text.get(from..start)?),
        esc(text.get(start..end)?),
        esc(text.get(end..to)?)
    ))
}

/// The first `n` paragraphs of an article body, as escaped `<p>` elements.
pub fn first_paragraphs(record: &sitrep_model::ArticleRecord, n: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for block in &record.paragraphs {
        if shown == n {
            break;
        }
        if let Some(text) = record.body.get(block.start..block.end)
            && !text.trim().is_empty()
        {
            let _ = write!(out, "<p>{}</p>", esc(text.trim()));
            shown += 1;
        }
    }
    if shown == 0 {
        for text in record
            .body
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .take(n)
        {
            let _ = write!(out, "<p>{}</p>", esc(text.trim()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            esc(r#"<script>alert('x') & "y"</script>"#),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn url_parts_are_percent_encoded() {
        assert_eq!(url_part("Oda Brenn/ü?"), "Oda%20Brenn%2F%C3%BC%3F");
    }

    #[test]
    fn the_sentence_around_a_span_is_cut_and_marked() {
        let text = "First one. The harbour master Oda Brenn spoke. Last <b>one</b>.";
        let start = text.find("harbour master").expect("span");
        let got = sentence_with_mark(text, start, start + 14).expect("cut");
        assert_eq!(got, "The <mark>harbour master</mark> Oda Brenn spoke.");
        // Offsets inside a character or past the end are refused, not a panic.
        assert_eq!(sentence_with_mark("é", 1, 2), None);
        assert_eq!(sentence_with_mark("abc", 2, 10), None);
        let end = text.len();
        let last = sentence_with_mark(text, end - 4, end).expect("last");
        assert!(last.starts_with("Last &lt;b&gt;one&lt;<mark>"), "{last}");
    }
}
