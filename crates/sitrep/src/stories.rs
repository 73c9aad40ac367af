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
    for story in clusterer.stories() {
        let members: Vec<ArticleRecord> = story
            .articles
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).map(|r| (*r).clone()))
            .collect();
        if members.is_empty() {
            continue;
        }
        out.push(sitrep_link::story(
            &members,
            Some(format!("t{}", story.thread.0)),
        ));
    }
    out
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
