//! The JSON API under `/api/`. Documented by `openapi.json` (served at `/api/openapi.json`);
//! keep the two in step.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sitrep_model::{ArticleRecord, Event, NaiveDate, Quote};
use sitrep_store::{Store, StorySummary};

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

/// `?type=&country=&actor=&from=&to=&limit=&cursor=` of `/api/events`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EventParams {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub country: Option<String>,
    pub actor: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

struct EventFilter {
    kind: Option<String>,
    country: Option<String>,
    actor: Option<String>,
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
    fn new(p: &EventParams) -> Result<Self, ServerError> {
        Ok(EventFilter {
            kind: non_empty(p.kind.clone()).map(|k| k.to_uppercase()),
            country: non_empty(p.country.clone()).map(|c| c.to_uppercase()),
            actor: non_empty(p.actor.clone()).map(|a| a.to_lowercase()),
            from: parse_date_param("from", p.from.as_deref())?,
            to: parse_date_param("to", p.to.as_deref())?,
        })
    }

    /// A cheap text the stored extraction must contain.
    fn needle(&self) -> Option<String> {
        self.actor
            .clone()
            .or_else(|| self.kind.as_ref().map(|k| format!("\"type\":\"{k}\"")))
            .or_else(|| self.country.clone())
    }

    fn accepts(&self, e: &Event, published: Option<NaiveDate>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
