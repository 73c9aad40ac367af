//! Ingest: bytes in, clean articles out.
//!
//! Inputs: paths (files, folders, `-` for stdin) holding plain text, HTML (gzipped too), JSON
//! lines records or WARC files. [`Inputs`] streams the documents found in them, one at a time,
//! and [`clean`] turns each into a [`sitrep_model::Article`]: metadata (outlet, title, subtitle,
//! date, authors, url, language), a clean body with paragraphs and subheadings, and an offset map
//! from the body back to the decoded source.
//!
//! Invariants:
//! - bad input never panics and never stops the stream: every failure is an [`InputError`]
//!   naming the input (file, `file:line`, `file#record`) and the reason;
//! - memory is bounded by the largest single document ([`input::MAX_DOCUMENT`]), whatever the
//!   size of the file;
//! - cleaning is deterministic and does no IO.
//!
//! ```
//! use sitrep_ingest::{CleanOptions, Inputs, clean};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("story.txt");
//! std::fs::write(&path, "harbourwire.net\n\nPort Deal Signed\n\n[Photo : Wire]\n\nThe cities signed the deal on Friday.\n").unwrap();
//! let doc = Inputs::new(&[path]).next().unwrap().unwrap();
//! let article = clean(doc, &CleanOptions::default()).unwrap();
//! assert_eq!(article.outlet.as_deref(), Some("harbourwire.net"));
//! assert_eq!(article.title.as_deref(), Some("Port Deal Signed"));
//! assert_eq!(article.body, "The cities signed the deal on Friday.");
//! ```

pub mod body;
pub mod dates;
pub mod decode;
pub mod html;
pub mod input;
pub mod lines;
pub mod text;
pub mod warc;

pub use input::{DocKind, InputError, Inputs, RawDoc};
use sitrep_model::{Article, NaiveDate, content_id};

/// Options for [`clean`].
#[derive(Debug, Clone, Default)]
pub struct CleanOptions {
    /// Publication date to use when the input has none.
    pub published: Option<NaiveDate>,
}

/// Cleans one document into an article.
pub fn clean(doc: RawDoc, opts: &CleanOptions) -> Result<Article, InputError> {
    let decoded = decode::decode(&doc.bytes, doc.charset.as_deref())
        .map_err(|e| InputError::new(&doc.input, e.to_string()))?;
    let mut diagnostics = Vec::new();
    if decoded.replaced {
        diagnostics.push(format!("invalid {} bytes replaced", decoded.encoding));
    }
    let source = decoded.text;
    let given = doc.given;
    let mut article = match doc.kind {
        DocKind::Text => {
            let c = text::clean_text_with(&source, given.title.as_deref());
            let mut a = Article::new(&doc.input, String::new());
            a.outlet = c.outlet;
            a.title = c.title;
            a.subtitle = c.subtitle;
            a.authors = c.authors;
            a.published = c.published;
            a.body = c.body;
            a.blocks = c.blocks;
            a.offsets = c.offsets;
            a.url = doc.url.clone();
            a
        }
        DocKind::Html => {
            let depth = html::nesting_depth(&source);
            if depth > html::MAX_NESTING {
                return Err(InputError::new(
                    &doc.input,
                    format!(
                        "HTML nested too deeply ({depth} levels; limit {})",
                        html::MAX_NESTING
                    ),
                ));
            }
            let c = html::clean_html(&source, doc.url.as_deref());
            diagnostics.extend(c.diagnostics);
            let mut a = Article::new(&doc.input, String::new());
            let url = c.meta.url.clone().or(doc.url.clone());
            a.outlet = url.as_deref().and_then(host_of).or(c.meta.site_name);
            a.title = c.meta.title;
            a.authors = c.meta.authors;
            a.published = c.meta.published;
            a.language = c.meta.language;
            a.url = url;
            a.body = c.body;
            a.blocks = c.blocks;
            a.offsets = c.offsets;
            a
        }
    };
    article.format = doc.format;
    if article.body.trim().is_empty() {
        return Err(InputError::new(&doc.input, "no article text found"));
    }
    // Metadata given with the record wins over what the text suggests.
    if let Some(t) = given.title {
        article.title = Some(t);
    }
    if let Some(o) = given.outlet {
        article.outlet = Some(o);
    }
    if !given.authors.is_empty() {
        article.authors = given.authors;
    }
    if let Some(p) = given.published {
        match dates::parse_date_text(&p) {
            Some(d) => article.published = Some(d),
            None => diagnostics.push(format!("record date {p:?} not understood")),
        }
    }
    if article.outlet.is_none() {
        article.outlet = article.url.as_deref().and_then(host_of);
    }
    article.published = article.published.or(opts.published);
    article.id = content_id(&article.body);
    article.source = source;
    article.diagnostics = diagnostics;
    Ok(article)
}

/// The host of a URL without `www.`, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    let host = host.split(':').next()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (host.contains('.')).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html_doc(html: String) -> RawDoc {
        RawDoc {
            input: "deep.html".into(),
            format: sitrep_model::SourceFormat::Html,
            kind: DocKind::Html,
            bytes: html.into_bytes(),
            charset: None,
            url: None,
            given: Default::default(),
        }
    }

    /// Regression: a page nested 100,000 divs deep took an hour (quadratic tree building and
    /// readability scoring); deep pages are now refused or read without readability.
    #[test]
    fn regression_deeply_nested_pages_do_not_stall() {
        let page = |n: usize| {
            format!(
                "<html><body>{}<p>The ferry to Ostra ran on time all week, the operator said on Friday.</p>{}</body></html>",
                "<div>".repeat(n),
                "</div>".repeat(n)
            )
        };
        let err = clean(html_doc(page(100_000)), &CleanOptions::default()).err();
        assert!(err.is_some_and(|e| e.reason.contains("nested too deeply")));
        let article = clean(html_doc(page(2_000)), &CleanOptions::default());
        let article = article.map_err(|e| e.to_string());
        assert!(
            article
                .as_ref()
                .is_ok_and(|a| a.body.contains("ferry to Ostra")),
            "{article:?}"
        );
        assert!(article.is_ok_and(|a| a.diagnostics.iter().any(|d| d.contains("nested"))));
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://www.Harbour.example/a/b?c"),
            Some("harbour.example".into())
        );
        assert_eq!(
            host_of("http://user@news.example:8080/"),
            Some("news.example".into())
        );
        assert_eq!(host_of("not a url"), None);
    }
}
