//! Stories and paged listings: [`Store::put_story`], [`Store::get_story`],
//! [`Store::list_stories`], [`Store::stories_of_article`], [`Store::list_articles`] and
//! [`Store::scan_articles`].
//!
//! Listings are newest first and paged by an opaque cursor: the sort key of the last row of a
//! page. The next page starts strictly after it, so rows inserted or replaced between two pages
//! never make a page repeat or skip a row that was there all along.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;
use sitrep_model::{ArticleRecord, NaiveDate, Story};

use crate::{Backend, Store, StoreError, json_column, unix_now};

/// One story as listed: the columns of the story object a list shows, without its entities,
/// quotes, events and disagreements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorySummary {
    pub id: String,
    pub title: String,
    pub thread: Option<String>,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub outlets: Vec<String>,
    /// How many articles the story has.
    pub articles: usize,
    /// How many disagreements the story has.
    pub disagreements: usize,
    /// Unix seconds of the last [`Store::put_story`] of this story.
    pub updated: i64,
}

/// One article as listed: its metadata, without body and analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleSummary {
    pub id: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published: Option<NaiveDate>,
}

/// A page of a listing and the cursor of the next page (`None` on the last page).
pub type Page<T> = (Vec<T>, Option<String>);

/// Splits a cursor `DATE~ID` (DATE empty for rows without a date).
pub(crate) fn parse_cursor(cursor: &str) -> Result<(&str, &str), StoreError> {
    let bad = || StoreError::BadCursor {
        cursor: cursor.chars().take(80).collect(),
    };
    let (key, id) = cursor.split_once('~').ok_or_else(bad)?;
    let is_date = key.is_empty() || key.parse::<NaiveDate>().is_ok();
    if !is_date || id.is_empty() {
        return Err(bad());
    }
    Ok((key, id))
}

pub(crate) fn make_cursor(date: Option<&str>, id: &str) -> String {
    format!("{}~{id}", date.unwrap_or(""))
}

/// `limit + 1` rows are read to know whether there is a next page.
pub(crate) fn fetch_limit(limit: usize) -> i64 {
    i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX)
}

pub(crate) fn parse_date(column: &str, value: Option<String>) -> Result<Option<NaiveDate>, String> {
    value
        .map(|v| {
            v.parse::<NaiveDate>()
                .map_err(|e| format!("column {column}: bad date {v:?}: {e}"))
        })
        .transpose()
}

pub(crate) struct RawSummary {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) thread: Option<String>,
    pub(crate) first: Option<String>,
    pub(crate) last: Option<String>,
    pub(crate) outlets: String,
    pub(crate) articles: i64,
    pub(crate) disagreements: i64,
    pub(crate) updated: i64,
}

const SUMMARY_COLUMNS: &str = "s.id, s.title, s.thread, s.first, s.last, s.outlets, s.article_count, s.disagreement_count, s.updated";

impl RawSummary {
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawSummary {
            id: r.get(0)?,
            title: r.get(1)?,
            thread: r.get(2)?,
            first: r.get(3)?,
            last: r.get(4)?,
            outlets: r.get(5)?,
            articles: r.get(6)?,
            disagreements: r.get(7)?,
            updated: r.get(8)?,
        })
    }

    pub(crate) fn decode(self) -> Result<StorySummary, String> {
        Ok(StorySummary {
            first: parse_date("first", self.first)?,
            last: parse_date("last", self.last)?,
            outlets: json_column("outlets", &self.outlets)?,
            articles: usize::try_from(self.articles).unwrap_or(0),
            disagreements: usize::try_from(self.disagreements).unwrap_or(0),
            id: self.id,
            title: self.title,
            thread: self.thread,
            updated: self.updated,
        })
    }
}

impl Store {
    /// Stores a story, replacing any story stored under the same id, together with the links
    /// from the story to its articles, in one transaction.
    pub fn put_story(&mut self, story: &Story) -> Result<(), StoreError> {
        let row = StoryRow::new(story)?;
        let path = self.path.clone();
        let conn = match &mut self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => return pg.put_stories(&[row], None, None),
        };
        let err = |source| StoreError::InsertStory {
            path: path.clone(),
            id: story.id.clone(),
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        put_story_sqlite(&tx, &path, &row)?;
        tx.commit().map_err(err)
    }

    /// Replaces the stored stories with the ones `build` makes from the store, removing stored
    /// stories that `build` no longer makes; returns how many stories were stored.
    ///
    /// Refreshes are serialised across connections, processes and (PostgreSQL) machines: each
    /// takes the store's story lock before `build` reads the store and holds it until its
    /// stories are written, so the last refresh to finish has read every article committed
    /// before it started and its stories are what stays. PostgreSQL: a transaction-level
    /// advisory lock, the reads and writes in that one transaction. SQLite: an exclusive lock on
    /// the file `<db>.stories-lock` beside the database (none for `:memory:`), the writes in one
    /// transaction. Article inserts are not blocked by a refresh.
    pub fn refresh_stories<E: From<StoreError>>(
        &mut self,
        build: impl FnOnce(&Store) -> Result<Vec<Story>, E>,
    ) -> Result<usize, E> {
        self.refresh_scoped(|store| Ok((None, build(store)?)))
    }

    /// As [`Store::refresh_stories`], but replaces only some stories: `build` returns the ids of
    /// the stored stories it may replace and the new stories. Of those ids, the ones `build`
    /// does not make again are removed; every other stored story is left as it is (not
    /// rewritten). Under the same story lock and in one transaction, so an incremental refresh
    /// and a full one never interleave.
    pub fn refresh_stories_in<E: From<StoreError>>(
        &mut self,
        build: impl FnOnce(&Store) -> Result<(Vec<String>, Vec<Story>), E>,
    ) -> Result<usize, E> {
        self.refresh_scoped(|store| {
            let (replaced, stories) = build(store)?;
            Ok((Some(replaced), stories))
        })
    }

    /// A refresh that removes the stale stories among `scope` (`None`: among all stories).
    fn refresh_scoped<E: From<StoreError>>(
        &mut self,
        build: impl FnOnce(&Store) -> Result<(Option<Vec<String>>, Vec<Story>), E>,
    ) -> Result<usize, E> {
        if let Backend::Postgres(pg) = &self.backend {
            pg.begin_story_refresh()?;
            let written = build(self).and_then(|(scope, stories)| {
                let rows = stories
                    .iter()
                    .map(StoryRow::new)
                    .collect::<Result<Vec<_>, _>>()?;
                let keep: BTreeSet<&str> = stories.iter().map(|s| s.id.as_str()).collect();
                let scope: Option<BTreeSet<&str>> = scope
                    .as_ref()
                    .map(|ids| ids.iter().map(String::as_str).collect());
                match &self.backend {
                    Backend::Postgres(pg) => pg.put_stories(&rows, Some(&keep), scope.as_ref())?,
                    Backend::Sqlite(_) => {}
                }
                Ok(rows.len())
            });
            if let Backend::Postgres(pg) = &self.backend {
                pg.end_story_refresh(written.is_ok())?;
            }
            return written;
        }
        let _lock = self.story_lock()?;
        let (scope, stories) = build(self)?;
        let rows = stories
            .iter()
            .map(StoryRow::new)
            .collect::<Result<Vec<_>, _>>()?;
        let keep: BTreeSet<&str> = stories.iter().map(|s| s.id.as_str()).collect();
        let path = self.path.clone();
        let Backend::Sqlite(conn) = &mut self.backend else {
            return Ok(0);
        };
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let stored: Vec<String> = match scope {
            Some(ids) => ids,
            None => tx
                .prepare_cached("SELECT id FROM stories")
                .and_then(|mut s| {
                    s.query_map([], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .map_err(sql)?,
        };
        for id in stored.iter().filter(|id| !keep.contains(id.as_str())) {
            tx.execute("DELETE FROM stories WHERE id = ?1", [id])
                .map_err(sql)?;
        }
        for row in &rows {
            put_story_sqlite(&tx, &path, row)?;
        }
        tx.commit().map_err(sql)?;
        Ok(rows.len())
    }

    /// The stored stories whose span (first to last publication date) overlaps `[from, to]`,
    /// by id. Stories without dates are not among them. Reads the index on the last date, so
    /// the cost follows the number of stories ending on or after `from`, not the store's size.
    pub fn stories_overlapping(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Story>, StoreError> {
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let rows: Vec<(String, String)> = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached(
                    "SELECT id, story FROM stories
                     WHERE coalesce(last, '') >= ?1 AND first <= ?2 ORDER BY id",
                )
                .and_then(|mut s| {
                    s.query_map([&from_s, &to_s], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| self.sql_err(e))?,
            Backend::Postgres(pg) => pg.stories_overlapping(&from_s, &to_s)?,
        };
        rows.into_iter()
            .map(|(id, json)| {
                serde_json::from_str(&json)
                    .map_err(|e| self.corrupt_story(&id, format!("story is not valid json: {e}")))
            })
            .collect()
    }

    /// The ids of the stored articles published from `from` to `to` (both included), by id
    /// (the index on the publication date).
    pub fn articles_published_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<String>, StoreError> {
        let (from_s, to_s) = (from.to_string(), to.to_string());
        match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached(
                    "SELECT id FROM articles WHERE published >= ?1 AND published <= ?2 ORDER BY id",
                )
                .and_then(|mut s| {
                    s.query_map([&from_s, &to_s], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .map_err(|e| self.sql_err(e)),
            Backend::Postgres(pg) => pg.articles_published_between(&from_s, &to_s),
        }
    }

    /// The articles no stored story holds yet (stored, but not yet placed by a story refresh:
    /// the refresh after their ingest has not run, or did not finish), by id, with their
    /// publication dates. Writing a story that holds an article removes it from this list.
    pub fn unclustered(&self) -> Result<Vec<(String, Option<NaiveDate>)>, StoreError> {
        let rows: Vec<(String, Option<String>)> = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached("SELECT article_id, published FROM unclustered ORDER BY article_id")
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| self.sql_err(e))?,
            Backend::Postgres(pg) => pg.unclustered()?,
        };
        rows.into_iter()
            .map(|(id, d)| {
                let date = parse_date("published", d).map_err(|r| self.corrupt(&id, r))?;
                Ok((id, date))
            })
            .collect()
    }

    /// The lock that serialises story refreshes of a SQLite file store (released on drop).
    fn story_lock(&self) -> Result<Option<File>, StoreError> {
        let Some(db) = self.file() else {
            return Ok(None);
        };
        let mut name = db.as_os_str().to_os_string();
        name.push(".stories-lock");
        let path = std::path::PathBuf::from(name);
        let err = |source| StoreError::Lock {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(err)?;
        file.lock().map_err(err)?;
        Ok(Some(file))
    }

    /// Removes a story and its article links; returns whether it was stored.
    pub fn delete_story(&mut self, id: &str) -> Result<bool, StoreError> {
        let conn = match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => return pg.delete_story(id),
        };
        let n = conn
            .prepare_cached("DELETE FROM stories WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(|e| self.sql_err(e))?;
        Ok(n > 0)
    }

    /// The stored story object.
    pub fn get_story(&self, id: &str) -> Result<Option<Story>, StoreError> {
        let json: Option<String> = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached("SELECT story FROM stories WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
                .map_err(|e| self.sql_err(e))?,
            Backend::Postgres(pg) => pg.get_story(id)?,
        };
        json.map(|j| {
            serde_json::from_str(&j)
                .map_err(|e| self.corrupt_story(id, format!("story is not valid json: {e}")))
        })
        .transpose()
    }

    /// How many stories are stored.
    pub fn count_stories(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM stories")
    }

    /// Up to `limit` stories, newest first (by last date, then id, both descending), starting
    /// after `cursor` (the cursor a previous page returned; `None` for the first page).
    pub fn list_stories(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<StorySummary>, StoreError> {
        let (key, after) = match cursor {
            Some(c) => {
                let (k, id) = parse_cursor(c)?;
                (Some(k), Some(id))
            }
            None => (None, None),
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM stories s
             WHERE ?1 IS NULL OR (coalesce(s.last, ''), s.id) < (?1, ?2)
             ORDER BY coalesce(s.last, '') DESC, s.id DESC LIMIT ?3"
        );
        let rows = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached(&sql)
                .and_then(|mut s| {
                    s.query_map(params![key, after, fetch_limit(limit)], RawSummary::read)?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| self.sql_err(e))?,
            Backend::Postgres(pg) => pg.list_stories(key, after, fetch_limit(limit))?,
        };
        let mut stories = self.decode_summaries(rows)?;
        let next = if stories.len() > limit {
            stories.truncate(limit);
            stories
                .last()
                .map(|s| make_cursor(s.last.map(|d| d.to_string()).as_deref(), &s.id))
        } else {
            None
        };
        Ok((stories, next))
    }

    /// Decodes summary rows; a damaged row is an error naming its story.
    fn decode_summaries(&self, rows: Vec<RawSummary>) -> Result<Vec<StorySummary>, StoreError> {
        rows.into_iter()
            .map(|raw| {
                let id = raw.id.clone();
                raw.decode()
                    .map_err(|reason| self.corrupt_story(&id, reason))
            })
            .collect()
    }

    /// Summaries of the stored stories whose last publication date is in `[from, to]`, newest
    /// first (last date, then id, both descending). Reads the index on the last date; no story
    /// record is decoded. The incremental refresh reads this to find the threads a new story
    /// may resume after a quiet spell longer than the story window.
    pub fn stories_ending_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StorySummary>, StoreError> {
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM stories s
             WHERE coalesce(s.last, '') >= ?1 AND coalesce(s.last, '') <= ?2
             ORDER BY coalesce(s.last, '') DESC, s.id DESC"
        );
        let rows = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached(&sql)
                .and_then(|mut s| {
                    s.query_map([&from_s, &to_s], RawSummary::read)?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| self.sql_err(e))?,
            Backend::Postgres(pg) => pg.stories_ending_between(&from_s, &to_s)?,
        };
        self.decode_summaries(rows)
    }

    /// The stories an article belongs to, newest first.
    pub fn stories_of_article(&self, article_id: &str) -> Result<Vec<StorySummary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM story_articles l JOIN stories s ON s.id = l.story_id
             WHERE l.article_id = ?1
             ORDER BY coalesce(s.last, '') DESC, s.id DESC"
        );
        let rows = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached(&sql)
                .and_then(|mut s| {
                    s.query_map([article_id], RawSummary::read)?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(|e| self.sql_err(e))?,
            Backend::Postgres(pg) => pg.stories_of_article(article_id)?,
        };
        self.decode_summaries(rows)
    }

    /// Up to `limit` articles, newest first (by publication date, then id, both descending),
    /// starting after `cursor`.
    pub fn list_articles(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<ArticleSummary>, StoreError> {
        let (key, after) = split_optional_cursor(cursor)?;
        let conn = match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => {
                let rows = pg.list_articles(key, after, fetch_limit(limit))?;
                return self.article_page(rows, limit);
            }
        };
        let rows = conn
            .prepare_cached(
                "SELECT a.id, a.title, a.outlet, a.url, a.published FROM articles a
                 WHERE ?1 IS NULL OR (coalesce(a.published, ''), a.id) < (?1, ?2)
                 ORDER BY coalesce(a.published, '') DESC, a.id DESC LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(params![key, after, fetch_limit(limit)], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.sql_err(e))?;
        self.article_page(rows, limit)
    }

    fn article_page(
        &self,
        rows: Vec<ArticleRow>,
        limit: usize,
    ) -> Result<Page<ArticleSummary>, StoreError> {
        let more = rows.len() > limit;
        let mut articles = Vec::with_capacity(rows.len().min(limit));
        let mut last_key = None;
        for (id, title, outlet, url, published) in rows.into_iter().take(limit) {
            let date = parse_date("published", published.clone())
                .map_err(|reason| self.corrupt(&id, reason))?;
            last_key = Some(make_cursor(published.as_deref(), &id));
            articles.push(ArticleSummary {
                id,
                title,
                outlet,
                url,
                published: date,
            });
        }
        Ok((articles, if more { last_key } else { None }))
    }

    /// Whole article records, newest first, starting after `cursor`, up to `limit` of them;
    /// with `needle`, only articles whose extracted entities, quotes or events contain it
    /// (ASCII case-insensitive) — a cheap filter that callers refine. Returns the cursor of the
    /// next page, counting every article looked at.
    pub fn scan_articles(
        &self,
        needle: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<ArticleRecord>, StoreError> {
        let (key, after) = split_optional_cursor(cursor)?;
        let pattern = needle.map(|n| {
            let escaped = n
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let conn = match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => {
                let rows = pg.scan_articles(key, after, pattern.as_deref(), fetch_limit(limit))?;
                return self.scan_page(rows, limit);
            }
        };
        let rows = conn
            .prepare_cached(
                "SELECT a.id, coalesce(a.published, '') FROM articles a
                 JOIN extractions e ON e.article_id = a.id
                 WHERE (?1 IS NULL OR (coalesce(a.published, ''), a.id) < (?1, ?2))
                   AND (?3 IS NULL OR e.entities LIKE ?3 ESCAPE '\\' OR e.quotes LIKE ?3 ESCAPE '\\'
                        OR e.events LIKE ?3 ESCAPE '\\')
                 ORDER BY coalesce(a.published, '') DESC, a.id DESC LIMIT ?4",
            )
            .and_then(|mut s| {
                s.query_map(params![key, after, pattern, fetch_limit(limit)], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.sql_err(e))?;
        self.scan_page(rows, limit)
    }

    fn scan_page(
        &self,
        rows: Vec<(String, String)>,
        limit: usize,
    ) -> Result<Page<ArticleRecord>, StoreError> {
        let more = rows.len() > limit;
        let mut records = Vec::with_capacity(rows.len().min(limit));
        let mut next = None;
        for (id, published) in rows.into_iter().take(limit) {
            if let Some(record) = self.get_article(&id)? {
                records.push(record);
            }
            next = Some(make_cursor(Some(&published), &id));
        }
        Ok((records, if more { next } else { None }))
    }

    pub(crate) fn corrupt_story(&self, id: &str, reason: String) -> StoreError {
        StoreError::CorruptStory {
            path: self.path.clone(),
            id: id.to_string(),
            reason,
        }
    }
}

/// One row of an article listing: id, title, outlet, url, published.
pub(crate) type ArticleRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A story encoded for its row in `stories`.
pub(crate) struct StoryRow<'a> {
    pub(crate) story: &'a Story,
    pub(crate) first: Option<String>,
    pub(crate) last: Option<String>,
    pub(crate) outlets: String,
    pub(crate) article_count: i64,
    pub(crate) disagreement_count: i64,
    pub(crate) updated: i64,
    pub(crate) json: String,
    /// The story's sort key and the rows of `disagreements` and `disagreement_words`.
    pub(crate) lookup_last: String,
    pub(crate) disagreements: Vec<crate::lookup::DisagreementRow>,
}

impl<'a> StoryRow<'a> {
    pub(crate) fn new(story: &'a Story) -> Result<Self, StoreError> {
        if story.id.is_empty() {
            return Err(StoreError::EmptyStoryId);
        }
        let encode = |source| StoreError::EncodeStory {
            id: story.id.clone(),
            source,
        };
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(StoryRow {
            story,
            first: story.span.first.map(|d| d.to_string()),
            last: story.span.last.map(|d| d.to_string()),
            outlets: serde_json::to_string(&story.outlets).map_err(encode)?,
            article_count: count(story.articles.len()),
            disagreement_count: count(story.disagreements.len()),
            updated: unix_now(),
            json: serde_json::to_string(story).map_err(encode)?,
            lookup_last: crate::lookup::story_last(story),
            disagreements: crate::lookup::disagreement_rows(story).map_err(encode)?,
        })
    }
}

/// Writes one story and its links inside the caller's transaction.
fn put_story_sqlite(
    conn: &Connection,
    path: &std::path::Path,
    row: &StoryRow<'_>,
) -> Result<(), StoreError> {
    let story = row.story;
    let err = |source| StoreError::InsertStory {
        path: path.to_path_buf(),
        id: story.id.clone(),
        source,
    };
    conn.prepare_cached(
        "INSERT INTO stories (id, thread, title, first, last, outlets, article_count,
                              disagreement_count, updated, story)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET
            thread = excluded.thread, title = excluded.title, first = excluded.first,
            last = excluded.last, outlets = excluded.outlets,
            article_count = excluded.article_count,
            disagreement_count = excluded.disagreement_count,
            updated = excluded.updated, story = excluded.story",
    )
    .map_err(err)?
    .execute(params![
        story.id,
        story.thread,
        story.title,
        row.first,
        row.last,
        row.outlets,
        row.article_count,
        row.disagreement_count,
        row.updated,
        row.json,
    ])
    .map_err(err)?;
    conn.prepare_cached("DELETE FROM story_articles WHERE story_id = ?1")
        .map_err(err)?
        .execute([&story.id])
        .map_err(err)?;
    let mut link = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO story_articles (story_id, article_id) VALUES (?1, ?2)",
        )
        .map_err(err)?;
    for article in &story.articles {
        link.execute(params![story.id, article]).map_err(err)?;
    }
    crate::lookup::put_disagreements_sqlite(conn, &story.id, &row.lookup_last, &row.disagreements)
        .map_err(err)?;
    let mut placed = conn
        .prepare_cached("DELETE FROM unclustered WHERE article_id = ?1")
        .map_err(err)?;
    for article in &story.articles {
        placed.execute([article]).map_err(err)?;
    }
    Ok(())
}

type CursorParts<'a> = (Option<&'a str>, Option<&'a str>);

fn split_optional_cursor(cursor: Option<&str>) -> Result<CursorParts<'_>, StoreError> {
    match cursor {
        Some(c) => {
            let (k, id) = parse_cursor(c)?;
            Ok((Some(k), Some(id)))
        }
        None => Ok((None, None)),
    }
}
