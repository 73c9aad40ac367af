//! Full-text search over articles (title and body) and quotes (text and speaker), with tantivy.
//!
//! The index lives in a folder beside the database (`<db>.index/`). It is rebuilt from the store
//! when it is missing, unreadable, of another layout ([`LAYOUT`]), or stale: the number of
//! articles it holds differs from the store's. Queries are parsed leniently (a stray quote or
//! colon in what a user typed is not an error).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use sitrep_model::ArticleRecord;
use sitrep_store::Store;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, QueryParser, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term, doc,
};

use crate::ServerError;

/// Changes whenever the fields below change, so that an index of an older layout is rebuilt.
const LAYOUT: &str = "sitrep-search-3";
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
        article: b.add_text_field("article", STRING | STORED | FAST),
        title: b.add_text_field("title", text.clone()),
        text: b.add_text_field("text", text.clone()),
        speaker: b.add_text_field("speaker", text),
        published: b.add_text_field("published", STRING | STORED | FAST),
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

/// Quotes found by [`SearchIndex::quote_hits`]: for each article (publication date or "", id),
/// its matching quote documents, read from one snapshot of the index.
pub struct QuoteHits {
    searcher: Searcher,
    text: Field,
    dir: PathBuf,
    pub by_article: BTreeMap<(String, String), Vec<DocAddress>>,
}

impl QuoteHits {
    /// The texts of the quotes found in an article of [`QuoteHits::by_article`].
    pub fn texts(&self, docs: &[DocAddress]) -> Result<BTreeSet<String>, ServerError> {
        let mut texts = BTreeSet::new();
        for address in docs {
            let d: TantivyDocument = self
                .searcher
                .doc(*address)
                .map_err(|e| index_err(&self.dir, e))?;
            if let Some(t) = d.get_first(self.text).and_then(|v| v.as_str()) {
                texts.insert(t.to_string());
            }
        }
        Ok(texts)
    }
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
    /// text matches `text` (all its words), grouped by article.
    pub fn quote_hits(
        &self,
        speaker: Option<&str>,
        text: Option<&str>,
    ) -> Result<QuoteHits, ServerError> {
        let f = self.fields;
        let dir = &self.dir;
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
                0 => {
                    return Ok(QuoteHits {
                        searcher: self.reader.searcher(),
                        text: f.text,
                        dir: dir.clone(),
                        by_article: BTreeMap::new(),
                    });
                }
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
        let searcher = self.reader.searcher();
        let docs = searcher
            .search(&BooleanQuery::new(clauses), &DocSetCollector)
            .map_err(|e| index_err(dir, e))?;
        // Article and date from the fast fields (columnar, no stored document read per hit),
        // their ordinals turned into text in one sorted pass per segment and column.
        let mut by_segment: BTreeMap<u32, Vec<DocAddress>> = BTreeMap::new();
        for address in docs {
            by_segment
                .entry(address.segment_ord)
                .or_default()
                .push(address);
        }
        let mut by_article: BTreeMap<(String, String), Vec<DocAddress>> = BTreeMap::new();
        for (segment, addresses) in by_segment {
            let fast = searcher.segment_reader(segment).fast_fields();
            let column = |name: &str| {
                fast.str(name)
                    .map_err(|e| index_err(dir, e))?
                    .ok_or_else(|| index_err(dir, format!("no fast field {name}")))
            };
            let (article, published) = (column("article")?, column("published")?);
            let ords = |column: &StrColumn, doc: u32| column.term_ords(doc).next();
            let article_texts = ord_texts(
                &article,
                addresses.iter().filter_map(|a| ords(&article, a.doc_id)),
            )
            .map_err(|e| index_err(dir, e))?;
            let published_texts = ord_texts(
                &published,
                addresses.iter().filter_map(|a| ords(&published, a.doc_id)),
            )
            .map_err(|e| index_err(dir, e))?;
            for address in addresses {
                let text = |column: &StrColumn, texts: &BTreeMap<u64, String>| {
                    ords(column, address.doc_id)
                        .and_then(|o| texts.get(&o).cloned())
                        .unwrap_or_default()
                };
                by_article
                    .entry((
                        text(&published, &published_texts),
                        text(&article, &article_texts),
                    ))
                    .or_default()
                    .push(address);
            }
        }
        Ok(QuoteHits {
            searcher,
            text: f.text,
            dir: dir.clone(),
            by_article,
        })
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

    /// The best `limit` matches of `query` among articles and quotes.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, ServerError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.text, f.speaker]);
        parser.set_field_boost(f.title, 2.0);
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

/// The texts of the term ordinals `ords` of a fast text column, read in one sorted pass.
fn ord_texts(
    column: &StrColumn,
    ords: impl Iterator<Item = u64>,
) -> std::io::Result<BTreeMap<u64, String>> {
    let sorted: BTreeSet<u64> = ords.collect();
    let mut texts = BTreeMap::new();
    let mut pending = sorted.iter();
    column
        .dictionary()
        .sorted_ords_to_term_cb(sorted.iter().copied(), |bytes| {
            if let Some(ord) = pending.next() {
                texts.insert(*ord, String::from_utf8_lossy(bytes).into_owned());
            }
            Ok(())
        })?;
    Ok(texts)
}

/// Adds an article and its quotes to the index being written.
fn add_record(
    writer: &IndexWriter,
    f: Fields,
    r: &ArticleRecord,
) -> Result<(), tantivy::TantivyError> {
    let published = r.published.map(|d| d.to_string()).unwrap_or_default();
    writer.add_document(doc!(
        f.kind => "article",
        f.article => r.id.as_str(),
        f.published => published.as_str(),
        f.title => r.title.as_deref().unwrap_or(""),
        f.text => r.body.as_str(),
    ))?;
    for q in &r.quotes {
        let speaker = q.speaker.as_ref().map_or("", |s| s.name.as_str());
        writer.add_document(doc!(
            f.kind => "quote",
            f.article => r.id.as_str(),
            f.published => published.as_str(),
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
