//! Full-text search over articles (title and body) and quotes (text and speaker), with tantivy.
//!
//! The index lives in a folder beside the database (`<db>.index/`). It is rebuilt from the store
//! when it is missing, unreadable, of another layout ([`LAYOUT`]), or stale: the number of
//! articles it holds differs from the store's. Queries are parsed leniently (a stray quote or
//! colon in what a user typed is not an error).

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use sitrep_model::ArticleRecord;
use sitrep_store::Store;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, QueryParser, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, SegmentReader,
    TantivyDocument, Term, doc,
};

use crate::ServerError;

/// Changes whenever the fields below change, so that an index of an older layout is rebuilt.
const LAYOUT: &str = "sitrep-search-4";
const LAYOUT_FILE: &str = "sitrep-layout";
/// Memory for the index writer while building.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Articles read from the store per step while building.
const BUILD_PAGE: usize = 500;
/// Characters of a snippet.
const SNIPPET_CHARS: usize = 180;

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    article: Field,
    title: Field,
    text: Field,
    speaker: Field,
    published: Field,
    /// Sort keys of quotes by article, newest first: [`day_number`] and [`id_number`].
    day: Field,
    idnum: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        article: b.add_text_field("article", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        text: b.add_text_field("text", text.clone()),
        speaker: b.add_text_field("speaker", text),
        published: b.add_text_field("published", STRING | STORED),
        day: b.add_u64_field("day", FAST),
        idnum: b.add_u64_field("idnum", FAST),
    };
    (b.build(), fields)
}

/// The search index, ready for queries. Cheap to share: tantivy readers are `Sync`.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The ids of the articles indexed; held while the index is written, so that one refresh
    /// runs at a time (readers never take it).
    indexed: Mutex<HashSet<String>>,
}

/// What a [`SearchIndex::refresh`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefreshOutcome {
    /// Articles added to the index.
    pub added: u64,
    /// Articles the index holds now.
    pub articles: u64,
}

/// One article's quotes found by [`SearchIndex::quote_hits`].
pub struct ArticleQuotes {
    /// Publication date (YYYY-MM-DD, empty when unknown) and id: the article's cursor.
    pub published: String,
    pub article: String,
    /// The texts of its matching quotes.
    pub texts: BTreeSet<String>,
}

/// A page of [`SearchIndex::quote_hits`].
pub struct QuotePage {
    pub articles: Vec<ArticleQuotes>,
    /// Whether more matching articles follow the page.
    pub more: bool,
}

/// A publication date (YYYY-MM-DD) as the number YYYYMMDD, 0 when there is none: orders like
/// the date text.
pub fn day_number(published: &str) -> u64 {
    if published.parse::<sitrep_model::NaiveDate>().is_err() {
        return 0;
    }
    published.replace('-', "").parse::<u64>().unwrap_or(0)
}

/// A number that orders article ids like their text: the 16 hex digits of a content id, or
/// else the first 8 bytes (ids that share them and a day share a place in the order).
pub fn id_number(id: &str) -> u64 {
    if id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && let Ok(n) = u64::from_str_radix(id, 16)
    {
        return n;
    }
    let mut bytes = [0u8; 8];
    for (slot, b) in bytes.iter_mut().zip(id.bytes()) {
        *slot = b;
    }
    u64::from_be_bytes(bytes)
}

/// What an index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    pub articles: u64,
    pub quotes: u64,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// `article` (its title or body matched) or `quote`.
    pub kind: String,
    pub article: String,
    pub score: f32,
    pub title: Option<String>,
    pub speaker: Option<String>,
    pub snippet: Snippet,
}

/// A piece of the matched text and the byte ranges in it that matched.
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<[usize; 2]>,
}

impl Snippet {
    /// The snippet as escaped HTML with `<mark>`ed matches.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        let mut pos = 0;
        for [start, end] in &self.highlights {
            let (Some(before), Some(hit)) =
                (self.text.get(pos..*start), self.text.get(*start..*end))
            else {
                continue;
            };
            out.push_str(&crate::html::esc(before));
            out.push_str("<mark>");
            out.push_str(&crate::html::esc(hit));
            out.push_str("</mark>");
            pos = *end;
        }
        out.push_str(&crate::html::esc(self.text.get(pos..).unwrap_or("")));
        out
    }
}

fn index_err(dir: &Path, e: impl std::fmt::Display) -> ServerError {
    ServerError::Index {
        path: dir.display().to_string(),
        reason: e.to_string(),
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, rebuilding it from `store` when asked, missing, of another
    /// layout or stale.
    pub fn open_or_build(dir: &Path, store: &Store, rebuild: bool) -> Result<Self, ServerError> {
        let articles = store.count_articles()?;
        if !rebuild && let Ok(index) = Self::open(dir) {
            match index.stats() {
                Ok(stats) if stats.articles == articles => return Ok(index),
                Ok(stats) => tracing::info!(
                    indexed = stats.articles,
                    stored = articles,
                    "search index is stale, rebuilding"
                ),
                Err(e) => tracing::warn!(error = %e, "search index unreadable, rebuilding"),
            }
        }
        Self::build(dir, store)
    }

    fn open(dir: &Path) -> Result<Self, ServerError> {
        let layout =
            std::fs::read_to_string(dir.join(LAYOUT_FILE)).map_err(|e| index_err(dir, e))?;
        if layout.trim() != LAYOUT {
            return Err(index_err(dir, format!("layout {layout:?}, not {LAYOUT}")));
        }
        let index = Index::open_in_dir(dir).map_err(|e| index_err(dir, e))?;
        Self::with_index(dir, index)
    }

    fn with_index(dir: &Path, index: Index) -> Result<Self, ServerError> {
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| index_err(dir, e))?;
        reader.reload().map_err(|e| index_err(dir, e))?;
        let mut index = SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            indexed: Mutex::new(HashSet::new()),
        };
        index.indexed = Mutex::new(index.indexed_ids()?);
        Ok(index)
    }

    /// The article ids of the index: the terms of its `article` field.
    fn indexed_ids(&self) -> Result<HashSet<String>, ServerError> {
        let searcher = self.reader.searcher();
        let mut ids = HashSet::new();
        for segment in searcher.segment_readers() {
            let terms = segment
                .inverted_index(self.fields.article)
                .map_err(|e| index_err(&self.dir, e))?;
            let mut stream = terms
                .terms()
                .stream()
                .map_err(|e| index_err(&self.dir, e))?;
            while stream.advance() {
                if let Ok(id) = std::str::from_utf8(stream.key()) {
                    ids.insert(id.to_string());
                }
            }
        }
        Ok(ids)
    }

    /// Adds to the index the stored articles it does not hold yet (articles ingested while the
    /// server runs), commits, and reloads the reader: searches running meanwhile read the
    /// previous state, the next ones see the new articles. One refresh at a time.
    pub fn refresh(&self, store: &Store) -> Result<RefreshOutcome, ServerError> {
        let mut indexed = self
            .indexed
            .lock()
            .map_err(|_| ServerError::Internal("search index lock poisoned".to_string()))?;
        let stored = store.count_articles()?;
        let mut fresh = Vec::new();
        if stored != indexed.len() as u64 {
            let mut after: Option<String> = None;
            loop {
                let ids = store.article_ids(BUILD_PAGE * 4, after.as_deref())?;
                let Some(last) = ids.last().cloned() else {
                    break;
                };
                fresh.extend(ids.into_iter().filter(|id| !indexed.contains(id)));
                after = Some(last);
            }
        }
        if !fresh.is_empty() {
            let dir = &self.dir;
            let mut writer = self
                .index
                .writer::<TantivyDocument>(WRITER_MEMORY)
                .map_err(|e| index_err(dir, e))?;
            for id in &fresh {
                if let Some(r) = store.get_article(id)? {
                    add_record(&writer, self.fields, &r).map_err(|e| index_err(dir, e))?;
                }
            }
            writer.commit().map_err(|e| index_err(dir, e))?;
            writer
                .wait_merging_threads()
                .map_err(|e| index_err(dir, e))?;
            self.reader.reload().map_err(|e| index_err(dir, e))?;
            tracing::info!(added = fresh.len(), "search index refreshed");
        }
        let added = fresh.len() as u64;
        indexed.extend(fresh);
        Ok(RefreshOutcome {
            added,
            articles: indexed.len() as u64,
        })
    }

    /// Quotes whose speaker has the words of `speaker` (in order, any case, stemmed) and whose
    /// text matches `text` (all its words), by article, newest article first (publication date,
    /// then id, both descending), starting after the article `after` (date, id): up to `limit`
    /// quotes, in whole articles. Only the best few documents are read (top-k by the `day` and
    /// `idnum` fast fields), however many match.
    pub fn quote_hits(
        &self,
        speaker: Option<&str>,
        text: Option<&str>,
        limit: usize,
        after: Option<(&str, &str)>,
    ) -> Result<QuotePage, ServerError> {
        let f = self.fields;
        let dir = &self.dir;
        let empty = QuotePage {
            articles: Vec::new(),
            more: false,
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(f.kind, "quote"),
                IndexRecordOption::Basic,
            )),
        )];
        if let Some(speaker) = speaker {
            let mut analyzer = self
                .index
                .tokenizer_for_field(f.speaker)
                .map_err(|e| index_err(dir, e))?;
            let mut stream = analyzer.token_stream(speaker);
            let mut terms = Vec::new();
            while stream.advance() {
                terms.push(Term::from_field_text(f.speaker, &stream.token().text));
            }
            match terms.len() {
                0 => return Ok(empty),
                1 => clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(terms.remove(0), IndexRecordOption::Basic)),
                )),
                _ => clauses.push((Occur::Must, Box::new(PhraseQuery::new(terms)))),
            }
        }
        if let Some(text) = text {
            let mut parser = QueryParser::for_index(&self.index, vec![f.text]);
            parser.set_conjunction_by_default();
            let (query, _errors) = parser.parse_query_lenient(text);
            clauses.push((Occur::Must, query));
        }
        // Documents after the cursor score (false, ..) and sort last; they are dropped below.
        let bound = after.map(|(date, id)| (day_number(date), id_number(id)));
        let wanted = limit.saturating_mul(2).saturating_add(8);
        let collector = TopDocs::with_limit(wanted).custom_score(move |segment: &SegmentReader| {
            let column = |name: &str| {
                segment
                    .fast_fields()
                    .u64(name)
                    .ok()
                    .map(|c| c.first_or_default_col(0))
            };
            let (day, idnum) = (column("day"), column("idnum"));
            move |doc: DocId| {
                let key = (
                    day.as_ref().map_or(0, |c| c.get_val(doc)),
                    idnum.as_ref().map_or(0, |c| c.get_val(doc)),
                );
                (bound.is_none_or(|b| key < b), key.0, key.1)
            }
        });
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&BooleanQuery::new(clauses), &collector)
            .map_err(|e| index_err(dir, e))?;
        let full = top.len() == wanted;
        let mut groups: Vec<((u64, u64), Vec<DocAddress>)> = Vec::new();
        for ((eligible, day, idnum), address) in top {
            if !eligible {
                continue;
            }
            match groups.last_mut() {
                Some((key, docs)) if *key == (day, idnum) => docs.push(address),
                _ => groups.push(((day, idnum), vec![address])),
            }
        }
        // When the top-k was full, its last article may be cut short: it comes on the next
        // page (unless it is the only one).
        let mut more = false;
        if full && groups.len() > 1 {
            groups.pop();
            more = true;
        }
        let mut articles = Vec::new();
        let mut quotes = 0;
        let total = groups.len();
        for (i, (_, docs)) in groups.into_iter().enumerate() {
            let mut found = ArticleQuotes {
                published: String::new(),
                article: String::new(),
                texts: BTreeSet::new(),
            };
            for address in docs {
                let d: TantivyDocument = searcher.doc(address).map_err(|e| index_err(dir, e))?;
                let get = |field: Field| {
                    d.get_first(field)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                };
                found.published = get(f.published);
                found.article = get(f.article);
                found.texts.insert(get(f.text));
            }
            quotes += found.texts.len();
            articles.push(found);
            if quotes >= limit {
                more = more || i + 1 < total;
                break;
            }
        }
        Ok(QuotePage { articles, more })
    }

    /// Builds the index of every stored article and quote in `dir` (replacing what is there).
    pub fn build(dir: &Path, store: &Store) -> Result<Self, ServerError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| index_err(dir, e))?;
        }
        std::fs::create_dir_all(dir).map_err(|e| index_err(dir, e))?;
        let (schema, f) = schema();
        let index = Index::create_in_dir(dir, schema).map_err(|e| index_err(dir, e))?;
        let mut writer = index
            .writer::<TantivyDocument>(WRITER_MEMORY)
            .map_err(|e| index_err(dir, e))?;
        let mut cursor: Option<String> = None;
        loop {
            let (records, next) = store.scan_articles(None, BUILD_PAGE, cursor.as_deref())?;
            for r in &records {
                add_record(&writer, f, r).map_err(|e| index_err(dir, e))?;
            }
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        writer.commit().map_err(|e| index_err(dir, e))?;
        writer
            .wait_merging_threads()
            .map_err(|e| index_err(dir, e))?;
        std::fs::write(dir.join(LAYOUT_FILE), LAYOUT).map_err(|e| index_err(dir, e))?;
        Self::with_index(dir, index)
    }

    /// How many articles and quotes the index holds.
    pub fn stats(&self) -> Result<IndexStats, ServerError> {
        let searcher = self.reader.searcher();
        let count = |kind: &str| {
            let q = TermQuery::new(
                Term::from_field_text(self.fields.kind, kind),
                IndexRecordOption::Basic,
            );
            searcher
                .search(&q, &Count)
                .map(|n| n as u64)
                .map_err(|e| index_err(&self.dir, e))
        };
        Ok(IndexStats {
            articles: count("article")?,
            quotes: count("quote")?,
        })
    }

    /// The best `limit` matches of `query` among articles and quotes. Words are all required
    /// unless joined by `OR` (as news search engines do): more precise, and an intersection
    /// of posting lists instead of a union that scores nearly every document for common words.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, ServerError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.text, f.speaker]);
        parser.set_field_boost(f.title, 2.0);
        parser.set_conjunction_by_default();
        let (query, _errors) = parser.parse_query_lenient(query);
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit.max(1)))
            .map_err(|e| index_err(&self.dir, e))?;
        let mut generator = SnippetGenerator::create(&searcher, &*query, f.text)
            .map_err(|e| index_err(&self.dir, e))?;
        generator.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(limit) {
            let d: TantivyDocument = searcher.doc(address).map_err(|e| index_err(&self.dir, e))?;
            let get = |field: Field| {
                d.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .filter(|s| !s.is_empty())
            };
            let snippet = generator.snippet_from_doc(&d);
            let highlights = collapse(snippet.highlighted());
            let mut text = snippet.fragment().to_string();
            if text.is_empty() {
                // A title-only match: start of the text instead.
                let full = get(f.text).unwrap_or_default();
                let cut = (SNIPPET_CHARS..=full.len())
                    .find(|&i| full.is_char_boundary(i))
                    .unwrap_or(full.len());
                text = full.get(..cut).unwrap_or("").to_string();
            }
            hits.push(Hit {
                kind: get(f.kind).unwrap_or_default(),
                article: get(f.article).unwrap_or_default(),
                score,
                title: get(f.title),
                speaker: get(f.speaker),
                snippet: Snippet { text, highlights },
            });
        }
        Ok(hits)
    }
}

/// Adds an article and its quotes to the index being written.
fn add_record(
    writer: &IndexWriter,
    f: Fields,
    r: &ArticleRecord,
) -> Result<(), tantivy::TantivyError> {
    let published = r.published.map(|d| d.to_string()).unwrap_or_default();
    let (day, idnum) = (day_number(&published), id_number(&r.id));
    writer.add_document(doc!(
        f.kind => "article",
        f.article => r.id.as_str(),
        f.published => published.as_str(),
        f.day => day,
        f.idnum => idnum,
        f.title => r.title.as_deref().unwrap_or(""),
        f.text => r.body.as_str(),
    ))?;
    for q in &r.quotes {
        let speaker = q.speaker.as_ref().map_or("", |s| s.name.as_str());
        writer.add_document(doc!(
            f.kind => "quote",
            f.article => r.id.as_str(),
            f.published => published.as_str(),
            f.day => day,
            f.idnum => idnum,
            f.text => q.text.as_str(),
            f.speaker => speaker,
        ))?;
    }
    Ok(())
}

/// The refresh period set by `SITREP_INDEX_REFRESH` (seconds; 0 for none), 30 s when unset or
/// not a number.
pub(crate) fn refresh_from_env() -> Option<std::time::Duration> {
    let secs = match std::env::var("SITREP_INDEX_REFRESH") {
        Ok(v) => v.trim().parse::<u64>().unwrap_or_else(|_| {
            tracing::warn!(value = %v, "SITREP_INDEX_REFRESH is not a number of seconds, using 30");
            30
        }),
        Err(_) => 30,
    };
    (secs > 0).then(|| std::time::Duration::from_secs(secs))
}

/// Keeps the index up to date while serving: [`SearchIndex::refresh`] every `every`, on a
/// blocking thread.
pub(crate) async fn refresh_every(app: crate::App, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let app2 = app.clone();
        let outcome = app
            .store(move |s| app2.search().map(|index| index.refresh(s)).transpose())
            .await;
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "search index refresh failed");
        }
    }
}

/// Highlight ranges in order, without overlaps.
fn collapse(ranges: &[Range<usize>]) -> Vec<[usize; 2]> {
    let mut sorted: Vec<&Range<usize>> = ranges.iter().collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<[usize; 2]> = Vec::new();
    for r in sorted {
        match out.last_mut() {
            Some(last) if r.start <= last[1] => last[1] = last[1].max(r.end),
            _ => out.push([r.start, r.end]),
        }
    }
    out
}
