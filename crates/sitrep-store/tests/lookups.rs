//! Lookups through the derived tables: quotes by speaker, disagreements by subject and slot,
//! article texts; pages of whole articles (stories) without repeats or gaps; rows replaced and
//! removed with their stories; a version 2 store gets them filled when it is migrated.

use std::collections::BTreeSet;

use sitrep_model::{
    Article, Disagreement, Extraction, Mention, NaiveDate, Quote, QuoteKind, SCHEMA, SourcedValue,
    Speaker, Story, StorySpan, TextField,
};
use sitrep_store::{FoundDisagreement, FoundQuote, Store};

#[macro_use]
mod common;
use common::Db;

backends!(
    quotes_are_found_by_the_words_of_their_speaker,
    quote_pages_hold_whole_articles_without_repeats_or_gaps,
    quotes_of_articles_come_in_the_order_asked,
    disagreements_are_found_by_subject_and_slot,
    disagreement_pages_hold_whole_stories_without_repeats_or_gaps,
    disagreement_rows_follow_their_story,
    article_texts_are_read_without_the_analysis,
    a_version_2_store_gets_its_lookup_tables_filled,
);

fn date(d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2025, 3, d)
}

fn quote(text: &str, speaker: Option<&str>) -> Quote {
    Quote {
        text: text.to_string(),
        kind: QuoteKind::Direct,
        speaker: speaker.map(|name| Speaker {
            entity: Some("E1".to_string()),
            name: name.to_string(),
            mention: Mention {
                text: name.to_string(),
                start: 0,
                end: name.len(),
            },
        }),
        cue: Some("said".to_string()),
        field: TextField::Body,
        start: 1,
        end: 1 + text.len(),
    }
}

/// Article `n` of day `day`, whose quotes are spoken by `speakers` in order.
fn article(n: usize, day: Option<u32>, speakers: &[Option<&str>]) -> (Article, Extraction) {
    let mut a = Article::new(
        &format!("fixtures/ferry-{n}.txt"),
        format!("The ferry board of Tollen met, item {n}. \"We sail at dawn,\" a member said."),
    );
    a.title = Some(format!("Ferry board ({n})"));
    a.outlet = Some("tollen-post.example".to_string());
    a.published = day.and_then(date);
    let extraction = Extraction {
        quotes: speakers
            .iter()
            .enumerate()
            .map(|(i, s)| quote(&format!("Quote {i} of article {n}"), *s))
            .collect(),
        ..Extraction::default()
    };
    (a, extraction)
}

fn said(found: &[FoundQuote]) -> Vec<(String, usize, String)> {
    found
        .iter()
        .map(|q| {
            (
                q.article.title.clone().unwrap_or_default(),
                q.index,
                q.quote
                    .speaker
                    .as_ref()
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn t(title: &str, index: usize, speaker: &str) -> (String, usize, String) {
    (title.to_string(), index, speaker.to_string())
}

fn quotes_are_found_by_the_words_of_their_speaker(db: &Db) {
    let mut store = db.open();
    store
        .insert_batch(&[
            article(
                1,
                Some(3),
                &[Some("Prime Minister Ilsa Varn"), None, Some("Ilsa Varn")],
            ),
            article(2, Some(5), &[Some("Bodo Varnholt"), Some("ILSA VARN")]),
            article(3, None, &[Some("Ilsa Varn-Ostby")]),
            article(4, Some(4), &[Some("Varn Ilsa")]),
        ])
        .expect("insert");

    let (found, next) = store
        .quotes_by_speaker("ilsa varn", 50, None)
        .expect("lookup");
    assert_eq!(next, None);
    // Newest article first, undated last; an article's quotes in order; the words in order
    // and together ("Varn Ilsa" is not "Ilsa Varn"; "Varnholt" is not "Varn").
    assert_eq!(
        said(&found),
        [
            t("Ferry board (2)", 1, "ILSA VARN"),
            t("Ferry board (1)", 0, "Prime Minister Ilsa Varn"),
            t("Ferry board (1)", 2, "Ilsa Varn"),
            t("Ferry board (3)", 0, "Ilsa Varn-Ostby"),
        ]
    );
    assert_eq!(found[0].article.published, date(5));
    assert_eq!(
        found[0].article.outlet.as_deref(),
        Some("tollen-post.example")
    );
    assert_eq!(found[0].quote.text, "Quote 1 of article 2");

    let (found, _) = store.quotes_by_speaker("Varn", 50, None).expect("lookup");
    assert_eq!(found.len(), 5);
    let (found, _) = store.quotes_by_speaker("Bodo", 50, None).expect("lookup");
    assert_eq!(said(&found), [t("Ferry board (2)", 0, "Bodo Varnholt")]);
    for nobody in ["Orm", "", " ,. ", "Ilsa Varnholt"] {
        let (found, next) = store.quotes_by_speaker(nobody, 50, None).expect("lookup");
        assert!(found.is_empty() && next.is_none(), "{nobody:?}: {found:?}");
    }
    assert!(
        store
            .quotes_by_speaker("Varn", 10, Some("not a cursor"))
            .is_err()
    );
}

/// Every page of `page` until the end, with the check that each page ends on a whole group.
fn all_pages<T: Clone>(
    limit: usize,
    mut page: impl FnMut(Option<&str>) -> (Vec<T>, Option<String>),
) -> Vec<Vec<T>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (items, next) = page(cursor.as_deref());
        pages.push(items);
        match next {
            Some(n) => {
                assert!(
                    pages.last().expect("page").len() >= limit,
                    "a short page has a next"
                );
                cursor = Some(n);
            }
            None => return pages,
        }
        assert!(pages.len() < 1000, "paging does not end");
    }
}

fn quote_pages_hold_whole_articles_without_repeats_or_gaps(db: &Db) {
    let mut store = db.open();
    // 300 articles over 10 days (and some undated), 1 to 3 quotes by Ilsa Varn each, and one
    // quote by someone else: more rows than one read of the lookup.
    let batch: Vec<_> = (0..300)
        .map(|n| {
            let day = (n % 11 != 0).then_some(1 + (n % 10) as u32);
            let mut speakers = vec![Some("Ilsa Varn"); 1 + n % 3];
            speakers.insert(n % 2, Some("Bodo Lind"));
            article(n, day, &speakers)
        })
        .collect();
    store.insert_batch(&batch).expect("insert");
    let (everything, next) = store.quotes_by_speaker("Varn", 10_000, None).expect("all");
    assert_eq!(next, None);
    assert_eq!(everything.len(), (0..300).map(|n| 1 + n % 3).sum::<usize>());

    for limit in [1, 2, 7, 50] {
        let pages = all_pages(limit, |c| {
            store.quotes_by_speaker("Varn", limit, c).expect("page")
        });
        let flat: Vec<FoundQuote> = pages.iter().flatten().cloned().collect();
        assert_eq!(flat, everything, "limit {limit}");
        // No article is split between two pages.
        let mut seen = BTreeSet::new();
        for page in &pages {
            let ids: BTreeSet<&str> = page.iter().map(|q| q.article.id.as_str()).collect();
            for id in &ids {
                assert!(seen.insert(id.to_string()), "article {id} on two pages");
            }
        }
    }
}

fn quotes_of_articles_come_in_the_order_asked(db: &Db) {
    let mut store = db.open();
    let a = article(1, Some(1), &[Some("Ilsa Varn"), None]);
    let b = article(2, Some(2), &[Some("Bodo Lind")]);
    let c = article(3, Some(3), &[]);
    store
        .insert_batch(&[a.clone(), b.clone(), c.clone()])
        .expect("insert");
    let found = store
        .quotes_of_articles(&[&b.0.id, "missing", &c.0.id, &a.0.id])
        .expect("quotes");
    assert_eq!(
        said(&found),
        [
            t("Ferry board (2)", 0, "Bodo Lind"),
            t("Ferry board (1)", 0, "Ilsa Varn"),
            t("Ferry board (1)", 1, ""),
        ]
    );
    assert_eq!(found[2].quote, a.1.quotes[1]);
}

fn disagreement(subject: &str, slot: &str) -> Disagreement {
    let value = |v: &str, article: &str| SourcedValue {
        value: v.to_string(),
        article: article.to_string(),
        start: 0,
        end: v.len(),
    };
    Disagreement {
        subject: subject.to_string(),
        slot: slot.to_string(),
        values: vec![value("first", "a1"), value("second", "a2")],
        within_article: false,
    }
}

fn story(id: &str, last: Option<u32>, disagreements: Vec<Disagreement>) -> Story {
    Story {
        schema: SCHEMA.to_string(),
        id: id.to_string(),
        title: format!("Story {id}"),
        articles: vec!["a1".to_string(), "a2".to_string()],
        outlets: vec![],
        span: StorySpan {
            first: date(1),
            last: last.and_then(date),
        },
        thread: None,
        entities: vec![],
        quotes: vec![],
        events: vec![],
        proposals: vec![],
        disagreements,
    }
}

fn listed(found: &[FoundDisagreement]) -> Vec<(String, usize, String, String)> {
    found
        .iter()
        .map(|d| {
            (
                d.story.clone(),
                d.index,
                d.disagreement.subject.clone(),
                d.disagreement.slot.clone(),
            )
        })
        .collect()
}

fn l(story: &str, index: usize, subject: &str, slot: &str) -> (String, usize, String, String) {
    (
        story.to_string(),
        index,
        subject.to_string(),
        slot.to_string(),
    )
}

fn disagreements_are_found_by_subject_and_slot(db: &Db) {
    let mut store = db.open();
    for s in [
        story(
            "s1",
            Some(2),
            vec![
                disagreement("Ilsa Varn", "role"),
                disagreement("the Tollen ferry strike", "killed"),
            ],
        ),
        story(
            "s2",
            Some(6),
            vec![disagreement("Ilsa Varn", "counterpart")],
        ),
        story("s3", None, vec![disagreement("Varn Ilsa", "Role")]),
        story("s4", Some(4), vec![]),
    ] {
        store.put_story(&s).expect("put");
    }
    let find = |slot: Option<&str>, subject: Option<&str>| {
        let (found, next) = store
            .find_disagreements(slot, subject, 50, None)
            .expect("find");
        assert_eq!(next, None);
        listed(&found)
    };
    assert_eq!(
        find(None, Some("ilsa VARN")),
        [
            l("s2", 0, "Ilsa Varn", "counterpart"),
            l("s1", 0, "Ilsa Varn", "role")
        ]
    );
    assert_eq!(
        find(Some("ROLE"), None),
        [
            l("s1", 0, "Ilsa Varn", "role"),
            l("s3", 0, "Varn Ilsa", "Role")
        ]
    );
    assert_eq!(find(Some("role"), Some("Varn")).len(), 2);
    assert_eq!(
        find(Some("role"), Some("Ilsa Varn")),
        [l("s1", 0, "Ilsa Varn", "role")]
    );
    assert_eq!(
        find(None, Some("ferry strike")),
        [l("s1", 1, "the Tollen ferry strike", "killed")]
    );
    assert_eq!(find(None, None).len(), 4);
    assert!(find(Some("place"), None).is_empty());
    assert!(find(None, Some("strike ferry")).is_empty());
    assert!(find(None, Some("--")).is_empty());
    let (found, _) = store
        .find_disagreements(None, Some("Varn"), 50, None)
        .expect("find");
    assert_eq!(found[0].story_title, "Story s2");
    assert_eq!(found[0].story_last, date(6));
    assert_eq!(
        found[0].disagreement,
        disagreement("Ilsa Varn", "counterpart")
    );
}

fn disagreement_pages_hold_whole_stories_without_repeats_or_gaps(db: &Db) {
    let mut store = db.open();
    let stories: Vec<Story> = (0..120)
        .map(|n| {
            let last = (n % 13 != 0).then_some(1 + (n % 9) as u32);
            let mut ds = vec![disagreement("Ilsa Varn", "role"); 1 + n % 3];
            ds.push(disagreement("Bodo Lind", "role"));
            story(&format!("s{n:03}"), last, ds)
        })
        .collect();
    store
        .refresh_stories(|_| Ok::<_, sitrep_store::StoreError>(stories))
        .expect("refresh");
    for (slot, subject, total) in [
        (None, Some("Varn"), 240),
        (Some("role"), None, 360),
        (None, None, 360),
        (Some("role"), Some("Lind"), 120),
    ] {
        let (everything, next) = store
            .find_disagreements(slot, subject, 10_000, None)
            .expect("all");
        assert_eq!((everything.len(), next), (total, None));
        for limit in [1, 5, 64] {
            let pages = all_pages(limit, |c| {
                store
                    .find_disagreements(slot, subject, limit, c)
                    .expect("page")
            });
            let flat: Vec<FoundDisagreement> = pages.iter().flatten().cloned().collect();
            assert_eq!(flat, everything, "{slot:?} {subject:?} limit {limit}");
            let mut seen = BTreeSet::new();
            for page in &pages {
                let ids: BTreeSet<&str> = page.iter().map(|d| d.story.as_str()).collect();
                for id in ids {
                    assert!(seen.insert(id.to_string()), "story {id} on two pages");
                }
            }
        }
    }
}

fn disagreement_rows_follow_their_story(db: &Db) {
    let mut store = db.open();
    let count = |store: &Store, subject: &str| {
        store
            .find_disagreements(None, Some(subject), 50, None)
            .expect("find")
            .0
            .len()
    };
    store
        .put_story(&story(
            "s1",
            Some(2),
            vec![disagreement("Ilsa Varn", "role")],
        ))
        .expect("put");
    store
        .put_story(&story(
            "s2",
            Some(3),
            vec![disagreement("Ilsa Varn", "role")],
        ))
        .expect("put");
    assert_eq!(count(&store, "Varn"), 2);
    // Replaced: the old subject is gone, the new one found.
    store
        .put_story(&story(
            "s1",
            Some(2),
            vec![disagreement("Bodo Lind", "place")],
        ))
        .expect("put again");
    assert_eq!((count(&store, "Varn"), count(&store, "Lind")), (1, 1));
    // Deleted.
    assert!(store.delete_story("s2").expect("delete"));
    assert_eq!(count(&store, "Varn"), 0);
    // Removed by a refresh that no longer makes it.
    store
        .refresh_stories(|_| {
            Ok::<_, sitrep_store::StoreError>(vec![story(
                "s3",
                Some(1),
                vec![disagreement("Ilsa Varn", "role")],
            )])
        })
        .expect("refresh");
    assert_eq!((count(&store, "Varn"), count(&store, "Lind")), (1, 0));
}

fn article_texts_are_read_without_the_analysis(db: &Db) {
    let mut store = db.open();
    let a = article(1, Some(2), &[Some("Ilsa Varn")]);
    let b = article(2, None, &[]);
    store.insert_batch(&[a.clone(), b.clone()]).expect("insert");
    let texts = store
        .article_texts(&[&b.0.id, "missing", &a.0.id])
        .expect("texts");
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[0].article.id, b.0.id);
    assert_eq!(texts[0].article.published, None);
    assert_eq!(texts[1].body, a.0.body);
    assert_eq!(texts[1].article.title, a.0.title);
    assert_eq!(texts[1].article.published, date(2));
}

fn a_version_2_store_gets_its_lookup_tables_filled(db: &Db) {
    let mut store = db.open();
    store
        .insert_batch(&[
            article(1, Some(3), &[Some("Ilsa Varn"), None]),
            article(2, None, &[Some("Ilsa Varn")]),
        ])
        .expect("insert");
    store
        .put_story(&story(
            "s1",
            Some(2),
            vec![disagreement("Ilsa Varn", "role")],
        ))
        .expect("put");
    let quotes = store.quotes_by_speaker("Varn", 50, None).expect("quotes");
    let disagreements = store
        .find_disagreements(None, Some("Varn"), 50, None)
        .expect("disagreements");
    assert_eq!((quotes.0.len(), disagreements.0.len()), (2, 1));
    drop(store);

    db.downgrade_to_v2();
    let store = db.open();
    assert_eq!(
        store.schema_version().expect("version"),
        sitrep_store::SCHEMA_VERSION
    );
    assert_eq!(
        store.quotes_by_speaker("Varn", 50, None).expect("quotes"),
        quotes
    );
    assert_eq!(
        store
            .find_disagreements(None, Some("Varn"), 50, None)
            .expect("disagreements"),
        disagreements
    );
}
