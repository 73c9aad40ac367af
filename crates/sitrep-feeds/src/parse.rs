//! Feed documents to article links: RSS and Atom (feed-rs), XML sitemaps, news sitemaps and
//! sitemap indexes (quick-xml). The kind is read from the root element unless the config
//! names it; a named kind that does not match is an error.

use chrono::NaiveDate;
use quick_xml::events::Event;

use crate::config::FeedKind;

/// Metadata of one linked article, used when the page lacks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// The publication's name (news sitemaps) or the feed's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
}

/// One article link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Absolute URL without fragment.
    pub url: String,
    pub meta: ItemMeta,
}

/// A child sitemap of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapRef {
    pub url: String,
    /// `lastmod` as written (ISO 8601 sorts as text).
    pub lastmod: Option<String>,
}

/// What a feed document holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// RSS, Atom or a sitemap: article links, in document order.
    Items { kind: FeedKind, items: Vec<Item> },
    /// A sitemap index: more sitemaps.
    Index(Vec<SitemapRef>),
}

/// Reads a feed document fetched from `base` (relative links are resolved against it).
pub fn parse(bytes: &[u8], expected: FeedKind, base: &url::Url) -> Result<Parsed, String> {
    let found = sniff(bytes)?;
    let compatible = match expected {
        FeedKind::Auto => true,
        // feed-rs reads both; a feed that moved from RSS to Atom keeps working.
        FeedKind::Rss | FeedKind::Atom => matches!(found, FeedKind::Rss | FeedKind::Atom),
        other => other == found,
    };
    if !compatible {
        return Err(format!(
            "expected {}, found {}",
            expected.as_str(),
            found.as_str()
        ));
    }
    match found {
        FeedKind::Sitemap => Ok(Parsed::Items {
            kind: found,
            items: sitemap(bytes, base)?,
        }),
        FeedKind::SitemapIndex => Ok(Parsed::Index(sitemap_index(bytes, base)?)),
        _ => Ok(Parsed::Items {
            kind: found,
            items: feed(bytes, base)?,
        }),
    }
}

/// The kind of a document from its root element (JSON Feed counts as RSS).
pub fn sniff(bytes: &[u8]) -> Result<FeedKind, String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        return Ok(FeedKind::Rss);
    }
    let mut reader = quick_xml::Reader::from_str(trimmed);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.local_name();
                let name = name.as_ref().to_ascii_lowercase();
                return match name.as_str() {
                    "rss" | "rdf" => Ok(FeedKind::Rss),
                    "feed" => Ok(FeedKind::Atom),
                    "urlset" => Ok(FeedKind::Sitemap),
                    "sitemapindex" => Ok(FeedKind::SitemapIndex),
                    "html" => Err("an HTML page, not a feed".into()),
                    other => Err(format!("not a feed or sitemap (root element <{other}>)")),
                };
            }
            Ok(Event::Eof) => return Err("not a feed or sitemap (no XML element)".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("malformed XML: {e}")),
        }
    }
}

/// An absolute http(s) URL without fragment, or None.
fn absolute(base: &url::Url, link: &str) -> Option<String> {
    let mut url = base.join(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    Some(url.to_string())
}

fn feed(bytes: &[u8], base: &url::Url) -> Result<Vec<Item>, String> {
    let parsed = feed_rs::parser::Builder::new()
        .sanitize_content(false)
        .build()
        .parse(bytes)
        .map_err(|e| format!("malformed feed: {e}"))?;
    let outlet = parsed
        .title
        .as_ref()
        .map(|t| t.content.trim().to_string())
        .filter(|t| !t.is_empty());
    let mut items = Vec::new();
    for entry in parsed.entries {
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first())
            .map(|l| l.href.clone())
            .or_else(|| entry.id.starts_with("http").then(|| entry.id.clone()));
        let Some(url) = link.and_then(|l| absolute(base, &l)) else {
            continue;
        };
        let authors = entry
            .authors
            .iter()
            .filter_map(|p| p.name.as_deref().map(str::trim))
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        items.push(Item {
            url,
            meta: ItemMeta {
                title: entry
                    .title
                    .map(|t| t.content.trim().to_string())
                    .filter(|t| !t.is_empty()),
                published: entry.published.or(entry.updated).map(|d| d.date_naive()),
                authors,
                outlet: outlet.clone(),
            },
        });
    }
    Ok(items)
}

/// What [`walk`] reports.
enum Step<'a> {
    /// The text of an element, with the path of local names down to it.
    Text(&'a [String], &'a str),
    /// The end of an element.
    End(&'a str),
}

/// Walks the elements of the small sitemap formats.
fn walk(bytes: &[u8], mut on: impl FnMut(Step<'_>)) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    let mut reader = quick_xml::Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut path: Vec<String> = Vec::new();
    let mut buf = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                let name = e.local_name();
                path.push(name.as_ref().to_ascii_lowercase());
                buf.clear();
            }
            Event::Text(t) => buf.push_str(&t.xml10_content()),
            Event::CData(t) => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => buf.push(c),
                _ => buf.push_str(match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                }),
            },
            Event::End(_) => {
                if !buf.trim().is_empty() {
                    on(Step::Text(&path, buf.trim()));
                }
                buf.clear();
                if let Some(name) = path.pop() {
                    on(Step::End(&name));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn sitemap(bytes: &[u8], base: &url::Url) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut current = (None::<String>, ItemMeta::default(), None::<NaiveDate>);
    let mut bad = 0usize;
    walk(bytes, |step| match step {
        Step::Text(path, text) => {
            let parent = path.len().checked_sub(2).and_then(|i| path.get(i));
            match (parent.map(String::as_str), path.last().map(String::as_str)) {
                (Some("url"), Some("loc")) => current.0 = Some(text.to_string()),
                (Some("url"), Some("lastmod")) => current.2 = date(text),
                (Some("news"), Some("title")) => current.1.title = Some(text.to_string()),
                (Some("news"), Some("publication_date")) => current.1.published = date(text),
                (Some("publication"), Some("name")) => current.1.outlet = Some(text.to_string()),
                _ => {}
            }
        }
        Step::End("url") => {
            let (loc, mut meta, lastmod) = std::mem::take(&mut current);
            meta.published = meta.published.or(lastmod);
            match loc.as_deref().and_then(|l| absolute(base, l)) {
                Some(url) => items.push(Item { url, meta }),
                None => bad += 1,
            }
        }
        Step::End(_) => {}
    })?;
    if bad > 0 {
        tracing::debug!(bad, "sitemap entries without a usable <loc>");
    }
    Ok(items)
}

fn sitemap_index(bytes: &[u8], base: &url::Url) -> Result<Vec<SitemapRef>, String> {
    let mut refs = Vec::new();
    let mut current = (None::<String>, None::<String>);
    walk(bytes, |step| match step {
        Step::Text(path, text) => {
            let parent = path.len().checked_sub(2).and_then(|i| path.get(i));
            match (parent.map(String::as_str), path.last().map(String::as_str)) {
                (Some("sitemap"), Some("loc")) => current.0 = Some(text.to_string()),
                (Some("sitemap"), Some("lastmod")) => current.1 = Some(text.to_string()),
                _ => {}
            }
        }
        Step::End("sitemap") => {
            let (loc, lastmod) = std::mem::take(&mut current);
            if let Some(url) = loc.as_deref().and_then(|l| absolute(base, l)) {
                refs.push(SitemapRef { url, lastmod });
            }
        }
        Step::End(_) => {}
    })?;
    Ok(refs)
}

/// `2025-03-14` or `2025-03-14T08:00:00+01:00`: the calendar date as written.
fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("https://wire.example/feeds/main.xml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn items(parsed: Result<Parsed, String>) -> Vec<Item> {
        match parsed {
            Ok(Parsed::Items { items, .. }) => items,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rss_items_with_metadata() {
        let rss = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Wire</title><link>https://wire.example/</link>
<item><title>Ferry strike ends</title><link>https://wire.example/a/ferry#top</link>
<pubDate>Tue, 04 Mar 2025 09:30:00 +0000</pubDate><author>desk@wire.example (Mara Quell)</author></item>
<item><title>Relative link</title><link>/a/relative</link></item>
<item><title>No link at all</title></item>
</channel></rss>"#;
        let items = items(parse(rss.as_bytes(), FeedKind::Auto, &base()));
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].url, "https://wire.example/a/ferry");
        assert_eq!(items[0].meta.title.as_deref(), Some("Ferry strike ends"));
        assert_eq!(items[0].meta.published, NaiveDate::from_ymd_opt(2025, 3, 4));
        assert_eq!(items[0].meta.outlet.as_deref(), Some("Harbour Wire"));
        assert!(!items[0].meta.authors.is_empty());
        assert_eq!(items[1].url, "https://wire.example/a/relative");
    }

    #[test]
    fn atom_entries() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Post</title>
<entry><title>Dam opens</title><link rel="alternate" href="https://valley.example/dam"/>
<link rel="edit" href="https://valley.example/edit/1"/>
<id>tag:valley.example,2025:1</id><updated>2025-05-02T10:00:00Z</updated>
<author><name>Ilse Brandt</name></author></entry></feed>"#;
        let items = items(parse(atom.as_bytes(), FeedKind::Atom, &base()));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].url, "https://valley.example/dam");
        assert_eq!(items[0].meta.authors, vec!["Ilse Brandt".to_string()]);
        assert_eq!(items[0].meta.published, NaiveDate::from_ymd_opt(2025, 5, 2));
    }

    #[test]
    fn news_sitemap_and_escapes() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://wire.example/a?id=1&amp;p=2</loc><lastmod>2025-01-09</lastmod>
<news:news><news:publication><news:name>Harbour Wire</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2025-01-08T22:00:00+02:00</news:publication_date><news:title>Tolls &lt;rise&gt;</news:title></news:news></url>
<url><loc>https://wire.example/b</loc><lastmod>2025-01-07T10:00:00Z</lastmod></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"#;
        let items = items(parse(xml.as_bytes(), FeedKind::Sitemap, &base()));
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].url, "https://wire.example/a?id=1&p=2");
        assert_eq!(items[0].meta.title.as_deref(), Some("Tolls <rise>"));
        assert_eq!(items[0].meta.outlet.as_deref(), Some("Harbour Wire"));
        assert_eq!(items[0].meta.published, NaiveDate::from_ymd_opt(2025, 1, 8));
        assert_eq!(items[1].meta.published, NaiveDate::from_ymd_opt(2025, 1, 7));
    }

    #[test]
    fn sitemap_index_children() {
        let xml = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://wire.example/sitemap-1.xml</loc><lastmod>2025-01-01</lastmod></sitemap>
<sitemap><loc>sitemap-2.xml.gz</loc></sitemap></sitemapindex>"#;
        match parse(xml.as_bytes(), FeedKind::Auto, &base()) {
            Ok(Parsed::Index(refs)) => {
                assert_eq!(refs.len(), 2);
                assert_eq!(refs[0].lastmod.as_deref(), Some("2025-01-01"));
                assert_eq!(refs[1].url, "https://wire.example/feeds/sitemap-2.xml.gz");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_or_broken_documents_say_why() {
        for (doc, kind, needle) in [
            (
                "<urlset></urlset>",
                FeedKind::Rss,
                "expected rss, found sitemap",
            ),
            ("<html><body>hi</body></html>", FeedKind::Auto, "HTML page"),
            ("plain words", FeedKind::Auto, "no XML element"),
            ("<catalog/>", FeedKind::Auto, "root element <catalog>"),
            (
                "<rss><channel><item><title>x</ti",
                FeedKind::Auto,
                "malformed",
            ),
            (
                "<urlset><url><loc>x</url></urlset>",
                FeedKind::Auto,
                "malformed XML",
            ),
        ] {
            match parse(doc.as_bytes(), kind, &base()) {
                Ok(p) => panic!("{doc}: {p:?}"),
                Err(e) => assert!(e.contains(needle), "{doc}: {e}"),
            }
        }
    }
}
