//! Linking throughput as the store grows: synthetic articles (Zipf-distributed words, entities
//! and places; stories of 1-30 articles spread over a few days; 2,000 articles a day) linked
//! one by one, with articles/s per stretch (wall, linking only; and per CPU-second of the
//! stretch, generation included), peak memory, and the BCubed of the stories found against the
//! generated ones.
//!
//! `cargo run --release -p sitrep-stories --example scale -- --articles 1000000` (`--stats`:
//! counts of stories, threads, profiles and postings held at each checkpoint, and the work per
//! article finding candidates over the stretch; `--no-evict`:
//! closed stories and threads are not compacted, `Config::evict_closed` off; `--embeddings`:
//! `Config::with_embeddings()`, `sitrep`'s setting when the model is installed, with a
//! synthetic 384-float embedding per article: its story's random direction plus a direction
//! shared by all articles and per-article noise, unit length, so two articles of one story
//! have a cosine of ~0.7 and of two stories ~0.2; it measures the cost, not the model)

use std::time::{Duration, Instant};

use sitrep_stories::bcubed::bcubed;
use sitrep_stories::{ArticleFeatures, Clusterer, Config, ProbeStats, StoryStore};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Zipf(s) over `n` ranks, sampled by binary search in the cumulative weights.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut total = 0.0;
        for r in 1..=n {
            total += 1.0 / (r as f64).powf(s);
            cdf.push(total);
        }
        for x in &mut cdf {
            *x /= total;
        }
        Zipf { cdf }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u)
    }
}

/// The hidden story an article is drawn from.
struct GenStory {
    id: u32,
    words: Vec<usize>,
    entities: Vec<usize>,
    place: usize,
    /// The story's direction in embedding space (empty without `--embeddings`).
    topic: Vec<f32>,
    left: u32,
    day: i64,
}

/// Dimensions of a synthetic embedding (MiniLM's).
const DIM: usize = 384;

/// A random direction: [`DIM`] normal deviates (Box-Muller), unit length.
fn gaussian_unit(rng: &mut Rng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..DIM)
        .map(|_| {
            let u = rng.unit().max(1e-12);
            let w = rng.unit();
            ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * w).cos()) as f32
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time of this process's main thread so far (`/proc/self/schedstat`, nanoseconds on a
/// CPU): per stretch it says how fast linking is whatever else runs on the machine.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut total: usize = 1_000_000;
    let mut seed: u64 = 7;
    let mut config = Config::default();
    let mut stats = false;
    let mut embeddings = false;
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--articles" => {
                total = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(total);
                i += 1;
            }
            "--seed" => {
                seed = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(seed);
                i += 1;
            }
            // `--reassign-rounds 0`: the reassignment pass off (to compare its cost).
            "--reassign-rounds" => {
                config.reassign_rounds = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(config.reassign_rounds);
                i += 1;
            }
            // `--reassign-close 0`: every article of a changed story re-checked (to compare).
            "--no-evict" => config.evict_closed = false,
            "--stats" => stats = true,
            "--embeddings" => {
                let evict = config.evict_closed;
                config = Config {
                    reassign_rounds: config.reassign_rounds,
                    reassign_close: config.reassign_close,
                    evict_closed: evict,
                    ..Config::with_embeddings()
                };
                embeddings = true;
            }
            "--reassign-close" => {
                config.reassign_close = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(config.reassign_close);
                i += 1;
            }
            other => {
                eprintln!("scale: unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 1;
    }
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let words = Zipf::new(50_000, 1.05);
    let entities = Zipf::new(500_000, 0.9);
    let places = Zipf::new(20_000, 1.0);
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let per_day = 2_000;
    // A direction every article shares (news embed alike more than random texts do).
    let common: Vec<f32> = if embeddings {
        gaussian_unit(&mut rng)
    } else {
        Vec::new()
    };

    let mut clusterer = Clusterer::new(config);
    let mut active: Vec<GenStory> = Vec::new();
    let mut next_story = 0u32;
    let mut gold: Vec<u32> = Vec::with_capacity(total);
    let mut linking = Duration::ZERO;
    let mut stretch = Duration::ZERO;
    let mut stretch_start = 0usize;
    let mut checkpoint = 10_000usize;
    let mut probes_before = ProbeStats::default();
    let mut cpu_before = cpu_seconds().unwrap_or(0.0);
    let wall = Instant::now();
    println!(
        "articles\tstretch articles/s\tcumulative articles/s\tstories\tpeak RSS MB\tstretch articles per CPU-s"
    );
    for n in 0..total {
        let day = (n / per_day) as i64;
        // Stories older than 5 days stop getting articles (stories live days, not weeks).
        active.retain(|s| s.left > 0 && day - s.day <= 5);
        if active.is_empty() || rng.unit() < 1.0 / 15.5 {
            let w: Vec<usize> = (0..12).map(|_| words.sample(&mut rng)).collect();
            let e: Vec<usize> = (0..4).map(|_| entities.sample(&mut rng)).collect();
            active.push(GenStory {
                id: next_story,
                words: w,
                entities: e,
                place: places.sample(&mut rng),
                topic: if embeddings {
                    gaussian_unit(&mut rng)
                } else {
                    Vec::new()
                },
                left: 1 + rng.below(30) as u32,
                day,
            });
            next_story += 1;
        }
        let k = rng.below(active.len());
        let s = &mut active[k];
        s.left -= 1;
        let mut f = ArticleFeatures {
            id: format!("a{n}"),
            published: start.checked_add_signed(chrono::Duration::days(day)),
            ..Default::default()
        };
        let mut ws: Vec<(String, u32)> = Vec::new();
        for _ in 0..8 {
            ws.push((format!("w{}", s.words[rng.below(s.words.len())]), 1));
        }
        for _ in 0..30 {
            ws.push((format!("w{}", words.sample(&mut rng)), 1));
        }
        ws.sort();
        ws.dedup_by(|a, b| {
            if a.0 == b.0 {
                b.1 += a.1;
                true
            } else {
                false
            }
        });
        f.words = ws;
        let mut es: Vec<(String, u32)> = Vec::new();
        for _ in 0..3 {
            es.push((
                format!("PERSON:e{}", s.entities[rng.below(s.entities.len())]),
                2,
            ));
        }
        es.push((format!("ORG:e{}", entities.sample(&mut rng)), 1));
        es.sort();
        es.dedup_by(|a, b| a.0 == b.0);
        f.entities = es;
        f.places = vec![(format!("p{}", s.place), 1)];
        if embeddings {
            let noise = gaussian_unit(&mut rng);
            let mut v: Vec<f32> = (0..DIM)
                .map(|d| 0.5 * common[d] + s.topic[d] + 0.65 * noise[d])
                .collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
            v.iter_mut().for_each(|x| *x /= norm);
            f.embedding = v;
        }
        gold.push(s.id);

        let t = Instant::now();
        clusterer.add(&f);
        let dt = t.elapsed();
        linking += dt;
        stretch += dt;

        let done = n + 1;
        if done == checkpoint || done == total {
            let stories = clusterer.store().story_count();
            // CPU of the stretch, generation included (it is a small, constant share).
            let cpu = cpu_seconds().unwrap_or(f64::NAN);
            println!(
                "{done}\t{:.0}\t{:.0}\t{stories}\t{:.0}\t{:.0}",
                (done - stretch_start) as f64 / stretch.as_secs_f64().max(1e-9),
                done as f64 / linking.as_secs_f64().max(1e-9),
                peak_rss_mb().unwrap_or(f64::NAN),
                (done - stretch_start) as f64 / (cpu - cpu_before).max(1e-9),
            );
            if stats {
                let st = clusterer.state_stats();
                println!(
                    "  state: {} stories ({} with a profile, {} vector entries, {} postings), {} threads ({} with a profile, {} entries, {} postings), {} article profiles ({} entries), {} features",
                    st.stories,
                    st.story_profiles,
                    st.story_entries,
                    st.story_postings,
                    st.threads,
                    st.thread_profiles,
                    st.thread_entries,
                    st.thread_postings,
                    st.article_profiles,
                    st.article_entries,
                    st.features,
                );
                println!(
                    "  postings of stories (threads) merged away, emptied or evicted: {} ({})",
                    st.story_postings_gone, st.thread_postings_gone,
                );
                // Work per article over the stretch: look-ups, lists read and skipped over
                // the cap, entries read, ids scored, entries walked by the pruning.
                let p = clusterer.probe_stats();
                let n = (done - stretch_start).max(1) as f64;
                for (lv, name) in ["story", "thread"].iter().enumerate() {
                    let d = |now: [u64; 2], before: [u64; 2]| (now[lv] - before[lv]) as f64 / n;
                    println!(
                        "  {name} probes per article: {:.2} look-ups, {:.1} lists read, {:.1} over the cap, {:.0} entries read, {:.0} ids scored, {:.0} entries pruned, {:.1} candidates, {:.1} compared",
                        d(p.calls, probes_before.calls),
                        d(p.lists, probes_before.lists),
                        d(p.over_cap, probes_before.over_cap),
                        d(p.entries, probes_before.entries),
                        d(p.scored, probes_before.scored),
                        d(p.pruned, probes_before.pruned),
                        d(p.candidates, probes_before.candidates),
                        d(p.compared, probes_before.compared),
                    );
                }
                probes_before = p;
            }
            // The next stretch's CPU starts after the counts above (they walk every list).
            cpu_before = cpu_seconds().unwrap_or(f64::NAN);
            stretch = Duration::ZERO;
            stretch_start = done;
            checkpoint = if checkpoint < 100_000 {
                checkpoint + 10_000
            } else {
                checkpoint + 100_000
            };
        }
    }
    clusterer.consolidate();
    let predicted: Vec<u32> = (0..gold.len())
        .map(|i| clusterer.story_of(i).map_or(u32::MAX, |s| s.0))
        .collect();
    let score = bcubed(&predicted, &gold);
    // A fingerprint of the partition and the threads (FNV-1a over each article's story and
    // thread): two runs that cluster alike print the same one.
    let mut fingerprint: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, &s) in predicted.iter().enumerate() {
        let t = clusterer
            .story_of(i)
            .map_or(u32::MAX, |s| clusterer.thread_of(s).0);
        for x in [s, t] {
            for b in x.to_le_bytes() {
                fingerprint = (fingerprint ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    println!("partition fingerprint {fingerprint:016x}");
    println!(
        "total {total} articles in {:.1}s ({:.1}s linking), {} generated stories, BCubed P {:.3} R {:.3} F1 {:.3}, peak RSS {:.0} MB",
        wall.elapsed().as_secs_f64(),
        linking.as_secs_f64(),
        next_story,
        score.precision,
        score.recall,
        score.f1,
        peak_rss_mb().unwrap_or(f64::NAN),
    );
}
