//! One store test suite, two backends: each test body takes a [`Db`] (a fresh, empty store it
//! may open several connections to) and [`backends!`] instantiates it for SQLite and for
//! PostgreSQL.
//!
//! PostgreSQL tests connect to `SITREP_TEST_PG` (a base URL such as
//! `postgres://sitrep@127.0.0.1:15432/sitrep`, as `scripts/pg` prints) and give each test a
//! schema of its own, dropped at the end, so tests run in parallel. Without the variable they
//! print a note and pass, unless `SITREP_REQUIRE_PG=1` (as `scripts/test` sets): then they fail.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use sitrep_store::Store;

pub enum Db {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        base: String,
        url: String,
        schema: String,
    },
}

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

impl Db {
    /// A new SQLite store file `store.db` in a temporary folder.
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.db");
        Db::Sqlite { _dir: dir, path }
    }

    /// A new schema in the PostgreSQL database of `SITREP_TEST_PG`; `None` (after a note) when
    /// the variable is unset and PostgreSQL is not required.
    pub fn postgres(test: &str) -> Option<Db> {
        let base = match std::env::var("SITREP_TEST_PG") {
            Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => {
                if std::env::var("SITREP_REQUIRE_PG").is_ok_and(|v| v == "1") {
                    panic!(
                        "SITREP_REQUIRE_PG=1 but SITREP_TEST_PG is not set: start a server with \
                         scripts/pg and export SITREP_TEST_PG=<the url it prints>"
                    );
                }
                eprintln!(
                    "note: {test} on postgresql skipped: SITREP_TEST_PG is not set (see scripts/pg)"
                );
                return None;
            }
        };
        let schema = format!(
            "sitrep_test_{}_{}",
            std::process::id(),
            SCHEMAS.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to SITREP_TEST_PG {base}: {e}"));
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create test schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        Some(Db::Postgres { base, url, schema })
    }

    /// What `Store::open` takes.
    pub fn spec(&self) -> String {
        match self {
            Db::Sqlite { path, .. } => path.display().to_string(),
            Db::Postgres { url, .. } => url.clone(),
        }
    }

    /// A new connection to the store.
    pub fn open(&self) -> Store {
        Store::open(&self.spec()).expect("open store")
    }

    /// What error messages name the database by.
    pub fn label(&self) -> &str {
        match self {
            Db::Sqlite { .. } => "store.db",
            Db::Postgres { .. } => "postgres://",
        }
    }

    /// Runs `sql` (SQLite text, or the PostgreSQL text) with `id` as its one parameter, behind
    /// the store's back.
    pub fn execute_raw(&self, sqlite: &str, postgres: &str, id: &str) {
        match self {
            Db::Sqlite { path, .. } => {
                let raw = rusqlite::Connection::open(path).expect("raw sqlite");
                raw.execute(sqlite, [id]).expect("raw sqlite statement");
            }
            Db::Postgres { base, schema, .. } => {
                let mut raw = postgres::Client::connect(base, postgres::NoTls).expect("raw pg");
                raw.batch_execute(&format!("SET search_path = {schema}"))
                    .expect("search path");
                raw.execute(postgres, &[&id]).expect("raw pg statement");
            }
        }
    }
}

impl Db {
    /// Turns the store back into a schema version 2 store that holds the same articles and
    /// stories (drops the tables of versions 3 and 4), behind the store's back.
    pub fn downgrade_to_v2(&self) {
        const DROP: &str = "DROP INDEX extractions_without_embedding;
                            ALTER TABLE extractions DROP COLUMN embedding;
                            DROP TABLE unclustered;
                            DROP TABLE disagreement_words; DROP TABLE disagreements;
                            DROP TABLE quote_speaker_words; DROP TABLE quotes;";
        match self {
            Db::Sqlite { path, .. } => {
                let raw = rusqlite::Connection::open(path).expect("raw sqlite");
                raw.execute_batch(&format!("{DROP} PRAGMA user_version = 2;"))
                    .expect("downgrade sqlite");
            }
            Db::Postgres { base, schema, .. } => {
                let mut raw = postgres::Client::connect(base, postgres::NoTls).expect("raw pg");
                raw.batch_execute(&format!(
                    "SET search_path = {schema}; {DROP} UPDATE sitrep_schema SET version = 2;"
                ))
                .expect("downgrade pg");
            }
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Postgres { base, schema, .. } = self
            && let Ok(mut admin) = postgres::Client::connect(base, postgres::NoTls)
        {
            // Best effort: a schema left behind only takes room in a throwaway cluster.
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// `backends!(test_a, test_b)`: for each `fn test_a(db: &Db)` of the file, the tests
/// `sqlite::test_a` and `postgres::test_a`.
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&crate::common::Db::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = crate::common::Db::postgres(stringify!($name)) {
                        super::$name(&db);
                    }
                }
            )*
        }
    };
}
