//! Publication date of a web page from its parsed HTML and its URL.
//!
//! Inputs: a parsed [`dom_query::Document`] and the page URL when known. Output: the most likely
//! original publication date, with the kind of evidence it rests on. No IO, no clock.
//!
//! The evidence is tried from the most to the least reliable, in the manner of htmldate: a full
//! date in the URL (or the canonical link), publication-date meta tags, JSON-LD, `abbr` and
//! `time` markup, elements whose class or id speaks of dates, and finally date expressions in
//! the page text, where the earliest plausible one is taken as the original date.

mod flat;
mod page;
mod parse;

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use flat::{Elem, Flat, Tag};
use parse::{Bounds, parse_segment, parse_value, prefix_chars, squash};

pub use parse::month_of;

/// Where a date was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    JsonLd,
    Meta,
    TimeElement,
    Url,
    Markup,
    Text,
}

/// A publication date and the evidence it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMatch {
    pub date: NaiveDate,
    pub source: DateSource,
}

/// The range of dates accepted as publication dates. There is no clock here: callers that know
/// when the page was fetched should pass that day as `max_date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub min_date: NaiveDate,
    pub max_date: NaiveDate,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_date: NaiveDate::from_ymd_opt(1995, 1, 1).unwrap_or_default(),
            max_date: NaiveDate::from_ymd_opt(2030, 12, 31).unwrap_or_default(),
        }
    }
}

/// The original publication date of the page, if any evidence names one.
pub fn find_date(doc: &dom_query::Document, url: Option<&str>) -> Option<DateMatch> {
    find_date_with(doc, url, &Options::default())
}

/// [`find_date`] on an HTML string.
pub fn find_date_in_html(html: &str, url: Option<&str>) -> Option<DateMatch> {
    find_date(&dom_query::Document::from(html), url)
}

/// [`find_date`] with explicit date bounds.
pub fn find_date_with(
    doc: &dom_query::Document,
    url: Option<&str>,
    options: &Options,
) -> Option<DateMatch> {
    run(doc, url, options, false)
        .into_iter()
        .next()
        .map(|(_, m)| m)
}

/// Every heuristic's answer, in order of precedence (for inspecting misses).
#[doc(hidden)]
pub fn explain(doc: &dom_query::Document, url: Option<&str>) -> Vec<(&'static str, DateMatch)> {
    run(doc, url, &Options::default(), true)
}

fn run(
    doc: &dom_query::Document,
    url: Option<&str>,
    options: &Options,
    all: bool,
) -> Vec<(&'static str, DateMatch)> {
    let b = Bounds {
        min: options.min_date,
        max: options.max_date,
    };
    let flat = flat::flatten(doc);
    let mut out = Vec::new();
    macro_rules! stage {
        ($name:expr, $source:expr, $value:expr) => {
            if let Some(date) = $value {
                out.push((
                    $name,
                    DateMatch {
                        date,
                        source: $source,
                    },
                ));
                if !all {
                    return out;
                }
            }
        };
    }

    // 1. A complete date in the URL, or else in the canonical link.
    let canonical = flat
        .elems
        .iter()
        .find(|e| {
            e.tag == Tag::Link
                && e.attr("rel")
                    .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
        })
        .and_then(|e| e.attr("href"));
    stage!(
        "url",
        DateSource::Url,
        url.or(canonical).and_then(|u| url_date(u, &b))
    );
    // 2. Meta tags and JSON-LD.
    let meta = meta_date(&flat, &b);
    stage!("meta", DateSource::Meta, meta.published);
    stage!("json-ld", DateSource::JsonLd, json_ld_date(&flat, &b));
    // 3. Markup: abbr, elements named for dates, title and h1, time elements.
    stage!("abbr", DateSource::Markup, abbr_date(&flat, &b));
    stage!(
        "published-datetime",
        DateSource::TimeElement,
        published_datetime(&flat, &b)
    );
    stage!(
        "date-elements",
        DateSource::Markup,
        date_elements(&flat, &b, is_date_elem)
    );
    stage!(
        "title",
        DateSource::Markup,
        date_elements(&flat, &b, |e| matches!(e.tag, Tag::Title | Tag::H1))
    );
    stage!("time", DateSource::TimeElement, time_date(&flat, &b));
    // A modification date says the page existed then: better than guessing from the text.
    stage!("meta-modified", DateSource::Meta, meta.modified);
    // 4. The serialized page: timestamps, the preview image's URL, introduced dates.
    let html = doc.html();
    stage!("timestamp", DateSource::Text, page::timestamp(&html, &b));
    let og_image = flat
        .elems
        .iter()
        .find(|e| e.tag == Tag::Meta && e.attr("property") == Some("og:image"))
        .and_then(|e| e.attr("content"));
    stage!(
        "og-image",
        DateSource::Url,
        og_image.and_then(|u| url_date(u, &b))
    );
    stage!(
        "idiosyncrasies",
        DateSource::Text,
        page::idiosyncrasies(&html, &b)
    );
    // 5. Free text: the earliest date among short text segments, then page-wide patterns.
    stage!("free-text", DateSource::Text, free_text_date(&flat, &b));
    stage!("page", DateSource::Text, page::search_page(&html, &b));
    out
}

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[^\d]((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?:[^\d]|$)").expect("regex")
});

/// A year-month-day date in a URL path.
fn url_date(url: &str, b: &Bounds) -> Option<NaiveDate> {
    let c = URL_DATE.captures(parse::prefix_bytes(url, 2000))?;
    b.date(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
}

/// Meta names and properties that carry a publication date.
const META_PUBLISHED: &[&str] = &[
    "analyticsattributes.articledate",
    "article.created",
    "article_date_original",
    "article:post_date",
    "article.published",
    "article:published",
    "article:published_date",
    "article:published_time",
    "article:publicationdate",
    "bt:pubdate",
    "citation_date",
    "citation_publication_date",
    "citation_online_date",
    "content_create_date",
    "created",
    "cxenseparse:recs:publishtime",
    "date",
    "date_created",
    "date_published",
    "datecreated",
    "dateposted",
    "datepublished",
    "dc.date",
    "dc.created",
    "dc.date.created",
    "dc.date.issued",
    "dc.date.publication",
    "dcsext.articlefirstpublished",
    "dcterms.created",
    "dcterms.date",
    "dcterms.issued",
    "dc:created",
    "dc:date",
    "displaydate",
    "doc_date",
    "field-name-post-date",
    "gentime",
    "mediator_published_time",
    "og:article:published",
    "og:article:published_time",
    "og:datepublished",
    "og:pubdate",
    "og:publish_date",
    "og:published_time",
    "og:question:published_time",
    "og:regdate",
    "originalpublicationdate",
    "parsely-pub-date",
    "pdate",
    "ptime",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish_time",
    "publish-date",
    "published-date",
    "published_date",
    "published_time",
    "publisheddate",
    "publication_date",
    "rbpubdate",
    "release_date",
    "rnews:datepublished",
    "sailthru.date",
    "shareaholic:article_published_time",
    "timestamp",
    "twt-published-at",
    "video:release_date",
    "vr:published_time",
];

/// Meta names and properties that carry a modification date: a fallback only.
const META_MODIFIED: &[&str] = &[
    "lastdate",
    "lastmod",
    "lastmodified",
    "last-modified",
    "modified",
    "utime",
    "article:modified",
    "article:modified_date",
    "article:modified_time",
    "article:post_modified",
    "bt:moddate",
    "datemodified",
    "dc.modified",
    "dcterms.modified",
    "modified_time",
    "modificationdate",
    "og:article:modified_time",
    "og:modified_time",
    "og:updated_time",
    "revision_date",
    "updated_time",
];

/// What the meta tags say: a publication date, else a dated page URL; modification dates and
/// copyright years are kept apart as a weak fallback.
struct MetaDates {
    published: Option<NaiveDate>,
    modified: Option<NaiveDate>,
}

fn meta_date(flat: &Flat, b: &Bounds) -> MetaDates {
    let mut reserve: Option<NaiveDate> = None;
    let mut modified: Option<NaiveDate> = None;
    for e in flat.elems.iter().filter(|e| e.tag == Tag::Meta) {
        let Some(value) = e.attr("content").or_else(|| e.attr("datetime")) else {
            continue;
        };
        let key = e
            .attr("name")
            .or_else(|| e.attr("property"))
            .or_else(|| e.attr("itemprop"))
            .or_else(|| e.attr("http-equiv"))
            .map(|k| k.trim().to_ascii_lowercase());
        let Some(key) = key else {
            if e.attr("pubdate")
                .is_some_and(|p| p.eq_ignore_ascii_case("pubdate"))
                && let Some(d) = parse_value(value, b)
            {
                return MetaDates {
                    published: Some(d),
                    modified,
                };
            }
            continue;
        };
        let key = key.as_str();
        if key == "og:url" || key == "twitter:url" {
            if let Some(d) = url_date(value, b) {
                reserve = reserve.or(Some(d));
            }
        } else if META_PUBLISHED.contains(&key) || key == "pubyear" {
            if let Some(d) = parse_value(value, b) {
                return MetaDates {
                    published: Some(d),
                    modified,
                };
            }
        } else if META_MODIFIED.contains(&key) || key == "dateupdate" {
            if let Some(d) = parse_value(value, b) {
                modified = Some(d);
            }
        } else if key == "copyrightyear"
            && let Some(d) = value.trim().parse().ok().and_then(|y| b.date(y, 1, 1))
        {
            modified = modified.or(Some(d));
        }
    }
    MetaDates {
        published: reserve,
        modified,
    }
}

static JSON_PUBLISHED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)"datePublished"\s*:\s*"([^"]{4,64})""#).expect("regex"));
static JSON_CREATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)"dateCreated"\s*:\s*"([^"]{4,64})""#).expect("regex"));

/// `datePublished` (else `dateCreated`) in the page's JSON-LD, wherever it is nested.
fn json_ld_date(flat: &Flat, b: &Bounds) -> Option<NaiveDate> {
    for re in [&*JSON_PUBLISHED, &*JSON_CREATED] {
        for script in &flat.json_scripts {
            for c in re.captures_iter(script).take(20) {
                if let Some(d) = parse_value(&c[1], b) {
                    return Some(d);
                }
            }
        }
    }
    None
}

/// Date expressions are looked for in this many chars of an element's text, and free-text
/// segments must be shorter than this.
const SEGMENT_CHARS: usize = 52;

/// More candidates than this: the markup is no guide on this page.
const MAX_CANDIDATES: usize = 1000;

fn abbr_date(flat: &Flat, b: &Bounds) -> Option<NaiveDate> {
    let abbrs: Vec<&Elem> = flat.elems.iter().filter(|e| e.tag == Tag::Abbr).collect();
    if abbrs.is_empty() || abbrs.len() >= MAX_CANDIDATES {
        return None;
    }
    let mut earliest: Option<NaiveDate> = None;
    for e in &abbrs {
        if let Some(t) = e.attr("data-utime") {
            if let Some(d) = t
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|s| parse_value(&s.to_string(), b))
            {
                earliest = Some(earliest.map_or(d, |x| x.min(d)));
            }
        } else if e
            .attr("class")
            .is_some_and(|c| matches!(c.trim(), "date-published" | "published" | "time published"))
        {
            if let Some(d) = e.attr("title").and_then(|t| parse_value(t, b)) {
                return Some(d);
            }
        } else {
            let text = flat.text_prefix(e, 200);
            if text.trim().chars().count() > 10
                && let Some(d) = parse_segment(text.trim(), b, false)
            {
                earliest = Some(earliest.map_or(d, |x| x.min(d)));
            }
        }
    }
    earliest.or_else(|| date_elements(flat, b, |e| e.tag == Tag::Abbr))
}

const CLASS_CUES: &[&str] = &[
    "info",
    "post_detail",
    "block-content",
    "byline",
    "subline",
    "posted",
    "submitted",
    "created-post",
    "publication",
    "author",
    "autor",
    "field-content",
    "fa-clock-o",
    "fa-calendar",
    "fecha",
    "parution",
];

/// Elements whose class, id or itemprop suggests a date, plus footers and small print.
fn is_date_elem(e: &Elem) -> bool {
    if matches!(e.tag, Tag::Footer | Tag::Small) {
        return true;
    }
    if matches!(e.tag, Tag::Meta | Tag::Link | Tag::Script | Tag::Title) {
        return false;
    }
    let id = e
        .attr("id")
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let class = e
        .attr("class")
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let itemprop = e
        .attr("itemprop")
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    // Update and comment dates are not the publication date.
    if [&id, &class, &itemprop]
        .iter()
        .any(|v| v.contains("updated") || v.contains("modified") || v.contains("comment"))
    {
        return false;
    }
    if [&id, &class, &itemprop]
        .iter()
        .any(|v| v.contains("date") || v.contains("datum"))
    {
        return true;
    }
    if [&id, &class].iter().any(|v| {
        v.contains("meta") || v.contains("time") || v.contains("publish") || v.contains("footer")
    }) {
        return true;
    }
    CLASS_CUES.iter().any(|c| class.contains(c)) || id.contains("footer-info-lastmod")
}

/// The first selected element whose opening text (or title) reads as a date.
fn date_elements(flat: &Flat, b: &Bounds, select: impl Fn(&Elem) -> bool) -> Option<NaiveDate> {
    let elems: Vec<&Elem> = flat.elems.iter().filter(|e| select(e)).collect();
    if elems.len() > MAX_CANDIDATES {
        return None;
    }
    for e in elems {
        let text = flat.text_prefix(e, 400);
        if let Some(d) = examine_text(&text, b) {
            return Some(d);
        }
        if let Some(d) = e.attr("title").and_then(|t| examine_text(t, b)) {
            return Some(d);
        }
    }
    None
}

fn examine_text(text: &str, b: &Bounds) -> Option<NaiveDate> {
    let text = squash(prefix_chars(text, 400));
    if text.chars().count() <= 6 {
        return None;
    }
    let head = prefix_chars(&text, SEGMENT_CHARS).trim_end_matches(|c: char| !c.is_ascii_digit());
    parse_segment(head, b, true)
}

/// The first `datetime` attribute marked as the publication time (`pubdate`, itemprop
/// `datePublished`, a class naming it published or the entry date), not an update time.
fn published_datetime(flat: &Flat, b: &Bounds) -> Option<NaiveDate> {
    for e in &flat.elems {
        let Some(datetime) = e.attr("datetime") else {
            continue;
        };
        if e.tag == Tag::Meta {
            continue;
        }
        let class = e.attr("class").unwrap_or_default().to_ascii_lowercase();
        let itemprop = e.attr("itemprop").unwrap_or_default().to_ascii_lowercase();
        if class.contains("updated") || class.contains("modified") {
            continue;
        }
        let marked = e.has_attr("pubdate")
            || itemprop == "datepublished"
            || class.contains("published")
            || class.starts_with("entry-date")
            || class.starts_with("entry-time");
        if marked && let Some(d) = parse_value(datetime, b) {
            return Some(d);
        }
    }
    None
}

fn time_date(flat: &Flat, b: &Bounds) -> Option<NaiveDate> {
    let times: Vec<&Elem> = flat.elems.iter().filter(|e| e.tag == Tag::Time).collect();
    if times.is_empty() || times.len() >= MAX_CANDIDATES {
        return None;
    }
    let mut earliest: Option<NaiveDate> = None;
    for e in times {
        let datetime = e.attr("datetime").unwrap_or_default();
        let class = e.attr("class").unwrap_or_default().to_ascii_lowercase();
        if class.contains("updated") || class.contains("modified") {
            continue;
        }
        let d = if datetime.len() > 6 {
            let class = e.attr("class").unwrap_or_default();
            let pub_flag = e.has_attr("pubdate")
                || class.starts_with("entry-date")
                || class.starts_with("entry-time");
            let d = parse_value(datetime, b);
            if pub_flag && d.is_some() {
                return d;
            }
            d
        } else {
            let text = flat.text_prefix(e, 200);
            let text = squash(&text);
            if text.chars().count() > 6 {
                parse_segment(prefix_chars(&text, 52), b, false)
            } else {
                None
            }
        };
        if let Some(d) = d {
            earliest = Some(earliest.map_or(d, |x| x.min(d)));
        }
    }
    earliest
}

/// The earliest date among short text segments of the page's blocks.
fn free_text_date(flat: &Flat, b: &Bounds) -> Option<NaiveDate> {
    let mut earliest: Option<NaiveDate> = None;
    for t in &flat.text_nodes {
        if !matches!(t.parent, Tag::Block | Tag::Time) {
            continue;
        }
        if t.text.len() > 400 {
            continue;
        }
        let s = squash(&t.text);
        let n = s.chars().count();
        if n <= 6 || n >= SEGMENT_CHARS {
            continue;
        }
        if let Some(d) = parse_segment(&s, b, true) {
            earliest = Some(earliest.map_or(d, |x| x.min(d)));
        }
    }
    earliest
}

#[cfg(test)]
mod tests;
