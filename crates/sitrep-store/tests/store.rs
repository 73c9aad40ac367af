//! The store seen through its public API: round trips, idempotency, atomic batches, several
//! connections, and bad inputs.

use std::path::Path;

use sitrep_model::{
    Actor, Article, ArticleRecord, Block, BlockKind, Casualties, Entity, Event, EventDate,
    Extraction, Location, Mention, NaiveDate, OffsetMap, QuadClass, Quote, QuoteKind, SourceFormat,
    Speaker,
};
use sitrep_store::{BatchOutcome, SCHEMA_VERSION, Store, StoreError};

#[macro_use]
mod common;
use common::Db;

backends!(
    article_and_source_round_trip,
    bare_article_round_trips,
    missing_articles_are_none,
    inserting_the_same_batch_twice_stores_it_once,
    duplicates_inside_a_batch_are_detected_and_the_first_copy_wins,
    a_failing_item_stores_nothing_of_its_batch,
    another_connection_sees_committed_writes,
    concurrent_writers_wait_for_each_other,
    concurrent_overlapping_batches_store_each_article_once,
    workers_opening_a_new_store_at_once_migrate_it_once,
    ids_page_in_order,
    a_damaged_row_is_reported_with_its_id,
    embeddings_round_trip_beside_the_extraction,
    embeddings_are_back_filled_page_by_page,
    embeddings_are_read_in_batches,
);

/// A fully populated article read from HTML: every field set, a source that differs from the
/// body, and an offset map with several segments.
fn html_article(n: usize) -> Article {
    let title = format!("Council of Veldra meets ({n})");
    let p1 = format!("The council of Veldra met on Tuesday, item {n}.");
    let p2 = "\"We will rebuild the bridge,\" said Mara Ostrand, the mayor.".to_string();
    let source = format!(
        "<html><head><title>{title}</title></head><body><article><p>{p1}</p>\n<p>&quot;We will rebuild the bridge,&quot; said Mara Ostrand, the mayor.</p></article></body></html>"
    );
    let body = format!("{p1}\n\n{p2}");
    let p1_src = source.find(&p1).expect("p1 in source");
    let p2_src = source.find("We will").expect("p2 in source");
    let mut offsets = OffsetMap::default();
    offsets.push(0, p1_src, p1.len());
    let p2_start = p1.len() + 2;
    offsets.push(p2_start + 1, p2_src, "We will rebuild the bridge,".len());
    offsets.push(p2_start + 29, p2_src + 27 + 6, p2.len() - 29);
    let mut article = Article::new(&format!("fixtures/veldra-{n}.html"), body.clone());
    article.format = SourceFormat::Html;
    article.outlet = Some("veldra-courier.example".to_string());
    article.url = Some(format!("https://veldra-courier.example/news/{n}"));
    article.title = Some(title);
    article.subtitle = Some("The bridge will be rebuilt by spring".to_string());
    article.published = NaiveDate::from_ymd_opt(2024, 3, 5);
    article.authors = vec!["Ilse Varn".to_string(), "Tomas Eld".to_string()];
    article.language = Some("en".to_string());
    article.blocks = vec![
        Block {
            kind: BlockKind::Heading,
            start: 0,
            end: p1.len(),
        },
        Block {
            kind: BlockKind::Paragraph,
            start: p2_start,
            end: body.len(),
        },
    ];
    article.source = source;
    article.offsets = offsets;
    article.diagnostics = vec!["dropped 1 caption".to_string()];
    article
}

fn extraction(article: &Article) -> Extraction {
    let start = article.body.find("Mara").expect("name in body");
    let quoted = "We will rebuild the bridge,";
    let quote_start = article.body.find(quoted).expect("quote in body");
    let mention = Mention {
        text: "Mara Ostrand".to_string(),
        start,
        end: start + 12,
    };
    Extraction {
        entities: vec![Entity {
            id: "e1".to_string(),
            name: "Mara Ostrand".to_string(),
            kind: "PERSON".to_string(),
            roles: vec!["mayor".to_string()],
            stands_for: None,
            mentions: vec![mention.clone()],
        }],
        quotes: vec![Quote {
            field: Default::default(),
            text: "We will rebuild the bridge,".to_string(),
            kind: QuoteKind::Direct,
            speaker: Some(Speaker {
                entity: Some("e1".to_string()),
                name: "Mara Ostrand".to_string(),
                mention,
            }),
            cue: Some("said".to_string()),
            start: quote_start,
            end: quote_start + quoted.len(),
        }],
        events: vec![Event {
            kind: "CONSULT".to_string(),
            mode: None,
            context: vec!["infrastructure".to_string()],
            cameo_root: "04".to_string(),
            quad_class: QuadClass::VerbalCooperation,
            source: vec![Actor {
                entity: None,
                name: "council of Veldra".to_string(),
                country: None,
                sector: None,
                mention: None,
            }],
            target: vec![],
            // Coordinates that do not survive a sloppy float parser.
            location: Some(Location {
                name: "Veldra".to_string(),
                country: None,
                lat: Some(0.1 + 0.2),
                lon: Some(-122.419_415_500_000_01),
                mention: None,
            }),
            date: Some(EventDate {
                text: "on Tuesday".to_string(),
                value: NaiveDate::from_ymd_opt(2024, 3, 5),
                start: None,
                end: None,
            }),
            casualties: Some(Casualties {
                killed: Some(0),
                injured: None,
                ..Default::default()
            }),
            negated: false,
            hypothetical: true,
            modality: "hypothetical".to_string(),
            cameo: None,
            trigger: None,
            start: 0,
            end: 40,
        }],
    }
}

fn batch(range: std::ops::Range<usize>) -> Vec<(Article, Extraction)> {
    range
        .map(|n| {
            let a = html_article(n);
            let e = extraction(&a);
            (a, e)
        })
        .collect()
}

fn article_and_source_round_trip(db: &Db) {
    let mut store = db.open();
    let (article, extraction) = batch(0..1).remove(0);
    assert_ne!(article.source, article.body);
    assert!(article.offsets.segments().len() >= 3);

    store
        .insert_batch(&[(article.clone(), extraction.clone())])
        .expect("insert");
    let record = store
        .get_article(&article.id)
        .expect("get")
        .expect("stored");
    assert_eq!(record, ArticleRecord::new(article.clone(), extraction));
    let (source, offsets) = store
        .get_source(&article.id)
        .expect("get source")
        .expect("stored");
    assert_eq!(source, article.source);
    assert_eq!(offsets, article.offsets);
    // The map still points into the source: the quote's words are where it says.
    let (s, e) = offsets
        .range_to_source(record.quotes[0].start, record.quotes[0].end)
        .expect("mapped");
    assert!(
        source[s..e].starts_with("We will rebuild"),
        "{}",
        &source[s..e]
    );
}

fn bare_article_round_trips(db: &Db) {
    let mut store = db.open();
    let article = Article::new("plain.txt", "One line, no metadata, ünïcode.".to_string());
    store
        .insert_batch(&[(article.clone(), Extraction::default())])
        .expect("insert");
    assert_eq!(
        store.get_article(&article.id).expect("get"),
        Some(ArticleRecord::from_article(article.clone()))
    );
    assert_eq!(
        store.get_source(&article.id).expect("get"),
        Some((article.source, article.offsets))
    );
}

fn embeddings_round_trip_beside_the_extraction(db: &Db) {
    let mut store = db.open();
    assert!(
        !store.all_embedded().expect("empty store"),
        "no article: off"
    );
    let articles: Vec<(Article, Extraction)> = (0..3)
        .map(|n| {
            let text = format!("The ferry to Orlesk sailed late, report {n}.");
            (
                Article::new(&format!("ferry-{n}.txt"), text),
                Extraction::default(),
            )
        })
        .collect();
    // Exact bit patterns: signs, a tiny value, a large one.
    let first = vec![0.125f32, -1.5, 1e-30, 3.4e38, 0.0];
    let third = vec![-0.0f32; 384];
    let outcome = store
        .insert_batch_embedded(&articles[..2], &[first.clone(), third.clone()])
        .expect("insert");
    assert_eq!(outcome.stored, 2);
    assert!(store.all_embedded().expect("all"), "every article has one");
    // A batch stored without one (an empty vector, or none given): off for the store.
    store
        .insert_batch_embedded(&articles[2..], &[Vec::new()])
        .expect("insert");
    assert!(!store.all_embedded().expect("one without"));
    let got = |store: &Store, n: usize| store.get_embedding(&articles[n].0.id).expect("get");
    assert_eq!(got(&store, 0), Some(first));
    let back = got(&store, 1).expect("stored");
    assert_eq!(back.len(), 384);
    assert!(back.iter().all(|x| x.to_bits() == (-0.0f32).to_bits()));
    assert_eq!(got(&store, 2), None, "an empty vector stores none");
    assert_eq!(store.get_embedding("0123456789abcdef").expect("get"), None);
    // Another connection reads the same; the article itself is as insert_batch stores it.
    let other = db.open();
    assert_eq!(
        got(&other, 0),
        Some(vec![0.125f32, -1.5, 1e-30, 3.4e38, 0.0])
    );
    assert_eq!(
        other.get_article(&articles[0].0.id).expect("get"),
        Some(ArticleRecord::from_article(articles[0].0.clone()))
    );
}

/// `n` bare articles, stored without embeddings; their ids in ascending order.
fn bare_articles(store: &mut Store, n: usize) -> Vec<String> {
    let items: Vec<(Article, Extraction)> = (0..n)
        .map(|i| {
            let text = format!("The harbour of Orlesk reopened, notice {i}.");
            (
                Article::new(&format!("notice-{i}.txt"), text),
                Extraction::default(),
            )
        })
        .collect();
    for chunk in items.chunks(500) {
        store.insert_batch(chunk).expect("insert");
    }
    let mut ids: Vec<String> = items.into_iter().map(|(a, _)| a.id).collect();
    ids.sort();
    ids
}

fn embeddings_are_back_filled_page_by_page(db: &Db) {
    let mut store = db.open();
    assert_eq!(store.count_unembedded().expect("count"), 0);
    assert!(store.unembedded_ids(10, None).expect("ids").is_empty());
    let ids = bare_articles(&mut store, 5);
    // One article stored with an embedding is not listed.
    let embedded = Article::new("embedded.txt", "A ferry sailed from Orlesk.".to_string());
    store
        .insert_batch_embedded(
            &[(embedded.clone(), Extraction::default())],
            &[vec![1.0, 0.0]],
        )
        .expect("insert");
    assert_eq!(store.count_unembedded().expect("count"), 5);
    assert!(!store.all_embedded().expect("all"));

    // Pages in id order; the cursor is the last id of a page.
    let first = store.unembedded_ids(2, None).expect("page");
    assert_eq!(first, ids[..2]);
    // Written in one call (an id not stored is skipped and not counted).
    let a = vec![0.5f32, -0.25];
    let b = vec![1e-30f32, 3.4e38];
    let written = store
        .set_embeddings(&[
            (ids[1].as_str(), b.as_slice()),
            ("0123456789abcdef", a.as_slice()),
            (ids[0].as_str(), a.as_slice()),
        ])
        .expect("set");
    assert_eq!(written, 2);
    assert_eq!(store.count_unembedded().expect("count"), 3);
    assert_eq!(store.get_embedding(&ids[0]).expect("get"), Some(a.clone()));
    assert_eq!(store.get_embedding(&ids[1]).expect("get"), Some(b.clone()));
    // Another connection sees the committed write.
    assert_eq!(db.open().get_embedding(&ids[1]).expect("get"), Some(b));

    // The next page starts after the cursor; an article passed over (say, its text could not
    // be read) stays unembedded behind it.
    let second = store
        .unembedded_ids(2, first.last().map(String::as_str))
        .expect("page");
    assert_eq!(second, ids[2..4]);
    let last = store
        .unembedded_ids(2, second.last().map(String::as_str))
        .expect("page");
    assert_eq!(last, ids[4..]);
    assert!(
        store
            .unembedded_ids(2, last.last().map(String::as_str))
            .expect("page")
            .is_empty()
    );
    let rest: Vec<(&str, &[f32])> = ids[2..].iter().map(|id| (id.as_str(), &a[..])).collect();
    assert_eq!(store.set_embeddings(&rest).expect("set"), 3);
    assert_eq!(store.count_unembedded().expect("count"), 0);
    assert!(store.all_embedded().expect("all"));
    assert!(store.unembedded_ids(10, None).expect("ids").is_empty());
    // The article's own row is untouched by the update.
    assert_eq!(
        store.get_article(&embedded.id).expect("get"),
        Some(ArticleRecord::from_article(embedded))
    );

    // An empty vector removes an embedding: the article is listed again.
    assert_eq!(
        store
            .set_embeddings(&[(ids[3].as_str(), &[][..])])
            .expect("set"),
        1
    );
    assert_eq!(store.unembedded_ids(10, None).expect("ids"), ids[3..4]);
    assert_eq!(store.set_embeddings(&[]).expect("nothing"), 0);
}

fn embeddings_are_read_in_batches(db: &Db) {
    let mut store = db.open();
    // More ids than one query takes (500).
    let ids = bare_articles(&mut store, 1100);
    let vectors: Vec<Vec<f32>> = (0..ids.len())
        .map(|i| vec![i as f32, -(i as f32) / 7.0, 1e-30])
        .collect();
    // All but every tenth.
    let items: Vec<(&str, &[f32])> = ids
        .iter()
        .zip(&vectors)
        .enumerate()
        .filter(|(i, _)| i % 10 != 0)
        .map(|(_, (id, v))| (id.as_str(), v.as_slice()))
        .collect();
    assert_eq!(store.set_embeddings(&items).expect("set"), 990);
    let mut asked: Vec<&str> = ids.iter().map(String::as_str).collect();
    asked.push("0123456789abcdef");
    let got = store.get_embeddings(&asked).expect("read");
    assert_eq!(got.len(), 990);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(got.get(id), (i % 10 != 0).then_some(&vectors[i]), "{i}");
        // The same as one by one.
        assert_eq!(got.get(id).cloned(), store.get_embedding(id).expect("get"));
    }
    assert!(store.get_embeddings(&[]).expect("none").is_empty());

    // A damaged blob is an error naming its article.
    db.execute_raw(
        "UPDATE extractions SET embedding = x'0102030405' WHERE article_id = ?1",
        "UPDATE extractions SET embedding = '\\x0102030405'::bytea WHERE article_id = $1",
        &ids[777],
    );
    let err = store.get_embeddings(&asked).expect_err("damaged");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&ids[777]) && msg.contains(db.label()), "{msg}");
}

fn missing_articles_are_none(db: &Db) {
    let store = db.open();
    assert!(!store.contains("0123456789abcdef").expect("contains"));
    assert_eq!(store.get_article("0123456789abcdef").expect("get"), None);
    assert_eq!(store.get_source("0123456789abcdef").expect("get"), None);
    assert_eq!(store.count_articles().expect("count"), 0);
}

fn inserting_the_same_batch_twice_stores_it_once(db: &Db) {
    let mut store = db.open();
    let items = batch(0..10);
    assert_eq!(
        store.insert_batch(&items).expect("first"),
        BatchOutcome {
            stored: 10,
            duplicates: 0
        }
    );
    assert_eq!(
        store.insert_batch(&items).expect("second"),
        BatchOutcome {
            stored: 0,
            duplicates: 10
        }
    );
    assert_eq!(store.count_articles().expect("count"), 10);
    // Overlapping batch: only the new ones are stored.
    assert_eq!(
        store.insert_batch(&batch(5..15)).expect("third"),
        BatchOutcome {
            stored: 5,
            duplicates: 5
        }
    );
    assert_eq!(store.count_articles().expect("count"), 15);
}

fn duplicates_inside_a_batch_are_detected_and_the_first_copy_wins(db: &Db) {
    let mut store = db.open();
    let first = html_article(1);
    // Same normalised body (so same id), read from elsewhere.
    let mut copy = Article::new("mirror/copy.txt", first.body.replace("\n\n", "\n\n   "));
    assert_eq!(copy.id, first.id);
    copy.title = Some("A different title".to_string());
    let items = vec![
        (first.clone(), Extraction::default()),
        (copy, Extraction::default()),
        (html_article(2), Extraction::default()),
    ];
    assert_eq!(
        store.insert_batch(&items).expect("insert"),
        BatchOutcome {
            stored: 2,
            duplicates: 1
        }
    );
    let stored = store.get_article(&first.id).expect("get").expect("stored");
    assert_eq!(stored.input, first.input);
    assert_eq!(stored.title, first.title);
}

fn a_failing_item_stores_nothing_of_its_batch(db: &Db) {
    let mut store = db.open();
    store.insert_batch(&batch(0..2)).expect("first batch");

    let mut items = batch(10..15);
    // An article the schema rejects (empty id), late in the batch, after rows were written.
    items[3].0.id = String::new();
    let err = store
        .insert_batch(&items)
        .expect_err("the bad article must fail the batch");
    assert!(
        matches!(err, StoreError::Insert { .. } | StoreError::PgInsert { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(db.label()), "{err}");

    for s in [&store, &db.open()] {
        assert_eq!(s.count_articles().expect("count"), 2);
        for (a, _) in &items {
            assert!(
                a.id.is_empty() || !s.contains(&a.id).expect("contains"),
                "{} leaked",
                a.id
            );
        }
    }
    // The store is usable afterwards, and the good part of the batch can be retried.
    items.remove(3);
    assert_eq!(
        store.insert_batch(&items).expect("retry"),
        BatchOutcome {
            stored: 4,
            duplicates: 0
        }
    );
}

fn another_connection_sees_committed_writes(db: &Db) {
    let mut writer = db.open();
    let reader = db.open();
    assert_eq!(reader.count_articles().expect("count"), 0);
    let items = batch(0..3);
    writer.insert_batch(&items).expect("insert");
    assert_eq!(reader.count_articles().expect("count"), 3);
    assert!(reader.contains(&items[2].0.id).expect("contains"));
    drop((writer, reader));
    let reopened = db.open();
    assert_eq!(reopened.count_articles().expect("count"), 3);
}

fn concurrent_writers_wait_for_each_other(db: &Db) {
    db.open();
    std::thread::scope(|scope| {
        for w in 0..4 {
            scope.spawn(move || {
                let mut store = db.open();
                for b in 0..5 {
                    let start = w * 100 + b * 10;
                    store
                        .insert_batch(&batch(start..start + 10))
                        .expect("insert while others write");
                }
            });
        }
    });
    assert_eq!(db.open().count_articles().expect("count"), 200);
}

/// Four workers store overlapping batches at once (each article offered by two or three of
/// them, in different orders): every article is stored once, and the outcomes add up to it.
fn concurrent_overlapping_batches_store_each_article_once(db: &Db) {
    db.open();
    let outcomes: Vec<BatchOutcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4usize)
            .map(|w| {
                scope.spawn(move || {
                    let mut store = db.open();
                    let mut total = BatchOutcome::default();
                    for b in 0..4usize {
                        // Worker w offers 15*w .. 15*w + 40, in batches of 10, odd workers
                        // from the end.
                        let b = if w % 2 == 1 { 3 - b } else { b };
                        let start = 15 * w + 10 * b;
                        let outcome = store
                            .insert_batch(&batch(start..start + 10))
                            .expect("insert while others insert the same articles");
                        total.stored += outcome.stored;
                        total.duplicates += outcome.duplicates;
                    }
                    total
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let unique = 15 * 3 + 40;
    let stored: usize = outcomes.iter().map(|o| o.stored).sum();
    let duplicates: usize = outcomes.iter().map(|o| o.duplicates).sum();
    assert_eq!(stored, unique, "{outcomes:?}");
    assert_eq!(stored + duplicates, 4 * 40, "{outcomes:?}");
    let store = db.open();
    assert_eq!(store.count_articles().expect("count"), unique as u64);
    for (a, e) in batch(0..unique) {
        let record = store.get_article(&a.id).expect("get").expect("stored");
        assert_eq!(record, ArticleRecord::new(a, e));
    }
}

/// Several workers open a store nobody has opened yet at the same moment: each migration is
/// applied once and every worker gets a working store.
fn workers_opening_a_new_store_at_once_migrate_it_once(db: &Db) {
    let barrier = std::sync::Barrier::new(4);
    std::thread::scope(|scope| {
        for w in 0..4 {
            let barrier = &barrier;
            scope.spawn(move || {
                barrier.wait();
                let mut store = Store::open(&db.spec()).expect("open while others open");
                assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
                store.insert_batch(&batch(w..w + 1)).expect("insert");
            });
        }
    });
    assert_eq!(db.open().count_articles().expect("count"), 4);
}

fn ids_page_in_order(db: &Db) {
    let mut store = db.open();
    let items = batch(0..25);
    store.insert_batch(&items).expect("insert");
    let mut expected: Vec<String> = items.iter().map(|(a, _)| a.id.clone()).collect();
    expected.sort();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.article_ids(10, after.as_deref()).expect("page");
        assert!(page.len() <= 10);
        let Some(last) = page.last().cloned() else {
            break;
        };
        seen.extend(page);
        after = Some(last);
    }
    assert_eq!(seen, expected);
    assert_eq!(
        store.article_ids(0, None).expect("empty page"),
        Vec::<String>::new()
    );
}

#[test]
fn open_accepts_urls_plain_paths_and_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("a/b/c/store.db");
    let store = Store::open(&format!("sqlite://{}", nested.display())).expect("sqlite:// url");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert!(nested.is_file(), "file and parent folders are created");
    drop(store);

    let plain = dir.path().join("plain.db");
    Store::open(plain.to_str().expect("utf-8 path")).expect("plain path");
    assert!(plain.is_file());

    let memory = Store::open(":memory:").expect("memory");
    assert_eq!(memory.path(), Path::new(":memory:"));
    assert_eq!(memory.schema_version().expect("version"), SCHEMA_VERSION);
}

fn message(result: Result<Store, StoreError>) -> (StoreError, String) {
    let err = result.expect_err("open must fail");
    let msg = err.to_string();
    assert!(
        msg.starts_with(|c: char| c.is_lowercase()),
        "messages start lowercase: {msg}"
    );
    assert!(!msg.ends_with('.'), "no trailing period: {msg}");
    (err, msg)
}

#[test]
fn a_directory_is_not_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (err, msg) = message(Store::open_path(dir.path()));
    assert!(matches!(err, StoreError::IsDirectory { .. }), "{err:?}");
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
}

#[test]
fn an_unwritable_location_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file.txt");
    std::fs::write(&file, "not a folder").expect("write");
    // A folder cannot be created inside a regular file, whoever runs the test.
    let (err, msg) = message(Store::open_path(&file.join("sub/store.db")));
    assert!(matches!(err, StoreError::CreateDir { .. }), "{err:?}");
    assert!(msg.contains("file.txt"), "{msg}");
}

#[test]
fn a_file_of_garbage_is_not_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.db");
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).expect("write");
    let (err, msg) = message(Store::open_path(&path));
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(msg.contains("garbage.db"), "{msg}");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        garbage,
        "the file is left alone"
    );
}

#[test]
fn other_backends_and_empty_specs_are_refused() {
    let (err, msg) = message(Store::open("mysql://localhost/sitrep"));
    assert!(matches!(err, StoreError::Unsupported { .. }), "{err:?}");
    assert!(msg.contains("mysql://localhost/sitrep"), "{msg}");
    let (err, _) = message(Store::open("  "));
    assert!(matches!(err, StoreError::Unsupported { .. }), "{err:?}");
}

/// A PostgreSQL server that is not there is a clear error naming it (without password), not a
/// hang or a panic.
#[test]
fn an_unreachable_postgres_server_is_a_clear_error() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let (err, msg) = message(Store::open(&format!(
        "postgres://ana:s3cret@127.0.0.1:{port}/news"
    )));
    assert!(matches!(err, StoreError::PgConnect { .. }), "{err:?}");
    assert!(
        msg.contains(&format!("postgres://ana@127.0.0.1:{port}/news")),
        "{msg}"
    );
    assert!(!msg.contains("s3cret"), "{msg}");
    let (err, msg) = message(Store::open(
        "postgresql://ana:s3cret@127.0.0.1:notaport/news",
    ));
    assert!(matches!(err, StoreError::PgUrl { .. }), "{err:?}");
    assert!(!msg.contains("s3cret"), "{msg}");
}

fn a_damaged_row_is_reported_with_its_id(db: &Db) {
    let mut store = db.open();
    let items = batch(0..1);
    let id = items[0].0.id.clone();
    store.insert_batch(&items).expect("insert");
    db.execute_raw(
        "UPDATE articles SET authors = 'not json' WHERE id = ?1",
        "UPDATE articles SET authors = 'not json' WHERE id = $1",
        &id,
    );
    db.execute_raw(
        "UPDATE article_sources SET source = x'00ff' WHERE article_id = ?1",
        "UPDATE article_sources SET source = '\\x00ff'::bytea WHERE article_id = $1",
        &id,
    );

    for err in [
        store.get_article(&id).expect_err("damaged article"),
        store.get_source(&id).expect_err("damaged source"),
    ] {
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&id) && msg.contains(db.label()), "{msg}");
    }
}

/// PostgreSQL: a store whose schema is newer than this code is refused, also by the quick
/// check that lets an up-to-date store open without taking the migration lock. (SQLite's case
/// is a unit test, `src/tests.rs`.)
#[test]
fn a_newer_postgres_store_is_refused() {
    let Some(db) = Db::postgres("a_newer_postgres_store_is_refused") else {
        return;
    };
    let store = db.open();
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    drop(store);
    // Reopening an up-to-date store changes nothing.
    assert_eq!(db.open().schema_version().expect("version"), SCHEMA_VERSION);
    db.execute_raw(
        "",
        "UPDATE sitrep_schema SET version = 99 WHERE $1::text IS NOT NULL",
        "",
    );
    let (err, msg) = message(Store::open(&db.spec()));
    assert!(
        matches!(err, StoreError::TooNew { found: 99, .. }),
        "{err:?}"
    );
    assert!(msg.contains("postgres://"), "{msg}");
}

/// The certificate of the test server (`scripts/pg cert`, exported by scripts/test as
/// `SITREP_TEST_PG_CERT`); `None` after a note when unset, unless PostgreSQL is required.
fn server_cert(test: &str) -> Option<String> {
    match std::env::var("SITREP_TEST_PG_CERT") {
        Ok(p) if !p.trim().is_empty() => Some(p.trim().to_string()),
        _ => {
            if std::env::var("SITREP_REQUIRE_PG").is_ok_and(|v| v == "1") {
                panic!("SITREP_REQUIRE_PG=1 but SITREP_TEST_PG_CERT is not set (scripts/pg cert)");
            }
            eprintln!("note: {test} skipped: SITREP_TEST_PG_CERT is not set (scripts/pg cert)");
            None
        }
    }
}

#[test]
fn postgres_over_tls_verifies_the_server_certificate() {
    let Some(db) = Db::postgres("postgres_over_tls_verifies_the_server_certificate") else {
        return;
    };
    let Some(cert) = server_cert("postgres_over_tls_verifies_the_server_certificate") else {
        return;
    };
    let tls = format!("{}&sslmode=require&sslrootcert={cert}", db.spec());
    let mut store = Store::open(&tls).expect("open over tls");
    let items = batch(0..2);
    assert_eq!(store.insert_batch(&items).expect("insert").stored, 2);
    assert_eq!(store.count_articles().expect("count"), 2);
    // The server sees an encrypted connection (ours: the other tests connect in plain text).
    let Db::Postgres { base, .. } = &db else {
        unreachable!("a postgres db")
    };
    let mut admin = ::postgres::Client::connect(base, ::postgres::NoTls).expect("admin");
    let encrypted: i64 = admin
        .query_one("SELECT count(*) FROM pg_stat_ssl WHERE ssl", &[])
        .and_then(|r| r.try_get(0))
        .expect("pg_stat_ssl");
    assert!(encrypted >= 1, "no tls connection on the server");
    drop(store);

    // Another CA's certificate: the server is not trusted, and the error says so.
    let other = format!(
        "{}/tests/fixtures/unrelated-ca.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let (err, msg) = message(Store::open(&format!(
        "{}&sslmode=require&sslrootcert={other}",
        db.spec()
    )));
    assert!(matches!(err, StoreError::PgConnect { .. }), "{err:?}");
    assert!(msg.to_lowercase().contains("certificate"), "{msg}");
    // A root file that is not there, or a root without sslmode=require: clear errors.
    let (err, msg) = message(Store::open(&format!(
        "{}&sslmode=require&sslrootcert=/nonexistent/ca.pem",
        db.spec()
    )));
    assert!(matches!(err, StoreError::PgTls { .. }), "{err:?}");
    assert!(msg.contains("/nonexistent/ca.pem"), "{msg}");
    let (err, msg) = message(Store::open(&format!("{}&sslrootcert={cert}", db.spec())));
    assert!(matches!(err, StoreError::PgTls { .. }), "{err:?}");
    assert!(msg.contains("sslmode"), "{msg}");
}
