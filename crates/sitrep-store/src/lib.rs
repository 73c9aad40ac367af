//! The store: a database of articles, their sources and what was extracted from them, and the
//! stories made of them. The only crate of sitrep that speaks SQL.
//!
//! Two backends behind the one [`Store`] type: an embedded SQLite file (the default:
//! `sqlite://PATH`, a plain path, or `:memory:`) and PostgreSQL (`postgres://` or
//! `postgresql://` URLs, for deployments where several ingest workers on several machines share
//! one store; see the `pg` module for its locking). Both pass the same test suite.
//!
//! Inputs: batches of `(Article, Extraction)` from the pipeline. Outputs: the stored
//! [`ArticleRecord`]s (the article objects of the output contract), the decoded source of each
//! article with its [`OffsetMap`] (to show a span in the original), ids for paging, counts.
//!
//! Invariants:
//! - articles are keyed by their content id ([`Article::id`]): storing an article whose id is
//!   already stored changes nothing and counts as a duplicate, so ingesting twice stores once;
//! - a batch is one transaction: after a crash, an error or a kill in the middle of
//!   [`Store::insert_batch`], either the whole batch is stored or none of it;
//! - every stored article has one row in `articles`, `article_sources` and `extractions`;
//! - the schema is versioned (SQLite: `PRAGMA user_version`; PostgreSQL: table
//!   `sitrep_schema`) and migrated on open by numbered SQL files embedded in the binary
//!   (`migrations/`, `migrations/postgres/`); a database newer than this code is refused, never
//!   touched;
//! - stories ([`Store::put_story`]) are stored whole, with the links to their articles, and
//!   replaced whole; [`Store::refresh_stories`] replaces them all, one refresh at a time across
//!   every connection, process and machine; listings are newest first with stable cursors (no row repeated or skipped
//!   across pages);
//! - no panics on bad files or damaged rows: every failure is a [`StoreError`] naming the
//!   database and, where there is one, the article.
//!
//! A SQLite database runs in WAL mode with `synchronous=NORMAL` (a power loss may drop the last
//! committed batches, never half of one), enforces foreign keys, and waits up to
//! [`BUSY_TIMEOUT`] for another process's write lock instead of failing.
//!
//! ```
//! use sitrep_model::{Article, ArticleRecord, Extraction};
//! use sitrep_store::Store;
//!
//! let mut store = Store::open_in_memory()?;
//! let article = Article::new("example.txt", "Talks resumed on Monday in Veldra.".to_string());
//! let batch = vec![(article.clone(), Extraction::default())];
//!
//! let first = store.insert_batch(&batch)?;
//! assert_eq!((first.stored, first.duplicates), (1, 0));
//! let again = store.insert_batch(&batch)?;
//! assert_eq!((again.stored, again.duplicates), (0, 1));
//!
//! let record = store.get_article(&article.id)?;
//! assert_eq!(record, Some(ArticleRecord::new(article.clone(), Extraction::default())));
//! let (source, offsets) = store.get_source(&article.id)?.expect("stored");
//! assert_eq!((source, offsets), (article.source, article.offsets));
//! assert_eq!(store.count_articles()?, 1);
//! # Ok::<(), sitrep_store::StoreError>(())
//! ```

mod codec;
mod error;
mod lookup;
mod migrate;
mod pg;
mod stories;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::de::DeserializeOwned;
use sitrep_model::{
    Article, ArticleRecord, Extraction, NaiveDate, OffsetMap, SCHEMA, SourceFormat,
};

pub use error::StoreError;
pub use lookup::{ArticleText, FoundDisagreement, FoundQuote, MAX_SCAN, holds_words, words};
pub use migrate::SCHEMA_VERSION;
pub use pg::redact;
pub use stories::{ArticleSummary, Page, StorySummary};

/// How long a write waits for another connection's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// What [`Store::insert_batch`] did with a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Articles newly stored.
    pub stored: usize,
    /// Articles whose id was already stored, or appeared earlier in the same batch.
    pub duplicates: usize,
}

/// A connection to a sitrep store. One per thread; several connections (also from several
/// processes, and for PostgreSQL from several machines) may share a database.
pub struct Store {
    backend: Backend,
    /// The database file, `:memory:`, or the PostgreSQL URL without its password; named in
    /// every error.
    path: PathBuf,
    compressor: codec::Compressor,
    /// Test hook: abort the process after this many articles of a batch are written, before the
    /// commit, to test what a kill leaves behind.
    #[cfg(test)]
    abort_after: Option<usize>,
}

enum Backend {
    Sqlite(Connection),
    // Boxed: a client is three times the size of a SQLite connection.
    Postgres(Box<pg::Pg>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

const MEMORY: &str = ":memory:";

/// Ids per query of [`Store::get_embeddings`]: under SQLite's smallest limit of bound
/// parameters (999).
const EMBEDDINGS_PER_QUERY: usize = 500;

/// Page size of new databases. Article rows are several KB (body, JSON columns, compressed
/// source): with SQLite's default 4 KB pages most rows fill a page alone and leave the rest
/// empty, or spill into overflow pages.
const PAGE_SIZE: i64 = 16384;

/// Bytes of a SQLite store file read through a memory map (the rest, if larger, is read as
/// usual); SQLite lowers it to its build's maximum (2 GB by default).
const MMAP_SIZE: i64 = 1 << 32;

impl Store {
    /// Opens (creating if needed) the store named by `spec`: `sqlite://PATH`, a plain path,
    /// `:memory:`, or a PostgreSQL URL `postgres://USER@HOST:PORT/DB` (also `postgresql://`;
    /// parameters as libpq takes them, e.g. `?options=-csearch_path%3Dsitrep`). Creates the
    /// parent folder and the file (SQLite) or the tables (PostgreSQL, in a database that must
    /// exist), and migrates the schema to [`SCHEMA_VERSION`].
    pub fn open(spec: &str) -> Result<Store, StoreError> {
        let spec = spec.trim();
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            return Self::open_postgres(spec);
        }
        let rest = spec
            .strip_prefix("sqlite://")
            .or_else(|| spec.strip_prefix("sqlite:"))
            .unwrap_or(spec);
        if rest.contains("://") || rest.is_empty() {
            return Err(StoreError::Unsupported {
                spec: spec.to_string(),
            });
        }
        if rest == MEMORY {
            return Self::open_in_memory();
        }
        Self::open_path(Path::new(rest))
    }

    /// Opens (creating if needed) the store in the file at `path`.
    pub fn open_path(path: &Path) -> Result<Store, StoreError> {
        if path.is_dir() {
            return Err(StoreError::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        // No SQLITE_OPEN_URI: a path is a path, even if it starts with `file:`.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::setup(conn, path.to_path_buf())
    }

    /// A fresh store that lives in memory and vanishes when dropped (tests, one-off runs).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(MEMORY);
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Self::setup(conn, path)
    }

    /// Connects to the PostgreSQL database at `url` and migrates it.
    fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let pg = pg::Pg::open(url)?;
        Ok(Store {
            path: PathBuf::from(pg.name()),
            backend: Backend::Postgres(Box::new(pg)),
            compressor: codec::Compressor::new(),
            #[cfg(test)]
            abort_after: None,
        })
    }

    fn setup(conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        let mut conn = conn;
        // Several processes opening a new file at once: switching it to WAL, or reading it
        // while another connection does, can fail with SQLITE_BUSY without waiting in the busy
        // handler (SQLite does not wait where waiting could deadlock). Those steps change
        // nothing when they fail, so they are tried again, for as long as a write would wait.
        let started = std::time::Instant::now();
        loop {
            let ready = configure(&conn, &path).and_then(|()| migrate::migrate(&mut conn, &path));
            match ready {
                Ok(_) => break,
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Store {
            backend: Backend::Sqlite(conn),
            path,
            compressor: codec::Compressor::new(),
            #[cfg(test)]
            abort_after: None,
        })
    }

    /// The SQLite connection (tests of the insides).
    #[cfg(test)]
    fn sqlite_conn(&mut self) -> &mut Connection {
        match &mut self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(_) => panic!("not a sqlite store"),
        }
    }
}

/// Whether `e` is SQLite's "database is locked" (another connection holds a lock).
fn is_busy(e: &StoreError) -> bool {
    let source = match e {
        StoreError::Sqlite { source, .. } | StoreError::Migration { source, .. } => source,
        _ => return false,
    };
    source.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
}

fn configure(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let err = |e| sql_err(path, e);
    // First, so that the pragmas below already wait for a busy database.
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    // Takes effect only on a new, empty file (before WAL is switched on), as it must.
    conn.pragma_update(None, "page_size", PAGE_SIZE)
        .map_err(err)?;
    // The first statement that reads the file: a file that is not a database fails here.
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(err)?;
    // Reads map the file instead of copying each page out of the OS cache into a per-connection
    // cache: a server's pool of connections then shares one copy, and lookups that touch many
    // pages (a page of quotes, of disagreements) spend their time in SQLite, not in `pread`.
    // Writes still go through the WAL. No effect on `:memory:`.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)
        .map_err(err)?;
    Ok(())
}

impl Store {
    /// The database file, `:memory:`, or for PostgreSQL its URL without password (a name to
    /// show, not a path to open).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file of a SQLite store kept in a file; `None` for `:memory:` and PostgreSQL.
    pub fn file(&self) -> Option<&Path> {
        match self.backend {
            Backend::Sqlite(_) if self.path != Path::new(MEMORY) => Some(&self.path),
            _ => None,
        }
    }

    /// Whether the store is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The schema version of the database (equal to [`SCHEMA_VERSION`] once open).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => migrate::user_version(conn).map_err(|e| self.sql_err(e)),
            Backend::Postgres(pg) => pg.schema_version(),
        }
    }

    /// Stores a batch in one transaction: either every new article of the batch is stored or
    /// none is. Articles whose id is already stored, or that repeat an earlier article of the
    /// batch, are counted as duplicates and not rewritten.
    pub fn insert_batch(
        &mut self,
        batch: &[(Article, Extraction)],
    ) -> Result<BatchOutcome, StoreError> {
        self.insert_batch_embedded(batch, &[])
    }

    /// As [`Store::insert_batch`], with each article's sentence embedding written beside its
    /// extraction: `embeddings[i]` belongs to `batch[i]`; an empty vector, or a slice shorter
    /// than the batch, stores none (the column is NULL). Stored as little-endian `f32`s and read
    /// back by [`Store::get_embedding`].
    pub fn insert_batch_embedded(
        &mut self,
        batch: &[(Article, Extraction)],
        embeddings: &[Vec<f32>],
    ) -> Result<BatchOutcome, StoreError> {
        let embedding_of = |i: usize| embeddings.get(i).map_or(&[][..], Vec::as_slice);
        let ingested_at = unix_now();
        let path = &self.path;
        let conn = match &mut self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => {
                return pg.insert_batch(batch, embeddings, &mut self.compressor, ingested_at);
            }
        };
        // IMMEDIATE: take the write lock now, so that a busy database is waited for here rather
        // than failing when a read transaction tries to upgrade.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                source,
            })?;
        let mut outcome = BatchOutcome::default();
        for (i, (article, extraction)) in batch.iter().enumerate() {
            let insert_err = |source| StoreError::Insert {
                path: path.clone(),
                id: article.id.clone(),
                source,
            };
            // Earlier articles of this batch are visible inside the transaction.
            if exists(&tx, &article.id).map_err(insert_err)? {
                outcome.duplicates += 1;
                continue;
            }
            let row =
                EncodedArticle::new(article, extraction, embedding_of(i), &mut self.compressor)?;
            row.insert(&tx, article, ingested_at).map_err(insert_err)?;
            outcome.stored += 1;
            #[cfg(test)]
            if self.abort_after == Some(outcome.stored) {
                std::process::abort();
            }
        }
        tx.commit().map_err(|source| StoreError::Sqlite {
            path: path.clone(),
            source,
        })?;
        Ok(outcome)
    }

    /// Whether an article with this id is stored.
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => exists(conn, id).map_err(|e| self.sql_err(e)),
            Backend::Postgres(pg) => pg.contains(id),
        }
    }

    /// The stored article object, as `ArticleRecord::new(article, extraction)` made it.
    pub fn get_article(&self, id: &str) -> Result<Option<ArticleRecord>, StoreError> {
        let conn = match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => return pg.get_article(id),
        };
        let mut stmt = conn
            .prepare_cached(
                "SELECT a.input, a.format, a.outlet, a.url, a.title, a.subtitle, a.published,
                        a.authors, a.language, a.body, a.paragraphs, a.diagnostics,
                        e.entities, e.quotes, e.events
                 FROM articles a LEFT JOIN extractions e ON e.article_id = a.id
                 WHERE a.id = ?1",
            )
            .map_err(|e| self.sql_err(e))?;
        let raw = stmt
            .query_row([id], |r| {
                Ok(RawArticle {
                    input: r.get(0)?,
                    format: r.get(1)?,
                    outlet: r.get(2)?,
                    url: r.get(3)?,
                    title: r.get(4)?,
                    subtitle: r.get(5)?,
                    published: r.get(6)?,
                    authors: r.get(7)?,
                    language: r.get(8)?,
                    body: r.get(9)?,
                    paragraphs: r.get(10)?,
                    diagnostics: r.get(11)?,
                    entities: r.get(12)?,
                    quotes: r.get(13)?,
                    events: r.get(14)?,
                })
            })
            .optional()
            .map_err(|e| self.sql_err(e))?;
        raw.map(|raw| raw.decode(id).map_err(|reason| self.corrupt(id, reason)))
            .transpose()
    }

    /// The sentence embedding stored with the article ([`Store::insert_batch_embedded`]);
    /// `None` when the article is not stored or was stored without one.
    pub fn get_embedding(&self, id: &str) -> Result<Option<Vec<f32>>, StoreError> {
        let bytes: Option<Vec<u8>> = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached("SELECT embedding FROM extractions WHERE article_id = ?1")
                .and_then(|mut s| {
                    s.query_row([id], |r| r.get::<_, Option<Vec<u8>>>(0))
                        .optional()
                })
                .map_err(|e| self.sql_err(e))?
                .flatten(),
            Backend::Postgres(pg) => pg.get_embedding(id)?,
        };
        bytes
            .map(|b| codec::decode_embedding(&b).map_err(|reason| self.corrupt(id, reason)))
            .transpose()
    }

    /// Whether every stored article has a sentence embedding (and at least one is stored):
    /// the story refresh then mixes them in. One article stored without one (an ingest without
    /// `--embed`) turns them off for the whole store, so that every refresh, full or
    /// incremental, clusters with the same setting. Reads a partial index of the articles
    /// without one: no scan.
    pub fn all_embedded(&self) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT EXISTS (SELECT 1 FROM extractions)
                 AND NOT EXISTS (SELECT 1 FROM extractions WHERE embedding IS NULL)";
        match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached(SQL)
                .and_then(|mut s| s.query_row([], |r| r.get::<_, bool>(0)))
                .map_err(|e| self.sql_err(e)),
            Backend::Postgres(pg) => pg.all_embedded(SQL),
        }
    }

    /// How many stored articles have no sentence embedding (stored without `--embed`, or
    /// before schema version 5). Reads the partial index of those articles: no scan.
    pub fn count_unembedded(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM extractions WHERE embedding IS NULL")
    }

    /// The single count a `SELECT count(*) ...` query without parameters gives, on either
    /// backend (the statement is the same in both dialects).
    pub(crate) fn count(&self, sql: &'static str) -> Result<u64, StoreError> {
        let n: i64 = match &self.backend {
            Backend::Sqlite(conn) => conn
                .prepare_cached(sql)
                .and_then(|mut s| s.query_row([], |r| r.get(0)))
                .map_err(|e| self.sql_err(e))?,
            Backend::Postgres(pg) => return pg.count(sql),
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Up to `limit` ids of stored articles without a sentence embedding, in ascending order,
    /// starting after `after` (exclusive): pass the last id of one page to get the next (an
    /// article given an embedding meanwhile drops out of the listing; one that failed stays
    /// behind the cursor). Reads the partial index of those articles.
    pub fn unembedded_ids(
        &self,
        limit: usize,
        after: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let after = after.unwrap_or("");
        let conn = match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => return pg.unembedded_ids(limit, after),
        };
        let mut stmt = conn
            .prepare_cached(
                "SELECT article_id FROM extractions
                 WHERE embedding IS NULL AND article_id > ?1 ORDER BY article_id LIMIT ?2",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map(params![after, limit], |r| r.get(0))
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(|e| self.sql_err(e))
    }

    /// Writes the sentence embeddings of stored articles (replacing any they had), all in one
    /// transaction: after a crash or a kill either every one is written or none is. An empty
    /// vector removes the article's embedding; of an id given twice, the first is written. Ids
    /// that are not stored are skipped; returns how many articles were written. Read back by
    /// [`Store::get_embedding`].
    pub fn set_embeddings(&mut self, embeddings: &[(&str, &[f32])]) -> Result<usize, StoreError> {
        // In id order, so that two writers sharing articles take their row locks in the same
        // order (PostgreSQL).
        let mut rows: Vec<(&str, Option<Vec<u8>>)> = embeddings
            .iter()
            .map(|&(id, v)| (id, (!v.is_empty()).then(|| codec::encode_embedding(v))))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        rows.dedup_by(|later, first| later.0 == first.0);
        let path = &self.path;
        let conn = match &mut self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => return pg.set_embeddings(&rows),
        };
        let err = |source| sql_err(path, source);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut written = 0;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE extractions SET embedding = ?2 WHERE article_id = ?1")
                .map_err(err)?;
            for (id, blob) in &rows {
                written += stmt.execute(params![id, blob]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(written)
    }

    /// The sentence embeddings of these articles ([`Store::get_embedding`] of each, in a few
    /// queries): a map from id to embedding that leaves out the ids not stored or stored
    /// without one. A stored blob that is not whole floats is a `Corrupt` error naming its
    /// article.
    pub fn get_embeddings(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Vec<f32>>, StoreError> {
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        // Under SQLite's smallest limit of bound parameters (999 before 3.32).
        for chunk in ids.chunks(EMBEDDINGS_PER_QUERY) {
            let rows: Vec<(String, Vec<u8>)> = match &self.backend {
                Backend::Sqlite(conn) => {
                    let marks = vec!["?"; chunk.len()].join(",");
                    let sql = format!(
                        "SELECT article_id, embedding FROM extractions
                         WHERE embedding IS NOT NULL AND article_id IN ({marks})"
                    );
                    conn.prepare_cached(&sql)
                        .and_then(|mut s| {
                            s.query_map(rusqlite::params_from_iter(chunk), |r| {
                                Ok((r.get(0)?, r.get(1)?))
                            })?
                            .collect()
                        })
                        .map_err(|e| self.sql_err(e))?
                }
                Backend::Postgres(pg) => pg.get_embeddings(chunk)?,
            };
            for (id, bytes) in rows {
                let v =
                    codec::decode_embedding(&bytes).map_err(|reason| self.corrupt(&id, reason))?;
                out.insert(id, v);
            }
        }
        Ok(out)
    }

    /// The decoded source text of the article and the map from body offsets into it, so that a
    /// span of the body can be shown in the original.
    pub fn get_source(&self, id: &str) -> Result<Option<(String, OffsetMap)>, StoreError> {
        let conn = match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => {
                return pg
                    .get_source(id)?
                    .map(|raw| raw.decode().map_err(|reason| self.corrupt(id, reason)))
                    .transpose();
            }
        };
        let mut stmt = conn
            .prepare_cached("SELECT encoding, source_len, source, offsets FROM article_sources WHERE article_id = ?1")
            .map_err(|e| self.sql_err(e))?;
        let raw = stmt
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .optional()
            .map_err(|e| self.sql_err(e))?;
        raw.map(|(encoding, len, data, offsets)| {
            RawSource {
                encoding,
                len,
                data,
                offsets,
            }
            .decode()
            .map_err(|reason| self.corrupt(id, reason))
        })
        .transpose()
    }

    /// How many articles are stored.
    pub fn count_articles(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM articles")
    }

    /// Up to `limit` stored ids in ascending order, starting after `after` (exclusive): pass the
    /// last id of one page to get the next.
    pub fn article_ids(
        &self,
        limit: usize,
        after: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let conn = match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(pg) => return pg.article_ids(limit, after),
        };
        let mut stmt = conn
            .prepare_cached("SELECT id FROM articles WHERE id > ?1 ORDER BY id LIMIT ?2")
            .map_err(|e| self.sql_err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![after.unwrap_or(""), limit], |r| r.get(0))
            .map_err(|e| self.sql_err(e))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(|e| self.sql_err(e))
    }

    fn sql_err(&self, source: rusqlite::Error) -> StoreError {
        sql_err(&self.path, source)
    }

    fn corrupt(&self, id: &str, reason: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            id: id.to_string(),
            reason,
        }
    }
}

fn sql_err(path: &Path, source: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match &source {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::NotADatabase => {
            StoreError::NotADatabase { path }
        }
        _ => StoreError::Sqlite { path, source },
    }
}

/// A row of `article_sources`, as stored.
struct RawSource {
    encoding: String,
    len: i64,
    data: Vec<u8>,
    offsets: Vec<u8>,
}

impl RawSource {
    fn decode(self) -> Result<(String, OffsetMap), String> {
        if self.encoding != codec::SOURCE_ENCODING {
            return Err(format!("unknown source encoding {:?}", self.encoding));
        }
        let len = usize::try_from(self.len)
            .map_err(|_| format!("negative source length {}", self.len))?;
        let source = codec::decompress(&self.data, len)?;
        let offsets = codec::decode_offsets(&self.offsets)?;
        Ok((source, offsets))
    }
}

fn exists(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM articles WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// `ingested_at` is bookkeeping of the store, not a fact about the article, so the store may
/// read the clock (extraction never does).
#[allow(clippy::disallowed_methods)]
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The columns of one article that need encoding, encoded before anything is written.
struct EncodedArticle {
    published: Option<String>,
    authors: String,
    paragraphs: String,
    diagnostics: String,
    source: Vec<u8>,
    offsets: Vec<u8>,
    entities: String,
    quotes: String,
    events: String,
    /// The rows of `quotes` and `quote_speaker_words`.
    quote_rows: Vec<lookup::QuoteRow>,
    /// The sentence embedding as little-endian `f32`s; `None`: none (NULL).
    embedding: Option<Vec<u8>>,
}

impl EncodedArticle {
    fn new(
        article: &Article,
        extraction: &Extraction,
        embedding: &[f32],
        compressor: &mut codec::Compressor,
    ) -> Result<Self, StoreError> {
        let json = |r: serde_json::Result<String>| {
            r.map_err(|source| StoreError::Encode {
                id: article.id.clone(),
                source,
            })
        };
        let quote_rows =
            lookup::quote_rows(&extraction.quotes).map_err(|source| StoreError::Encode {
                id: article.id.clone(),
                source,
            })?;
        Ok(EncodedArticle {
            published: article.published.map(|d| d.to_string()),
            authors: json(serde_json::to_string(&article.authors))?,
            paragraphs: json(serde_json::to_string(&article.blocks))?,
            diagnostics: json(serde_json::to_string(&article.diagnostics))?,
            source: compressor.compress(&article.source).map_err(|source| {
                StoreError::Compress {
                    id: article.id.clone(),
                    source,
                }
            })?,
            offsets: codec::encode_offsets(&article.offsets),
            entities: json(serde_json::to_string(&extraction.entities))?,
            quotes: json(serde_json::to_string(&extraction.quotes))?,
            events: json(serde_json::to_string(&extraction.events))?,
            quote_rows,
            embedding: (!embedding.is_empty()).then(|| codec::encode_embedding(embedding)),
        })
    }

    fn insert(&self, conn: &Connection, a: &Article, ingested_at: i64) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "INSERT INTO articles (id, input, format, outlet, url, title, subtitle, published, authors,
                                   language, body, paragraphs, diagnostics, ingested_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            a.id,
            a.input,
            a.format.as_str(),
            a.outlet,
            a.url,
            a.title,
            a.subtitle,
            self.published,
            self.authors,
            a.language,
            a.body,
            self.paragraphs,
            self.diagnostics,
            ingested_at,
        ])?;
        let source_len = i64::try_from(a.source.len()).unwrap_or(i64::MAX);
        conn.prepare_cached(
            "INSERT INTO article_sources (article_id, encoding, source_len, source, offsets)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            a.id,
            codec::SOURCE_ENCODING,
            source_len,
            self.source,
            self.offsets
        ])?;
        conn.prepare_cached(
            "INSERT INTO extractions (article_id, entities, quotes, events, embedding)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            a.id,
            self.entities,
            self.quotes,
            self.events,
            self.embedding
        ])?;
        lookup::insert_quotes_sqlite(
            conn,
            &a.id,
            self.published.as_deref().unwrap_or(""),
            &self.quote_rows,
        )?;
        conn.prepare_cached("INSERT INTO unclustered (article_id, published) VALUES (?1, ?2)")?
            .execute(params![a.id, self.published])?;
        Ok(())
    }
}

/// One row of `articles` joined with `extractions`, as stored.
struct RawArticle {
    input: String,
    format: String,
    outlet: Option<String>,
    url: Option<String>,
    title: Option<String>,
    subtitle: Option<String>,
    published: Option<String>,
    authors: String,
    language: Option<String>,
    body: String,
    paragraphs: String,
    diagnostics: String,
    entities: Option<String>,
    quotes: Option<String>,
    events: Option<String>,
}

impl RawArticle {
    fn decode(self, id: &str) -> Result<ArticleRecord, String> {
        let format = match self.format.as_str() {
            "text" => SourceFormat::Text,
            "html" => SourceFormat::Html,
            "jsonl" => SourceFormat::Jsonl,
            "warc" => SourceFormat::Warc,
            other => return Err(format!("unknown format {other:?}")),
        };
        let published = self
            .published
            .map(|p| {
                p.parse::<NaiveDate>()
                    .map_err(|e| format!("bad published date {p:?}: {e}"))
            })
            .transpose()?;
        Ok(ArticleRecord {
            schema: SCHEMA.to_string(),
            id: id.to_string(),
            input: self.input,
            format,
            outlet: self.outlet,
            url: self.url,
            title: self.title,
            subtitle: self.subtitle,
            published,
            authors: json_column("authors", &self.authors)?,
            language: self.language,
            body: self.body,
            paragraphs: json_column("paragraphs", &self.paragraphs)?,
            // An article stored without an extraction row (not written by this code) reads as
            // having nothing extracted.
            entities: opt_json_column("entities", self.entities.as_deref())?,
            quotes: opt_json_column("quotes", self.quotes.as_deref())?,
            events: opt_json_column("events", self.events.as_deref())?,
            diagnostics: json_column("diagnostics", &self.diagnostics)?,
        })
    }
}

fn json_column<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("column {column} is not valid json: {e}"))
}

fn opt_json_column<T: DeserializeOwned + Default>(
    column: &str,
    text: Option<&str>,
) -> Result<T, String> {
    text.map_or_else(|| Ok(T::default()), |t| json_column(column, t))
}

#[cfg(test)]
mod tests;
