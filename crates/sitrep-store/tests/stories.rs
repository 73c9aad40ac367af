//! Stories in the store and the paged listings: round trip, replace, article links, newest-first
//! pagination without duplicates or gaps, bad cursors.

use sitrep_model::{
    Article, Disagreement, Extraction, NaiveDate, SCHEMA, SourcedValue, Story, StoryEntity,
    StoryQuote, StorySpan,
};
use sitrep_store::{Store, StoreError};

#[macro_use]
mod common;
use common::Db;

backends!(
    a_story_round_trips_with_its_summary_and_links,
    putting_a_story_again_replaces_it_and_its_links,
    a_story_without_id_is_refused,
    stories_page_newest_first_without_duplicates_or_gaps,
    a_story_stored_between_pages_neither_repeats_nor_hides_others,
    articles_page_newest_first_without_duplicates_or_gaps,
    bad_cursors_are_errors_not_panics,
    a_refresh_replaces_all_stories_and_removes_stale_ones,
    concurrent_refreshes_run_one_after_the_other,
    stories_overlapping_a_window_are_found_by_their_span,
    stories_ending_in_a_window_are_summarised_newest_first,
    articles_published_between_two_dates_are_listed_by_id,
    a_scoped_refresh_replaces_only_the_stories_in_scope,
    articles_are_unclustered_until_a_story_holds_them,
    a_migrated_store_lists_the_articles_no_story_holds,
);

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
        proposals: vec![],
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

fn a_story_round_trips_with_its_summary_and_links(db: &Db) {
    let mut store = db.open();
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

fn putting_a_story_again_replaces_it_and_its_links(db: &Db) {
    let mut store = db.open();
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

fn a_story_without_id_is_refused(db: &Db) {
    let mut store = db.open();
    let err = store
        .put_story(&story("", None, &[]))
        .expect_err("empty id");
    assert!(matches!(err, StoreError::EmptyStoryId), "{err}");
}

fn stories_page_newest_first_without_duplicates_or_gaps(db: &Db) {
    let mut store = db.open();
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

fn a_story_stored_between_pages_neither_repeats_nor_hides_others(db: &Db) {
    let mut store = db.open();
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

fn articles_page_newest_first_without_duplicates_or_gaps(db: &Db) {
    let mut store = db.open();
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

fn bad_cursors_are_errors_not_panics(db: &Db) {
    let store = db.open();
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

fn a_refresh_replaces_all_stories_and_removes_stale_ones(db: &Db) {
    let mut store = db.open();
    store
        .put_story(&story("old", Some(2), &["a1"]))
        .expect("put");
    store
        .put_story(&story("kept", Some(2), &["a1"]))
        .expect("put");
    let n = store
        .refresh_stories(|_| {
            Ok::<_, StoreError>(vec![
                story("kept", Some(4), &["a2"]),
                story("new", Some(3), &["a1"]),
            ])
        })
        .expect("refresh");
    assert_eq!(n, 2);
    let (page, _) = store.list_stories(10, None).expect("list");
    let ids: Vec<&str> = page.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["kept", "new"]);
    assert_eq!(page[0].last, date(4));
    assert!(store.get_story("old").expect("get").is_none());
    assert_eq!(store.stories_of_article("a2").expect("a2").len(), 1);

    // A failing build changes nothing.
    let err = store
        .refresh_stories(|_| Err::<Vec<Story>, _>(StoreError::EmptyStoryId))
        .expect_err("build fails");
    assert!(matches!(err, StoreError::EmptyStoryId), "{err}");
    // A story the store refuses fails the refresh and rolls it back.
    let err = store
        .refresh_stories(|_| Ok::<_, StoreError>(vec![story("", None, &[])]))
        .expect_err("empty id");
    assert!(matches!(err, StoreError::EmptyStoryId), "{err}");
    assert_eq!(store.count_stories().expect("count"), 2);
    // The connection is usable afterwards.
    store
        .put_story(&story("later", None, &[]))
        .expect("put after failures");
    assert_eq!(store.count_stories().expect("count"), 3);
}

/// Two workers refresh at once, the first slowly: the second waits for the first, so its
/// stories (built from every article, including one stored while the first was building) are
/// what stays. Without the lock the first would overwrite them with its older view.
fn concurrent_refreshes_run_one_after_the_other(db: &Db) {
    let mut store = db.open();
    store
        .insert_batch(&[(article(1, Some(1)), Extraction::default())])
        .expect("insert");
    // Stories named by how many articles their builder saw.
    let build = |s: &Store| -> Result<Vec<Story>, StoreError> {
        let n = s.count_articles()?;
        Ok(vec![story(&format!("seen-{n}"), Some(2), &[])])
    };
    let (building_tx, building) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        let slow = scope.spawn(|| {
            let mut first = db.open();
            first
                .refresh_stories(|s| {
                    let stories = build(s);
                    building_tx.send(()).expect("signal");
                    std::thread::sleep(std::time::Duration::from_millis(400));
                    stories
                })
                .expect("slow refresh")
        });
        building.recv().expect("the slow refresh started");
        // Storing articles is not held up by a refresh.
        store
            .insert_batch(&[(article(2, Some(2)), Extraction::default())])
            .expect("insert during a refresh");
        store.refresh_stories(build).expect("second refresh");
        assert_eq!(slow.join().expect("slow thread"), 1);
    });
    let (page, _) = store.list_stories(10, None).expect("list");
    let ids: Vec<&str> = page.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["seen-2"]);
}

/// A story spanning days `first` to `last` of April 2025.
fn spanning(id: &str, first: u32, last: u32, articles: &[&str]) -> Story {
    let mut s = story(id, Some(last), articles);
    s.span.first = date(first);
    s
}

fn stories_overlapping_a_window_are_found_by_their_span(db: &Db) {
    let mut store = db.open();
    for s in [
        spanning("early", 1, 3, &["a1"]),
        spanning("across", 4, 12, &["a2"]),
        spanning("inside", 8, 9, &["a3"]),
        spanning("late", 20, 25, &["a4"]),
        story("undated", None, &["a5"]),
    ] {
        store.put_story(&s).expect("put");
    }
    let d = |n| date(n).expect("date");
    let ids = |from, to| -> Vec<String> {
        store
            .stories_overlapping(d(from), d(to))
            .expect("overlapping")
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(ids(7, 10), ["across", "inside"]);
    // Both ends count.
    assert_eq!(ids(3, 4), ["across", "early"]);
    assert_eq!(ids(25, 30), ["late"]);
    assert!(ids(13, 19).is_empty());
    // The whole story comes back.
    let found = store
        .stories_overlapping(d(20), d(20))
        .expect("overlapping");
    assert_eq!(found, [spanning("late", 20, 25, &["a4"])]);
}

fn stories_ending_in_a_window_are_summarised_newest_first(db: &Db) {
    let mut store = db.open();
    for s in [
        spanning("early", 1, 3, &["a1"]),
        spanning("across", 4, 12, &["a2"]),
        spanning("inside", 8, 9, &["a3"]),
        spanning("twin", 8, 9, &["a6", "a7"]),
        spanning("late", 20, 25, &["a4"]),
        story("undated", None, &["a5"]),
    ] {
        store.put_story(&s).expect("put");
    }
    let d = |n| date(n).expect("date");
    let ids = |from, to| -> Vec<String> {
        store
            .stories_ending_between(d(from), d(to))
            .expect("ending")
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    // Only the last date counts ("across" began before 9 but ends after it); both ends count.
    assert_eq!(ids(3, 9), ["twin", "inside", "early"]);
    assert_eq!(ids(9, 12), ["across", "twin", "inside"]);
    assert!(ids(13, 24).is_empty());
    let found = store.stories_ending_between(d(25), d(25)).expect("ending");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].thread, spanning("late", 20, 25, &["a4"]).thread);
    assert_eq!(found[0].first, date(20));
    assert_eq!(found[0].articles, 1);
}

fn articles_published_between_two_dates_are_listed_by_id(db: &Db) {
    let mut store = db.open();
    let batch: Vec<(Article, Extraction)> = [Some(1), Some(3), Some(3), Some(5), None]
        .into_iter()
        .enumerate()
        .map(|(n, d)| (article(n, d), Extraction::default()))
        .collect();
    store.insert_batch(&batch).expect("insert");
    let d = |n| date(n).expect("date");
    let mut expected: Vec<String> = batch[1..4].iter().map(|(a, _)| a.id.clone()).collect();
    expected.sort();
    assert_eq!(
        store
            .articles_published_between(d(2), d(5))
            .expect("between"),
        expected
    );
    assert_eq!(
        store
            .articles_published_between(d(1), d(1))
            .expect("between"),
        [batch[0].0.id.clone()]
    );
    assert!(
        store
            .articles_published_between(d(6), d(30))
            .expect("between")
            .is_empty()
    );
}

fn a_scoped_refresh_replaces_only_the_stories_in_scope(db: &Db) {
    let mut store = db.open();
    for s in [
        spanning("far", 1, 2, &["a1"]),
        spanning("gone", 10, 11, &["a2"]),
        spanning("kept", 10, 12, &["a3"]),
    ] {
        store.put_story(&s).expect("put");
    }
    let far = store.list_stories(10, None).expect("list").0;
    let far = far.iter().find(|s| s.id == "far").expect("far").clone();
    let n = store
        .refresh_stories_in(|_| {
            Ok::<_, StoreError>((
                vec!["gone".to_string(), "kept".to_string()],
                vec![
                    spanning("kept", 10, 14, &["a3", "a6"]),
                    spanning("new", 13, 14, &["a2"]),
                ],
            ))
        })
        .expect("refresh");
    assert_eq!(n, 2);
    let page = store.list_stories(10, None).expect("list").0;
    let ids: Vec<&str> = page.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["new", "kept", "far"]);
    // Outside the scope: the very same row.
    assert_eq!(page[2], far);
    assert_eq!(page[1].last, date(14));
    assert_eq!(store.stories_of_article("a2").expect("a2")[0].id, "new");
    assert_eq!(store.stories_of_article("a6").expect("a6")[0].id, "kept");

    // A failing build changes nothing.
    let err = store
        .refresh_stories_in(|_| Err::<(Vec<String>, Vec<Story>), _>(StoreError::EmptyStoryId))
        .expect_err("build fails");
    assert!(matches!(err, StoreError::EmptyStoryId), "{err}");
    assert_eq!(store.count_stories().expect("count"), 3);
}

fn articles_are_unclustered_until_a_story_holds_them(db: &Db) {
    let mut store = db.open();
    let a = (article(1, Some(3)), Extraction::default());
    let b = (article(2, None), Extraction::default());
    let c = (article(3, Some(5)), Extraction::default());
    store
        .insert_batch(&[a.clone(), b.clone(), c.clone()])
        .expect("insert");
    let mut expected = vec![
        (a.0.id.clone(), date(3)),
        (b.0.id.clone(), None),
        (c.0.id.clone(), date(5)),
    ];
    expected.sort();
    assert_eq!(store.unclustered().expect("unclustered"), expected);
    // Inserting again (duplicates) changes nothing.
    store
        .insert_batch(std::slice::from_ref(&a))
        .expect("insert again");
    assert_eq!(store.unclustered().expect("unclustered").len(), 3);

    store
        .put_story(&story("s1", Some(3), &[&a.0.id, "not-stored"]))
        .expect("put");
    let left: Vec<String> = store
        .unclustered()
        .expect("unclustered")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut want = vec![b.0.id.clone(), c.0.id.clone()];
    want.sort();
    assert_eq!(left, want);

    // A refresh places the rest; an article stored after it waits for the next one.
    store
        .refresh_stories(|_| {
            Ok::<_, StoreError>(vec![
                story("s1", Some(3), &[&a.0.id]),
                story("s2", Some(5), &[&b.0.id, &c.0.id]),
            ])
        })
        .expect("refresh");
    assert!(store.unclustered().expect("unclustered").is_empty());
    let d = (article(4, Some(6)), Extraction::default());
    store
        .insert_batch(std::slice::from_ref(&d))
        .expect("insert late");
    assert_eq!(
        store.unclustered().expect("unclustered"),
        vec![(d.0.id.clone(), date(6))]
    );
}

fn a_migrated_store_lists_the_articles_no_story_holds(db: &Db) {
    let mut store = db.open();
    let a = (article(1, Some(3)), Extraction::default());
    let b = (article(2, Some(4)), Extraction::default());
    store.insert_batch(&[a.clone(), b.clone()]).expect("insert");
    store
        .put_story(&story("s1", Some(3), &[&a.0.id]))
        .expect("put");
    drop(store);
    db.downgrade_to_v2();
    let store = db.open();
    assert_eq!(
        store.unclustered().expect("unclustered"),
        vec![(b.0.id.clone(), date(4))]
    );
}
