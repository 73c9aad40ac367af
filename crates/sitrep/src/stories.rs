//! `sitrep stories`, and the stories `sitrep ingest` keeps in the store: articles grouped into
//! stories and threads by `sitrep-stories`, each story's articles linked by `sitrep-link`
//! (canonical entities, merged quotes and events, disagreements). After an ingest only the
//! stories near the new articles are recomputed ([`refresh_after`]); [`refresh`] recomputes
//! them all.
//!
//! The clustering setting follows the store: [`sitrep_stories::Config::with_embeddings`] with
//! each article's stored sentence embedding when every stored article has one
//! ([`Store::all_embedded`]: all were ingested with embeddings on), [`sitrep_stories::Config`]'s
//! defaults otherwise. One rule for the whole store, so a full and an incremental refresh
//! always cluster alike.

use std::collections::BTreeSet;

use anyhow::Context;
use sitrep_model::{ArticleRecord, NaiveDate, Story};
use sitrep_store::Store;

/// The stories of a set of article records, in the order of their first article. With an
/// `embedder`, each article's title and lead are embedded as `sitrep ingest` embeds them and
/// clustered with [`sitrep_stories::Config::with_embeddings`], as the store clusters embedded
/// articles; without, with the defaults.
pub fn build(
    records: &[ArticleRecord],
    embedder: Option<&sitrep_embed::Embedder>,
) -> anyhow::Result<Vec<Story>> {
    let mut feats: Vec<_> = records
        .iter()
        .map(sitrep_stories::ArticleFeatures::from_record)
        .collect();
    let config = match embedder {
        Some(embedder) => {
            let vectors = embed_leads(
                embedder,
                records
                    .iter()
                    .map(|r| (r.title.as_deref(), r.body.as_str())),
            )?;
            for (f, v) in feats.iter_mut().zip(vectors) {
                f.embedding = v;
            }
            sitrep_stories::Config::with_embeddings()
        }
        None => sitrep_stories::Config::default(),
    };
    Ok(build_observing(records, &feats, &[], 0, &config))
}

/// The embeddings of articles given as (title, body), in order: each of its
/// [`sitrep_embed::article_lead`], what the ingest stores and the stories compare.
pub fn embed_leads<'a>(
    embedder: &sitrep_embed::Embedder,
    articles: impl Iterator<Item = (Option<&'a str>, &'a str)>,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let texts: Vec<String> = articles
        .map(|(title, body)| sitrep_embed::article_lead(title, body))
        .collect();
    let vectors = embedder
        .embed(&texts)
        .context("cannot embed the articles' leads")?;
    Ok(vectors.into_iter().map(|v| v.to_vec()).collect())
}

/// The stories of a set of the store's article records, clustered with the store's setting
/// ([`Setting::of`]).
pub fn build_stored(store: &Store, records: &[ArticleRecord]) -> anyhow::Result<Vec<Story>> {
    let setting = Setting::of(store)?;
    let feats = setting.features(store, records)?;
    Ok(build_observing(records, &feats, &[], 0, &setting.config))
}

/// How the store's articles are clustered.
#[derive(Debug, Clone)]
pub struct Setting {
    pub config: sitrep_stories::Config,
    /// Whether the articles' stored embeddings are read into their features.
    pub embeddings: bool,
}

impl Setting {
    /// [`sitrep_stories::Config::with_embeddings`] when every stored article has an embedding,
    /// the defaults otherwise.
    pub fn of(store: &Store) -> anyhow::Result<Setting> {
        let embeddings = store
            .all_embedded()
            .context("cannot tell whether the stored articles have embeddings")?;
        let config = if embeddings {
            sitrep_stories::Config::with_embeddings()
        } else {
            sitrep_stories::Config::default()
        };
        Ok(Setting { config, embeddings })
    }

    /// Each record's clustering features, in the records' order, with its stored embedding
    /// when the setting reads them (an article without one keeps none: the clusterer scores
    /// its pairs without). The embeddings are read together ([`Store::get_embeddings`]: a
    /// query per 500 articles, not one per article).
    fn features(
        &self,
        store: &Store,
        records: &[ArticleRecord],
    ) -> anyhow::Result<Vec<sitrep_stories::ArticleFeatures>> {
        let embeddings = if self.embeddings {
            let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
            store
                .get_embeddings(&ids)
                .context("cannot read the articles' embeddings")?
        } else {
            std::collections::HashMap::new()
        };
        Ok(records
            .iter()
            .map(|r| {
                let mut f = sitrep_stories::ArticleFeatures::from_record(r);
                if let Some(v) = embeddings.get(&r.id) {
                    f.embedding = v.clone();
                }
                f
            })
            .collect())
    }
}

/// The order articles go to the clusterer: by publication date (undated last), then id.
fn arrival(r: &ArticleRecord) -> (bool, Option<NaiveDate>, &str) {
    (r.published.is_none(), r.published, r.id.as_str())
}

/// The orders a batch of records is clustered in ([`sitrep_stories::Config::consensus_runs`]):
/// articles go in by publication date (undated last), a stream in the order news arrives; within
/// a date by id in the first run and by the id salted per run in the others. None depends on
/// the order the records came in, so neither does the kept run.
fn consensus_orders(records: &[ArticleRecord], runs: usize) -> Vec<Vec<usize>> {
    (0..runs.max(1) as u64)
        .map(|run| {
            let mut order: Vec<usize> = (0..records.len()).collect();
            if run == 0 {
                order.sort_by_key(|&a| arrival(&records[a]));
            } else {
                order.sort_by_cached_key(|&a| {
                    let r = &records[a];
                    let salted = sitrep_stories::consensus::salted(&r.id, run);
                    (r.published.is_none(), r.published, salted, r.id.as_str())
                });
            }
            order
        })
        .collect()
}

/// [`build`] from the records and their [`features`], with a `background` sample of other
/// articles' features counted in the document frequencies first, as `represents` articles, but
/// placed in no story ([`sitrep_stories::Clusterer::observe_sample`]).
fn build_observing(
    records: &[ArticleRecord],
    feats: &[sitrep_stories::ArticleFeatures],
    background: &[sitrep_stories::ArticleFeatures],
    represents: u32,
    config: &sitrep_stories::Config,
) -> Vec<Story> {
    let clusterer = sitrep_stories::consensus::cluster_batch(
        config,
        feats,
        consensus_orders(records, config.consensus_runs),
        |c| c.observe_sample(background, represents),
    )
    .clusterer;
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
        build_stored(store, &records)
    })
}

/// Days added on each side of the clustering window when choosing the stories an incremental
/// refresh recomputes: room for stories that grew by consolidation past the window.
pub const WINDOW_MARGIN_DAYS: i64 = 2;

/// The dates of the articles no story holds yet, for the story refresh after an ingest.
#[derive(Debug, Clone, Default)]
struct Stored {
    /// Earliest and latest publication date of the articles.
    dates: Option<(NaiveDate, NaiveDate)>,
    /// Whether some article has no publication date.
    undated: bool,
}

impl Stored {
    /// Notes one unplaced article's publication date.
    fn add(&mut self, published: Option<NaiveDate>) {
        match published {
            None => self.undated = true,
            Some(d) => {
                self.dates = Some(match self.dates {
                    None => (d, d),
                    Some((lo, hi)) => (lo.min(d), hi.max(d)),
                })
            }
        }
    }
}

/// How a refresh after an ingest went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    /// Every story recomputed; how many there are.
    Full(usize),
    /// Only the stories near the new articles: how many were replaced, how many written.
    Incremental { replaced: usize, written: usize },
}

/// Updates the stories after articles were stored. The new articles are those no story holds
/// yet ([`Store::unclustered`]: this run's, and any an earlier ingest stored but was killed
/// before placing, by any worker). Re-clusters the articles near their dates (the stories whose
/// span overlaps those dates widened by the clustering window plus [`WINDOW_MARGIN_DAYS`],
/// their articles and every article published in that window) and replaces only the stories
/// the new articles changed (see [`affected`]); other stories are not touched. Falls back to
/// [`refresh`] when a new article is undated (undated articles have no window); does nothing
/// when there is none.
pub fn refresh_after(store: &mut Store) -> anyhow::Result<Refreshed> {
    let mut stored = Stored::default();
    for (_, published) in store
        .unclustered()
        .context("cannot list the articles in no story")?
    {
        stored.add(published);
    }
    match stored.dates {
        Some((lo, hi)) if !stored.undated => {
            let (replaced, written) = refresh_window(store, lo, hi)?;
            Ok(Refreshed::Incremental { replaced, written })
        }
        None if !stored.undated => Ok(Refreshed::Incremental {
            replaced: 0,
            written: 0,
        }),
        _ => Ok(Refreshed::Full(refresh(store)?)),
    }
}

/// The incremental refresh for new articles published from `lo` to `hi`; returns how many
/// stored stories were replaced and how many stories were written.
pub fn refresh_window(
    store: &mut Store,
    lo: NaiveDate,
    hi: NaiveDate,
) -> anyhow::Result<(usize, usize)> {
    let mut replaced = 0;
    let written = store.refresh_stories_in(|store| {
        // Read under the story lock, with the articles it clusters.
        let setting = Setting::of(store)?;
        let w = chrono::Duration::days(setting.config.window_days + WINDOW_MARGIN_DAYS);
        let from = lo.checked_sub_signed(w).unwrap_or(NaiveDate::MIN);
        let to = hi.checked_add_signed(w).unwrap_or(NaiveDate::MAX);
        let old = store
            .stories_overlapping(from, to)
            .with_context(|| format!("cannot read the stories from {from} to {to}"))?;
        let mut ids: BTreeSet<String> = store
            .articles_published_between(from, to)
            .with_context(|| format!("cannot list the articles from {from} to {to}"))?
            .into_iter()
            .collect();
        for story in &old {
            ids.extend(story.articles.iter().cloned());
        }
        let mut records = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(r) = store
                .get_article(id)
                .with_context(|| format!("cannot read article {id}"))?
            {
                records.push(r);
            }
        }
        let (background, represents) = background(store, &ids, from)?;
        // Features built once, for the stories and for resumed threads.
        let feats = setting.features(store, &records)?;
        let background = setting.features(store, &background)?;
        let mut stories =
            build_observing(&records, &feats, &background, represents, &setting.config);
        keep_thread_ids(&mut stories, &old);
        let known: BTreeSet<String> = old.iter().filter_map(|s| s.thread.clone()).collect();
        let (old_ids, mut new) = affected(old, stories);
        let subset = Subset {
            records: &records,
            feats: &feats,
            background: &background,
            before: from,
        };
        resume_threads(store, &mut new, &known, &subset, &setting)?;
        replaced = old_ids.len();
        Ok::<_, anyhow::Error>((old_ids, new))
    })?;
    Ok((replaced, written))
}

/// The re-clustered subset counts a sample of this many earlier articles in its document
/// frequencies ...
const BACKGROUND_ARTICLES: usize = 2000;
/// ... published at most this many days before it.
const BACKGROUND_DAYS: i64 = 90;

/// A sample of the articles published before the re-clustered subset, for its document
/// frequencies, and how many articles it stands for (every stored article outside the subset).
/// The full recompute reaches the subset's window having counted the whole stream before it;
/// the subset alone would weigh words by its own few thousand articles (a story's own rare
/// words weigh less against common ones in a smaller collection), and borderline stories
/// would join or part differently. Up to [`BACKGROUND_ARTICLES`] from the [`BACKGROUND_DAYS`]
/// before `before`, taken in id order (content hashes: a sample without a bias to any source
/// or day), standing for all `count - subset` articles.
fn background(
    store: &Store,
    subset: &BTreeSet<String>,
    before: NaiveDate,
) -> anyhow::Result<(Vec<ArticleRecord>, u32)> {
    let Some(to) = before.pred_opt() else {
        return Ok((Vec::new(), 0));
    };
    let from = to
        .checked_sub_signed(chrono::Duration::days(BACKGROUND_DAYS))
        .unwrap_or(NaiveDate::MIN);
    let ids = store
        .articles_published_between(from, to)
        .with_context(|| format!("cannot list the articles from {from} to {to}"))?;
    let mut out = Vec::new();
    for id in ids
        .iter()
        .filter(|id| !subset.contains(*id))
        .take(BACKGROUND_ARTICLES)
    {
        if let Some(r) = store
            .get_article(id)
            .with_context(|| format!("cannot read article {id}"))?
        {
            out.push(r);
        }
    }
    let stored = store
        .count_articles()
        .context("cannot count the stored articles")?;
    let outside = stored.saturating_sub(subset.len() as u64);
    let represents = u32::try_from(outside)
        .unwrap_or(u32::MAX)
        .max(out.len() as u32);
    Ok((out, represents))
}

/// The re-clustered subset of an incremental refresh: its records and their features, the
/// background sample's features, and the subset's first day.
#[derive(Clone, Copy)]
struct Subset<'a> {
    records: &'a [ArticleRecord],
    feats: &'a [sitrep_stories::ArticleFeatures],
    background: &'a [sitrep_stories::ArticleFeatures],
    before: NaiveDate,
}

/// At most this many earlier threads are offered to a new thread by [`resume_threads`] ...
const RESUME_CANDIDATES: usize = 16;
/// ... each with this many of its latest stories ...
const RESUME_STORIES: usize = 64;
/// ... and this many articles of each; at most this many articles in all.
const RESUME_ARTICLES: usize = 2;
const RESUME_MAX_ARTICLES: usize = 2000;

/// Threads resumed after a quiet spell. The re-clustered subset reaches back only the story
/// window, but a thread takes stories up to `thread_window_days` (180) apart: a storyline quiet
/// for three weeks would start a new thread where the full recompute continues the old one.
/// For each thread of `new` that no stored story had (`known`), the stored stories that ended
/// before the subset (`before`) but within the thread window are candidates; the threads of
/// those sharing a title word with the new thread's titles (the most shared first, at most
/// [`RESUME_CANDIDATES`] for each new thread) lend articles of their latest stories (a sample
/// of the thread's profile: [`RESUME_ARTICLES`] of each of [`RESUME_STORIES`] stories).
/// Those and the new thread's articles are clustered together (the rest of the subset and its
/// background counted in the document frequencies first), and a new thread whose
/// articles fall in the same clusterer thread as a candidate's takes the stored thread id
/// (most of the candidate's articles; ties: the smaller id). Only thread ids change; the
/// stories stay as the subset built them.
fn resume_threads(
    store: &Store,
    new: &mut [Story],
    known: &BTreeSet<String>,
    subset: &Subset<'_>,
    setting: &Setting,
) -> anyhow::Result<()> {
    use sitrep_stories::ArticleFeatures;
    use std::collections::{BTreeMap, HashMap};
    let Subset {
        records,
        feats,
        background,
        before,
    } = *subset;
    let fresh: BTreeSet<String> = new
        .iter()
        .filter_map(|s| s.thread.clone())
        .filter(|t| !known.contains(t))
        .collect();
    let config = setting.config.clone();
    let Some(start) = new
        .iter()
        .filter(|s| s.thread.as_ref().is_some_and(|t| fresh.contains(t)))
        .filter_map(|s| s.span.first)
        .min()
    else {
        return Ok(());
    };
    let reach = chrono::Duration::days(config.thread_window_days);
    let from = start.checked_sub_signed(reach).unwrap_or(NaiveDate::MIN);
    let Some(to) = before.pred_opt() else {
        return Ok(());
    };
    if to < from {
        return Ok(());
    }
    let index: HashMap<&str, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    // The new threads' articles and their title words.
    let mut members: BTreeMap<&str, &str> = BTreeMap::new();
    let mut words: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let title_words = |title: &str| -> BTreeSet<String> {
        ArticleFeatures::from_text("", title, None)
            .words
            .into_iter()
            .map(|(w, _)| w)
            .collect()
    };
    for story in new.iter() {
        let Some(t) = story.thread.as_deref().filter(|t| fresh.contains(*t)) else {
            continue;
        };
        let bag = words.entry(t).or_default();
        bag.extend(title_words(&story.title));
        for a in &story.articles {
            if let Some(r) = index.get(a.as_str()).map(|&i| &records[i]) {
                members.insert(r.id.as_str(), t);
                if let Some(title) = &r.title {
                    bag.extend(title_words(title));
                }
            }
        }
    }
    // Each earlier thread's latest stories (the listing is newest first) and their title words.
    let ended = store
        .stories_ending_between(from, to)
        .with_context(|| format!("cannot list the stories ending from {from} to {to}"))?;
    let mut earlier: Vec<(String, Vec<String>, BTreeSet<String>)> = Vec::new();
    let mut slot: HashMap<String, usize> = HashMap::new();
    for summary in ended {
        let Some(thread) = summary.thread.clone() else {
            continue;
        };
        if fresh.contains(&thread) {
            continue;
        }
        let i = *slot.entry(thread.clone()).or_insert_with(|| {
            earlier.push((thread, Vec::new(), BTreeSet::new()));
            earlier.len() - 1
        });
        let (_, stories, bag) = &mut earlier[i];
        if stories.len() < RESUME_STORIES {
            stories.push(summary.id);
            bag.extend(title_words(&summary.title));
        }
    }
    // For each new thread, the earlier threads sharing the most title words (newest first
    // among equals); then taken round-robin, best first, so every new thread gets its best.
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, _, w)) in earlier.iter().enumerate() {
        for word in w {
            postings.entry(word.as_str()).or_default().push(i);
        }
    }
    let mut ranked: Vec<Vec<usize>> = Vec::new();
    for bag in words.values() {
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for word in bag {
            for &i in postings.get(word.as_str()).into_iter().flatten() {
                *shared.entry(i).or_default() += 1;
            }
        }
        let mut scored: Vec<(usize, usize)> = shared.into_iter().map(|(i, n)| (n, i)).collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.push(
            scored
                .into_iter()
                .take(RESUME_CANDIDATES)
                .map(|(_, i)| i)
                .collect(),
        );
    }
    let mut order: Vec<usize> = Vec::new();
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    for rank in 0..RESUME_CANDIDATES {
        for list in &ranked {
            if let Some(&i) = list.get(rank)
                && taken.insert(i)
            {
                order.push(i);
            }
        }
    }
    if order.is_empty() {
        return Ok(());
    }
    let mut context: Vec<ArticleRecord> = Vec::new();
    let mut lent: HashMap<String, String> = HashMap::new();
    'threads: for i in order {
        let (thread, stories, _) = &earlier[i];
        for id in stories {
            let Some(story) = store
                .get_story(id)
                .with_context(|| format!("cannot read story {id}"))?
            else {
                continue;
            };
            for a in story.articles.iter().take(RESUME_ARTICLES) {
                if context.len() >= RESUME_MAX_ARTICLES {
                    break 'threads;
                }
                if members.contains_key(a.as_str()) || lent.contains_key(a) {
                    continue;
                }
                if let Some(r) = store
                    .get_article(a)
                    .with_context(|| format!("cannot read article {a}"))?
                {
                    lent.insert(r.id.clone(), thread.clone());
                    context.push(r);
                }
            }
        }
    }
    // The lent articles' features, and the new threads' own (built by the caller).
    let lent_feats = setting.features(store, &context)?;
    let mut all: Vec<(&ArticleRecord, &ArticleFeatures)> =
        context.iter().zip(&lent_feats).collect();
    all.extend(
        members
            .keys()
            .filter_map(|a| index.get(a).map(|&i| (&records[i], &feats[i]))),
    );
    all.sort_by_key(|(r, _)| arrival(r));
    let mut clusterer = sitrep_stories::Clusterer::new(config);
    let others = records
        .iter()
        .zip(feats)
        .filter(|(r, _)| !members.contains_key(r.id.as_str()))
        .map(|(_, f)| f);
    // The threads come as samples (a few articles of each of their latest stories), so the
    // background is counted as the sample it is too, not scaled up to the stream it stands
    // for as the subset's clustering counts it: a collection of samples, weighed as one.
    // Scaled, 32 of the refresh bench's 50 resumed threads differed from the full recompute
    // after a 30-day gap; as is, 1.
    for f in background.iter().chain(others) {
        clusterer.observe(f);
    }
    for (_, f) in &all {
        clusterer.add(f);
    }
    clusterer.consolidate();
    // Per clusterer thread: the stored threads lending articles to it, and the new threads in it.
    let mut lenders: BTreeMap<u32, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut joined: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
    for story in clusterer.stories() {
        for a in &story.articles {
            if let Some(t) = lent.get(a) {
                *lenders
                    .entry(story.thread.0)
                    .or_default()
                    .entry(t.as_str())
                    .or_default() += 1;
            } else if let Some(t) = members.get(a.as_str()) {
                joined.entry(t).or_default().insert(story.thread.0);
            }
        }
    }
    let mut rename: BTreeMap<String, String> = BTreeMap::new();
    for (t, threads) in joined {
        let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
        for c in threads {
            for (old, n) in lenders.get(&c).into_iter().flatten() {
                *tally.entry(old).or_default() += n;
            }
        }
        let mut best: Option<(&str, usize)> = None;
        for (old, n) in tally {
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((old, n));
            }
        }
        if let Some((old, _)) = best {
            rename.insert(t.to_string(), old.to_string());
        }
    }
    for story in new.iter_mut() {
        if let Some(t) = story.thread.as_ref().and_then(|t| rename.get(t)) {
            story.thread = Some(t.clone());
        }
    }
    Ok(())
}

/// Of the re-clustered subset, the part the new articles changed: old and new stories linked
/// by shared articles form groups; the groups holding an article that was in no old story (a
/// new one) are replaced (their old story ids, their new stories), every other group keeps its
/// stored stories. The subset has no history before its window, so re-clustering its early
/// edge alone can group articles differently from the full recompute; those groups, out of
/// the new articles' reach, are not rewritten.
fn affected(old: Vec<Story>, new: Vec<Story>) -> (Vec<String>, Vec<Story>) {
    use std::collections::BTreeMap;
    // Union-find over old stories 0..o and new stories o..o+n.
    let o = old.len();
    let mut parent: Vec<usize> = (0..o + new.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, story) in old.iter().enumerate() {
        for a in &story.articles {
            if let Some(&j) = owner.get(a.as_str()) {
                let (x, y) = (root(&mut parent, i), root(&mut parent, j));
                parent[x] = y;
            }
            owner.insert(a.as_str(), i);
        }
    }
    let mut seeds = Vec::new();
    for (j, story) in new.iter().enumerate() {
        for a in &story.articles {
            match owner.get(a.as_str()) {
                Some(&i) => {
                    let (x, y) = (root(&mut parent, o + j), root(&mut parent, i));
                    parent[x] = y;
                }
                None => seeds.push(o + j),
            }
        }
    }
    let hit: BTreeSet<usize> = seeds.into_iter().map(|s| root(&mut parent, s)).collect();
    let old_ids = old
        .iter()
        .enumerate()
        .filter(|(i, _)| hit.contains(&root(&mut parent, *i)))
        .map(|(_, s)| s.id.clone())
        .collect();
    let stories = new
        .into_iter()
        .enumerate()
        .filter(|(j, _)| hit.contains(&root(&mut parent, o + j)))
        .map(|(_, s)| s)
        .collect();
    (old_ids, stories)
}

/// Keeps stored thread ids: the subset may lack a thread's earliest stories (outside the
/// window), so the naming rule would rename it. Each new thread whose articles were in old
/// stories takes the old thread id most of those articles had (ties: the smaller id); a thread
/// of new articles only keeps its name by the rule.
fn keep_thread_ids(stories: &mut [Story], old: &[Story]) {
    use std::collections::BTreeMap;
    let mut old_thread: BTreeMap<&str, &str> = BTreeMap::new();
    for story in old {
        if let Some(t) = story.thread.as_deref() {
            for a in &story.articles {
                old_thread.insert(a.as_str(), t);
            }
        }
    }
    if old_thread.is_empty() {
        return;
    }
    // Votes per new thread name: old thread -> articles.
    let mut votes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for story in stories.iter() {
        let Some(new) = story.thread.clone() else {
            continue;
        };
        let tally = votes.entry(new).or_default();
        for a in &story.articles {
            if let Some(t) = old_thread.get(a.as_str()) {
                *tally.entry((*t).to_string()).or_default() += 1;
            }
        }
    }
    let mut rename: BTreeMap<String, String> = BTreeMap::new();
    for (new, tally) in votes {
        // Most articles first; among equals the smaller id (BTreeMap order, first max kept).
        let mut best: Option<(&String, usize)> = None;
        for (t, &n) in &tally {
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((t, n));
            }
        }
        if let Some((t, _)) = best {
            rename.insert(new, t.clone());
        }
    }
    for story in stories.iter_mut() {
        if let Some(t) = story.thread.as_ref().and_then(|t| rename.get(t)) {
            story.thread = Some(t.clone());
        }
    }
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

    // ---- incremental refresh ----

    use sitrep_model::{Article, Extraction};

    /// Fictional topics: each story's own words (all its articles use them).
    const TOPICS: [&str; 6] = [
        "lesk harbour dredging barge silt quay pilots tide",
        "tarvik ferry timetable crossing deckhands fares winter",
        "vask orchard frost blossom growers pickers cider",
        "orme glacier meltwater hikers rescue crevasse ropes",
        "holt library bequest manuscripts archivist vellum catalogue",
        "brask lighthouse keeper lantern fog signal cliff",
    ];
    const OUTLETS: [&str; 3] = [
        "lesk-gazette.example",
        "northwind.example",
        "vask-post.example",
    ];

    fn day(n: i64) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(n as u64)))
    }

    /// Article `n` of `topic`, published `d` days after 1 January 2026.
    fn art(topic: usize, n: usize, d: i64) -> (Article, Extraction) {
        let words = TOPICS[topic];
        let body = format!(
            "Update {n} on {words}.\n\n\
             More on {words}."
        );
        let mut a = Article::new(&format!("fixtures/topic{topic}-{n}.txt"), body);
        a.title = Some(format!("{words} ({n})"));
        a.outlet = Some(OUTLETS[n % OUTLETS.len()].to_string());
        a.published = day(d);
        (a, Extraction::default())
    }

    /// The corpus, in date order: (topic, article number, day).
    fn corpus() -> Vec<(usize, usize, i64)> {
        vec![
            (0, 1, 0),
            (0, 2, 1),
            (1, 1, 2),
            (0, 3, 2),
            (1, 2, 3),
            (1, 3, 4),
            (2, 1, 30),
            (2, 2, 31),
            (3, 1, 33),
            (2, 3, 34),
            (3, 2, 35),
            (4, 1, 70),
            (4, 2, 71),
            (5, 1, 72),
            (4, 3, 73),
            (5, 2, 74),
            (5, 3, 75),
        ]
    }

    /// The stories of a batch do not depend on the order its records come in: the clusterer
    /// gets them by date, and the consensus runs' orders come from the records' dates and ids.
    #[test]
    fn a_batch_gives_the_same_stories_in_any_order() {
        let records: Vec<ArticleRecord> = corpus()
            .into_iter()
            .map(|(t, n, d)| {
                let (a, x) = art(t, n, d);
                ArticleRecord::new(a, x)
            })
            .collect();
        let sorted = |mut v: Vec<Story>| {
            v.sort_by(|a, b| a.id.cmp(&b.id));
            serde_json::to_string(&v).unwrap_or_default()
        };
        let stories = build(&records, None).expect("stories");
        assert!(stories.len() >= 3, "several stories: {}", stories.len());
        let forward = sorted(stories);
        let mut reversed = records.clone();
        reversed.reverse();
        assert_eq!(sorted(build(&reversed, None).expect("stories")), forward);
        let mut shuffled = records.clone();
        shuffled.rotate_left(7);
        shuffled.swap(1, 12);
        assert_eq!(sorted(build(&shuffled, None).expect("stories")), forward);
    }

    fn all_stories(store: &Store) -> Vec<Story> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (page, next) = store.list_stories(100, cursor.as_deref()).expect("list");
            for s in page {
                out.push(store.get_story(&s.id).expect("get").expect("stored"));
            }
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Stores `batch` and refreshes incrementally, as `sitrep ingest` does.
    fn ingest(store: &mut Store, batch: &[(Article, Extraction)]) -> Refreshed {
        store.insert_batch(batch).expect("insert");
        refresh_after(store).expect("refresh")
    }

    /// Article `n` of the harbour's sequel (topic 0's words half kept, half new), day `d`.
    fn sequel(n: usize, d: i64) -> (Article, Extraction) {
        let words = "lesk harbour dredging barge contract tender bidders lawsuit";
        let body = format!("Update {n} on {words}.\n\nMore on {words}.");
        let mut a = Article::new(&format!("fixtures/sequel-{n}.txt"), body);
        a.title = Some(format!("{words} ({n})"));
        a.outlet = Some(OUTLETS[n % OUTLETS.len()].to_string());
        a.published = day(d);
        (a, Extraction::default())
    }

    fn articles(items: &[(usize, usize, i64)]) -> Vec<(Article, Extraction)> {
        items.iter().map(|&(t, n, d)| art(t, n, d)).collect()
    }

    #[test]
    fn incremental_refreshes_equal_the_full_recompute() {
        let all = articles(&corpus());
        let mut full = Store::open_in_memory().expect("store");
        full.insert_batch(&all).expect("insert");
        refresh(&mut full).expect("full refresh");
        let expected = all_stories(&full);
        assert_eq!(
            expected.len(),
            TOPICS.len(),
            "one story a topic: {expected:#?}"
        );

        // The same articles in batches of three, in date order.
        let mut inc = Store::open_in_memory().expect("store");
        for chunk in all.chunks(3) {
            let refreshed = ingest(&mut inc, chunk);
            assert!(
                matches!(refreshed, Refreshed::Incremental { .. }),
                "{refreshed:?}"
            );
        }
        assert_eq!(all_stories(&inc), expected);
    }

    /// A made-up embedding of article `n` of `topic`: the topic's axis, a little of the
    /// article's own.
    fn emb(topic: usize, n: usize) -> Vec<f32> {
        let mut v = vec![0.0f32; 384];
        v[topic] = 1.0;
        v[10 + n % 7] = 0.3;
        v
    }

    /// Stores `items` with their made-up embeddings.
    fn insert_embedded(store: &mut Store, items: &[(usize, usize, i64)]) {
        let batch = articles(items);
        let embeddings: Vec<Vec<f32>> = items.iter().map(|&(t, n, _)| emb(t, n)).collect();
        store
            .insert_batch_embedded(&batch, &embeddings)
            .expect("insert");
    }

    #[test]
    fn the_setting_follows_the_stores_embeddings() {
        let mut store = Store::open_in_memory().expect("store");
        let setting = Setting::of(&store).expect("setting");
        assert!(!setting.embeddings, "an empty store: off");
        assert_eq!(setting.config.embedding_weight, 0.0);

        insert_embedded(&mut store, &corpus()[..3]);
        let setting = Setting::of(&store).expect("setting");
        assert!(setting.embeddings);
        let on = sitrep_stories::Config::with_embeddings();
        assert!(on.embedding_weight > 0.0);
        assert_eq!(setting.config.embedding_weight, on.embedding_weight);
        assert_eq!(setting.config.length_exponent, on.length_exponent);
        let records = stored_records(&store).expect("records");
        let feats = setting.features(&store, &records).expect("features");
        for (r, f) in records.iter().zip(&feats) {
            let (t, n, _) = corpus()[..3]
                .iter()
                .copied()
                .find(|&(t, n, d)| art(t, n, d).0.id == r.id)
                .expect("known article");
            assert_eq!(f.embedding, emb(t, n));
        }

        // One article ingested without --embed: off for the whole store, no embedding read.
        store
            .insert_batch(&articles(&corpus()[3..4]))
            .expect("insert");
        let setting = Setting::of(&store).expect("setting");
        assert!(!setting.embeddings);
        assert_eq!(setting.config.embedding_weight, 0.0);
        let records = stored_records(&store).expect("records");
        let feats = setting.features(&store, &records).expect("features");
        assert!(feats.iter().all(|f| f.embedding.is_empty()));
    }

    #[test]
    fn with_embeddings_incremental_refreshes_equal_the_full_recompute() {
        let items = corpus();
        let mut full = Store::open_in_memory().expect("store");
        insert_embedded(&mut full, &items);
        assert!(Setting::of(&full).expect("setting").embeddings);
        refresh(&mut full).expect("full refresh");
        let expected = all_stories(&full);
        assert_eq!(expected.len(), TOPICS.len(), "{expected:#?}");

        let mut inc = Store::open_in_memory().expect("store");
        for chunk in items.chunks(3) {
            insert_embedded(&mut inc, chunk);
            let refreshed = refresh_after(&mut inc).expect("refresh");
            assert!(
                matches!(refreshed, Refreshed::Incremental { .. }),
                "{refreshed:?}"
            );
        }
        assert_eq!(all_stories(&inc), expected);
    }

    #[test]
    fn the_background_stands_for_every_article_outside_the_subset() {
        let all = articles(&corpus());
        let mut store = Store::open_in_memory().expect("store");
        store.insert_batch(&all).expect("insert");
        // The subset: the last topic's three articles (days 72-75).
        let subset: BTreeSet<String> = all[all.len() - 3..]
            .iter()
            .map(|(a, _)| a.id.clone())
            .collect();
        let (sample, represents) =
            background(&store, &subset, day(72).expect("day")).expect("background");
        // Drawn from the 90 days before the subset, none of the subset's own ...
        assert!(!sample.is_empty());
        assert!(
            sample
                .iter()
                .all(|r| !subset.contains(&r.id) && r.published.is_some_and(|p| Some(p) < day(72)))
        );
        // ... and counted as all the stored articles outside it.
        assert_eq!(represents as usize, all.len() - 3);
    }

    #[test]
    fn a_story_far_from_the_new_articles_is_not_rewritten() {
        let mut store = Store::open_in_memory().expect("store");
        ingest(&mut store, &articles(&corpus()[..6]));
        let before = all_stories(&store);
        let (summaries, _) = store.list_stories(100, None).expect("list");
        assert_eq!(summaries.len(), 2);
        // A marker only a rewrite would remove: the stored row's title, changed in place.
        let mut marked = before[0].clone();
        marked.title = "marker: not rewritten".to_string();
        store.put_story(&marked).expect("mark");
        let updated = store.list_stories(100, None).expect("list").0;

        // Months later: the old stories are outside the window.
        let refreshed = ingest(&mut store, &articles(&corpus()[6..]));
        assert!(
            matches!(refreshed, Refreshed::Incremental { replaced: 0, .. }),
            "{refreshed:?}"
        );
        let after = store.get_story(&marked.id).expect("get").expect("kept");
        assert_eq!(after, marked);
        let now = store.list_stories(100, None).expect("list").0;
        for old in &updated {
            let same = now.iter().find(|s| s.id == old.id).expect("still stored");
            assert_eq!(same, old);
        }
        assert_eq!(now.len(), TOPICS.len());
    }

    #[test]
    fn a_late_article_rebuilds_only_its_window() {
        let mut store = Store::open_in_memory().expect("store");
        ingest(&mut store, &articles(&corpus()));
        // A late report on the ferry (topic 1, days 2-4): its story grows, the others stay.
        let refreshed = ingest(&mut store, &articles(&[(1, 4, 6)]));
        assert_eq!(
            refreshed,
            Refreshed::Incremental {
                replaced: 1,
                written: 1
            }
        );
        let ferry: Vec<Story> = all_stories(&store)
            .into_iter()
            .filter(|s| s.articles.len() == 4)
            .collect();
        assert_eq!(ferry.len(), 1, "the ferry story took the late article");
        assert_eq!(ferry[0].span.last, day(6));
    }

    #[test]
    fn undated_articles_fall_back_to_the_full_refresh() {
        let mut store = Store::open_in_memory().expect("store");
        let mut batch = articles(&corpus()[..3]);
        batch[2].0.published = None;
        let refreshed = ingest(&mut store, &batch);
        assert!(matches!(refreshed, Refreshed::Full(_)), "{refreshed:?}");
    }

    #[test]
    fn a_thread_reaching_outside_the_window_keeps_its_id() {
        let old = |id: &str, thread: &str, articles: &[&str]| Story {
            thread: Some(thread.to_string()),
            articles: articles.iter().map(|a| a.to_string()).collect(),
            ..story(id, 1)
        };
        // In the window: the thread's second story (its first, sa1, is older). The clusterer
        // named the thread after b1, and a new story (c1) joined it; z1 started a thread.
        let before = vec![old("sb1", "ta1", &["b1", "b2"])];
        let mut new = vec![
            old("sb1", "tb1", &["b1", "b2"]),
            old("sc1", "tb1", &["c1"]),
            old("sz1", "tz1", &["z1"]),
        ];
        keep_thread_ids(&mut new, &before);
        let threads: Vec<&str> = new.iter().filter_map(|s| s.thread.as_deref()).collect();
        assert_eq!(threads, ["ta1", "ta1", "tz1"]);
        // Two old threads met: most articles win, then the smaller id.
        let before = vec![
            old("sd1", "tq", &["d1", "d2"]),
            old("se1", "tp", &["e1", "e2"]),
        ];
        let mut new = vec![old("sd1", "td1", &["d1", "d2", "e1", "e2"])];
        keep_thread_ids(&mut new, &before);
        assert_eq!(new[0].thread.as_deref(), Some("tp"));
    }

    #[test]
    fn only_the_groups_with_new_articles_are_replaced() {
        let s = |id: &str, articles: &[&str]| Story {
            articles: articles.iter().map(|a| a.to_string()).collect(),
            ..story(id, 1)
        };
        let old = vec![s("a", &["a", "b"]), s("c", &["c"]), s("e", &["e", "f"])];
        // c and the new n joined a; e and f were split (an edge effect, no new article).
        let new = vec![
            s("a", &["a", "b", "c", "n"]),
            s("e", &["e"]),
            s("f", &["f"]),
        ];
        let (ids, stories) = affected(old, new);
        assert_eq!(ids, ["sa", "sc"]);
        let kept: Vec<&str> = stories.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(kept, ["sa"]);
    }

    #[test]
    fn a_story_joining_an_old_thread_keeps_the_thread_id() {
        // The harbour (topic 0, days 0-2), then its sequel 15 days later (same thread,
        // other story), then a late report on the sequel: the window of that report no longer
        // reaches the first story, whose first article names the thread.
        let first = articles(&[(0, 1, 0), (0, 2, 1), (0, 3, 2)]);
        let second: Vec<_> = [(11, 17), (12, 18), (13, 19)]
            .into_iter()
            .map(|(n, d)| sequel(n, d))
            .collect();
        let late = vec![sequel(14, 23)];
        let mut store = Store::open_in_memory().expect("store");
        ingest(&mut store, &first);
        ingest(&mut store, &second);
        let stories = all_stories(&store);
        assert_eq!(stories.len(), 2, "{stories:#?}");
        assert_eq!(
            stories[0].thread, stories[1].thread,
            "one thread: {stories:#?}"
        );
        let thread = stories[0].thread.clone();
        let refreshed = ingest(&mut store, &late);
        assert_eq!(
            refreshed,
            Refreshed::Incremental {
                replaced: 1,
                written: 1
            }
        );
        let after = all_stories(&store);
        assert_eq!(after.len(), 2);
        assert!(after.iter().all(|s| s.thread == thread), "{after:#?}");
        // As the full recompute has it.
        let mut full = Store::open_in_memory().expect("store");
        full.insert_batch(&[first, second, late].concat())
            .expect("insert");
        refresh(&mut full).expect("full");
        assert_eq!(all_stories(&full), after);
    }

    #[test]
    fn a_storyline_resumed_after_weeks_keeps_its_thread() {
        // The harbour (topic 0) and the glacier (topic 3) in the first days; six weeks later
        // the harbour's sequel, far outside the re-clustered window, and the library (topic 4),
        // a storyline of its own.
        let first = articles(&[(0, 1, 0), (0, 2, 1), (0, 3, 2), (3, 4, 1), (3, 5, 2)]);
        let mut later: Vec<_> = [(11, 42), (12, 43), (13, 44)]
            .into_iter()
            .map(|(n, d)| sequel(n, d))
            .collect();
        later.extend(articles(&[(4, 21, 43), (4, 22, 44)]));
        let mut store = Store::open_in_memory().expect("store");
        ingest(&mut store, &first);
        let refreshed = ingest(&mut store, &later);
        assert!(
            matches!(
                refreshed,
                Refreshed::Incremental {
                    replaced: 0,
                    written: 2
                }
            ),
            "{refreshed:?}"
        );
        let after = all_stories(&store);
        let thread_of = |article: &(Article, Extraction)| {
            after
                .iter()
                .find(|s| s.articles.contains(&article.0.id))
                .and_then(|s| s.thread.clone())
                .expect("placed")
        };
        let (harbour, glacier) = (thread_of(&first[0]), thread_of(&first[3]));
        assert_eq!(after.len(), 4, "{after:#?}");
        assert_eq!(thread_of(&later[0]), harbour, "{after:#?}");
        assert_ne!(thread_of(&later[3]), harbour);
        assert_ne!(thread_of(&later[3]), glacier);
        assert_ne!(glacier, harbour);
        // As the full recompute has it.
        let mut full = Store::open_in_memory().expect("store");
        full.insert_batch(&[first, later].concat()).expect("insert");
        refresh(&mut full).expect("full");
        assert_eq!(all_stories(&full), after);
    }
}
