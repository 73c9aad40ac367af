//! `sitrep stories`, and the stories `sitrep ingest` keeps in the store: articles grouped into
//! stories and threads by `sitrep-stories`, each story's articles linked by `sitrep-link`
//! (canonical entities, merged quotes and events, disagreements).

use anyhow::Context;
use sitrep_model::{ArticleRecord, Story};
use sitrep_store::Store;

/// The stories of a set of article records, in the order of their first article.
pub fn build(records: &[ArticleRecord]) -> Vec<Story> {
    // Articles go in by publication date (then id): a stream in the order news arrives.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&records[a], &records[b]);
        (x.published.is_none(), x.published, &x.id).cmp(&(
            y.published.is_none(),
            y.published,
            &y.id,
        ))
    });
    let mut clusterer = sitrep_stories::Clusterer::new(sitrep_stories::Config::default());
    for &i in &order {
        clusterer.add(&sitrep_stories::ArticleFeatures::from_record(&records[i]));
    }
    clusterer.consolidate();
    let by_id: std::collections::HashMap<&str, &ArticleRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut out = Vec::new();
    let mut threads = Vec::new();
    for story in clusterer.stories() {
        let members: Vec<ArticleRecord> = story
            .articles
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).map(|r| (*r).clone()))
            .collect();
        if members.is_empty() {
            continue;
        }
        out.push(sitrep_link::story(&members, None));
        threads.push(story.thread.0);
    }
    name_threads(&mut out, &threads);
    out
}

/// Names each story's thread by a rule that does not depend on the clusterer's numbering, so a
/// thread keeps its id when a new story joins it: `t` + the id of the thread's earliest article
/// (publication date, undated last, then article id), which is its first story's id without the
/// `s`. The id changes only when an article older than all the thread's joins it (a backfill)
/// or when two threads merge (the merged thread takes the older one's id).
fn name_threads(stories: &mut [Story], threads: &[u32]) {
    use std::collections::BTreeMap;
    // The earliest (undated last, date, first article) of each clusterer thread.
    let mut first: BTreeMap<u32, (bool, Option<chrono::NaiveDate>, String)> = BTreeMap::new();
    for (story, &t) in stories.iter().zip(threads) {
        let Some(a) = story.articles.first() else {
            continue;
        };
        let key = (story.span.first.is_none(), story.span.first, a.clone());
        first
            .entry(t)
            .and_modify(|k| {
                if key < *k {
                    *k = key.clone();
                }
            })
            .or_insert(key);
    }
    for (story, t) in stories.iter_mut().zip(threads) {
        story.thread = first.get(t).map(|(_, _, a)| format!("t{a}"));
    }
}

/// Every article record in the store.
pub fn stored_records(store: &Store) -> anyhow::Result<Vec<ArticleRecord>> {
    let mut records = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (items, next) = store
            .list_articles(1000, cursor.as_deref())
            .context("cannot list the stored articles")?;
        for a in &items {
            if let Some(r) = store
                .get_article(&a.id)
                .with_context(|| format!("cannot read article {}", a.id))?
            {
                records.push(r);
            }
        }
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(records)
}

/// Recomputes the store's stories from all its articles and stores them; stories that no
/// longer exist (merged into others, or renamed by an earlier article) are removed. Refreshes by
/// several workers sharing a store run one after the other (the store's story lock), so the
/// stories that stay are built from every article stored before the last refresh began.
pub fn refresh(store: &mut Store) -> anyhow::Result<usize> {
    store.refresh_stories(|store| {
        let records = stored_records(store)?;
        Ok(build(&records))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(first: &str, day: u32) -> Story {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, day);
        Story {
            schema: sitrep_model::SCHEMA.to_string(),
            id: format!("s{first}"),
            title: String::new(),
            articles: vec![first.to_string()],
            outlets: vec![],
            span: sitrep_model::StorySpan {
                first: date,
                last: date,
            },
            thread: None,
            entities: vec![],
            quotes: vec![],
            events: vec![],
            disagreements: vec![],
            proposals: vec![],
        }
    }

    #[test]
    fn a_thread_keeps_its_id_when_a_story_joins() {
        // Clusterer numbering differs between runs: only the articles name the thread.
        let mut before = vec![story("b", 2), story("x", 1)];
        name_threads(&mut before, &[7, 3]);
        assert_eq!(before[0].thread.as_deref(), Some("tb"));
        assert_eq!(before[1].thread.as_deref(), Some("tx"));
        let mut after = vec![story("x", 1), story("c", 5), story("b", 2)];
        name_threads(&mut after, &[0, 1, 1]);
        assert_eq!(after[2].thread.as_deref(), Some("tb"));
        assert_eq!(after[1].thread.as_deref(), Some("tb"));
        assert_eq!(after[0].thread.as_deref(), Some("tx"));
    }
}
