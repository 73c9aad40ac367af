//! The JSON API under `/api/`. Documented by `openapi.json` (served at `/api/openapi.json`);
//! keep the two in step.

use axum::extract::rejection::{PathRejection, QueryRejection};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{Extensions, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sitrep_model::{
    ArticleRecord, Disagreement, Event, NaiveDate, Quote, SourcedValue, Story, StoryQuote,
};
use sitrep_store::{ArticleText, FoundQuote, Store, StorySummary, holds_words};

use crate::error::{ApiError, ServerError};
use crate::{App, DEFAULT_LIMIT, MAX_LIMIT};

const OPENAPI: &str = include_str!("openapi.json");

/// Articles one entity or events request reads at most before it answers with a cursor.
pub(crate) const MAX_SCAN: usize = 2000;
/// Articles read from the store per step of a scan.
const SCAN_STEP: usize = 200;

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/stories", get(list_stories))
        .route("/api/stories/{id}", get(get_story))
        .route("/api/articles", get(list_articles))
        .route("/api/articles/{id}", get(get_article))
        .route("/api/search", get(search))
        .route("/api/entities/{name}", get(entity))
        .route("/api/events", get(events))
        .route("/api/threads", get(list_threads))
        .route("/api/threads/{id}", get(get_thread))
        .route("/api/threads/{id}/proposals", get(get_thread_proposals))
        .route("/api/quotes", get(quotes))
        .route("/api/stories/{id}/quotes", get(story_quotes))
        .route("/api/disagreements", get(disagreements))
        .route("/api/stories/{id}/disagreements", get(story_disagreements))
        .route("/api/admin/reindex", post(reindex))
        .merge(crate::export::routes())
}

type ApiResult<T> = Result<Json<T>, ApiError>;

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// `?limit=&cursor=` of a listing.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageParams {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The page size asked for: absent is [`DEFAULT_LIMIT`], more than [`MAX_LIMIT`] is
/// [`MAX_LIMIT`], anything but a positive whole number is a bad request.
pub(crate) fn parse_limit(limit: Option<&str>) -> Result<usize, ServerError> {
    let Some(raw) = limit.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(DEFAULT_LIMIT);
    };
    let bad = || {
        ServerError::BadRequest(format!(
            "limit must be a whole number from 1 to {MAX_LIMIT}, not {raw:?}"
        ))
    };
    if !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // All digits: too long to parse means huge, which is the maximum.
    let n = raw.parse::<usize>().unwrap_or(usize::MAX);
    if n == 0 {
        return Err(bad());
    }
    Ok(n.min(MAX_LIMIT))
}

pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ServerError> {
    q.map(|Query(t)| t)
        .map_err(|e| ServerError::BadRequest(format!("bad query: {}", e.body_text())))
}

pub(crate) fn path<T>(p: Result<Path<T>, PathRejection>) -> Result<T, ServerError> {
    p.map(|Path(t)| t)
        .map_err(|e| ServerError::BadRequest(format!("bad path: {}", e.body_text())))
}

fn cursor(c: Option<String>) -> Option<String> {
    c.filter(|c| !c.is_empty())
}

#[derive(Serialize)]
struct StoryList {
    stories: Vec<StorySummary>,
    next: Option<String>,
}

async fn list_stories(
    State(app): State<App>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<StoryList> {
    let q = query(q)?;
    let limit = parse_limit(q.limit.as_deref())?;
    let cursor = cursor(q.cursor);
    let (stories, next) = app
        .store(move |s| Ok(s.list_stories(limit, cursor.as_deref())?))
        .await?;
    Ok(Json(StoryList { stories, next }))
}

async fn get_story(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let id = path(id)?;
    let story = app
        .store(move |s| s.get_story(&id)?.ok_or_else(|| not_found("story", &id)))
        .await?;
    Ok(Json(story))
}

pub(crate) fn not_found(what: &str, id: &str) -> ServerError {
    let shown: String = id.chars().take(100).collect();
    ServerError::NotFound(format!("no {what} with id {shown:?}"))
}

#[derive(Serialize)]
struct ArticleList {
    articles: Vec<sitrep_store::ArticleSummary>,
    next: Option<String>,
}

async fn list_articles(
    State(app): State<App>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<ArticleList> {
    let q = query(q)?;
    let limit = parse_limit(q.limit.as_deref())?;
    let cursor = cursor(q.cursor);
    let (articles, next) = app
        .store(move |s| Ok(s.list_articles(limit, cursor.as_deref())?))
        .await?;
    Ok(Json(ArticleList { articles, next }))
}

/// The article object of the contract, plus `stories`: the stories it belongs to.
async fn get_article(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Value> {
    let id = path(id)?;
    let (record, stories) = app
        .store(move |s| {
            let record = s
                .get_article(&id)?
                .ok_or_else(|| not_found("article", &id))?;
            let stories = s.stories_of_article(&id)?;
            Ok((record, stories))
        })
        .await?;
    let mut value =
        serde_json::to_value(&record).map_err(|e| ServerError::Internal(e.to_string()))?;
    if let Value::Object(map) = &mut value {
        map.insert("stories".to_string(), json!(stories));
    }
    Ok(Json(value))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchParams {
    pub q: Option<String>,
    pub limit: Option<String>,
}

/// A search hit with the metadata of its article.
#[derive(Serialize)]
pub(crate) struct SearchHit {
    #[serde(flatten)]
    pub hit: crate::search::Hit,
    pub outlet: Option<String>,
    pub published: Option<NaiveDate>,
    pub article_title: Option<String>,
}

pub(crate) async fn run_search(
    app: &App,
    q: &str,
    limit: usize,
) -> Result<Vec<SearchHit>, ServerError> {
    let q = q.trim();
    if q.is_empty() {
        return Err(ServerError::BadRequest("q must not be empty".to_string()));
    }
    if q.len() > 1000 {
        return Err(ServerError::BadRequest(
            "q is longer than 1000 bytes".to_string(),
        ));
    }
    let Some(_) = app.search() else {
        return Err(ServerError::Internal(
            "no search index (in-memory store)".to_string(),
        ));
    };
    let q = q.to_string();
    let app2 = app.clone();
    app.store(move |s| {
        let index = app2
            .search()
            .ok_or_else(|| ServerError::Internal("no search index".to_string()))?;
        let hits = index.search(&q, limit)?;
        hits.into_iter()
            .map(|hit| -> Result<SearchHit, ServerError> {
                let meta = s.get_article(&hit.article)?;
                Ok(SearchHit {
                    outlet: meta.as_ref().and_then(|m| m.outlet.clone()),
                    published: meta.as_ref().and_then(|m| m.published),
                    article_title: meta.and_then(|m| m.title),
                    hit,
                })
            })
            .collect()
    })
    .await
}

async fn search(
    State(app): State<App>,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult<Value> {
    let params = query(q)?;
    let limit = parse_limit(params.limit.as_deref())?;
    let text = params.q.unwrap_or_default();
    let hits = run_search(&app, &text, limit).await?;
    Ok(Json(json!({ "query": text, "hits": hits })))
}

/// Where a quote or event was found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Source {
    pub article: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<NaiveDate>,
}

impl Source {
    fn of_summary(a: &sitrep_store::ArticleSummary) -> Self {
        Source {
            article: a.id.clone(),
            title: a.title.clone(),
            outlet: a.outlet.clone(),
            published: a.published,
        }
    }

    fn of(r: &ArticleRecord) -> Self {
        Source {
            article: r.id.clone(),
            title: r.title.clone(),
            outlet: r.outlet.clone(),
            published: r.published,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct SourcedQuote {
    #[serde(flatten)]
    pub source: Source,
    pub quote: Quote,
}

impl From<FoundQuote> for SourcedQuote {
    fn from(f: FoundQuote) -> Self {
        SourcedQuote {
            source: Source {
                article: f.article.id,
                title: f.article.title,
                outlet: f.article.outlet,
                published: f.article.published,
            },
            quote: f.quote,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct SourcedEvent {
    #[serde(flatten)]
    pub source: Source,
    pub event: Event,
}

/// What one entity said and did across stored articles.
#[derive(Debug, Serialize)]
pub(crate) struct EntityReport {
    pub name: String,
    pub quotes: Vec<SourcedQuote>,
    pub events: Vec<SourcedEvent>,
    pub stories: Vec<StorySummary>,
    /// Set when not every article was read: pass it as `cursor` for the rest.
    pub next: Option<String>,
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim()) || a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Quotes spoken by and events with `name` as actor, newest articles first.
pub(crate) fn entity_report(
    store: &Store,
    name: &str,
    limit: usize,
    cursor: Option<&str>,
) -> Result<EntityReport, ServerError> {
    let mut report = EntityReport {
        name: name.to_string(),
        quotes: Vec::new(),
        events: Vec::new(),
        stories: Vec::new(),
        next: None,
    };
    let mut story_ids = std::collections::BTreeSet::new();
    let mut cursor = cursor.map(str::to_string);
    let mut scanned = 0;
    loop {
        let step = limit.clamp(20, SCAN_STEP);
        let (records, next) = store.scan_articles(Some(name), step, cursor.as_deref())?;
        scanned += step;
        let mut stopped_at = None;
        for r in &records {
            let ids: Vec<&str> = r
                .entities
                .iter()
                .filter(|e| same_name(&e.name, name))
                .map(|e| e.id.as_str())
                .collect();
            let is_them = |entity: Option<&String>, shown: &str| {
                entity.is_some_and(|e| ids.contains(&e.as_str())) || same_name(shown, name)
            };
            let before = report.quotes.len() + report.events.len();
            for q in &r.quotes {
                if q.speaker
                    .as_ref()
                    .is_some_and(|s| is_them(s.entity.as_ref(), &s.name))
                {
                    report.quotes.push(SourcedQuote {
                        source: Source::of(r),
                        quote: q.clone(),
                    });
                }
            }
            for e in &r.events {
                if e.source
                    .iter()
                    .chain(&e.target)
                    .any(|a| is_them(a.entity.as_ref(), &a.name))
                {
                    report.events.push(SourcedEvent {
                        source: Source::of(r),
                        event: e.clone(),
                    });
                }
            }
            if report.quotes.len() + report.events.len() > before || !ids.is_empty() {
                for s in store.stories_of_article(&r.id)? {
                    if story_ids.insert(s.id.clone()) {
                        report.stories.push(s);
                    }
                }
            }
            if report.quotes.len().max(report.events.len()) >= limit {
                stopped_at = Some(r);
                break;
            }
        }
        if let Some(last) = stopped_at {
            cursor = page_end(&records, last, next.as_deref());
            break;
        }
        cursor = next;
        if cursor.is_none() || scanned >= MAX_SCAN {
            break;
        }
    }
    report.next = cursor;
    Ok(report)
}

/// The cursor after `last`, an article of `records` where a scan stopped early: pages hold whole
/// articles, and the next page starts after the last article read. `None` when nothing follows.
fn page_end(records: &[ArticleRecord], last: &ArticleRecord, next: Option<&str>) -> Option<String> {
    let is_last = records.last().is_some_and(|l| l.id == last.id);
    if is_last && next.is_none() {
        None
    } else {
        Some(format!(
            "{}~{}",
            last.published.map(|d| d.to_string()).unwrap_or_default(),
            last.id
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
struct EntityParams {
    limit: Option<String>,
    cursor: Option<String>,
}

async fn entity(
    State(app): State<App>,
    name: Result<Path<String>, PathRejection>,
    q: Result<Query<EntityParams>, QueryRejection>,
) -> ApiResult<EntityReport> {
    let name = path(name)?;
    let params = query(q)?;
    let limit = parse_limit(params.limit.as_deref())?;
    let c = cursor(params.cursor);
    if name.trim().is_empty() || name.len() > 200 {
        return Err(ServerError::BadRequest("name must have 1 to 200 bytes".to_string()).into());
    }
    let report = app
        .store(move |s| entity_report(s, &name, limit, c.as_deref()))
        .await?;
    Ok(Json(report))
}

/// `?type=&country=&actor=&place=&from=&to=&limit=&cursor=` of `/api/events` (and of the event
/// exports).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EventParams {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub country: Option<String>,
    pub actor: Option<String>,
    pub place: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

pub(crate) struct EventFilter {
    kind: Option<String>,
    country: Option<String>,
    actor: Option<String>,
    place: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

fn parse_date_param(name: &str, v: Option<&str>) -> Result<Option<NaiveDate>, ServerError> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                let shown: String = v.chars().take(40).collect();
                ServerError::BadRequest(format!("{name} must be a date YYYY-MM-DD, not {shown:?}"))
            })
        })
        .transpose()
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl EventFilter {
    pub(crate) fn new(p: &EventParams) -> Result<Self, ServerError> {
        Ok(EventFilter {
            kind: non_empty(p.kind.clone()).map(|k| k.to_uppercase()),
            country: non_empty(p.country.clone()).map(|c| c.to_uppercase()),
            actor: non_empty(p.actor.clone()).map(|a| a.to_lowercase()),
            place: non_empty(p.place.clone()).map(|a| a.to_lowercase()),
            from: parse_date_param("from", p.from.as_deref())?,
            to: parse_date_param("to", p.to.as_deref())?,
        })
    }

    /// A cheap text the stored extraction must contain.
    pub(crate) fn needle(&self) -> Option<String> {
        self.actor
            .clone()
            .or_else(|| self.place.clone())
            .or_else(|| self.kind.as_ref().map(|k| format!("\"type\":\"{k}\"")))
            .or_else(|| self.country.clone())
    }

    pub(crate) fn accepts(&self, e: &Event, published: Option<NaiveDate>) -> bool {
        if self
            .kind
            .as_ref()
            .is_some_and(|k| !e.kind.eq_ignore_ascii_case(k))
        {
            return false;
        }
        let actors = || e.source.iter().chain(&e.target);
        if let Some(c) = &self.country {
            let place = e
                .location
                .as_ref()
                .and_then(|l| l.country.as_deref())
                .is_some_and(|p| p.eq_ignore_ascii_case(c));
            let actor = actors().any(|a| {
                a.country
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(c))
            });
            if !place && !actor {
                return false;
            }
        }
        if let Some(name) = &self.actor
            && !actors().any(|a| a.name.to_lowercase().contains(name.as_str()))
        {
            return false;
        }
        if let Some(place) = &self.place
            && !e
                .location
                .as_ref()
                .is_some_and(|l| l.name.to_lowercase().contains(place.as_str()))
        {
            return false;
        }
        if self.from.is_some() || self.to.is_some() {
            let Some(date) = e.date.as_ref().and_then(|d| d.value).or(published) else {
                return false;
            };
            if self.from.is_some_and(|f| date < f) || self.to.is_some_and(|t| date > t) {
                return false;
            }
        }
        true
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct EventList {
    pub events: Vec<SourcedEvent>,
    pub next: Option<String>,
}

fn find_events(
    store: &Store,
    filter: &EventFilter,
    limit: usize,
    cursor: Option<&str>,
) -> Result<EventList, ServerError> {
    let needle = filter.needle();
    let mut events = Vec::new();
    let mut cursor = cursor.map(str::to_string);
    let mut scanned = 0;
    let step = limit.clamp(20, SCAN_STEP);
    loop {
        let (records, next) = store.scan_articles(needle.as_deref(), step, cursor.as_deref())?;
        scanned += step;
        let mut stopped_at = None;
        for r in &records {
            for e in &r.events {
                if filter.accepts(e, r.published) {
                    events.push(SourcedEvent {
                        source: Source::of(r),
                        event: e.clone(),
                    });
                }
            }
            if events.len() >= limit {
                stopped_at = Some(r);
                break;
            }
        }
        if let Some(last) = stopped_at {
            cursor = page_end(&records, last, next.as_deref());
            break;
        }
        cursor = next;
        if cursor.is_none() || scanned >= MAX_SCAN {
            break;
        }
    }
    Ok(EventList {
        events,
        next: cursor,
    })
}

async fn events(
    State(app): State<App>,
    q: Result<Query<EventParams>, QueryRejection>,
) -> ApiResult<EventList> {
    let params = query(q)?;
    let limit = parse_limit(params.limit.as_deref())?;
    let filter = EventFilter::new(&params)?;
    let c = cursor(params.cursor);
    let list = app
        .store(move |s| find_events(s, &filter, limit, c.as_deref()))
        .await?;
    Ok(Json(list))
}

// ---------------------------------------------------------------- threads

/// How long gathered threads are reused while the number of stories stays the same (stories
/// replaced in place by a later ingest show after this long at most).
const THREADS_TTL: Duration = Duration::from_secs(30);

/// A longer-running storyline: the stories that share a `thread` id.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ThreadSummary {
    pub id: String,
    /// The title of its newest story.
    pub title: String,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    /// How many stories it has.
    pub stories: usize,
    /// How many articles its stories have together.
    pub articles: usize,
    /// How many disagreements its stories have together.
    pub disagreements: usize,
    /// The outlets of its stories, sorted.
    pub outlets: Vec<String>,
}

/// Every thread of the store, newest first, and each thread's stories, newest first.
pub(crate) struct Threads {
    pub list: Vec<ThreadSummary>,
    pub stories: BTreeMap<String, Vec<StorySummary>>,
}

/// Threads gathered from the story listing, reused for a few seconds while the number of stored
/// stories does not change (the store has no thread table; gathering reads every story summary).
#[derive(Default)]
pub(crate) struct ThreadCache {
    state: Mutex<Option<(u64, Instant, Arc<Threads>)>>,
    /// Held while gathering, so that one request gathers and the others wait for its result.
    gathering: Mutex<()>,
}

impl ThreadCache {
    pub(crate) fn get(&self, store: &Store) -> Result<Arc<Threads>, ServerError> {
        let count = store.count_stories()?;
        let poisoned = || ServerError::Internal("thread cache lock poisoned".to_string());
        let cached = || -> Result<Option<Arc<Threads>>, ServerError> {
            let state = self.state.lock().map_err(|_| poisoned())?;
            Ok(state.as_ref().and_then(|(n, built, threads)| {
                (*n == count && built.elapsed() < THREADS_TTL).then(|| threads.clone())
            }))
        };
        if let Some(threads) = cached()? {
            return Ok(threads);
        }
        let _gathering = self.gathering.lock().map_err(|_| poisoned())?;
        if let Some(threads) = cached()? {
            return Ok(threads);
        }
        let threads = Arc::new(gather_threads(store)?);
        *self.state.lock().map_err(|_| poisoned())? =
            Some((count, Instant::now(), threads.clone()));
        Ok(threads)
    }
}

fn date_key(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn gather_threads(store: &Store) -> Result<Threads, ServerError> {
    let mut stories: BTreeMap<String, Vec<StorySummary>> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = store.list_stories(MAX_LIMIT, cursor.as_deref())?;
        for s in page {
            if let Some(t) = s.thread.clone().filter(|t| !t.trim().is_empty()) {
                stories.entry(t).or_default().push(s);
            }
        }
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut list: Vec<ThreadSummary> = stories
        .iter()
        .map(|(id, members)| {
            let outlets: BTreeSet<&String> = members.iter().flat_map(|s| &s.outlets).collect();
            ThreadSummary {
                id: id.clone(),
                title: members.first().map(|s| s.title.clone()).unwrap_or_default(),
                first: members.iter().filter_map(|s| s.first.or(s.last)).min(),
                last: members.iter().filter_map(|s| s.last.or(s.first)).max(),
                stories: members.len(),
                articles: members.iter().map(|s| s.articles).sum(),
                disagreements: members.iter().map(|s| s.disagreements).sum(),
                outlets: outlets.into_iter().cloned().collect(),
            }
        })
        .collect();
    list.sort_by(|a, b| (date_key(b.last), &b.id).cmp(&(date_key(a.last), &a.id)));
    Ok(Threads { list, stories })
}

/// Splits a cursor `DATE~ID` of an in-memory listing.
fn parse_key_cursor(cursor: &str) -> Result<(String, String), ServerError> {
    let bad = || {
        let shown: String = cursor.chars().take(80).collect();
        ServerError::BadRequest(format!("bad cursor {shown:?}"))
    };
    let (date, id) = cursor.split_once('~').ok_or_else(bad)?;
    if id.is_empty() || !(date.is_empty() || date.parse::<NaiveDate>().is_ok()) {
        return Err(bad());
    }
    Ok((date.to_string(), id.to_string()))
}

/// A page of `items` (sorted by `key`, newest first) after `cursor`, and the next cursor.
fn page_by_key<'a, T>(
    items: &'a [T],
    key: impl Fn(&T) -> (String, String),
    limit: usize,
    cursor: Option<&str>,
) -> Result<(Vec<&'a T>, Option<String>), ServerError> {
    let from = match cursor {
        Some(c) => {
            let after = parse_key_cursor(c)?;
            items
                .iter()
                .position(|t| key(t) < after)
                .unwrap_or(items.len())
        }
        None => 0,
    };
    let page: Vec<&T> = items.iter().skip(from).take(limit).collect();
    let next = if from + page.len() < items.len() {
        page.last().map(|t| {
            let (date, id) = key(t);
            format!("{date}~{id}")
        })
    } else {
        None
    };
    Ok((page, next))
}

#[derive(Serialize)]
struct ThreadList {
    threads: Vec<ThreadSummary>,
    next: Option<String>,
}

async fn list_threads(
    State(app): State<App>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<ThreadList> {
    let q = query(q)?;
    let limit = parse_limit(q.limit.as_deref())?;
    let c = cursor(q.cursor);
    let app2 = app.clone();
    let list = app
        .store(move |s| {
            let threads = app2.threads().get(s)?;
            let (page, next) = page_by_key(
                &threads.list,
                |t| (date_key(t.last), t.id.clone()),
                limit,
                c.as_deref(),
            )?;
            Ok(ThreadList {
                threads: page.into_iter().cloned().collect(),
                next,
            })
        })
        .await?;
    Ok(Json(list))
}

#[derive(Serialize)]
pub(crate) struct ThreadPage {
    pub thread: ThreadSummary,
    pub stories: Vec<StorySummary>,
    pub next: Option<String>,
}

pub(crate) fn thread_page(
    app: &App,
    store: &Store,
    id: &str,
    limit: usize,
    cursor: Option<&str>,
) -> Result<ThreadPage, ServerError> {
    let threads = app.threads().get(store)?;
    let thread = threads
        .list
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| not_found("thread", id))?;
    let members = threads
        .stories
        .get(id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let (page, next) = page_by_key(members, |s| (date_key(s.last), s.id.clone()), limit, cursor)?;
    Ok(ThreadPage {
        thread: thread.clone(),
        stories: page.into_iter().cloned().collect(),
        next,
    })
}

/// A thread's proposals with every party's positions across its stories.
#[derive(Serialize)]
pub(crate) struct ThreadProposals {
    pub thread: String,
    pub proposals: Vec<sitrep_model::Proposal>,
}

/// The proposals of a thread: every story of it read, their proposals merged
/// ([`sitrep_model::thread_proposals`]).
pub(crate) fn thread_proposals(
    app: &App,
    store: &Store,
    id: &str,
) -> Result<ThreadProposals, ServerError> {
    let threads = app.threads().get(store)?;
    if !threads.list.iter().any(|t| t.id == id) {
        return Err(not_found("thread", id));
    }
    let mut stories = Vec::new();
    for summary in threads
        .stories
        .get(id)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if let Some(story) = store.get_story(&summary.id)? {
            stories.push(story);
        }
    }
    Ok(ThreadProposals {
        thread: id.to_string(),
        proposals: sitrep_model::thread_proposals(&stories),
    })
}

async fn get_thread_proposals(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<ThreadProposals> {
    let id = path(id)?;
    let app2 = app.clone();
    let out = app.store(move |s| thread_proposals(&app2, s, &id)).await?;
    Ok(Json(out))
}

async fn get_thread(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<ThreadPage> {
    let id = path(id)?;
    let q = query(q)?;
    let limit = parse_limit(q.limit.as_deref())?;
    let c = cursor(q.cursor);
    let app2 = app.clone();
    let page = app
        .store(move |s| thread_page(&app2, s, &id, limit, c.as_deref()))
        .await?;
    Ok(Json(page))
}

// ---------------------------------------------------------------- quotes

/// `?speaker=&q=&limit=&cursor=` of `/api/quotes`.
#[derive(Debug, Default, Deserialize)]
struct QuoteParams {
    speaker: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize)]
struct QuoteList {
    speaker: Option<String>,
    q: Option<String>,
    quotes: Vec<SourcedQuote>,
    next: Option<String>,
}

fn check_words(name: &str, v: Option<String>) -> Result<Option<String>, ServerError> {
    let v = non_empty(v);
    if v.as_ref().is_some_and(|v| v.len() > 200) {
        return Err(ServerError::BadRequest(format!(
            "{name} is longer than 200 bytes"
        )));
    }
    Ok(v)
}

/// Quotes by a speaker (their name's words, in order) and/or with words in their text, newest
/// articles first, found with the search index; pages hold whole articles.
async fn quotes(
    State(app): State<App>,
    q: Result<Query<QuoteParams>, QueryRejection>,
) -> ApiResult<QuoteList> {
    let params = query(q)?;
    let limit = parse_limit(params.limit.as_deref())?;
    let c = cursor(params.cursor);
    let speaker = check_words("speaker", params.speaker)?;
    let text = check_words("q", params.q)?;
    if speaker.is_none() && text.is_none() {
        return Err(ServerError::BadRequest("give speaker or q (or both)".to_string()).into());
    }
    let after = c.as_deref().map(parse_key_cursor).transpose()?;
    let app2 = app.clone();
    let (sp, tx) = (speaker.clone(), text.clone());
    let (quotes, next) = app
        .store(move |s| {
            // By speaker alone: the store's lookup table. With words of the text: the index.
            let Some(tx) = tx else {
                let sp = sp.as_deref().unwrap_or_default();
                let (found, next) = s.quotes_by_speaker(sp, limit, c.as_deref())?;
                return Ok((found.into_iter().map(SourcedQuote::from).collect(), next));
            };
            let index = app2.search().ok_or_else(|| {
                ServerError::Internal("no search index (in-memory store)".to_string())
            })?;
            let after = after.as_ref().map(|(d, i)| (d.as_str(), i.as_str()));
            let page = index.quote_hits(sp.as_deref(), Some(&tx), limit, after)?;
            let ids: Vec<&str> = page.articles.iter().map(|h| h.article.as_str()).collect();
            let found = s.quotes_of_articles(&ids)?;
            let mut quotes = Vec::new();
            for hit in &page.articles {
                quotes.extend(
                    found
                        .iter()
                        .filter(|f| {
                            f.article.id == hit.article && hit.texts.contains(&f.quote.text)
                        })
                        .cloned()
                        .map(SourcedQuote::from),
                );
            }
            let next = page
                .articles
                .last()
                .filter(|_| page.more)
                .map(|last| format!("{}~{}", last.published, last.article));
            Ok((quotes, next))
        })
        .await?;
    Ok(Json(QuoteList {
        speaker,
        q: text,
        quotes,
        next,
    }))
}

/// Where one article reports a story's quote.
#[derive(Debug, Serialize)]
struct QuoteSource {
    #[serde(flatten)]
    source: Source,
    text: String,
    kind: sitrep_model::QuoteKind,
    cue: Option<String>,
    start: usize,
    end: usize,
}

/// A story's quote, merged across articles, with where each article reports it.
#[derive(Debug, Serialize)]
struct StoryQuoteOut {
    #[serde(flatten)]
    quote: StoryQuote,
    sources: Vec<QuoteSource>,
}

#[derive(Debug, Serialize)]
struct StoryQuoteList {
    story: String,
    quotes: Vec<StoryQuoteOut>,
    next: Option<String>,
}

/// `?speaker=&limit=&cursor=` of the story sub-listings (the cursor is a position).
#[derive(Debug, Default, Deserialize)]
struct SubParams {
    speaker: Option<String>,
    slot: Option<String>,
    subject: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// The position a sub-listing cursor names.
fn parse_offset(cursor: Option<&str>) -> Result<usize, ServerError> {
    cursor.map_or(Ok(0), |c| {
        c.parse::<usize>().map_err(|_| {
            let shown: String = c.chars().take(80).collect();
            ServerError::BadRequest(format!("bad cursor {shown:?}"))
        })
    })
}

fn offset_page<T>(items: Vec<T>, offset: usize, limit: usize) -> (Vec<T>, Option<String>) {
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let end = offset.saturating_add(page.len());
    (page, (end < total).then(|| end.to_string()))
}

/// A stored story by id.
fn story_by_id(s: &Store, id: &str) -> Result<Story, ServerError> {
    s.get_story(id)?.ok_or_else(|| not_found("story", id))
}

/// The metadata and bodies of the articles a story's disagreements cite, by id.
fn cited_articles<'a>(
    s: &Store,
    disagreements: impl Iterator<Item = &'a Disagreement>,
) -> Result<BTreeMap<String, ArticleText>, ServerError> {
    let ids: BTreeSet<&str> = disagreements
        .flat_map(|d| d.values.iter().map(|v| v.article.as_str()))
        .collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    Ok(s.article_texts(&ids)?
        .into_iter()
        .map(|t| (t.article.id.clone(), t))
        .collect())
}

async fn story_quotes(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<SubParams>, QueryRejection>,
) -> ApiResult<StoryQuoteList> {
    let id = path(id)?;
    let params = query(q)?;
    let limit = parse_limit(params.limit.as_deref())?;
    let offset = parse_offset(cursor(params.cursor).as_deref())?;
    let speaker = check_words("speaker", params.speaker)?;
    let list = app
        .store(move |s| {
            let story = story_by_id(s, &id)?;
            let ids: Vec<&str> = story.articles.iter().map(String::as_str).collect();
            let found = s.quotes_of_articles(&ids)?;
            let mut by_article: BTreeMap<&str, Vec<&FoundQuote>> = BTreeMap::new();
            for f in &found {
                by_article.entry(f.article.id.as_str()).or_default().push(f);
            }
            let wanted: Vec<StoryQuoteOut> = story
                .quotes
                .iter()
                .filter(|q| {
                    speaker.as_deref().is_none_or(|sp| {
                        q.speaker
                            .as_deref()
                            .is_some_and(|name| holds_words(name, sp))
                    })
                })
                .map(|q| {
                    let same = |t: &str| {
                        t.trim() == q.text.trim() || q.variants.iter().any(|v| v.trim() == t.trim())
                    };
                    let sources = q
                        .articles
                        .iter()
                        .filter_map(|a| by_article.get(a.as_str()))
                        .flat_map(|quotes| {
                            quotes.iter().filter(|f| same(&f.quote.text)).map(|f| {
                                let aq = &f.quote;
                                QuoteSource {
                                    source: Source::of_summary(&f.article),
                                    text: aq.text.clone(),
                                    kind: aq.kind,
                                    cue: aq.cue.clone(),
                                    start: aq.start,
                                    end: aq.end,
                                }
                            })
                        })
                        .collect();
                    StoryQuoteOut {
                        quote: q.clone(),
                        sources,
                    }
                })
                .collect();
            let (quotes, next) = offset_page(wanted, offset, limit);
            Ok(StoryQuoteList {
                story: story.id,
                quotes,
                next,
            })
        })
        .await?;
    Ok(Json(list))
}

// ---------------------------------------------------------------- disagreements

/// One value of a disagreement with the sentence that says it.
#[derive(Debug, Serialize)]
pub(crate) struct ValueOut {
    #[serde(flatten)]
    pub value: SourcedValue,
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub published: Option<NaiveDate>,
    /// The sentence around `start..end` in the article body, and where it starts.
    pub sentence: Option<String>,
    pub sentence_start: Option<usize>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DisagreementOut {
    pub story: String,
    pub story_title: String,
    pub subject: String,
    pub slot: String,
    pub within_article: bool,
    pub values: Vec<ValueOut>,
}

/// What a disagreement's values need of their articles.
pub(crate) trait ArticleFacts {
    fn outlet(&self) -> Option<&str>;
    fn title(&self) -> Option<&str>;
    fn published(&self) -> Option<NaiveDate>;
    fn body(&self) -> &str;
}

impl ArticleFacts for ArticleRecord {
    fn outlet(&self) -> Option<&str> {
        self.outlet.as_deref()
    }
    fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }
    fn published(&self) -> Option<NaiveDate> {
        self.published
    }
    fn body(&self) -> &str {
        &self.body
    }
}

impl ArticleFacts for ArticleText {
    fn outlet(&self) -> Option<&str> {
        self.article.outlet.as_deref()
    }
    fn title(&self) -> Option<&str> {
        self.article.title.as_deref()
    }
    fn published(&self) -> Option<NaiveDate> {
        self.article.published
    }
    fn body(&self) -> &str {
        &self.body
    }
}

fn disagreement_out<A: ArticleFacts>(
    story: &str,
    story_title: &str,
    d: &Disagreement,
    articles: &BTreeMap<String, A>,
) -> DisagreementOut {
    DisagreementOut {
        story: story.to_string(),
        story_title: story_title.to_string(),
        subject: d.subject.clone(),
        slot: d.slot.clone(),
        within_article: d.within_article,
        values: d
            .values
            .iter()
            .map(|v| {
                let a = articles.get(&v.article);
                let bounds = a.and_then(|a| crate::html::sentence_bounds(a.body(), v.start, v.end));
                ValueOut {
                    value: v.clone(),
                    outlet: a.and_then(|a| a.outlet().map(str::to_string)),
                    title: a.and_then(|a| a.title().map(str::to_string)),
                    published: a.and_then(ArticleFacts::published),
                    sentence: a
                        .zip(bounds)
                        .and_then(|(a, (from, to))| a.body().get(from..to).map(str::to_string)),
                    sentence_start: bounds.map(|(from, _)| from),
                }
            })
            .collect(),
    }
}

/// `slot` (exact, any case) and `subject` (its words, in order, any case) filters.
struct DisagreementFilter {
    slot: Option<String>,
    subject: Option<String>,
}

impl DisagreementFilter {
    fn new(slot: Option<String>, subject: Option<String>) -> Result<Self, ServerError> {
        Ok(DisagreementFilter {
            slot: check_words("slot", slot)?,
            subject: check_words("subject", subject)?,
        })
    }

    fn accepts(&self, d: &Disagreement) -> bool {
        self.slot
            .as_ref()
            .is_none_or(|s| d.slot.eq_ignore_ascii_case(s))
            && self
                .subject
                .as_ref()
                .is_none_or(|s| holds_words(&d.subject, s))
    }
}

#[derive(Debug, Serialize)]
struct DisagreementList {
    disagreements: Vec<DisagreementOut>,
    next: Option<String>,
}

/// Disagreements across stories, newest stories first, found through the store's lookup
/// tables; pages hold whole stories and the cursor is a story cursor.
fn find_disagreements(
    s: &Store,
    filter: &DisagreementFilter,
    limit: usize,
    cursor: Option<&str>,
) -> Result<DisagreementList, ServerError> {
    let (found, next) = s.find_disagreements(
        filter.slot.as_deref(),
        filter.subject.as_deref(),
        limit,
        cursor,
    )?;
    let articles = cited_articles(s, found.iter().map(|f| &f.disagreement))?;
    Ok(DisagreementList {
        disagreements: found
            .iter()
            .map(|f| disagreement_out(&f.story, &f.story_title, &f.disagreement, &articles))
            .collect(),
        next,
    })
}

async fn disagreements(
    State(app): State<App>,
    q: Result<Query<SubParams>, QueryRejection>,
) -> ApiResult<DisagreementList> {
    let params = query(q)?;
    let limit = parse_limit(params.limit.as_deref())?;
    let c = cursor(params.cursor);
    if let Some(c) = &c {
        parse_key_cursor(c)?;
    }
    let filter = DisagreementFilter::new(params.slot, params.subject)?;
    let list = app
        .store(move |s| find_disagreements(s, &filter, limit, c.as_deref()))
        .await?;
    Ok(Json(list))
}

async fn story_disagreements(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<SubParams>, QueryRejection>,
) -> ApiResult<DisagreementList> {
    let id = path(id)?;
    let params = query(q)?;
    let limit = parse_limit(params.limit.as_deref())?;
    let offset = parse_offset(cursor(params.cursor).as_deref())?;
    let filter = DisagreementFilter::new(params.slot, params.subject)?;
    let list = app
        .store(move |s| {
            let story = story_by_id(s, &id)?;
            let articles =
                cited_articles(s, story.disagreements.iter().filter(|d| filter.accepts(d)))?;
            let all: Vec<DisagreementOut> = story
                .disagreements
                .iter()
                .filter(|d| filter.accepts(d))
                .map(|d| disagreement_out(&story.id, &story.title, d, &articles))
                .collect();
            let (disagreements, next) = offset_page(all, offset, limit);
            Ok(DisagreementList {
                disagreements,
                next,
            })
        })
        .await?;
    Ok(Json(list))
}

// ---------------------------------------------------------------- admin

/// Whether the request came from a loopback address (unknown peers are not).
fn from_loopback(extensions: &Extensions) -> bool {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback())
}

/// `POST /api/admin/reindex`: adds the articles stored since the index was last brought up to
/// date, now. Answered only to loopback peers.
async fn reindex(State(app): State<App>, extensions: Extensions) -> ApiResult<Value> {
    if !from_loopback(&extensions) {
        return Err(ServerError::Forbidden(
            "reindex is answered to loopback clients only".to_string(),
        )
        .into());
    }
    let app2 = app.clone();
    let outcome = app
        .store(move |s| match app2.search() {
            Some(index) => index.refresh(s),
            None => Err(ServerError::Internal(
                "no search index (in-memory store)".to_string(),
            )),
        })
        .await?;
    Ok(Json(json!(outcome)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_peers_may_reindex() {
        let with_peer = |addr: &str| {
            let mut e = Extensions::new();
            e.insert(ConnectInfo(addr.parse::<SocketAddr>().expect("addr")));
            e
        };
        assert!(from_loopback(&with_peer("127.0.0.1:5000")));
        assert!(from_loopback(&with_peer("[::1]:5000")));
        assert!(!from_loopback(&with_peer("10.1.2.3:5000")));
        assert!(!from_loopback(&with_peer("[2001:db8::1]:5000")));
        assert!(!from_loopback(&Extensions::new()));
    }

    #[test]
    fn in_memory_listings_page_by_key_without_repeats() {
        let items: Vec<(String, String)> = [("2025-04-03", "b"), ("2025-04-03", "a"), ("", "z")]
            .iter()
            .map(|(d, i)| (d.to_string(), i.to_string()))
            .collect();
        let (page, next) = page_by_key(&items, Clone::clone, 2, None).expect("first");
        assert_eq!(page.len(), 2);
        assert_eq!(next.as_deref(), Some("2025-04-03~a"));
        let (page, next) = page_by_key(&items, Clone::clone, 2, next.as_deref()).expect("second");
        assert_eq!(page, [&("".to_string(), "z".to_string())]);
        assert_eq!(next, None);
        assert!(page_by_key(&items, Clone::clone, 2, Some("nonsense")).is_err());
        assert!(page_by_key(&items, Clone::clone, 2, Some("2025-13-01~a")).is_err());
    }

    #[test]
    fn limits_are_clamped_or_refused() {
        assert_eq!(parse_limit(None).expect("default"), DEFAULT_LIMIT);
        assert_eq!(parse_limit(Some("5")).expect("5"), 5);
        assert_eq!(parse_limit(Some("1000000")).expect("huge"), MAX_LIMIT);
        assert_eq!(
            parse_limit(Some("99999999999999999999999999999")).expect("huger"),
            MAX_LIMIT
        );
        for bad in ["0", "-1", "abc", "1.5", "1e3"] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad}");
        }
    }
}
