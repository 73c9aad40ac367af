//! HTML pages to clean articles: dom_smoothie (a readability.js port) finds the main content,
//! our block walker turns it into paragraphs and subheadings, the line rules shared with the
//! plain-text cleaner drop captions, credits and chrome, and our own metadata layer reads title,
//! authors, outlet, URL, language and publication date.

use dom_query::{Document, NodeRef};
use dom_smoothie::{Config, Readability};
use serde_json::Value;
use sitrep_model::{NaiveDate, OffsetMap};

use crate::body::BodyBuilder;
use crate::dates::parse_date_text;
use crate::lines::{LineKind, classify, split_authors};
use crate::text::{Para, extend_unique, select_body};

/// Metadata read from a page's markup.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageMeta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub site_name: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub published: Option<NaiveDate>,
    pub description: Option<String>,
}

/// What the HTML extractor found.
#[derive(Debug, Default)]
pub struct CleanHtml {
    pub meta: PageMeta,
    pub body: String,
    pub blocks: Vec<sitrep_model::Block>,
    pub offsets: OffsetMap,
    pub diagnostics: Vec<String>,
}

/// Extracts the article of an HTML page. `url` is where the page came from, when known.
pub fn clean_html(html: &str, url: Option<&str>) -> CleanHtml {
    let doc = Document::from(html);
    let mut meta = page_meta(&doc, url);
    let mut out = CleanHtml::default();

    let page_url = meta.url.clone().or_else(|| url.map(str::to_string));
    let abs_url = page_url
        .as_deref()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let cfg = Config {
        max_elements_to_parse: 0,
        ..Default::default()
    };
    let depth = dom_depth(&doc);
    let readable = if depth > MAX_READABLE_DEPTH {
        Err(format!("page nested {depth} levels deep"))
    } else {
        Readability::with_document(doc, abs_url, Some(cfg))
            .and_then(|mut r| r.parse())
            .map_err(|e| e.to_string())
    };
    let content = match readable {
        Ok(article) => {
            if meta.authors.is_empty()
                && let Some(byline) = article.byline.as_deref()
            {
                meta.authors = clean_author_list(byline);
            }
            Some(article.content.to_string())
        }
        Err(e) => {
            out.diagnostics.push(format!(
                "main content not found ({e}); using all paragraphs"
            ));
            None
        }
    };

    let mut paragraphs = Vec::new();
    match content {
        Some(content) => {
            let frag = Document::fragment(content);
            walk_blocks(&frag.root(), &mut paragraphs);
        }
        None => {
            let doc = Document::from(html);
            for node in doc.select("p, h2, h3, li").nodes() {
                let text = node.text();
                if text.split_whitespace().count() >= 5
                    || node.has_name("h2")
                    || node.has_name("h3")
                {
                    let heading = matches!(node.node_name().as_deref(), Some("h2" | "h3"));
                    paragraphs.push((normalise_space(&text), heading));
                }
            }
        }
    }

    // The title is often repeated as the first block.
    if let (Some(title), Some((first, _))) = (meta.title.as_deref(), paragraphs.first())
        && normalise_space(title) == *first
    {
        paragraphs.remove(0);
    }

    let paras: Vec<Para<'_>> = paragraphs
        .iter()
        .map(|(text, heading)| Para {
            text,
            kind: classify(text),
            heading: Some(*heading),
        })
        .collect();
    let sel = select_body(&paras);
    if meta.authors.is_empty() {
        extend_unique(&mut meta.authors, &sel.authors);
    }
    meta.published = meta.published.or(sel.published);

    let mut builder = BodyBuilder::new();
    for (kind, idx) in sel.kept {
        builder.push_text(kind, &paragraphs[idx].0);
    }
    let (body, blocks, offsets) = builder.finish_aligned(html);
    out.meta = meta;
    out.body = body;
    out.blocks = blocks;
    out.offsets = offsets;
    out
}

/// Pages whose markup nests deeper than this are refused before parsing: HTML tree building is
/// quadratic in nesting depth, so one hostile page could stall a whole run.
pub const MAX_NESTING: usize = 10_000;

/// Parsed pages deeper than this skip readability scoring (also quadratic in depth) and fall
/// back to collecting paragraphs. Real pages stay far below (browsers flatten beyond 512).
const MAX_READABLE_DEPTH: usize = 1000;

/// The depth of the deepest element of a parsed document (iterative: no recursion).
fn dom_depth(doc: &Document) -> usize {
    let mut max = 0;
    let mut stack = vec![(doc.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        max = max.max(depth);
        for child in node.children_it(false) {
            if child.is_element() {
                stack.push((child, depth + 1));
            }
        }
    }
    max
}

/// A cheap, linear estimate of how deeply a page nests its container elements, read from the
/// raw markup before parsing. Like the HTML parser, a closing tag also closes the unclosed
/// elements opened after its match (looked for among the 64 innermost open elements).
pub fn nesting_depth(html: &str) -> usize {
    const COUNTED: [&[u8]; 9] = [
        b"div",
        b"span",
        b"section",
        b"article",
        b"table",
        b"ul",
        b"ol",
        b"blockquote",
        b"font",
    ];
    let bytes = html.as_bytes();
    let mut open: Vec<u8> = Vec::new(); // index into COUNTED per open element
    let mut max = 0usize;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + off + 1;
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = start + usize::from(closing);
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |p| name_start + p);
        let name = &bytes[name_start..name_end];
        if let Some(kind) = COUNTED.iter().position(|c| name.eq_ignore_ascii_case(c)) {
            let kind = kind as u8;
            let tag_end =
                memchr::memchr(b'>', &bytes[name_end..]).map_or(bytes.len(), |p| name_end + p);
            let self_closing = tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/');
            if closing {
                let window = open.len().saturating_sub(64);
                if let Some(at) = open[window..].iter().rposition(|&k| k == kind) {
                    open.truncate(window + at);
                }
            } else if !self_closing {
                open.push(kind);
                max = max.max(open.len());
            }
        }
        i = name_end.max(start);
    }
    max
}

fn normalise_space(text: &str) -> String {
    text.split(crate::body::is_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Elements whose text is never article body.
const SKIP: &[&str] = &[
    "script",
    "style",
    "noscript",
    "figure",
    "figcaption",
    "aside",
    "nav",
    "footer",
    "form",
    "button",
    "svg",
    "iframe",
    "select",
    "input",
    "textarea",
    "template",
    "object",
    "video",
    "audio",
    "picture",
    "canvas",
    "label",
];
/// Elements that start a new block.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "header",
    "main",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "address",
    "center",
];

/// Collects the text of `node` as blocks: `(text, is_heading)`.
fn walk_blocks(node: &NodeRef<'_>, out: &mut Vec<(String, bool)>) {
    let mut current = String::new();
    walk(node, &mut current, out, false);
    flush(&mut current, false, out);
}

fn flush(current: &mut String, heading: bool, out: &mut Vec<(String, bool)>) {
    let text = normalise_space(current);
    current.clear();
    if !text.is_empty() {
        out.push((text, heading));
    }
}

fn walk(node: &NodeRef<'_>, current: &mut String, out: &mut Vec<(String, bool)>, heading: bool) {
    for child in node.children_it(false) {
        if child.is_text() {
            current.push_str(&child.text());
            continue;
        }
        if !child.is_element() {
            continue;
        }
        let name = child.node_name();
        let name = name.as_deref().unwrap_or("");
        if SKIP.contains(&name) || is_hidden(&child) {
            continue;
        }
        if BLOCK.contains(&name) {
            flush(current, heading, out);
            let is_heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
            walk(&child, current, out, heading || is_heading);
            flush(current, heading || is_heading, out);
        } else {
            walk(&child, current, out, heading);
        }
    }
}

fn is_hidden(node: &NodeRef<'_>) -> bool {
    node.has_attr("hidden")
        || node
            .attr("aria-hidden")
            .is_some_and(|v| v.as_ref() == "true")
        || node.attr("style").is_some_and(|s| {
            let s = s.to_lowercase().replace(' ', "");
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// Reads the page's metadata: JSON-LD, OpenGraph and other meta tags, `<title>`, `<h1>`,
/// bylines and the publication date.
pub fn page_meta(doc: &Document, url: Option<&str>) -> PageMeta {
    let ld = json_ld(doc);
    // One pass over the <meta> tags: lowercased property/name/itemprop -> first non-empty content.
    let mut metas: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for node in doc.select("meta[content]").nodes() {
        let Some(content) = node.attr("content") else {
            continue;
        };
        let content = normalise_space(&content);
        if content.is_empty() {
            continue;
        }
        for attr in ["property", "name", "itemprop"] {
            if let Some(key) = node.attr(attr) {
                metas
                    .entry(key.trim().to_lowercase())
                    .or_insert_with(|| content.clone());
            }
        }
    }
    let meta =
        |names: &[&str]| -> Option<String> { names.iter().find_map(|n| metas.get(*n).cloned()) };

    let canonical = doc
        .select("link[rel=\"canonical\" i]")
        .attr("href")
        .map(|h| h.to_string())
        .filter(|h| h.starts_with("http"))
        .or_else(|| meta(&["og:url"]).filter(|h| h.starts_with("http")));
    let page_url = url
        .filter(|u| u.starts_with("http"))
        .map(str::to_string)
        .or(canonical);

    // Title: the metadata's headline (or <title>) with any site-name part removed, choosing
    // the part that the page repeats as a heading.
    let doc_title = normalise_space(&doc.select("head title").text());
    let meta_title = ld
        .headline
        .clone()
        .or_else(|| meta(&["og:title", "twitter:title", "title"]))
        .map(|t| decode_entities(&t));
    let headings: Vec<String> = doc
        .select("h1, h2")
        .nodes()
        .iter()
        .take(12)
        .map(|n| normalise_space(&n.text()))
        .filter(|t| !t.is_empty() && t.chars().count() <= 300)
        .collect();
    let site = meta(&["og:site_name", "application-name"]).or(ld.publisher.clone());
    let title = meta_title
        .as_deref()
        .or((!doc_title.is_empty()).then_some(doc_title.as_str()))
        .map(|t| choose_title_part(t, &headings, site.as_deref()))
        .or_else(|| headings.first().cloned());

    // Authors.
    let mut authors = ld.authors.clone();
    if authors.is_empty() {
        for names in [meta(&[
            "author",
            "article:author",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "byl",
        ])]
        .into_iter()
        .flatten()
        {
            if !names.starts_with("http") {
                authors = clean_author_list(&names);
            }
        }
    }
    if authors.is_empty() {
        for sel in [
            "[itemprop=\"author\" i] [itemprop=\"name\" i]",
            "[rel=\"author\"]",
            "[itemprop=\"author\" i]",
            ".byline-name, .author-name, .byline__name, .author a, .byline a",
            "[class*=\"byline\" i] a, [data-testid*=\"byline\" i] a, [class*=\"author\" i] a[href*=\"/author\"]",
            "a[href*=\"/author/\"], a[href*=\"/authors/\"], a[href*=\"/autor/\"], a[href*=\"/autoren/\"], a[href*=\"/journalists/\"], a[href*=\"/newsteam/\"]",
            ".byline, .author, .article-author, .post-author, [class*=\"byline\" i]",
        ] {
            for node in doc.select(sel).nodes().iter().take(4) {
                if in_comments_or_forms(node) {
                    continue;
                }
                let text = normalise_space(&node.text());
                if text.chars().count() <= 80 {
                    for a in clean_author_list(&text) {
                        if !authors.contains(&a) {
                            authors.push(a);
                        }
                    }
                }
            }
            if !authors.is_empty() {
                break;
            }
        }
    }

    let site_name = meta(&["og:site_name", "application-name", "twitter:site"])
        .or(ld.publisher.clone())
        .map(|s| s.trim_start_matches('@').to_string());
    drop_site_names(&mut authors, site_name.as_deref(), page_url.as_deref());
    let language = doc
        .select("html")
        .attr("lang")
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .or_else(|| meta(&["og:locale", "language", "content-language"]));
    let description = meta(&["og:description", "description", "twitter:description"]);
    let published = sitrep_htmldate::find_date(doc, page_url.as_deref())
        .map(|m| m.date)
        .or_else(|| ld.published.as_deref().and_then(parse_date_text));

    PageMeta {
        title: title.filter(|t| !t.is_empty()),
        authors,
        site_name,
        url: page_url,
        language,
        published,
        description,
    }
}

const TITLE_SEPARATORS: [&str; 10] = [
    " | ", " - ", " – ", " — ", " :: ", " » ", " › ", " · ", " // ", " : ",
];

/// Decodes the HTML character references that double-escaped metadata still carries
/// (`&quot;`, `&#8211;`, `&#x2019;`, `&amp;`...). Unknown references are left as they are.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The part of a "Headline | Site" title that is the headline: the part the page repeats as a
/// heading, else the parts that are not the site name, else the longest part.
fn choose_title_part(title: &str, headings: &[String], site: Option<&str>) -> String {
    let lower = |s: &str| s.to_lowercase();
    if headings.iter().any(|h| lower(h) == lower(title)) {
        return title.to_string();
    }
    for sep in TITLE_SEPARATORS {
        if !title.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = title
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if let Some(p) = parts
            .iter()
            .find(|p| headings.iter().any(|h| lower(h) == lower(p)))
        {
            return p.to_string();
        }
        if let Some(site) = site {
            let rest: Vec<&str> = parts
                .iter()
                .copied()
                .filter(|p| lower(p) != lower(site))
                .collect();
            if rest.len() < parts.len() && !rest.is_empty() {
                return rest.join(sep);
            }
        }
        return strip_site_suffix(title);
    }
    // A heading that starts the title: "Headline" in "Headline, and more words".
    title.to_string()
}

/// Removes a " | Site name" style suffix (or prefix) from a page title.
fn strip_site_suffix(title: &str) -> String {
    for sep in TITLE_SEPARATORS {
        if title.contains(sep) {
            let parts: Vec<&str> = title.split(sep).collect();
            if let Some(best) = parts.iter().max_by_key(|p| p.chars().count())
                && best.split_whitespace().count() >= 2
            {
                return best.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

/// Whether a node sits in a comment thread, a form, or page furniture (where "author" classes
/// name commenters and form fields, not the article's authors).
fn in_comments_or_forms(node: &NodeRef<'_>) -> bool {
    node.ancestors_it(Some(12)).any(|a| {
        let name = a.node_name();
        if matches!(
            name.as_deref(),
            Some("form" | "footer" | "aside" | "nav" | "label")
        ) {
            return true;
        }
        let marks = format!(
            "{} {}",
            a.attr("class").unwrap_or_default(),
            a.attr("id").unwrap_or_default()
        )
        .to_lowercase();
        [
            "comment", "respond", "reply", "sidebar", "widget", "related", "footer",
        ]
        .iter()
        .any(|m| marks.contains(m))
    })
}

/// Words that show a byline candidate is not a name.
fn not_a_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.contains(['*', '(', ')', ':', '@', '/'])
        || lower.ends_with(" says")
        || lower.ends_with(" sagt")
        || crate::dates::month_number(&lower).is_some()
        || [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "montag",
            "dienstag",
            "mittwoch",
            "donnerstag",
            "freitag",
            "samstag",
            "sonntag",
            "admin",
            "name",
            "home",
            "staff",
            "redaktion",
        ]
        .contains(&lower.as_str())
}

/// Splits a byline into author names, dropping "By", dates, roles and outlet tags.
fn clean_author_list(text: &str) -> Vec<String> {
    const PREFIXES: [&str; 14] = [
        "by ",
        "von ",
        "par ",
        "por ",
        "di ",
        "door ",
        "posted by ",
        "written by ",
        "eingestellt von ",
        "geschrieben von ",
        "author: ",
        "autor: ",
        "text: ",
        "reporting by ",
    ];
    const SUFFIXES: [&str; 4] = [" alle artikel", " shares", " more posts", " -"];
    let mut text = text.trim();
    let lower = text.to_lowercase();
    if let Some(p) = PREFIXES.iter().find(|p| lower.starts_with(*p)) {
        text = text.get(p.len()..).unwrap_or("").trim();
    }
    let text = text.split(['|', '\n']).next().unwrap_or("");
    split_authors(text)
        .into_iter()
        .map(|n| {
            let lower = n.to_lowercase();
            match SUFFIXES.iter().find(|s| lower.ends_with(*s)) {
                Some(s) => n[..n.len() - s.len()].trim().to_string(),
                None => n,
            }
        })
        .filter(|n| {
            !n.is_empty()
                && !n.chars().any(|c| c.is_ascii_digit())
                && !not_a_name(n)
                && n.split_whitespace().count() <= 4
                && !matches!(classify(n), LineKind::DateLine)
                // "CNN", "AP": an agency tag, not a person.
                && !(n.len() <= 5 && !n.contains(' ') && n.chars().all(|c| !c.is_lowercase()))
        })
        .collect()
}

/// Drops "authors" that are the site itself ("Harbour Wire", "harbourwire.example").
fn drop_site_names(authors: &mut Vec<String>, site: Option<&str>, url: Option<&str>) {
    let squash = |s: &str| {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    let mut names: Vec<String> = site.map(squash).into_iter().collect();
    if let Some(host) = url.and_then(crate::host_of) {
        names.push(squash(&host));
        if let Some(first) = host.split('.').next() {
            names.push(squash(first));
        }
    }
    authors.retain(|a| {
        let a = squash(a);
        !names
            .iter()
            .any(|n| !n.is_empty() && (a == *n || n.starts_with(&a) && a.len() >= 4))
    });
}

/// What the JSON-LD blocks of a page say about its article.
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    authors: Vec<String>,
    publisher: Option<String>,
    published: Option<String>,
}

fn json_ld(doc: &Document) -> JsonLd {
    let mut out = JsonLd::default();
    for node in doc.select("script[type=\"application/ld+json\" i]").nodes() {
        let text = node.text();
        let Ok(value) = serde_json::from_str::<Value>(text.trim()) else {
            continue;
        };
        let mut objects = Vec::new();
        collect_objects(&value, &mut objects, 0);
        for obj in objects {
            let types = type_names(obj);
            let is_article = types.iter().any(|t| {
                t.ends_with("Article")
                    || matches!(t.as_str(), "BlogPosting" | "Report" | "LiveBlogPosting")
            });
            if !is_article {
                continue;
            }
            if out.headline.is_none() {
                out.headline = obj
                    .get("headline")
                    .and_then(Value::as_str)
                    .map(normalise_space);
            }
            if out.authors.is_empty()
                && let Some(a) = obj.get("author").or_else(|| obj.get("creator"))
            {
                out.authors = person_names(a);
            }
            if out.publisher.is_none() {
                out.publisher = obj
                    .get("publisher")
                    .and_then(|p| p.get("name"))
                    .and_then(Value::as_str)
                    .map(normalise_space);
            }
            if out.published.is_none() {
                out.published = obj
                    .get("datePublished")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
        }
    }
    out
}

fn collect_objects<'a>(
    v: &'a Value,
    out: &mut Vec<&'a serde_json::Map<String, Value>>,
    depth: usize,
) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items
            .iter()
            .for_each(|i| collect_objects(i, out, depth + 1)),
        Value::Object(map) => {
            out.push(map);
            if let Some(graph) = map.get("@graph") {
                collect_objects(graph, out, depth + 1);
            }
            if let Some(main) = map.get("mainEntity") {
                collect_objects(main, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn type_names(obj: &serde_json::Map<String, Value>) -> Vec<String> {
    match obj.get("@type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn person_names(v: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut push = |s: &str| {
        for n in clean_author_list(s) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    };
    match v {
        Value::String(s) => push(s),
        Value::Object(o) => {
            if let Some(s) = o.get("name").and_then(Value::as_str) {
                push(s);
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => push(s),
                    Value::Object(o) => {
                        if let Some(s) = o.get("name").and_then(Value::as_str) {
                            push(s);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::BlockKind;

    const PAGE: &str = r#"<!doctype html><html lang="en"><head>
<title>Port deal signed after long talks | Harbour Wire</title>
<meta property="og:site_name" content="Harbour Wire">
<link rel="canonical" href="https://harbourwire.example/2024/03/05/port-deal">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
 "headline":"Port deal signed after long talks","datePublished":"2024-03-05T08:00:00Z",
 "author":[{"@type":"Person","name":"Mara Quill"},{"@type":"Person","name":"Tom Bex"}]}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Port deal signed after long talks</h1>
<figure><img src="a.jpg"><figcaption>The harbour at dawn (Harbour Wire)</figcaption></figure>
<p>The cities of Velden and Ostra signed the port deal on Tuesday after eleven rounds of talks, officials said.</p>
<p>The agreement, which runs for ten years, opens the northern quay to ships from both cities &amp; their partners.</p>
<h2>What changes for shippers</h2>
<p>Shippers will pay a single fee from June, the port authority said in a statement on its website.</p>
<p>Advertisement</p>
<p>&#8220;This is the end of a long quarrel,&#8221; said Mayor Ilse Brandt, who led the Velden delegation.</p>
</article>
<aside><h3>Related stories</h3><ul><li>Ferry strike ends</li></ul></aside>
<footer>Copyright 2024 Harbour Wire</footer>
</body></html>"#;

    #[test]
    fn extracts_body_and_metadata() {
        let c = clean_html(PAGE, None);
        assert_eq!(
            c.meta.title.as_deref(),
            Some("Port deal signed after long talks")
        );
        assert_eq!(
            c.meta.authors,
            vec!["Mara Quill".to_string(), "Tom Bex".to_string()]
        );
        assert_eq!(c.meta.site_name.as_deref(), Some("Harbour Wire"));
        assert_eq!(
            c.meta.url.as_deref(),
            Some("https://harbourwire.example/2024/03/05/port-deal")
        );
        assert_eq!(c.meta.language.as_deref(), Some("en"));
        assert!(c.body.starts_with("The cities of Velden"), "{}", c.body);
        assert!(c.body.contains("both cities & their partners"));
        assert!(c.body.contains("\u{201c}This is the end"));
        assert!(!c.body.contains("Advertisement"));
        assert!(!c.body.contains("harbour at dawn"));
        assert!(!c.body.contains("Related"));
        assert!(!c.body.contains("Copyright"));
        let heading = c.blocks.iter().find(|b| b.kind == BlockKind::Heading);
        assert_eq!(
            heading.map(|b| &c.body[b.start..b.end]),
            Some("What changes for shippers")
        );
    }

    #[test]
    fn body_offsets_point_into_the_html() {
        let c = clean_html(PAGE, None);
        let at = c.body.find("Shippers").unwrap_or(0);
        let src = c.offsets.to_source(at).unwrap_or(0);
        assert_eq!(&PAGE[src..src + 8], "Shippers");
    }

    #[test]
    fn nesting_is_estimated_linearly() {
        assert_eq!(
            nesting_depth("<div><div><p>x</p></div><span/><div></div></div>"),
            2
        );
        let deep = format!("{}x{}", "<DIV class=a>".repeat(5000), "</div>".repeat(5000));
        assert_eq!(nesting_depth(&deep), 5000);
        assert_eq!(nesting_depth("no tags < here"), 0);
        // Unclosed spans are closed by their enclosing div's end tag.
        let spans = "<div><span><span></div>".repeat(3000);
        assert_eq!(nesting_depth(&spans), 3);
    }

    #[test]
    fn entities_in_metadata_are_decoded() {
        assert_eq!(
            decode_entities("Olive &#038; Herb &quot;Bread&quot; &#8211; &#x2019;s &bogus; & x"),
            "Olive & Herb \"Bread\" – ’s &bogus; & x"
        );
    }

    #[test]
    fn title_suffix_is_stripped() {
        assert_eq!(
            strip_site_suffix("Port deal signed | Harbour Wire"),
            "Port deal signed"
        );
        assert_eq!(
            strip_site_suffix("Harbour Wire - Port deal signed today"),
            "Port deal signed today"
        );
    }
}
