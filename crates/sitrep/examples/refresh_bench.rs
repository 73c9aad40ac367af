//! Times the story refresh after a batch of new articles: the full recompute against the
//! incremental one (`sitrep ingest`'s default), on a store of synthetic articles.
//!
//! ```sh
//! cargo run --release -p sitrep --example refresh_bench -- /tmp/refresh.sqlite 10000 50
//! ```
//!
//! Fills a new store with N articles (150 a day from 1 January 2024, team-written fictional
//! templates), computes its stories once (full), stores a batch of B new articles dated the
//! day after the last (or GAP_DAYS after), then times the incremental refresh and the full one for that batch,
//! and counts the stories that differ between the two results. With `REFRESH_BENCH_EMBED=1`
//! every article is stored with a synthetic sentence embedding ([`embedding`]), so the
//! refreshes read them and cluster with `Config::with_embeddings()`. The last line ends with a
//! digest of the stories after the full refresh (equal digests: equal stories). A SQLite DB file is replaced;
//! for PostgreSQL pass an empty schema:
//! `.../sitrep?options=-csearch_path%3Dbench` (after `CREATE SCHEMA bench`).

#[allow(dead_code)]
#[path = "../src/stories.rs"]
mod stories;

use std::time::Instant;

use anyhow::Context;
use sitrep_model::{Article, Extraction, NaiveDate};
use sitrep_store::Store;

const PLACES: [&str; 12] = [
    "Lesk", "Tarvik", "Vask", "Orme", "Holt", "Brask", "Kelda", "Strand", "Mora", "Ulvik", "Fjell",
    "Rauma",
];
const SUBJECTS: [&str; 10] = [
    "harbour dredging",
    "ferry timetable",
    "bridge tolls",
    "school budget",
    "fishing quota",
    "rail tunnel",
    "orchard frost",
    "glacier rescue",
    "library bequest",
    "lighthouse closure",
];
const PER_DAY: usize = 150;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(NaiveDate::MIN)
}

const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mer", "vin", "tas", "ru", "bel", "do", "fen", "gri", "hol", "ja", "nus", "pa",
    "sor", "ti",
];

/// A made-up word of story `story`, the `k`th: each story's own vocabulary.
fn word(story: usize, k: usize) -> String {
    let mut x = (story as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(k as u64 * 0xBF58_476D_1CE4_E5B9);
    let mut w = String::new();
    for _ in 0..4 {
        x ^= x >> 29;
        x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
        w.push_str(SYLLABLES[(x >> 60) as usize]);
    }
    w
}

/// Synthetic article `n`: about 40 stories a day, each reported by a few outlets over 3 days.
fn article(n: usize) -> (Article, Extraction) {
    let day = n / PER_DAY;
    let story = (day / 3) * 120 + n % 120;
    let place = PLACES[story % PLACES.len()];
    let subject = SUBJECTS[(story / PLACES.len()) % SUBJECTS.len()];
    let (w1, w2, w3, w4) = (
        word(story, 1),
        word(story, 2),
        word(story, 3),
        word(story, 4),
    );
    let body = format!(
        "{w1} {w2} of {place} on {subject}: {w3} and {w4}.\n\n\
         In {place}, {w1} said the {subject} plan and {w2} {w3} {w4} would go ahead, report {n}."
    );
    let mut a = Article::new(&format!("synthetic/{n}.txt"), body);
    a.title = Some(format!("{w1} {w2}: {place} {subject}"));
    a.outlet = Some(format!("outlet{}.example", n % 7));
    a.published = start().checked_add_days(chrono::Days::new(day as u64));
    (a, Extraction::default())
}

/// A synthetic sentence embedding of article `n` (384 floats, unit length): its story's
/// direction (pseudo-random from the story number) plus a smaller one of its own.
fn embedding(n: usize) -> Vec<f32> {
    let day = n / PER_DAY;
    let story = (day / 3) * 120 + n % 120;
    let noise = |seed: u64, k: usize| -> f32 {
        let mut x = seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(k as u64 * 0xBF58_476D_1CE4_E5B9);
        x ^= x >> 31;
        x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 29;
        (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let mut v: Vec<f32> = (0..384)
        .map(|k| noise(story as u64, k) + 0.3 * noise(1_000_000 + n as u64, k))
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    for x in &mut v {
        *x /= norm;
    }
    v
}

/// Stores articles `range`, with their synthetic embeddings when `embed`.
fn store_articles(
    store: &mut Store,
    range: std::ops::Range<usize>,
    embed: bool,
) -> anyhow::Result<()> {
    for chunk in range.collect::<Vec<_>>().chunks(1000) {
        let items: Vec<_> = chunk.iter().map(|&i| article(i)).collect();
        let embeddings: Vec<Vec<f32>> = if embed {
            chunk.iter().map(|&i| embedding(i)).collect()
        } else {
            Vec::new()
        };
        store.insert_batch_embedded(&items, &embeddings)?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: refresh_bench DB ARTICLES [BATCH [GAP_DAYS]]";
    let db = args.first().context(usage)?;
    let n: usize = args.get(1).context(usage)?.parse().context(usage)?;
    let batch: usize = match args.get(2) {
        Some(b) => b.parse().context(usage)?,
        None => 50,
    };
    // Days from the last stored day to the batch's: 1 by default; past the story window
    // (e.g. 30) the batch starts new stories that may resume earlier threads.
    let gap: usize = match args.get(3) {
        Some(g) => g.parse().context(usage)?,
        None => 1,
    };
    let embed = std::env::var("REFRESH_BENCH_EMBED").is_ok_and(|v| v == "1");
    let _ = std::fs::remove_file(db);
    let mut store = Store::open(db).with_context(|| format!("cannot open {db}"))?;
    let t = Instant::now();
    store_articles(&mut store, 0..n, embed)?;
    eprintln!(
        "stored {n} articles in {:.1}s (embeddings: {embed})",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let count = stories::refresh(&mut store)?;
    eprintln!(
        "first full refresh: {count} stories in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    // The new batch: the day after the last stored article.
    let first_new = (n / PER_DAY + gap) * PER_DAY;
    store_articles(&mut store, first_new..first_new + batch, embed)?;
    let t = Instant::now();
    let refreshed = stories::refresh_after(&mut store)?;
    let inc = t.elapsed().as_secs_f64();
    let after_inc = all_stories(&store)?;
    let t = Instant::now();
    let full = stories::refresh(&mut store)?;
    let full_s = t.elapsed().as_secs_f64();
    let after_full = all_stories(&store)?;
    let differ = after_full
        .iter()
        .filter(|(id, s)| after_inc.get(*id) != Some(*s))
        .count()
        + after_inc
            .keys()
            .filter(|id| !after_full.contains_key(*id))
            .count();
    // Of those, the ones whose articles are the same and only the thread differs.
    let thread_only = after_full
        .iter()
        .filter(|(id, s)| {
            after_inc
                .get(*id)
                .is_some_and(|i| i != *s && i.articles == s.articles && i.thread != s.thread)
        })
        .count();
    if std::env::var("REFRESH_BENCH_DIFF").is_ok() {
        for (id, s) in after_full
            .iter()
            .filter(|(id, s)| after_inc.get(*id) != Some(*s))
            .take(4)
        {
            let i = after_inc.get(id);
            eprintln!(
                "full {id} {:?} {:?} {:?}\n inc {:?}",
                s.span,
                s.thread,
                s.articles.len(),
                i.map(|i| (
                    i.span.clone(),
                    i.thread.clone(),
                    i.articles.len(),
                    i.title == s.title,
                    i.entities == s.entities
                ))
            );
        }
    }
    println!(
        "articles={n} batch={batch} incremental={inc:.3}s ({refreshed:?}) full={full_s:.3}s \
         ({full} stories; {differ} differ from the incremental result, {thread_only} by their \
         thread only) embeddings={embed} digest={:016x}",
        digest(&after_full)
    );
    Ok(())
}

/// A digest of the stories (their JSON, in id order): equal stories, equal digests.
fn digest(stories: &std::collections::BTreeMap<String, sitrep_model::Story>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (id, story) in stories {
        id.hash(&mut h);
        serde_json::to_string(story)
            .unwrap_or_default()
            .hash(&mut h);
    }
    h.finish()
}

/// Every stored story, by id.
fn all_stories(
    store: &Store,
) -> anyhow::Result<std::collections::BTreeMap<String, sitrep_model::Story>> {
    let mut out = std::collections::BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = store.list_stories(1000, cursor.as_deref())?;
        for s in page {
            if let Some(story) = store.get_story(&s.id)? {
                out.insert(s.id, story);
            }
        }
        match next {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}
