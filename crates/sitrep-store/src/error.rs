//! The store's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store. Messages are lowercase and name the database
/// (its path, `:memory:`, or the PostgreSQL URL without password) and, where one is involved,
/// the article id.
#[derive(thiserror::Error, Debug)]
pub enum StoreError {
    /// The spec names a backend this build does not speak (e.g. `mysql://`).
    #[error(
        "unsupported database {spec}: only sqlite://PATH, a plain path, :memory: and postgres://USER@HOST:PORT/DB are supported"
    )]
    Unsupported { spec: String },

    /// A `postgres://` URL that does not parse (the password, if any, is not shown).
    #[error("bad postgresql url {spec}: {source}")]
    PgUrl {
        spec: String,
        source: postgres::Error,
    },

    /// `sslmode=require`: the TLS set-up failed before connecting (e.g. `sslrootcert` unreadable).
    #[error("postgresql database {db}: tls: {reason}")]
    PgTls { db: String, reason: String },

    #[error("cannot connect to postgresql database {db}: {}", with_causes(source))]
    PgConnect { db: String, source: postgres::Error },

    #[error("migrating postgresql database {db} to schema version {version} failed: {source}")]
    PgMigration {
        db: String,
        version: u32,
        source: postgres::Error,
    },

    #[error("postgresql database {db}: {source}")]
    Postgres { db: String, source: postgres::Error },

    #[error("postgresql database {db}: storing article {id} failed: {source}")]
    PgInsert {
        db: String,
        id: String,
        source: postgres::Error,
    },

    #[error("postgresql database {db}: storing story {id} failed: {source}")]
    PgInsertStory {
        db: String,
        id: String,
        source: postgres::Error,
    },

    #[error("cannot lock {}: {source}", path.display())]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("database path {} is a directory, not a file", path.display())]
    IsDirectory { path: PathBuf },

    #[error("cannot create folder {} for the database: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot open database {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    /// The file exists but is not a SQLite database (or is damaged beyond SQLite reading it).
    #[error("file {} is not a sqlite database (or it is damaged)", path.display())]
    NotADatabase { path: PathBuf },

    /// A SQLite database that some other program made.
    #[error("file {} is a sqlite database of another application (application_id {application_id}), not a sitrep store", path.display())]
    ForeignDatabase { path: PathBuf, application_id: i64 },

    /// Written by a newer sitrep: refusing to touch it rather than misread it.
    #[error("database {} has schema version {found}, newer than the {known} this sitrep knows; use a newer sitrep", path.display())]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },

    #[error("migrating database {} to schema version {version} failed: {source}", path.display())]
    Migration {
        path: PathBuf,
        version: u32,
        source: rusqlite::Error,
    },

    #[error("database {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error("database {}: storing article {id} failed: {source}", path.display())]
    Insert {
        path: PathBuf,
        id: String,
        source: rusqlite::Error,
    },

    #[error("cannot encode article {id}: {source}")]
    Encode {
        id: String,
        source: serde_json::Error,
    },

    #[error("cannot compress the source of article {id}: {source}")]
    Compress {
        id: String,
        source: flate2::CompressError,
    },

    /// A stored row that cannot be decoded back (damaged, or written by buggy code).
    #[error("database {}: stored article {id} is corrupt: {reason}", path.display())]
    Corrupt {
        path: PathBuf,
        id: String,
        reason: String,
    },

    /// A listing cursor that no listing made.
    #[error("bad cursor {cursor:?}: expected one returned by a previous page")]
    BadCursor { cursor: String },

    #[error("cannot store a story with an empty id")]
    EmptyStoryId,

    #[error("cannot encode story {id}: {source}")]
    EncodeStory {
        id: String,
        source: serde_json::Error,
    },

    #[error("database {}: storing story {id} failed: {source}", path.display())]
    InsertStory {
        path: PathBuf,
        id: String,
        source: rusqlite::Error,
    },

    /// A stored story that cannot be decoded back.
    #[error("database {}: stored story {id} is corrupt: {reason}", path.display())]
    CorruptStory {
        path: PathBuf,
        id: String,
        reason: String,
    },
}

/// An error's message followed by those of its causes ("error performing TLS handshake:
/// invalid peer certificate: UnknownIssuer"), each once.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}
