//! Tests that need the store's insides: migrations and the crash hook. The behaviour seen
//! through the public API is tested in `tests/store.rs`.

use std::process::{Command, Stdio};

use sitrep_model::{Article, Extraction};

use super::*;

fn article(n: usize) -> Article {
    let body = format!(
        "Article {n}: the council of Veldra met on Tuesday.\n\n{}",
        "More words follow. ".repeat(40)
    );
    Article::new(&format!("test-{n}.txt"), body)
}

fn batch(range: std::ops::Range<usize>) -> Vec<(Article, Extraction)> {
    range.map(|n| (article(n), Extraction::default())).collect()
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("open raw connection")
}

#[test]
fn migrating_twice_is_a_no_op() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.db");
    let mut store = Store::open_path(&path).expect("open");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    store.insert_batch(&batch(0..3)).expect("insert");

    assert_eq!(
        migrate::migrate(store.sqlite_conn(), &path).expect("migrate again"),
        0
    );
    drop(store);
    let store = Store::open_path(&path).expect("reopen");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(store.count_articles().expect("count"), 3);
}

#[test]
fn empty_v0_file_migrates_to_the_latest_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").expect("write empty file");
    assert_eq!(migrate::user_version(&raw(&path)).expect("version"), 0);

    let mut store = Store::open_path(&path).expect("open");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(
        migrate::application_id(store.sqlite_conn()).expect("app id"),
        migrate::APPLICATION_ID
    );
    assert_eq!(store.insert_batch(&batch(0..1)).expect("insert").stored, 1);
}

#[test]
fn database_from_a_newer_sitrep_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("newer.db");
    Store::open_path(&path).expect("create");
    raw(&path)
        .pragma_update(None, "user_version", 99)
        .expect("bump version");

    let err = Store::open_path(&path).expect_err("newer schema must be refused");
    assert!(
        matches!(
            err,
            StoreError::TooNew {
                found: 99,
                known: SCHEMA_VERSION,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("newer.db") && message.contains("99"),
        "{message}"
    );
    assert_eq!(migrate::user_version(&raw(&path)).expect("version"), 99);
}

#[test]
fn sqlite_file_of_another_application_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("other.db");
    let conn = raw(&path);
    conn.execute_batch("PRAGMA application_id = 42; CREATE TABLE notes (x TEXT);")
        .expect("make foreign db");
    drop(conn);
    let err = Store::open_path(&path).expect_err("foreign database must be refused");
    assert!(
        matches!(
            err,
            StoreError::ForeignDatabase {
                application_id: 42,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn failed_migration_leaves_the_previous_version() {
    // A v0 file that already has an `articles` table of its own: migration 1 fails, and rolls
    // back completely (no half-created tables, version still 0).
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clash.db");
    raw(&path)
        .execute_batch("CREATE TABLE articles (x TEXT);")
        .expect("make clashing db");

    let err = Store::open_path(&path).expect_err("clashing table must fail the migration");
    assert!(
        matches!(err, StoreError::Migration { version: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("clash.db"), "{err}");
    let conn = raw(&path);
    assert_eq!(migrate::user_version(&conn).expect("version"), 0);
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'article_sources'",
            [],
            |r| r.get(0),
        )
        .expect("count tables");
    assert_eq!(tables, 0);
}

#[test]
fn a_version_1_store_migrates_to_stories_and_keeps_its_articles() {
    // A version 1 file with articles in it: the current schema with what migrations 2 to 5
    // added taken away again (the tables of version 1 are exactly those of 0001_init.sql).
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.db");
    let items = batch(0..5);
    {
        let mut store = Store::open_path(&path).expect("open");
        store.insert_batch(&items).expect("insert");
    }
    raw(&path)
        .execute_batch(
            "DROP INDEX extractions_without_embedding; ALTER TABLE extractions DROP COLUMN embedding;
             DROP TABLE unclustered; DROP TABLE disagreement_words; DROP TABLE disagreements;
             DROP TABLE quote_speaker_words; DROP TABLE quotes;
             DROP TABLE story_articles; DROP TABLE stories; DROP INDEX articles_newest;
             PRAGMA user_version = 1;",
        )
        .expect("downgrade to version 1");
    assert_eq!(migrate::user_version(&raw(&path)).expect("version"), 1);

    let mut store = Store::open_path(&path).expect("reopen migrates");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(store.count_articles().expect("count"), 5);
    for (article, extraction) in &items {
        let record = store.get_article(&article.id).expect("get").expect("kept");
        assert_eq!(
            record,
            sitrep_model::ArticleRecord::new(article.clone(), extraction.clone())
        );
    }
    assert_eq!(store.count_stories().expect("stories"), 0);
    let (page, next) = store.list_articles(10, None).expect("list");
    assert_eq!((page.len(), next), (5, None));
    let story = sitrep_model::Story {
        schema: sitrep_model::SCHEMA.to_string(),
        id: "s1".to_string(),
        title: "Veldra council".to_string(),
        articles: vec![items[0].0.id.clone()],
        outlets: vec![],
        span: Default::default(),
        thread: None,
        entities: vec![],
        quotes: vec![],
        events: vec![],
        proposals: vec![],
        disagreements: vec![],
    };
    store.put_story(&story).expect("put story after migration");
    assert_eq!(
        store.stories_of_article(&items[0].0.id).expect("of").len(),
        1
    );
}

#[test]
fn a_version_4_store_migrates_to_embeddings_and_has_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v4.db");
    let items = batch(0..3);
    {
        let mut store = Store::open_path(&path).expect("open");
        store.insert_batch(&items).expect("insert");
    }
    raw(&path)
        .execute_batch(
            "DROP INDEX extractions_without_embedding;
             ALTER TABLE extractions DROP COLUMN embedding;
             PRAGMA user_version = 4;",
        )
        .expect("downgrade to version 4");
    let mut store = Store::open_path(&path).expect("reopen migrates");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    for (article, extraction) in &items {
        let record = store.get_article(&article.id).expect("get").expect("kept");
        assert_eq!(
            record,
            sitrep_model::ArticleRecord::new(article.clone(), extraction.clone())
        );
        assert_eq!(store.get_embedding(&article.id).expect("embedding"), None);
    }
    assert!(!store.all_embedded().expect("all embedded"));
    // New articles stored with embeddings after the migration: still not all.
    let more = batch(3..4);
    store
        .insert_batch_embedded(&more, &[vec![0.5, -0.25]])
        .expect("insert embedded");
    assert_eq!(
        store.get_embedding(&more[0].0.id).expect("embedding"),
        Some(vec![0.5, -0.25])
    );
    assert!(!store.all_embedded().expect("all embedded"));
}

#[test]
fn a_damaged_embedding_is_reported_with_its_id() {
    let mut store = Store::open_in_memory().expect("open");
    let items = batch(0..1);
    store
        .insert_batch_embedded(&items, &[vec![1.0, 2.0]])
        .expect("insert");
    store
        .sqlite_conn()
        .execute("UPDATE extractions SET embedding = x'0102030405'", [])
        .expect("damage");
    let err = store.get_embedding(&items[0].0.id).expect_err("damaged");
    assert!(
        matches!(&err, StoreError::Corrupt { id, .. } if *id == items[0].0.id),
        "{err:?}"
    );
}

const CRASH_CHILD: &str = "SITREP_STORE_TEST_CRASH_CHILD";
const CRASH_TEST: &str = "tests::killed_mid_batch_leaves_only_whole_batches";

/// The test runs twice: as the parent, and (re-executed with `CRASH_CHILD` set) as a child
/// process that dies with `abort()` in the middle of a batch, after some of its rows are written
/// to the WAL but before the commit. Destructors do not run, exactly as with `kill -9`.
#[test]
fn killed_mid_batch_leaves_only_whole_batches() {
    if let Some(path) = std::env::var_os(CRASH_CHILD) {
        let mut store = Store::open_path(Path::new(&path)).expect("child: open");
        // A tiny page cache makes SQLite spill the uncommitted pages into the WAL file, so the
        // abort leaves a partial transaction on disk that recovery must ignore.
        store
            .sqlite_conn()
            .pragma_update(None, "cache_size", 1)
            .expect("child: cache_size");
        store.abort_after = Some(30);
        let _ = store.insert_batch(&batch(100..140));
        unreachable!("the store should have aborted the process");
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crash.db");
    let mut store = Store::open_path(&path).expect("open");
    store.insert_batch(&batch(0..5)).expect("first batch");

    let wal_size = || std::fs::metadata(dir.path().join("crash.db-wal")).map_or(0, |m| m.len());
    let wal_before = wal_size();

    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", CRASH_TEST, "--nocapture", "--test-threads=1"])
        .env(CRASH_CHILD, &path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run child");
    assert!(!status.success(), "the child should have died mid-batch");
    assert!(
        wal_size() > wal_before,
        "the child should have written uncommitted pages to the wal"
    );

    // Both the connection that was open during the crash and a fresh one see the first batch
    // only, and the database is whole and writable.
    for mut store in [store, Store::open_path(&path).expect("reopen")] {
        assert_eq!(store.count_articles().expect("count"), 5);
        assert!(!store.contains(&article(100).id).expect("contains"));
        let check: String = store
            .sqlite_conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(check, "ok");
    }
    let mut store = Store::open_path(&path).expect("reopen");
    let outcome = store
        .insert_batch(&batch(100..140))
        .expect("retry the batch");
    assert_eq!(
        outcome,
        BatchOutcome {
            stored: 40,
            duplicates: 0
        }
    );
}

#[test]
fn a_store_can_move_to_another_thread() {
    fn is_send<T: Send>(_: &T) {}
    let store = Store::open_in_memory().expect("open");
    is_send(&store);
    let count = std::thread::spawn(move || store.count_articles().expect("count"))
        .join()
        .expect("thread");
    assert_eq!(count, 0);
}
