//! Stories in the store and the paged listings: round trip, replace, article links, newest-first
//! pagination without duplicates or gaps, bad cursors.

use sitrep_model::{
    Article, Disagreement, Extraction, NaiveDate, SCHEMA, SourcedValue, Story, StoryEntity,
    StoryQuote, StorySpan,
};
use sitrep_store::{Store, StoreError};

fn date(d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2025, 4, d)
}

fn article(n: usize, day: Option<u32>) -> Article {
    let mut a = Article::new(
        &format!("fixtures/harbour-{n}.txt"),
        format!("The harbour board of Lesk met for the {n}th time and argued about dredging."),
    );
    a.title = Some(format!("Harbour board meets ({n})"));
    a.outlet = Some(format!("outlet{}.example", n % 3));
    a.published = day.and_then(date);
    a
}

fn story(id: &str, last: Option<u32>, articles: &[&str]) -> Story {
    Story {
        schema: SCHEMA.to_string(),
        id: id.to_string(),
        title: format!("Story {id}"),
        articles: articles.iter().map(|a| a.to_string()).collect(),
        outlets: vec![
            "lesk-gazette.example".to_string(),
            "northwind.example".to_string(),
        ],
        span: StorySpan {
            first: date(1),
            last: last.and_then(date),
        },
        thread: Some("harbour".to_string()),
        entities: vec![StoryEntity {
            name: "Oda Brenn".to_string(),
            kind: "PERSON".to_string(),
            articles: 2,
            variants: vec![],
        }],
        quotes: vec![StoryQuote {
            text: "The channel will be dredged by May".to_string(),
            speaker: Some("Oda Brenn".to_string()),
            articles: articles.iter().map(|a| a.to_string()).collect(),
            variants: vec![],
        }],
        events: vec![],
        disagreements: vec![Disagreement {
            subject: "Oda Brenn".to_string(),
            slot: "role".to_string(),
            values: vec![
                SourcedValue {
                    value: "harbour master".to_string(),
                    article: "a1".to_string(),
                    start: 0,
                    end: 10,
                },
                SourcedValue {
                    value: "former harbour master".to_string(),
                    article: "a2".to_string(),
                    start: 4,
                    end: 20,
                },
            ],
            within_article: false,
        }],
    }
}

#[test]
fn a_story_round_trips_with_its_summary_and_links() {
    let mut store = Store::open_in_memory().expect("open");
    assert_eq!(store.get_story("s1").expect("get"), None);
    let s = story("s1", Some(3), &["a1", "a2"]);
    store.put_story(&s).expect("put");
    assert_eq!(store.get_story("s1").expect("get"), Some(s.clone()));
    assert_eq!(store.count_stories().expect("count"), 1);

    let (page, next) = store.list_stories(10, None).expect("list");
    assert_eq!(next, None);
    assert_eq!(page.len(), 1);
    let summary = &page[0];
    assert_eq!(summary.id, "s1");
    assert_eq!(summary.title, "Story s1");
    assert_eq!(summary.thread.as_deref(), Some("harbour"));
    assert_eq!((summary.first, summary.last), (date(1), date(3)));
    assert_eq!(summary.outlets, s.outlets);
    assert_eq!((summary.articles, summary.disagreements), (2, 1));
    assert!(summary.updated > 0);

    let of_a1 = store.stories_of_article("a1").expect("of a1");
    assert_eq!(
        of_a1.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["s1"]
    );
    assert!(store.stories_of_article("zz").expect("of zz").is_empty());
}

#[test]
fn putting_a_story_again_replaces_it_and_its_links() {
    let mut store = Store::open_in_memory().expect("open");
    store
        .put_story(&story("s1", Some(3), &["a1", "a2"]))
        .expect("put");
    let mut changed = story("s1", Some(5), &["a2", "a3"]);
    changed.title = "Dredging starts".to_string();
    changed.disagreements.clear();
    store.put_story(&changed).expect("put again");

    assert_eq!(store.count_stories().expect("count"), 1);
    assert_eq!(store.get_story("s1").expect("get"), Some(changed));
    assert!(store.stories_of_article("a1").expect("a1").is_empty());
    assert_eq!(store.stories_of_article("a3").expect("a3").len(), 1);
    let (page, _) = store.list_stories(10, None).expect("list");
    assert_eq!(page[0].title, "Dredging starts");
    assert_eq!((page[0].last, page[0].disagreements), (date(5), 0));

    assert!(store.delete_story("s1").expect("delete"));
    assert!(!store.delete_story("s1").expect("delete again"));
    assert!(store.stories_of_article("a3").expect("a3").is_empty());
}

#[test]
fn a_story_without_id_is_refused() {
    let mut store = Store::open_in_memory().expect("open");
    let err = store
        .put_story(&story("", None, &[]))
        .expect_err("empty id");
    assert!(matches!(err, StoreError::EmptyStoryId), "{err}");
}

#[test]
fn stories_page_newest_first_without_duplicates_or_gaps() {
    let mut store = Store::open_in_memory().expect("open");
    // 37 stories over 9 dates (several per date, some without a date).
    let mut expected = Vec::new();
    for n in 0..37u32 {
        let last = if n % 7 == 0 { None } else { Some(1 + n % 9) };
        let id = format!("s{n:02}");
        store.put_story(&story(&id, last, &["a1"])).expect("put");
        expected.push((last.and_then(date), id));
    }
    // Newest first: by date descending (no date last), then id descending.
    expected.sort_by(|a, b| (b.0.is_some(), b.0, &b.1).cmp(&(a.0.is_some(), a.0, &a.1)));
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();

    for limit in [1, 5, 10, 37, 100] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (page, next) = store.list_stories(limit, cursor.as_deref()).expect("page");
            assert!(page.len() <= limit);
            seen.extend(page.into_iter().map(|s| s.id));
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, expected, "limit {limit}");
    }
    let (empty, _) = store.list_stories(0, None).expect("limit 0");
    assert!(empty.is_empty());
}

#[test]
fn a_story_stored_between_pages_neither_repeats_nor_hides_others() {
    let mut store = Store::open_in_memory().expect("open");
    for n in 0..6u32 {
        store
            .put_story(&story(&format!("s{n}"), Some(1 + n), &[]))
            .expect("put");
    }
    let (first, cursor) = store.list_stories(3, None).expect("page 1");
    assert_eq!(
        first.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["s5", "s4", "s3"]
    );
    // A newer story arrives: it belongs before the first page, not in the second.
    store
        .put_story(&story("s9", Some(20), &[]))
        .expect("put newer");
    let (second, next) = store.list_stories(3, cursor.as_deref()).expect("page 2");
    assert_eq!(
        second.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["s2", "s1", "s0"]
    );
    assert_eq!(next, None);
}

#[test]
fn articles_page_newest_first_without_duplicates_or_gaps() {
    let mut store = Store::open_in_memory().expect("open");
    let batch: Vec<(Article, Extraction)> = (0..23)
        .map(|n| {
            let day = if n % 5 == 0 {
                None
            } else {
                Some(1 + (n % 4) as u32)
            };
            (article(n, day), Extraction::default())
        })
        .collect();
    store.insert_batch(&batch).expect("insert");
    let mut expected: Vec<(Option<NaiveDate>, String)> = batch
        .iter()
        .map(|(a, _)| (a.published, a.id.clone()))
        .collect();
    expected.sort_by(|a, b| (b.0.is_some(), b.0, &b.1).cmp(&(a.0.is_some(), a.0, &a.1)));
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();

    for limit in [1, 4, 23, 50] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (page, next) = store.list_articles(limit, cursor.as_deref()).expect("page");
            assert!(page.len() <= limit);
            seen.extend(page.into_iter().map(|a| a.id));
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, expected, "limit {limit}");
    }
    let (page, _) = store.list_articles(1, None).expect("first");
    let a = &batch
        .iter()
        .find(|(a, _)| a.id == page[0].id)
        .expect("listed")
        .0;
    assert_eq!(page[0].title, a.title);
    assert_eq!(page[0].outlet, a.outlet);
    assert_eq!(page[0].published, a.published);

    // A scan pages the same way and returns whole records.
    let (records, next) = store.scan_articles(None, 5, None).expect("scan");
    assert_eq!(records.len(), 5);
    assert_eq!(
        records.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        expected[..5]
    );
    let (rest, _) = store
        .scan_articles(None, 100, next.as_deref())
        .expect("scan rest");
    assert_eq!(rest.len(), 18);
}

#[test]
fn bad_cursors_are_errors_not_panics() {
    let store = Store::open_in_memory().expect("open");
    for bad in [
        "",
        "~",
        "nonsense",
        "2025-13-40~x",
        "2025-04-01~",
        "'; DROP TABLE stories; --",
    ] {
        assert!(
            matches!(
                store.list_stories(10, Some(bad)),
                Err(StoreError::BadCursor { .. })
            ),
            "{bad:?}"
        );
        assert!(
            matches!(
                store.list_articles(10, Some(bad)),
                Err(StoreError::BadCursor { .. })
            ),
            "{bad:?}"
        );
    }
    // A well-formed cursor for a row that is gone just pages on from where it was.
    assert!(
        store
            .list_stories(10, Some("2025-04-01~gone"))
            .expect("ok")
            .0
            .is_empty()
    );
    assert!(
        store
            .list_stories(usize::MAX, None)
            .expect("huge limit")
            .0
            .is_empty()
    );
}
