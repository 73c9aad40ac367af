//! Numbered schema migrations, embedded in the binary.
//!
//! The schema version is SQLite's `PRAGMA user_version`: 0 for a new (empty) file, `N` once
//! migration `N` is applied. Each migration runs in its own `BEGIN IMMEDIATE` transaction that
//! also sets the version, so a crash leaves the database at the last whole migration, and two
//! processes opening a new file at once apply each migration once (the second waits for the
//! write lock, then re-reads the version).

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// `PRAGMA application_id` of a sitrep store: "SRP1".
pub(crate) const APPLICATION_ID: i64 = 0x5352_5031;

/// The migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
/// Never edit one that has shipped; add a new file instead.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_stories.sql"),
    include_str!("../migrations/0003_lookups.sql"),
    include_str!("../migrations/0004_unclustered.sql"),
    include_str!("../migrations/0005_embeddings.sql"),
];

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
}

pub(crate) fn application_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA application_id", [], |r| r.get(0))
}

/// Brings the database to [`SCHEMA_VERSION`]; returns how many migrations were applied.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<usize, StoreError> {
    migrate_to(conn, path, SCHEMA_VERSION)
}

/// Brings the database to version `target` (at most [`SCHEMA_VERSION`]; tests make older
/// stores with it).
pub(crate) fn migrate_to(
    conn: &mut Connection,
    path: &Path,
    target: u32,
) -> Result<usize, StoreError> {
    let sqlite = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let mut applied = 0;
    loop {
        // Cheap check outside a transaction first, so opening an up-to-date store takes no lock.
        let found = user_version(conn).map_err(sqlite)?;
        check_known(conn, path, found)?;
        if found >= target.min(SCHEMA_VERSION) {
            return Ok(applied);
        }
        let failed = |source| StoreError::Migration {
            path: path.to_path_buf(),
            version: found + 1,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        // Another process may have migrated while we waited for the lock.
        let version = user_version(&tx).map_err(failed)?;
        if version != found {
            drop(tx);
            continue;
        }
        let next = version + 1;
        let failed = |source| StoreError::Migration {
            path: path.to_path_buf(),
            version: next,
            source,
        };
        tx.execute_batch(MIGRATIONS[version as usize])
            .map_err(failed)?;
        // Version 3's tables are derived from rows already stored: fill them.
        if next == 3 {
            crate::lookup::backfill_sqlite(&tx).map_err(failed)?;
        }
        tx.pragma_update(None, "user_version", i64::from(next))
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
        applied += 1;
    }
}

/// Refuses databases this code must not touch: newer schemas and other applications' files.
fn check_known(conn: &Connection, path: &Path, found: u32) -> Result<(), StoreError> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    let app = application_id(conn).map_err(|source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    })?;
    // 0: a new file, or one made by a tool that does not set the id; the first migration then
    // fails cleanly if its tables clash with what is there.
    if app != 0 && app != APPLICATION_ID {
        return Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
            application_id: app,
        });
    }
    Ok(())
}
