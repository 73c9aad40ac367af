//! Lookups through the derived tables of schema version 3: quotes by speaker
//! ([`Store::quotes_by_speaker`], [`Store::quotes_of_articles`]) and disagreements by subject
//! and slot ([`Store::find_disagreements`]), newest first, plus the light article reads their
//! answers need ([`Store::article_texts`]).
//!
//! A name or subject matches when its words (lower case, split at anything not a letter or
//! digit) hold the query's words in order, next to each other: "Putin" and "Vladimir Putin"
//! both match the speaker "Vladimir Putin"; "Putin Vladimir" does not. The lookup reads the
//! index of the query's longest word newest first and checks the whole phrase on each row, so
//! its cost follows the page, not the store (at most [`MAX_SCAN`] rows per call).

use rusqlite::{Connection, Row, params};
use serde::Serialize;
use sitrep_model::{Disagreement, NaiveDate, Quote, Story};

use crate::stories::{ArticleSummary, Page, make_cursor, parse_cursor, parse_date};
use crate::{Backend, Store, StoreError};

/// Rows read at most per round trip while filling a page: the first read asks for a little
/// more than the page (most rows match), each further one for twice as many as the last.
const MAX_CHUNK: usize = 1024;
/// Rows read at most by one lookup call: past it the page ends early (fewer items, with a
/// cursor), so that a query whose word is common but whose phrase is rare stays bounded.
pub const MAX_SCAN: usize = 20_000;

/// A quote found by a lookup, with its place among its article's quotes and the article's
/// metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundQuote {
    pub article: ArticleSummary,
    /// Position of the quote in the article's `quotes`.
    pub index: usize,
    pub quote: Quote,
}

/// A disagreement found by a lookup, with its story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundDisagreement {
    pub story: String,
    pub story_title: String,
    /// The story's last publication date.
    pub story_last: Option<NaiveDate>,
    /// Position of the disagreement in the story's `disagreements`.
    pub index: usize,
    pub disagreement: Disagreement,
}

/// An article's metadata and body, without its analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleText {
    pub article: ArticleSummary,
    pub body: String,
}

/// The lower-case words of a name or subject, as the lookup tables hold them.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether the words of `phrase` occur in `text` in order and next to each other (any case):
/// the matching rule of the lookups, for filters applied outside the store.
pub fn holds_words(text: &str, phrase: &str) -> bool {
    holds(&words(text), &words(phrase))
}

/// Whether `phrase` occurs in `words` as consecutive words.
fn holds(words: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase)
}

/// The word whose index a lookup reads: the longest (usually the rarest), the last on ties.
fn key_word(phrase: &[String]) -> Option<&str> {
    phrase
        .iter()
        .max_by_key(|w| w.chars().count())
        .map(String::as_str)
}

/// `YYYY-MM-DD` or '' (no date): the sort key the lookup tables store.
fn day_key(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// Greater than every stored day key: the start of a first page.
const TOP: &str = "~";

fn index_i64(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

// ------------------------------------------------------------------------------- writing

/// The lookup rows of one quote, encoded before anything is written.
pub(crate) struct QuoteRow {
    pub(crate) idx: i64,
    pub(crate) speaker: Option<String>,
    pub(crate) json: String,
    pub(crate) words: Vec<String>,
}

pub(crate) fn quote_rows(quotes: &[Quote]) -> serde_json::Result<Vec<QuoteRow>> {
    quotes
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let speaker = q.speaker.as_ref().map(|s| s.name.clone());
            let mut ws = speaker.as_deref().map(words).unwrap_or_default();
            ws.sort();
            ws.dedup();
            Ok(QuoteRow {
                idx: index_i64(i),
                speaker,
                json: serde_json::to_string(q)?,
                words: ws,
            })
        })
        .collect()
}

/// The lookup rows of one disagreement.
pub(crate) struct DisagreementRow {
    pub(crate) idx: i64,
    pub(crate) slot: String,
    pub(crate) subject: String,
    pub(crate) json: String,
    pub(crate) words: Vec<String>,
}

pub(crate) fn disagreement_rows(story: &Story) -> serde_json::Result<Vec<DisagreementRow>> {
    story
        .disagreements
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut ws = words(&d.subject);
            ws.sort();
            ws.dedup();
            Ok(DisagreementRow {
                idx: index_i64(i),
                slot: d.slot.to_lowercase(),
                subject: d.subject.clone(),
                json: serde_json::to_string(d)?,
                words: ws,
            })
        })
        .collect()
}

/// The story's sort key in the lookup tables.
pub(crate) fn story_last(story: &Story) -> String {
    day_key(story.span.last)
}

/// Writes the quote rows of one article (SQLite, inside the caller's transaction).
pub(crate) fn insert_quotes_sqlite(
    conn: &Connection,
    article: &str,
    day: &str,
    rows: &[QuoteRow],
) -> rusqlite::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut quote = conn.prepare_cached(
        "INSERT INTO quotes (article_id, idx, day, speaker, quote) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut word = conn.prepare_cached(
        "INSERT OR IGNORE INTO quote_speaker_words (word, day, article_id, idx)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in rows {
        quote.execute(params![article, r.idx, day, r.speaker, r.json])?;
        for w in &r.words {
            word.execute(params![w, day, article, r.idx])?;
        }
    }
    Ok(())
}

/// Replaces the disagreement rows of one story (SQLite, inside the caller's transaction).
pub(crate) fn put_disagreements_sqlite(
    conn: &Connection,
    story: &str,
    last: &str,
    rows: &[DisagreementRow],
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM disagreements WHERE story_id = ?1")?
        .execute([story])?;
    conn.prepare_cached("DELETE FROM disagreement_words WHERE story_id = ?1")?
        .execute([story])?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut row = conn.prepare_cached(
        "INSERT INTO disagreements (story_id, idx, last, slot, subject, disagreement)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut word = conn.prepare_cached(
        "INSERT OR IGNORE INTO disagreement_words (word, last, story_id, idx)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in rows {
        row.execute(params![story, r.idx, last, r.slot, r.subject, r.json])?;
        for w in &r.words {
            word.execute(params![w, last, story, r.idx])?;
        }
    }
    Ok(())
}

/// Fills the lookup tables of a store migrated from version 2 (SQLite, inside the migration's
/// transaction). Rows whose JSON does not parse are skipped: reading them reports the damage.
pub(crate) fn backfill_sqlite(conn: &Connection) -> rusqlite::Result<()> {
    let mut select = conn.prepare(
        "SELECT e.article_id, coalesce(a.published, ''), e.quotes
         FROM extractions e JOIN articles a ON a.id = e.article_id",
    )?;
    let mut rows = select.query([])?;
    while let Some(r) = rows.next()? {
        let (id, day, json): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let Ok(quotes) = serde_json::from_str::<Vec<Quote>>(&json) else {
            continue;
        };
        if let Ok(encoded) = quote_rows(&quotes) {
            insert_quotes_sqlite(conn, &id, &day, &encoded)?;
        }
    }
    let mut select = conn.prepare("SELECT id, story FROM stories")?;
    let mut rows = select.query([])?;
    while let Some(r) = rows.next()? {
        let (id, json): (String, String) = (r.get(0)?, r.get(1)?);
        let Ok(story) = serde_json::from_str::<Story>(&json) else {
            continue;
        };
        if let Ok(encoded) = disagreement_rows(&story) {
            put_disagreements_sqlite(conn, &id, &story_last(&story), &encoded)?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------- reading

/// A position in a lookup's order: (day or last, article or story id, idx); rows strictly
/// after it (in descending order) come next.
pub(crate) type Position = (String, String, i64);

/// One row of a quote lookup, as read.
pub(crate) struct RawQuote {
    pub(crate) day: String,
    pub(crate) article: String,
    pub(crate) idx: i64,
    pub(crate) speaker: Option<String>,
    pub(crate) quote: String,
    pub(crate) title: Option<String>,
    pub(crate) outlet: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) published: Option<String>,
}

impl RawQuote {
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawQuote {
            day: r.get(0)?,
            article: r.get(1)?,
            idx: r.get(2)?,
            speaker: r.get(3)?,
            quote: r.get(4)?,
            title: r.get(5)?,
            outlet: r.get(6)?,
            url: r.get(7)?,
            published: r.get(8)?,
        })
    }

    fn decode(self) -> Result<FoundQuote, String> {
        let quote: Quote = serde_json::from_str(&self.quote)
            .map_err(|e| format!("quote {} is not valid json: {e}", self.idx))?;
        Ok(FoundQuote {
            article: ArticleSummary {
                published: parse_date("published", self.published)?,
                id: self.article,
                title: self.title,
                outlet: self.outlet,
                url: self.url,
            },
            index: usize::try_from(self.idx).unwrap_or(0),
            quote,
        })
    }
}

/// One row of a disagreement lookup, as read.
pub(crate) struct RawDisagreement {
    pub(crate) last: String,
    pub(crate) story: String,
    pub(crate) idx: i64,
    pub(crate) slot: String,
    pub(crate) subject: String,
    pub(crate) disagreement: String,
    pub(crate) title: String,
}

impl RawDisagreement {
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawDisagreement {
            last: r.get(0)?,
            story: r.get(1)?,
            idx: r.get(2)?,
            slot: r.get(3)?,
            subject: r.get(4)?,
            disagreement: r.get(5)?,
            title: r.get(6)?,
        })
    }

    fn decode(self) -> Result<FoundDisagreement, String> {
        let disagreement: Disagreement = serde_json::from_str(&self.disagreement)
            .map_err(|e| format!("disagreement {} is not valid json: {e}", self.idx))?;
        let last = (!self.last.is_empty()).then_some(self.last);
        Ok(FoundDisagreement {
            story_last: parse_date("last", last)?,
            story: self.story,
            story_title: self.title,
            index: usize::try_from(self.idx).unwrap_or(0),
            disagreement,
        })
    }
}

pub(crate) const QUOTES_BY_WORD_SQLITE: &str =
    "SELECT w.day, w.article_id, w.idx, q.speaker, q.quote, a.title, a.outlet, a.url, a.published
     FROM quote_speaker_words w
     JOIN quotes q ON q.article_id = w.article_id AND q.idx = w.idx
     JOIN articles a ON a.id = w.article_id
     WHERE w.word = ?1 AND (w.day, w.article_id, w.idx) < (?2, ?3, ?4)
     ORDER BY w.day DESC, w.article_id DESC, w.idx DESC LIMIT ?5";

pub(crate) const QUOTES_OF_ARTICLE_SQLITE: &str =
    "SELECT q.day, q.article_id, q.idx, q.speaker, q.quote, a.title, a.outlet, a.url, a.published
     FROM quotes q JOIN articles a ON a.id = q.article_id
     WHERE q.article_id = ?1 ORDER BY q.idx";

const DISAGREEMENT_COLUMNS: &str =
    "d.last, d.story_id, d.idx, d.slot, d.subject, d.disagreement, s.title";

/// Which index a disagreement lookup reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DisagreementIndex<'a> {
    Word(&'a str),
    Slot(&'a str),
    All,
}

fn disagreements_sqlite(
    conn: &Connection,
    by: DisagreementIndex<'_>,
    (last, story, idx): &Position,
    limit: i64,
) -> rusqlite::Result<Vec<RawDisagreement>> {
    let (sql, key) = match by {
        DisagreementIndex::Word(w) => (
            format!(
                "SELECT {DISAGREEMENT_COLUMNS} FROM disagreement_words w
                 JOIN disagreements d ON d.story_id = w.story_id AND d.idx = w.idx
                 JOIN stories s ON s.id = w.story_id
                 WHERE w.word = ?1 AND (w.last, w.story_id, w.idx) < (?2, ?3, ?4)
                 ORDER BY w.last DESC, w.story_id DESC, w.idx DESC LIMIT ?5"
            ),
            w,
        ),
        DisagreementIndex::Slot(slot) => (
            format!(
                "SELECT {DISAGREEMENT_COLUMNS} FROM disagreements d
                 JOIN stories s ON s.id = d.story_id
                 WHERE d.slot = ?1 AND (d.last, d.story_id, d.idx) < (?2, ?3, ?4)
                 ORDER BY d.last DESC, d.story_id DESC, d.idx DESC LIMIT ?5"
            ),
            slot,
        ),
        DisagreementIndex::All => (
            format!(
                "SELECT {DISAGREEMENT_COLUMNS} FROM disagreements d
                 JOIN stories s ON s.id = d.story_id
                 WHERE ?1 = '' AND (d.last, d.story_id, d.idx) < (?2, ?3, ?4)
                 ORDER BY d.last DESC, d.story_id DESC, d.idx DESC LIMIT ?5"
            ),
            "",
        ),
    };
    let mut s = conn.prepare_cached(&sql)?;
    s.query_map(params![key, last, story, idx, limit], RawDisagreement::read)?
        .collect()
}

/// The position a page cursor (`DATE~ID`, whole articles or stories) starts after.
fn start(cursor: Option<&str>) -> Result<Position, StoreError> {
    match cursor {
        // idx -1: before every row of that article or story, so all of them are skipped.
        Some(c) => parse_cursor(c).map(|(k, id)| (k.to_string(), id.to_string(), -1)),
        None => Ok((TOP.to_string(), String::new(), 0)),
    }
}

/// Reads rows in lookup order from `start`, keeps those `keep` accepts, and stops at the first
/// group (article or story) boundary once `limit` rows are kept or [`MAX_SCAN`] rows read.
/// Returns the kept rows and the cursor of the next page.
fn page_of<R>(
    start: Position,
    limit: usize,
    mut fetch: impl FnMut(&Position, i64) -> Result<Vec<R>, StoreError>,
    position: impl Fn(&R) -> Position,
    keep: impl Fn(&R) -> bool,
) -> Result<(Vec<R>, Option<String>), StoreError> {
    let mut kept = Vec::new();
    let mut at = start;
    let mut scanned = 0usize;
    // The group (key, id) of the last row read.
    let mut group: Option<(String, String)> = None;
    let mut chunk = index_i64(limit.saturating_add(8).min(MAX_CHUNK));
    loop {
        let rows = fetch(&at, chunk)?;
        let n = rows.len();
        for row in rows {
            let pos = position(&row);
            let new_group = group
                .as_ref()
                .is_none_or(|(k, id)| *k != pos.0 || *id != pos.1);
            if new_group && (kept.len() >= limit || scanned >= MAX_SCAN) {
                let next = group.map(|(k, id)| make_cursor(Some(&k), &id));
                return Ok((kept, next));
            }
            if new_group {
                group = Some((pos.0.clone(), pos.1.clone()));
            }
            scanned += 1;
            if keep(&row) {
                kept.push(row);
            }
            at = pos;
        }
        if i64::try_from(n).unwrap_or(i64::MAX) < chunk {
            return Ok((kept, None));
        }
        chunk = chunk.saturating_mul(2).min(index_i64(MAX_CHUNK));
    }
}

impl Store {
    /// Quotes whose speaker's name holds the words of `speaker` (in order, any case), newest
    /// articles first (publication date, then article id, both descending; an article's quotes
    /// in their order). Pages hold whole articles: at least `limit` quotes unless the listing
    /// ends (or [`MAX_SCAN`] rows were read), and the cursor of the next page.
    pub fn quotes_by_speaker(
        &self,
        speaker: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<FoundQuote>, StoreError> {
        let phrase = words(speaker);
        let Some(word) = key_word(&phrase) else {
            return Ok((Vec::new(), None));
        };
        let (rows, next) = page_of(
            start(cursor)?,
            limit,
            |(day, article, idx), n| match &self.backend {
                Backend::Sqlite(conn) => conn
                    .prepare_cached(QUOTES_BY_WORD_SQLITE)
                    .and_then(|mut s| {
                        s.query_map(params![word, day, article, idx, n], RawQuote::read)?
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .map_err(|e| self.sql_err(e)),
                Backend::Postgres(pg) => pg.quotes_by_word(word, (day, article, *idx), n),
            },
            |r| (r.day.clone(), r.article.clone(), r.idx),
            |r| {
                r.speaker
                    .as_deref()
                    .is_some_and(|s| holds(&words(s), &phrase))
            },
        )?;
        let mut quotes = rows
            .into_iter()
            .map(|r| {
                let id = r.article.clone();
                r.decode().map_err(|reason| self.corrupt(&id, reason))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Read newest first, each article's quotes last to first: put those back in order.
        quotes.sort_by(|a, b| {
            let key = |q: &FoundQuote| (day_key(q.article.published), q.article.id.clone());
            key(b).cmp(&key(a)).then(a.index.cmp(&b.index))
        });
        Ok((quotes, next))
    }

    /// The quotes of these articles, article by article in the order given, each article's in
    /// its order; unknown ids have none.
    pub fn quotes_of_articles(&self, ids: &[&str]) -> Result<Vec<FoundQuote>, StoreError> {
        let mut out = Vec::new();
        for id in ids {
            let rows = match &self.backend {
                Backend::Sqlite(conn) => conn
                    .prepare_cached(QUOTES_OF_ARTICLE_SQLITE)
                    .and_then(|mut s| {
                        s.query_map([id], RawQuote::read)?
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .map_err(|e| self.sql_err(e))?,
                Backend::Postgres(pg) => pg.quotes_of_article(id)?,
            };
            for r in rows {
                out.push(r.decode().map_err(|reason| self.corrupt(id, reason))?);
            }
        }
        Ok(out)
    }

    /// Disagreements of stored stories, newest stories first (last date, then story id, both
    /// descending; a story's disagreements in their order), with `slot` (any case) and a
    /// subject holding the words of `subject` (in order, any case), when given. Pages hold
    /// whole stories, as [`Store::quotes_by_speaker`]'s hold whole articles.
    pub fn find_disagreements(
        &self,
        slot: Option<&str>,
        subject: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<FoundDisagreement>, StoreError> {
        let phrase = subject.map(words);
        let slot = slot.map(str::to_lowercase);
        let by = match (&phrase, &slot) {
            (Some(p), _) => match key_word(p) {
                Some(w) => DisagreementIndex::Word(w),
                None => return Ok((Vec::new(), None)),
            },
            (None, Some(s)) => DisagreementIndex::Slot(s),
            (None, None) => DisagreementIndex::All,
        };
        let (rows, next) = page_of(
            start(cursor)?,
            limit,
            |pos, n| match &self.backend {
                Backend::Sqlite(conn) => {
                    disagreements_sqlite(conn, by, pos, n).map_err(|e| self.sql_err(e))
                }
                Backend::Postgres(pg) => pg.disagreements(by, pos, n),
            },
            |r| (r.last.clone(), r.story.clone(), r.idx),
            |r| {
                slot.as_ref().is_none_or(|s| r.slot == *s)
                    && phrase.as_ref().is_none_or(|p| holds(&words(&r.subject), p))
            },
        )?;
        let mut found = rows
            .into_iter()
            .map(|r| {
                let id = r.story.clone();
                r.decode().map_err(|reason| self.corrupt_story(&id, reason))
            })
            .collect::<Result<Vec<_>, _>>()?;
        found.sort_by(|a, b| {
            let key = |d: &FoundDisagreement| (day_key(d.story_last), d.story.clone());
            key(b).cmp(&key(a)).then(a.index.cmp(&b.index))
        });
        Ok((found, next))
    }

    /// The metadata and body of these articles, in the order given; unknown ids are left out.
    pub fn article_texts(&self, ids: &[&str]) -> Result<Vec<ArticleText>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row = match &self.backend {
                Backend::Sqlite(conn) => conn
                    .prepare_cached(
                        "SELECT id, title, outlet, url, published, body FROM articles
                         WHERE id = ?1",
                    )
                    .and_then(|mut s| {
                        use rusqlite::OptionalExtension;
                        s.query_row([id], |r| {
                            Ok((
                                (
                                    r.get(0)?,
                                    r.get(1)?,
                                    r.get(2)?,
                                    r.get(3)?,
                                    r.get::<_, Option<String>>(4)?,
                                ),
                                r.get::<_, String>(5)?,
                            ))
                        })
                        .optional()
                    })
                    .map_err(|e| self.sql_err(e))?,
                Backend::Postgres(pg) => pg.article_text(id)?,
            };
            let Some(((id, title, outlet, url, published), body)) = row else {
                continue;
            };
            let published =
                parse_date("published", published).map_err(|reason| self.corrupt(&id, reason))?;
            out.push(ArticleText {
                article: ArticleSummary {
                    id,
                    title,
                    outlet,
                    url,
                    published,
                },
                body,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words(s)
    }

    #[test]
    fn words_are_lower_case_and_split_at_punctuation() {
        assert_eq!(
            w("Mara O'Strand-Veld, Jr."),
            ["mara", "o", "strand", "veld", "jr"]
        );
        assert_eq!(w("Élise Dvořák"), ["élise", "dvořák"]);
        assert!(w(" -- ").is_empty());
    }

    #[test]
    fn a_phrase_must_occur_in_order_and_together() {
        let name = w("Prime Minister Mara Ostrand");
        assert!(holds(&name, &w("ostrand")));
        assert!(holds(&name, &w("Mara Ostrand")));
        assert!(holds(&name, &w("minister mara")));
        assert!(!holds(&name, &w("Ostrand Mara")));
        assert!(!holds(&name, &w("Prime Ostrand")));
        assert!(!holds(&name, &w("Ostra")));
        assert!(!holds(&name, &[]));
    }

    #[test]
    fn the_key_word_is_the_longest_and_the_last_on_ties() {
        assert_eq!(key_word(&w("Mara Ostrand")), Some("ostrand"));
        assert_eq!(key_word(&w("Ana Bo")), Some("ana"));
        assert_eq!(key_word(&w("Li Bo")), Some("bo"));
        assert_eq!(key_word(&[]), None);
    }

    /// `n` rows in lookup order: groups of 3 rows (`g`, idx 2, 1, 0), groups descending.
    fn rows(n: usize) -> Vec<Position> {
        (0..n)
            .map(|i| {
                let g = n / 3 - i / 3;
                (
                    "2025-01-01".to_string(),
                    format!("g{g:06}"),
                    2 - (i % 3) as i64,
                )
            })
            .collect()
    }

    fn fetch_from(
        all: &[Position],
    ) -> impl FnMut(&Position, i64) -> Result<Vec<Position>, StoreError> + '_ {
        |at, n| {
            Ok(all
                .iter()
                .filter(|p| *p < at)
                .take(usize::try_from(n).unwrap_or(0))
                .cloned()
                .collect())
        }
    }

    #[test]
    fn a_page_stops_at_a_group_boundary_and_resumes_after_it() {
        let all = rows(30);
        let keep_odd = |p: &Position| p.2 % 2 == 1;
        let (page, next) = page_of(
            start(None).expect("start"),
            4,
            fetch_from(&all),
            Clone::clone,
            keep_odd,
        )
        .expect("page");
        // Groups hold one kept row each (idx 1): 4 rows, 4 groups, cursor after the 4th.
        assert_eq!(page.len(), 4);
        assert_eq!(next.as_deref(), Some("2025-01-01~g000007"));
        let (rest, end) = page_of(
            start(next.as_deref()).expect("start"),
            100,
            fetch_from(&all),
            Clone::clone,
            keep_odd,
        )
        .expect("rest");
        assert_eq!((rest.len(), end), (6, None));
        assert_eq!(rest[0].1, "g000006");
    }

    #[test]
    fn a_page_of_a_rare_phrase_ends_early_with_a_cursor() {
        let all = rows(MAX_SCAN + 600);
        let (page, next) = page_of(
            start(None).expect("start"),
            10,
            fetch_from(&all),
            Clone::clone,
            |_| false,
        )
        .expect("page");
        assert!(page.is_empty());
        // Stopped after MAX_SCAN rows, at a group boundary.
        let cursor = next.expect("a cursor to go on");
        let (_, id) = parse_cursor(&cursor).expect("cursor");
        let read = all.iter().filter(|p| p.1.as_str() >= id).count();
        assert!((MAX_SCAN..MAX_SCAN + 3).contains(&read), "{read}");
    }
}
