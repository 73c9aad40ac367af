//! The PostgreSQL backend of [`crate::Store`], for stores that several ingest workers on several
//! machines share.
//!
//! One blocking connection per `Store` (the `postgres` crate). `sslmode=require` connects over
//! TLS (rustls) and verifies the server's certificate against `sslrootcert=PATH` (a parameter
//! of the URL that this module takes out before the client library parses it) or the public
//! web roots; other modes connect in plain text. The schema is that of the SQLite backend, written for
//! PostgreSQL (`migrations/postgres/`); text keys and dates use the `"C"` collation so that
//! listings and cursors order by bytes, as SQLite does, whatever the database's locale.
//!
//! Concurrency:
//! - opening migrates inside one transaction that holds a transaction-level advisory lock
//!   (per schema), so workers starting at once apply each migration once and a crash leaves the
//!   previous version (PostgreSQL's DDL is transactional);
//! - a batch is one transaction; rows are inserted with `ON CONFLICT DO NOTHING` in id order, so
//!   two workers storing the same article count it once between them (the second waits for the
//!   first's commit, then sees the conflict) and never deadlock on each other's rows. A batch
//!   is written with one statement per table (arrays of column values, `unnest`); if that
//!   fails, the batch is written again article by article, to name the article that fails;
//! - story refreshes hold another transaction-level advisory lock from the first read to the
//!   commit of their writes, so they run one after the other.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::types::ToSql;
use postgres::{Client, Config, GenericClient, NoTls, Row, Statement};
use sitrep_model::{Article, ArticleRecord, Extraction};

use crate::lookup::{
    self, DisagreementIndex, DisagreementRow, Position, QuoteRow, RawDisagreement, RawQuote,
};
use crate::stories::{ArticleRow, RawSummary, StoryRow};
use crate::{BatchOutcome, EncodedArticle, RawArticle, RawSource, StoreError, codec};

/// The migrations, in order, as for SQLite: `MIGRATIONS[i]` takes the schema from version `i`
/// to `i + 1`. Never edit one that has shipped; add a new file instead.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_init.sql"),
    include_str!("../migrations/postgres/0002_stories.sql"),
    include_str!("../migrations/postgres/0003_lookups.sql"),
    include_str!("../migrations/postgres/0004_unclustered.sql"),
    include_str!("../migrations/postgres/0005_embeddings.sql"),
];

// Both backends are at the same version.
const _: () = assert!(MIGRATIONS.len() as u32 == crate::SCHEMA_VERSION);

/// First key of the advisory locks of a sitrep store ("SRP1"); the second is a hash of the
/// schema, so that stores in different schemas of one database do not wait for each other.
const LOCK_MIGRATE: i32 = 0x5352_5031;
/// First key of the advisory lock held by a story refresh.
const LOCK_STORIES: i32 = 0x5352_5032;

/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS sitrep_schema (
    singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    version     INTEGER NOT NULL,
    application TEXT NOT NULL DEFAULT 'sitrep'
)";

pub(crate) struct Pg {
    client: RefCell<Client>,
    /// Statements prepared on this connection, by their SQL.
    statements: RefCell<HashMap<&'static str, Statement>>,
    /// `postgres://USER@HOST:PORT/DB`, without password: named in errors.
    name: String,
}

impl Pg {
    pub(crate) fn open(url: &str) -> Result<Pg, StoreError> {
        let (url, root_cert) = take_root_cert(url);
        let mut config: Config = url.parse().map_err(|source| StoreError::PgUrl {
            spec: redact(&url),
            source,
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let name = describe(&config);
        let connected = if matches!(config.get_ssl_mode(), SslMode::Require) {
            let tls = tls_connector(root_cert.as_deref()).map_err(|reason| StoreError::PgTls {
                db: name.clone(),
                reason,
            })?;
            config.connect(tls)
        } else {
            if root_cert.is_some() {
                return Err(StoreError::PgTls {
                    db: name,
                    reason: "sslrootcert is given but sslmode is not require: add sslmode=require"
                        .to_string(),
                });
            }
            config.connect(NoTls)
        };
        let mut client = connected.map_err(|source| StoreError::PgConnect {
            db: name.clone(),
            source,
        })?;
        migrate(&mut client, &name)?;
        Ok(Pg {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            name,
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    fn err(&self, source: postgres::Error) -> StoreError {
        StoreError::Postgres {
            db: self.name.clone(),
            source,
        }
    }

    /// The statement for `sql`, prepared once per connection.
    fn prepared<C: GenericClient>(
        &self,
        client: &mut C,
        sql: &'static str,
    ) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let statement = client.prepare(sql)?;
        self.statements.borrow_mut().insert(sql, statement.clone());
        Ok(statement)
    }

    fn query(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let mut client = self.client.borrow_mut();
        self.prepared(&mut *client, sql)
            .and_then(|s| client.query(&s, params))
            .map_err(|e| self.err(e))
    }

    fn query_opt(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, StoreError> {
        let mut client = self.client.borrow_mut();
        self.prepared(&mut *client, sql)
            .and_then(|s| client.query_opt(&s, params))
            .map_err(|e| self.err(e))
    }

    fn execute(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let mut client = self.client.borrow_mut();
        self.prepared(&mut *client, sql)
            .and_then(|s| client.execute(&s, params))
            .map_err(|e| self.err(e))
    }

    pub(crate) fn schema_version(&self) -> Result<u32, StoreError> {
        let row = self.query_opt("SELECT version FROM sitrep_schema", &[])?;
        let version: i32 = match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e))?,
            None => 0,
        };
        Ok(u32::try_from(version).unwrap_or(0))
    }

    pub(crate) fn insert_batch(
        &self,
        batch: &[(Article, Extraction)],
        embeddings: &[Vec<f32>],
        compressor: &mut codec::Compressor,
        ingested_at: i64,
    ) -> Result<BatchOutcome, StoreError> {
        // In id order (stable: of two copies of an id the first stays first), so that two
        // batches sharing articles take their row locks in the same order and cannot deadlock.
        let mut order: Vec<(&(Article, Extraction), &[f32])> = batch
            .iter()
            .enumerate()
            .map(|(i, item)| (item, embeddings.get(i).map_or(&[][..], Vec::as_slice)))
            .collect();
        order.sort_by(|a, b| a.0.0.id.cmp(&b.0.0.id));
        let ids: Vec<&str> = order.iter().map(|((a, _), _)| a.id.as_str()).collect();

        let mut client = self.client.borrow_mut();
        // Ids stored before this batch are skipped without encoding them.
        let known: HashSet<String> = self
            .prepared(&mut *client, "SELECT id FROM articles WHERE id = ANY($1)")
            .and_then(|s| client.query(&s, &[&ids]))
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let mut seen: HashSet<&str> = HashSet::new();
        let mut rows = Vec::new();
        for ((article, extraction), embedding) in order {
            if known.contains(&article.id) || !seen.insert(&article.id) {
                continue;
            }
            rows.push((
                article,
                EncodedArticle::new(article, extraction, embedding, compressor)?,
            ));
        }
        if rows.is_empty() {
            return Ok(BatchOutcome {
                stored: 0,
                duplicates: batch.len(),
            });
        }
        // Fast path: the whole batch in three statements (one per table), so that a batch
        // costs three round trips, not three per article.
        let bulk = client.transaction().and_then(|mut tx| {
            let stored = self.insert_bulk(&mut tx, &rows, ingested_at)?;
            tx.commit()?;
            Ok(stored)
        });
        let stored = match bulk {
            Ok(stored) => stored,
            // The batch was rolled back: store it again article by article, to find (and
            // name) the article that fails, or to succeed if the failure was passing.
            Err(_) => {
                let mut tx = client.transaction().map_err(|e| self.err(e))?;
                let mut stored = 0;
                for (article, row) in &rows {
                    // Another worker may have stored it since the check above: then nothing
                    // is written (after waiting for that worker's commit) and it is a
                    // duplicate.
                    let new = self
                        .insert_article(&mut tx, row, article, ingested_at)
                        .map_err(|source| StoreError::PgInsert {
                            db: self.name.clone(),
                            id: article.id.clone(),
                            source,
                        })?;
                    stored += usize::from(new);
                }
                tx.commit().map_err(|e| self.err(e))?;
                stored
            }
        };
        Ok(BatchOutcome {
            stored,
            duplicates: batch.len() - stored,
        })
    }

    /// Writes the rows of `rows` whose ids are not stored yet (another worker may have stored
    /// some since they were checked: those wait for its commit, then are skipped); returns how
    /// many were written.
    fn insert_bulk<C: GenericClient>(
        &self,
        tx: &mut C,
        rows: &[(&Article, EncodedArticle)],
        ingested_at: i64,
    ) -> Result<usize, postgres::Error> {
        fn column<'a, T>(
            rows: &'a [(&Article, EncodedArticle)],
            f: impl Fn(&'a Article, &'a EncodedArticle) -> T,
        ) -> Vec<T> {
            rows.iter().map(|(a, r)| f(a, r)).collect()
        }
        let articles = self.prepared(
            tx,
            "INSERT INTO articles (id, input, format, outlet, url, title, subtitle, published,
                                   authors, language, body, paragraphs, diagnostics, ingested_at)
             SELECT u.*, $14::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                 $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                 $11::text[], $12::text[], $13::text[]) AS u
             ON CONFLICT (id) DO NOTHING
             RETURNING id",
        )?;
        let inserted: HashSet<String> = tx
            .query(
                &articles,
                &[
                    &column(rows, |a, _| a.id.as_str()),
                    &column(rows, |a, _| a.input.as_str()),
                    &column(rows, |a, _| a.format.as_str()),
                    &column(rows, |a, _| a.outlet.as_deref()),
                    &column(rows, |a, _| a.url.as_deref()),
                    &column(rows, |a, _| a.title.as_deref()),
                    &column(rows, |a, _| a.subtitle.as_deref()),
                    &column(rows, |_, r| r.published.as_deref()),
                    &column(rows, |_, r| r.authors.as_str()),
                    &column(rows, |a, _| a.language.as_deref()),
                    &column(rows, |a, _| a.body.as_str()),
                    &column(rows, |_, r| r.paragraphs.as_str()),
                    &column(rows, |_, r| r.diagnostics.as_str()),
                    &ingested_at,
                ],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let fresh: Vec<&(&Article, EncodedArticle)> = rows
            .iter()
            .filter(|(a, _)| inserted.contains(&a.id))
            .collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        let sources = self.prepared(
            tx,
            "INSERT INTO article_sources (article_id, encoding, source_len, source, offsets)
             SELECT u.id, $2::text, u.len, u.source, u.offsets
             FROM unnest($1::text[], $3::bigint[], $4::bytea[], $5::bytea[])
                 AS u (id, len, source, offsets)",
        )?;
        let ids: Vec<&str> = fresh.iter().map(|(a, _)| a.id.as_str()).collect();
        let lens: Vec<i64> = fresh
            .iter()
            .map(|(a, _)| i64::try_from(a.source.len()).unwrap_or(i64::MAX))
            .collect();
        let data: Vec<&[u8]> = fresh.iter().map(|(_, r)| r.source.as_slice()).collect();
        let offsets: Vec<&[u8]> = fresh.iter().map(|(_, r)| r.offsets.as_slice()).collect();
        tx.execute(
            &sources,
            &[&ids, &codec::SOURCE_ENCODING, &lens, &data, &offsets],
        )?;
        let extractions = self.prepared(
            tx,
            "INSERT INTO extractions (article_id, entities, quotes, events, embedding)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[])",
        )?;
        let entities: Vec<&str> = fresh.iter().map(|(_, r)| r.entities.as_str()).collect();
        let quotes: Vec<&str> = fresh.iter().map(|(_, r)| r.quotes.as_str()).collect();
        let events: Vec<&str> = fresh.iter().map(|(_, r)| r.events.as_str()).collect();
        let embeddings: Vec<Option<&[u8]>> =
            fresh.iter().map(|(_, r)| r.embedding.as_deref()).collect();
        tx.execute(
            &extractions,
            &[&ids, &entities, &quotes, &events, &embeddings],
        )?;
        let quote_rows: Vec<(&str, &str, &QuoteRow)> = fresh
            .iter()
            .flat_map(|(a, r)| {
                let day = r.published.as_deref().unwrap_or("");
                r.quote_rows.iter().map(move |q| (a.id.as_str(), day, q))
            })
            .collect();
        self.insert_quote_rows(tx, &quote_rows)?;
        let unclustered = self.prepared(
            tx,
            "INSERT INTO unclustered (article_id, published)
             SELECT * FROM unnest($1::text[], $2::text[])",
        )?;
        let dates: Vec<Option<&str>> = fresh.iter().map(|(_, r)| r.published.as_deref()).collect();
        tx.execute(&unclustered, &[&ids, &dates])?;
        Ok(fresh.len())
    }

    /// Writes rows of `quotes` and `quote_speaker_words`: (article id, day, row).
    fn insert_quote_rows<C: GenericClient>(
        &self,
        tx: &mut C,
        rows: &[(&str, &str, &QuoteRow)],
    ) -> Result<(), postgres::Error> {
        write_quote_rows(tx, &mut |c, sql| self.prepared(c, sql), rows)
    }

    /// Replaces the rows of `disagreements` and `disagreement_words` of one story.
    fn put_disagreement_rows<C: GenericClient>(
        &self,
        tx: &mut C,
        story: &str,
        last: &str,
        rows: &[DisagreementRow],
    ) -> Result<(), postgres::Error> {
        write_disagreement_rows(tx, &mut |c, sql| self.prepared(c, sql), story, last, rows)
    }

    /// Ids and dates of the articles in no story yet.
    pub(crate) fn unclustered(&self) -> Result<Vec<(String, Option<String>)>, StoreError> {
        self.query(
            "SELECT article_id, published FROM unclustered ORDER BY article_id",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()
        .map_err(|e| self.err(e))
    }

    pub(crate) fn quotes_by_word(
        &self,
        word: &str,
        (day, article, idx): (&str, &str, i64),
        limit: i64,
    ) -> Result<Vec<RawQuote>, StoreError> {
        let rows = self.query(
            "SELECT w.day, w.article_id, w.idx, q.speaker, q.quote, a.title, a.outlet, a.url,
                    a.published
             FROM quote_speaker_words w
             JOIN quotes q ON q.article_id = w.article_id AND q.idx = w.idx
             JOIN articles a ON a.id = w.article_id
             WHERE w.word = $1 AND (w.day, w.article_id, w.idx) < ($2, $3, $4)
             ORDER BY w.day DESC, w.article_id DESC, w.idx DESC LIMIT $5",
            &[&word, &day, &article, &idx, &limit],
        )?;
        self.raw_quotes(&rows)
    }

    pub(crate) fn quotes_of_article(&self, id: &str) -> Result<Vec<RawQuote>, StoreError> {
        let rows = self.query(
            "SELECT q.day, q.article_id, q.idx, q.speaker, q.quote, a.title, a.outlet, a.url,
                    a.published
             FROM quotes q JOIN articles a ON a.id = q.article_id
             WHERE q.article_id = $1 ORDER BY q.idx",
            &[&id],
        )?;
        self.raw_quotes(&rows)
    }

    fn raw_quotes(&self, rows: &[Row]) -> Result<Vec<RawQuote>, StoreError> {
        rows.iter()
            .map(|r| {
                Ok(RawQuote {
                    day: r.try_get(0)?,
                    article: r.try_get(1)?,
                    idx: r.try_get(2)?,
                    speaker: r.try_get(3)?,
                    quote: r.try_get(4)?,
                    title: r.try_get(5)?,
                    outlet: r.try_get(6)?,
                    url: r.try_get(7)?,
                    published: r.try_get(8)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .map_err(|e| self.err(e))
    }

    pub(crate) fn disagreements(
        &self,
        by: DisagreementIndex<'_>,
        (last, story, idx): &Position,
        limit: i64,
    ) -> Result<Vec<RawDisagreement>, StoreError> {
        let rows = match by {
            DisagreementIndex::Word(word) => self.query(
                "SELECT d.last, d.story_id, d.idx, d.slot, d.subject, d.disagreement, s.title
                 FROM disagreement_words w
                 JOIN disagreements d ON d.story_id = w.story_id AND d.idx = w.idx
                 JOIN stories s ON s.id = w.story_id
                 WHERE w.word = $1 AND (w.last, w.story_id, w.idx) < ($2, $3, $4)
                 ORDER BY w.last DESC, w.story_id DESC, w.idx DESC LIMIT $5",
                &[&word, last, story, idx, &limit],
            )?,
            DisagreementIndex::Slot(slot) => self.query(
                "SELECT d.last, d.story_id, d.idx, d.slot, d.subject, d.disagreement, s.title
                 FROM disagreements d JOIN stories s ON s.id = d.story_id
                 WHERE d.slot = $1 AND (d.last, d.story_id, d.idx) < ($2, $3, $4)
                 ORDER BY d.last DESC, d.story_id DESC, d.idx DESC LIMIT $5",
                &[&slot, last, story, idx, &limit],
            )?,
            DisagreementIndex::All => self.query(
                "SELECT d.last, d.story_id, d.idx, d.slot, d.subject, d.disagreement, s.title
                 FROM disagreements d JOIN stories s ON s.id = d.story_id
                 WHERE (d.last, d.story_id, d.idx) < ($1, $2, $3)
                 ORDER BY d.last DESC, d.story_id DESC, d.idx DESC LIMIT $4",
                &[last, story, idx, &limit],
            )?,
        };
        rows.iter()
            .map(|r| {
                Ok(RawDisagreement {
                    last: r.try_get(0)?,
                    story: r.try_get(1)?,
                    idx: r.try_get(2)?,
                    slot: r.try_get(3)?,
                    subject: r.try_get(4)?,
                    disagreement: r.try_get(5)?,
                    title: r.try_get(6)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .map_err(|e| self.err(e))
    }

    /// (id, title, outlet, url, published) and body of one article.
    pub(crate) fn article_text(
        &self,
        id: &str,
    ) -> Result<Option<(ArticleRow, String)>, StoreError> {
        self.query_opt(
            "SELECT id, title, outlet, url, published, body FROM articles WHERE id = $1",
            &[&id],
        )?
        .map(|r| {
            Ok((
                (
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                ),
                r.try_get(5)?,
            ))
        })
        .transpose()
        .map_err(|e| self.err(e))
    }

    /// Writes the rows of one article; `false` if its id is already stored.
    fn insert_article<C: GenericClient>(
        &self,
        tx: &mut C,
        row: &EncodedArticle,
        a: &Article,
        ingested_at: i64,
    ) -> Result<bool, postgres::Error> {
        let insert = self.prepared(
            tx,
            "INSERT INTO articles (id, input, format, outlet, url, title, subtitle, published,
                                   authors, language, body, paragraphs, diagnostics, ingested_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (id) DO NOTHING",
        )?;
        let n = tx.execute(
            &insert,
            &[
                &a.id,
                &a.input,
                &a.format.as_str(),
                &a.outlet,
                &a.url,
                &a.title,
                &a.subtitle,
                &row.published,
                &row.authors,
                &a.language,
                &a.body,
                &row.paragraphs,
                &row.diagnostics,
                &ingested_at,
            ],
        )?;
        if n == 0 {
            return Ok(false);
        }
        let source_len = i64::try_from(a.source.len()).unwrap_or(i64::MAX);
        let sources = self.prepared(
            tx,
            "INSERT INTO article_sources (article_id, encoding, source_len, source, offsets)
             VALUES ($1, $2, $3, $4, $5)",
        )?;
        tx.execute(
            &sources,
            &[
                &a.id,
                &codec::SOURCE_ENCODING,
                &source_len,
                &row.source,
                &row.offsets,
            ],
        )?;
        let extractions = self.prepared(
            tx,
            "INSERT INTO extractions (article_id, entities, quotes, events, embedding)
             VALUES ($1, $2, $3, $4, $5)",
        )?;
        tx.execute(
            &extractions,
            &[
                &a.id,
                &row.entities,
                &row.quotes,
                &row.events,
                &row.embedding,
            ],
        )?;
        let day = row.published.as_deref().unwrap_or("");
        let quote_rows: Vec<(&str, &str, &QuoteRow)> = row
            .quote_rows
            .iter()
            .map(|q| (a.id.as_str(), day, q))
            .collect();
        self.insert_quote_rows(tx, &quote_rows)?;
        let unclustered = self.prepared(
            tx,
            "INSERT INTO unclustered (article_id, published) VALUES ($1, $2)",
        )?;
        tx.execute(&unclustered, &[&a.id, &row.published])?;
        Ok(true)
    }

    pub(crate) fn get_embedding(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self.query_opt(
            "SELECT embedding FROM extractions WHERE article_id = $1",
            &[&id],
        )?;
        match row {
            Some(r) => r.try_get(0).map_err(|e| self.err(e)),
            None => Ok(None),
        }
    }

    pub(crate) fn unembedded_ids(
        &self,
        limit: i64,
        after: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT article_id FROM extractions
             WHERE embedding IS NULL AND article_id > $1 ORDER BY article_id LIMIT $2",
            &[&after, &limit],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    /// One statement (so one transaction) for all the rows, given in id order.
    pub(crate) fn set_embeddings(
        &self,
        rows: &[(&str, Option<Vec<u8>>)],
    ) -> Result<usize, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let ids: Vec<&str> = rows.iter().map(|(id, _)| *id).collect();
        let blobs: Vec<Option<&[u8]>> = rows.iter().map(|(_, b)| b.as_deref()).collect();
        let n = self.execute(
            "UPDATE extractions SET embedding = v.embedding
             FROM unnest($1::text[], $2::bytea[]) AS v (id, embedding)
             WHERE extractions.article_id = v.id",
            &[&ids, &blobs],
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(crate) fn get_embeddings(
        &self,
        ids: &[&str],
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.query(
            "SELECT article_id, embedding FROM extractions
             WHERE embedding IS NOT NULL AND article_id = ANY($1)",
            &[&ids],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    pub(crate) fn all_embedded(&self, sql: &'static str) -> Result<bool, StoreError> {
        match self.query_opt(sql, &[])? {
            Some(r) => r.try_get(0).map_err(|e| self.err(e)),
            None => Ok(false),
        }
    }

    pub(crate) fn contains(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .query_opt("SELECT 1 FROM articles WHERE id = $1", &[&id])?
            .is_some())
    }

    pub(crate) fn get_article(&self, id: &str) -> Result<Option<ArticleRecord>, StoreError> {
        let Some(r) = self.query_opt(
            "SELECT a.input, a.format, a.outlet, a.url, a.title, a.subtitle, a.published,
                    a.authors, a.language, a.body, a.paragraphs, a.diagnostics,
                    e.entities, e.quotes, e.events
             FROM articles a LEFT JOIN extractions e ON e.article_id = a.id
             WHERE a.id = $1",
            &[&id],
        )?
        else {
            return Ok(None);
        };
        let raw = (|| {
            Ok::<_, postgres::Error>(RawArticle {
                input: r.try_get(0)?,
                format: r.try_get(1)?,
                outlet: r.try_get(2)?,
                url: r.try_get(3)?,
                title: r.try_get(4)?,
                subtitle: r.try_get(5)?,
                published: r.try_get(6)?,
                authors: r.try_get(7)?,
                language: r.try_get(8)?,
                body: r.try_get(9)?,
                paragraphs: r.try_get(10)?,
                diagnostics: r.try_get(11)?,
                entities: r.try_get(12)?,
                quotes: r.try_get(13)?,
                events: r.try_get(14)?,
            })
        })()
        .map_err(|e| self.err(e))?;
        raw.decode(id)
            .map(Some)
            .map_err(|reason| self.corrupt(id, reason))
    }

    pub(crate) fn get_source(&self, id: &str) -> Result<Option<RawSource>, StoreError> {
        self.query_opt(
            "SELECT encoding, source_len, source, offsets FROM article_sources
             WHERE article_id = $1",
            &[&id],
        )?
        .map(|r| {
            Ok(RawSource {
                encoding: r.try_get(0)?,
                len: r.try_get(1)?,
                data: r.try_get(2)?,
                offsets: r.try_get(3)?,
            })
        })
        .transpose()
        .map_err(|e| self.err(e))
    }

    pub(crate) fn count(&self, sql: &'static str) -> Result<u64, StoreError> {
        let rows = self.query(sql, &[])?;
        let n: i64 = match rows.first() {
            Some(r) => r.try_get(0).map_err(|e| self.err(e))?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(crate) fn article_ids(
        &self,
        limit: usize,
        after: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.query(
            "SELECT id FROM articles WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after.unwrap_or(""), &limit],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    pub(crate) fn list_articles(
        &self,
        key: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ArticleRow>, StoreError> {
        self.query(
            "SELECT a.id, a.title, a.outlet, a.url, a.published FROM articles a
             WHERE $1::text IS NULL OR (coalesce(a.published, ''), a.id) < ($1::text, $2::text)
             ORDER BY coalesce(a.published, '') DESC, a.id DESC LIMIT $3",
            &[&key, &after, &limit],
        )?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            ))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    /// Ids and sort keys of the articles whose extractions match `pattern` (an `ILIKE`
    /// pattern, backslash escapes), newest first.
    pub(crate) fn scan_articles(
        &self,
        key: Option<&str>,
        after: Option<&str>,
        pattern: Option<&str>,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.query(
            "SELECT a.id, coalesce(a.published, '') FROM articles a
             JOIN extractions e ON e.article_id = a.id
             WHERE ($1::text IS NULL OR (coalesce(a.published, ''), a.id) < ($1::text, $2::text))
               AND ($3::text IS NULL OR e.entities ILIKE $3::text OR e.quotes ILIKE $3::text
                    OR e.events ILIKE $3::text)
             ORDER BY coalesce(a.published, '') DESC, a.id DESC LIMIT $4",
            &[&key, &after, &pattern, &limit],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, _>>()
        .map_err(|e| self.err(e))
    }

    pub(crate) fn get_story(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.query_opt("SELECT story FROM stories WHERE id = $1", &[&id])?
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(|e| self.err(e))
    }

    /// The JSON of the stories whose span overlaps `[from, to]` (dates as `YYYY-MM-DD`), by id.
    pub(crate) fn stories_overlapping(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.query(
            "SELECT id, story FROM stories
             WHERE coalesce(last, '') >= $1 AND first <= $2 ORDER BY id",
            &[&from, &to],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()
        .map_err(|e| self.err(e))
    }

    /// The ids of the articles published in `[from, to]`, by id.
    pub(crate) fn articles_published_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.query(
            "SELECT id FROM articles WHERE published >= $1 AND published <= $2 ORDER BY id",
            &[&from, &to],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, postgres::Error>>()
        .map_err(|e| self.err(e))
    }

    pub(crate) fn delete_story(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.execute("DELETE FROM stories WHERE id = $1", &[&id])? > 0)
    }

    pub(crate) fn list_stories(
        &self,
        key: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<RawSummary>, StoreError> {
        let rows = self.query(
            "SELECT s.id, s.title, s.thread, s.first, s.last, s.outlets, s.article_count,
                    s.disagreement_count, s.updated
             FROM stories s
             WHERE $1::text IS NULL OR (coalesce(s.last, ''), s.id) < ($1::text, $2::text)
             ORDER BY coalesce(s.last, '') DESC, s.id DESC LIMIT $3",
            &[&key, &after, &limit],
        )?;
        self.summaries(&rows)
    }

    pub(crate) fn stories_ending_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<RawSummary>, StoreError> {
        let rows = self.query(
            "SELECT s.id, s.title, s.thread, s.first, s.last, s.outlets, s.article_count,
                    s.disagreement_count, s.updated
             FROM stories s
             WHERE coalesce(s.last, '') >= $1 AND coalesce(s.last, '') <= $2
             ORDER BY coalesce(s.last, '') DESC, s.id DESC",
            &[&from, &to],
        )?;
        self.summaries(&rows)
    }

    pub(crate) fn stories_of_article(
        &self,
        article_id: &str,
    ) -> Result<Vec<RawSummary>, StoreError> {
        let rows = self.query(
            "SELECT s.id, s.title, s.thread, s.first, s.last, s.outlets, s.article_count,
                    s.disagreement_count, s.updated
             FROM story_articles l JOIN stories s ON s.id = l.story_id
             WHERE l.article_id = $1
             ORDER BY coalesce(s.last, '') DESC, s.id DESC",
            &[&article_id],
        )?;
        self.summaries(&rows)
    }

    fn summaries(&self, rows: &[Row]) -> Result<Vec<RawSummary>, StoreError> {
        rows.iter()
            .map(|r| {
                Ok(RawSummary {
                    id: r.try_get(0)?,
                    title: r.try_get(1)?,
                    thread: r.try_get(2)?,
                    first: r.try_get(3)?,
                    last: r.try_get(4)?,
                    outlets: r.try_get(5)?,
                    articles: r.try_get(6)?,
                    disagreements: r.try_get(7)?,
                    updated: r.try_get(8)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .map_err(|e| self.err(e))
    }

    /// Writes `rows`, each replacing the story of its id. With `keep`, also removes the stored
    /// stories whose ids are not in it: all of them, or with `scope` only those in `scope`. In
    /// one transaction, or in the caller's (a refresh).
    pub(crate) fn put_stories(
        &self,
        rows: &[StoryRow<'_>],
        keep: Option<&BTreeSet<&str>>,
        scope: Option<&BTreeSet<&str>>,
    ) -> Result<(), StoreError> {
        let mut client = self.client.borrow_mut();
        // A refresh already runs in its transaction; a single put opens one.
        let own = keep.is_none();
        if own {
            client.batch_execute("BEGIN").map_err(|e| self.err(e))?;
        }
        let written = self.write_stories(&mut client, rows, keep, scope);
        if own {
            let end = if written.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            };
            let ended = client.batch_execute(end).map_err(|e| self.err(e));
            written?;
            ended?;
        } else {
            written?;
        }
        Ok(())
    }

    fn write_stories(
        &self,
        client: &mut Client,
        rows: &[StoryRow<'_>],
        keep: Option<&BTreeSet<&str>>,
        scope: Option<&BTreeSet<&str>>,
    ) -> Result<(), StoreError> {
        if let Some(keep) = keep {
            let stored: Vec<String> = match scope {
                Some(scope) => scope.iter().map(|id| id.to_string()).collect(),
                None => self
                    .prepared(client, "SELECT id FROM stories")
                    .and_then(|s| client.query(&s, &[]))
                    .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
                    .map_err(|e| self.err(e))?,
            };
            let stale: Vec<&str> = stored
                .iter()
                .map(String::as_str)
                .filter(|id| !keep.contains(id))
                .collect();
            if !stale.is_empty() {
                self.prepared(client, "DELETE FROM stories WHERE id = ANY($1)")
                    .and_then(|s| client.execute(&s, &[&stale]))
                    .map_err(|e| self.err(e))?;
            }
        }
        for row in rows {
            let story = row.story;
            let err = |source| StoreError::PgInsertStory {
                db: self.name.clone(),
                id: story.id.clone(),
                source,
            };
            let upsert = self
                .prepared(
                    client,
                    "INSERT INTO stories (id, thread, title, first, last, outlets, article_count,
                                          disagreement_count, updated, story)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (id) DO UPDATE SET
                        thread = excluded.thread, title = excluded.title, first = excluded.first,
                        last = excluded.last, outlets = excluded.outlets,
                        article_count = excluded.article_count,
                        disagreement_count = excluded.disagreement_count,
                        updated = excluded.updated, story = excluded.story",
                )
                .map_err(err)?;
            client
                .execute(
                    &upsert,
                    &[
                        &story.id,
                        &story.thread,
                        &story.title,
                        &row.first,
                        &row.last,
                        &row.outlets,
                        &row.article_count,
                        &row.disagreement_count,
                        &row.updated,
                        &row.json,
                    ],
                )
                .map_err(err)?;
            let unlink = self
                .prepared(client, "DELETE FROM story_articles WHERE story_id = $1")
                .map_err(err)?;
            client.execute(&unlink, &[&story.id]).map_err(err)?;
            let articles: Vec<&str> = story.articles.iter().map(String::as_str).collect();
            let link = self
                .prepared(
                    client,
                    "INSERT INTO story_articles (story_id, article_id)
                     SELECT $1, a FROM unnest($2::text[]) AS a
                     ON CONFLICT DO NOTHING",
                )
                .map_err(err)?;
            client
                .execute(&link, &[&story.id, &articles])
                .map_err(err)?;
            self.put_disagreement_rows(client, &story.id, &row.lookup_last, &row.disagreements)
                .map_err(err)?;
            let placed = self
                .prepared(client, "DELETE FROM unclustered WHERE article_id = ANY($1)")
                .map_err(err)?;
            client.execute(&placed, &[&articles]).map_err(err)?;
        }
        Ok(())
    }

    /// Opens the transaction of a story refresh and waits for the story lock.
    pub(crate) fn begin_story_refresh(&self) -> Result<(), StoreError> {
        let mut client = self.client.borrow_mut();
        client.batch_execute("BEGIN").map_err(|e| self.err(e))?;
        let locked = self
            .prepared(
                &mut *client,
                "SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))",
            )
            .and_then(|s| client.execute(&s, &[&LOCK_STORIES]));
        if let Err(e) = locked {
            // The error to report is the lock's; a failed rollback changes nothing more.
            let _ = client.batch_execute("ROLLBACK");
            return Err(self.err(e));
        }
        Ok(())
    }

    /// Commits (or rolls back) the transaction of a story refresh, releasing the lock.
    pub(crate) fn end_story_refresh(&self, commit: bool) -> Result<(), StoreError> {
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        self.client
            .borrow_mut()
            .batch_execute(sql)
            .map_err(|e| self.err(e))
    }

    fn corrupt(&self, id: &str, reason: String) -> StoreError {
        StoreError::Corrupt {
            path: self.name.clone().into(),
            id: id.to_string(),
            reason,
        }
    }
}

/// Brings the database (the first schema of its search path) to [`crate::SCHEMA_VERSION`];
/// returns how many migrations were applied.
fn migrate(client: &mut Client, name: &str) -> Result<usize, StoreError> {
    let failed = |version: u32| {
        move |source| StoreError::PgMigration {
            db: name.to_string(),
            version,
            source,
        }
    };
    // Up to date (the common case, e.g. each connection of a server's pool): no lock, no DDL,
    // so that a role that may only read and write rows can open the store.
    let exists: bool = client
        .query_one("SELECT to_regclass('sitrep_schema') IS NOT NULL", &[])
        .and_then(|r| r.try_get(0))
        .map_err(failed(1))?;
    if exists {
        let current: Option<i32> = client
            .query_one("SELECT max(version) FROM sitrep_schema", &[])
            .and_then(|r| r.try_get(0))
            .map_err(failed(1))?;
        if current.and_then(|v| u32::try_from(v).ok()) == Some(crate::SCHEMA_VERSION) {
            return Ok(0);
        }
    }
    let mut tx = client.transaction().map_err(failed(1))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))",
        &[&LOCK_MIGRATE],
    )
    .map_err(failed(1))?;
    tx.batch_execute(SCHEMA_TABLE).map_err(failed(1))?;
    let found: i32 = tx
        .query_opt("SELECT version FROM sitrep_schema", &[])
        .and_then(|r| r.map_or(Ok(0), |r| r.try_get(0)))
        .map_err(failed(1))?;
    let found = u32::try_from(found).unwrap_or(0);
    if found > crate::SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: name.into(),
            found,
            known: crate::SCHEMA_VERSION,
        });
    }
    let mut applied = 0;
    for version in found..crate::SCHEMA_VERSION {
        let next = version + 1;
        tx.batch_execute(MIGRATIONS[version as usize])
            .map_err(failed(next))?;
        // Version 3's tables are derived from rows already stored: fill them.
        if next == 3 {
            backfill(&mut tx).map_err(failed(next))?;
        }
        let v = i32::try_from(next).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO sitrep_schema (singleton, version) VALUES (TRUE, $1)
             ON CONFLICT (singleton) DO UPDATE SET version = excluded.version",
            &[&v],
        )
        .map_err(failed(next))?;
        applied += 1;
    }
    tx.commit().map_err(failed(crate::SCHEMA_VERSION))?;
    Ok(applied)
}

/// Prepares a statement for a client: the connection's cache, or a plain prepare.
type Prepare<'a, C> = dyn FnMut(&mut C, &'static str) -> Result<Statement, postgres::Error> + 'a;

/// Writes rows of `quotes` and `quote_speaker_words`: (article id, day, row).
fn write_quote_rows<C: GenericClient>(
    tx: &mut C,
    prepare: &mut Prepare<'_, C>,
    rows: &[(&str, &str, &QuoteRow)],
) -> Result<(), postgres::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let quotes = prepare(
        tx,
        "INSERT INTO quotes (article_id, idx, day, speaker, quote)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])",
    )?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let idx: Vec<i64> = rows.iter().map(|r| r.2.idx).collect();
    let days: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let speakers: Vec<Option<&str>> = rows.iter().map(|r| r.2.speaker.as_deref()).collect();
    let json: Vec<&str> = rows.iter().map(|r| r.2.json.as_str()).collect();
    tx.execute(&quotes, &[&ids, &idx, &days, &speakers, &json])?;
    let words = prepare(
        tx,
        "INSERT INTO quote_speaker_words (word, day, article_id, idx)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT DO NOTHING",
    )?;
    let (mut w, mut d, mut a, mut i) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, day, q) in rows {
        for word in &q.words {
            w.push(word.as_str());
            d.push(*day);
            a.push(*id);
            i.push(q.idx);
        }
    }
    if !w.is_empty() {
        tx.execute(&words, &[&w, &d, &a, &i])?;
    }
    Ok(())
}

/// Replaces the rows of `disagreements` and `disagreement_words` of one story.
fn write_disagreement_rows<C: GenericClient>(
    tx: &mut C,
    prepare: &mut Prepare<'_, C>,
    story: &str,
    last: &str,
    rows: &[DisagreementRow],
) -> Result<(), postgres::Error> {
    let clear = prepare(tx, "DELETE FROM disagreements WHERE story_id = $1")?;
    tx.execute(&clear, &[&story])?;
    let clear = prepare(tx, "DELETE FROM disagreement_words WHERE story_id = $1")?;
    tx.execute(&clear, &[&story])?;
    if rows.is_empty() {
        return Ok(());
    }
    let insert = prepare(
        tx,
        "INSERT INTO disagreements (story_id, idx, last, slot, subject, disagreement)
         SELECT $1, u.* FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u",
    )?;
    let idx: Vec<i64> = rows.iter().map(|r| r.idx).collect();
    let lasts: Vec<&str> = rows.iter().map(|_| last).collect();
    let slots: Vec<&str> = rows.iter().map(|r| r.slot.as_str()).collect();
    let subjects: Vec<&str> = rows.iter().map(|r| r.subject.as_str()).collect();
    let json: Vec<&str> = rows.iter().map(|r| r.json.as_str()).collect();
    tx.execute(&insert, &[&story, &idx, &lasts, &slots, &subjects, &json])?;
    let words = prepare(
        tx,
        "INSERT INTO disagreement_words (word, last, story_id, idx)
         SELECT u.word, $2, $3, u.idx FROM unnest($1::text[], $4::bigint[]) AS u (word, idx)
         ON CONFLICT DO NOTHING",
    )?;
    let (mut w, mut i) = (Vec::new(), Vec::new());
    for r in rows {
        for word in &r.words {
            w.push(word.as_str());
            i.push(r.idx);
        }
    }
    if !w.is_empty() {
        tx.execute(&words, &[&w, &last, &story, &i])?;
    }
    Ok(())
}

/// Fills the lookup tables of a store migrated from version 2, inside the migration's
/// transaction. Rows whose JSON does not parse are skipped: reading them reports the damage.
fn backfill(tx: &mut postgres::Transaction<'_>) -> Result<(), postgres::Error> {
    let mut cache: HashMap<&'static str, Statement> = HashMap::new();
    let mut prepare = |c: &mut postgres::Transaction<'_>, sql: &'static str| {
        if let Some(s) = cache.get(sql) {
            return Ok(s.clone());
        }
        let s = c.prepare(sql)?;
        cache.insert(sql, s.clone());
        Ok(s)
    };
    let rows = tx.query(
        "SELECT e.article_id, coalesce(a.published, ''), e.quotes
         FROM extractions e JOIN articles a ON a.id = e.article_id",
        &[],
    )?;
    for r in &rows {
        let (id, day, json): (String, String, String) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let Ok(quotes) = serde_json::from_str::<Vec<sitrep_model::Quote>>(&json) else {
            continue;
        };
        let Ok(encoded) = lookup::quote_rows(&quotes) else {
            continue;
        };
        let rows: Vec<(&str, &str, &QuoteRow)> = encoded
            .iter()
            .map(|q| (id.as_str(), day.as_str(), q))
            .collect();
        write_quote_rows(tx, &mut prepare, &rows)?;
    }
    let stories = tx.query("SELECT id, story FROM stories", &[])?;
    for r in &stories {
        let (id, json): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let Ok(story) = serde_json::from_str::<sitrep_model::Story>(&json) else {
            continue;
        };
        let Ok(encoded) = lookup::disagreement_rows(&story) else {
            continue;
        };
        write_disagreement_rows(tx, &mut prepare, &id, &lookup::story_last(&story), &encoded)?;
    }
    Ok(())
}

/// The URL without its `sslrootcert=PATH` parameter (which the client library does not know)
/// and that path, percent-decoded.
fn take_root_cert(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut root = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("sslrootcert=") {
            Some(path) => {
                root = Some(percent_decode(path));
                false
            }
            None => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// TLS for `sslmode=require`: the server's certificate is verified against `root_cert` (a PEM
/// file) or, without one, the public web roots; rustls with the ring provider.
fn tls_connector(
    root_cert: Option<&str>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("sslrootcert {path}: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            }
            if roots.is_empty() {
                return Err(format!("sslrootcert {path}: no certificate in it"));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// `postgres://USER@HOST:PORT/DB` of a parsed URL: what errors and logs show, never the
/// password.
fn describe(config: &Config) -> String {
    let user = config.get_user().unwrap_or("");
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let at = if user.is_empty() { "" } else { "@" };
    // Options (such as a search_path) tell stores in one database apart.
    match config.get_options() {
        Some(options) => format!("postgres://{user}{at}{host}:{port}/{db}?options={options}"),
        None => format!("postgres://{user}{at}{host}:{port}/{db}"),
    }
}

/// A store spec as it may be shown: a URL's password (if any) replaced by `***`; anything
/// else unchanged.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_certificate_is_taken_out_of_the_url() {
        assert_eq!(
            take_root_cert("postgres://u@h/db?sslmode=require&sslrootcert=/etc/ca%20files/ca.pem"),
            (
                "postgres://u@h/db?sslmode=require".to_string(),
                Some("/etc/ca files/ca.pem".to_string())
            )
        );
        assert_eq!(
            take_root_cert("postgres://u@h/db?sslrootcert=ca.pem"),
            ("postgres://u@h/db".to_string(), Some("ca.pem".to_string()))
        );
        assert_eq!(
            take_root_cert("postgres://u@h/db?connect_timeout=3"),
            ("postgres://u@h/db?connect_timeout=3".to_string(), None)
        );
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    }

    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            redact("postgres://ana:s3cret@db.example:5433/sitrep?sslmode=disable"),
            "postgres://ana:***@db.example:5433/sitrep?sslmode=disable"
        );
        assert_eq!(
            redact("postgres://ana@db.example/sitrep"),
            "postgres://ana@db.example/sitrep"
        );
        let config: Config = "postgresql://ana:s3cret@db.example:5433/news"
            .parse()
            .expect("url");
        assert_eq!(describe(&config), "postgres://ana@db.example:5433/news");
        let config: Config = "postgres://ana@db.example/news?options=-csearch_path%3Dwire"
            .parse()
            .expect("url");
        assert_eq!(
            describe(&config),
            "postgres://ana@db.example:5432/news?options=-csearch_path=wire"
        );
    }
}
