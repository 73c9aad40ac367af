//! `sitrep-eval stories`: story clustering (issue 6) on ECB+ (documents -> subtopics, threads ->
//! topics) and NewsWCL50 (documents -> events), BCubed, without being told the number of
//! clusters; the single-pass TF-IDF baseline beside the full method; three document orders.
//!
//! FNC-1 (long bodies grouped by claim, see [`crate::fnc_stories`]) is a second training set.
//!
//! `--tune` searches the weights and thresholds on the training sets only (`--tune-on`: ECB+
//! train, or ECB+ train and FNC-1; coordinate ascent on the mean F1 over six other orders) and
//! prints the configuration found; without it the crate's default configuration (the tuned
//! one, written into `Config::default`) is measured. ECB+ dev and NewsWCL50 are held out.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
// The text embedded for a document: its lead (the function `sitrep ingest --embed` uses too).
use sitrep_embed::lead;
use sitrep_stories::bcubed::{BCubed, bcubed};
use sitrep_stories::{ArticleFeatures, Config};

/// Threshold of the TF-IDF baseline, tuned on ECB+ train (`--tune`).
const BASELINE_THRESHOLD: f32 = 0.2;

/// Orders averaged while tuning (other seeds than the three reported).
const TUNE_ORDERS: u64 = 6;

/// One document with its gold labels and both feature sets.
struct Doc {
    /// Gold story (ECB+ subtopic, NewsWCL50 event).
    story: String,
    /// Gold thread (ECB+ topic).
    thread: String,
    full: ArticleFeatures,
    words: ArticleFeatures,
}

/// Documents of a token-per-line file: `(doc id, tokens)` in first-seen order. `doc_col` and
/// `token_col` are the columns of the document id and the token.
fn read_tokens(path: &Path, token_col: usize) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut docs: Vec<(String, Vec<String>)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() <= token_col || cols[0].is_empty() {
            continue;
        }
        let i = *index.entry(cols[0].to_string()).or_insert_with(|| {
            docs.push((cols[0].to_string(), Vec::new()));
            docs.len() - 1
        });
        docs[i].1.push(cols[token_col].to_string());
    }
    Ok(docs)
}

/// Tokens back to text: no space before closing punctuation and clitics, none after openers.
pub(crate) fn detokenize(tokens: &[String]) -> String {
    let mut out = String::new();
    let mut no_space_next = true;
    for t in tokens {
        let closing = matches!(
            t.as_str(),
            "," | "."
                | ";"
                | ":"
                | "!"
                | "?"
                | ")"
                | "]"
                | "}"
                | "%"
                | "'s"
                | "n't"
                | "'re"
                | "'ll"
                | "'ve"
                | "'m"
                | "'d"
        );
        if !no_space_next && !closing {
            out.push(' ');
        }
        out.push_str(t);
        no_space_next = matches!(t.as_str(), "(" | "[" | "{" | "$" | "``" | "“");
    }
    out
}

fn features(
    analyzer: &sitrep_extract::Analyzer,
    docs: Vec<(String, String, String, String)>,
    set: &str,
) -> anyhow::Result<Vec<Doc>> {
    let extractions = extractions(analyzer, &docs, set);
    let embeddings = match embedder()? {
        Some(embedder) => embeddings(embedder, &docs, set)?,
        None => vec![Vec::new(); docs.len()],
    };
    let docs: Vec<Doc> = docs
        .into_par_iter()
        .zip(extractions)
        .zip(embeddings)
        .map(|(((id, text, story, thread), extraction), embedding)| {
            let mut full = ArticleFeatures::from_parts(&id, None, &text, None, &extraction);
            full.embedding = embedding;
            let words = ArticleFeatures::from_text(&id, &text, None);
            Doc {
                story,
                thread,
                full,
                words,
            }
        })
        .collect();
    // The length the clusterer's length factor and embedding ramp read: distinct content
    // words per document (Config::length_ref, Config::embedding_short / embedding_long).
    let mut lengths: Vec<usize> = docs
        .iter()
        .map(|d| {
            d.full
                .words
                .iter()
                .filter(|(w, n)| *n > 0 && !w.is_empty())
                .count()
        })
        .collect();
    lengths.sort_unstable();
    if let (Some(min), Some(max)) = (lengths.first(), lengths.last()) {
        eprintln!(
            "{set}: distinct content words per document: min {min}, 10% {}, median {}, 90% {}, max {max}",
            lengths[lengths.len() / 10],
            lengths[lengths.len() / 2],
            lengths[lengths.len() * 9 / 10],
        );
    }
    Ok(docs)
}

/// The sentence embedder when `SITREP_STORIES_EMBED` is set (`on`: `models/minilm`, else the
/// model folder), loaded once; `None` otherwise (no embeddings, the crate's default signals).
/// With it, `sitrep-eval stories` measures [`Config::with_embeddings`] (without `--tune`).
fn embedder() -> anyhow::Result<Option<&'static sitrep_embed::Embedder>> {
    static EMBEDDER: std::sync::OnceLock<Option<sitrep_embed::Embedder>> =
        std::sync::OnceLock::new();
    let Some(setting) = std::env::var_os("SITREP_STORIES_EMBED") else {
        return Ok(None);
    };
    if setting == "off" || setting.is_empty() {
        return Ok(None);
    }
    if let Some(e) = EMBEDDER.get() {
        return Ok(e.as_ref());
    }
    let dir = if setting == "on" {
        sitrep_embed::default_model_dir()
    } else {
        std::path::PathBuf::from(setting)
    };
    let loaded = sitrep_embed::Embedder::load(&dir)?;
    Ok(EMBEDDER.get_or_init(|| Some(loaded)).as_ref())
}

/// MiniLM embeddings of every document's lead, cached like the extractions (file
/// `<set>-emb-<hash>.f32`, little-endian floats, key: the documents and the model files).
fn embeddings(
    embedder: &sitrep_embed::Embedder,
    docs: &[(String, String, String, String)],
    set: &str,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let dim = sitrep_embed::DIM;
    let compute = || -> anyhow::Result<Vec<Vec<f32>>> {
        let started = Instant::now();
        let texts: Vec<&str> = docs.iter().map(|(_, text, _, _)| lead(text)).collect();
        let out = embedder
            .embed(&texts)
            .with_context(|| format!("embedding the documents of {set}"))?;
        eprintln!(
            "{set}: {} documents embedded in {:.1} s",
            docs.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(out.into_iter().map(|v| v.to_vec()).collect())
    };
    let Some(dir) = cache_dir() else {
        return compute();
    };
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"sitrep-stories embedding cache 1\0");
    hash_model_files(&mut hasher, &sitrep_embed::default_model_dir());
    for (id, text, _, _) in docs {
        hasher.update(id.as_bytes());
        hasher.update(b"\0");
        hasher.update(lead(text).as_bytes());
        hasher.update(b"\0");
    }
    let hex = hasher.finalize().to_hex();
    let path = dir.join(format!("{set}-emb-{}.f32", &hex[..16]));
    if let Ok(bytes) = std::fs::read(&path) {
        if bytes.len() == docs.len() * dim * 4 {
            let floats: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            return Ok(floats.chunks_exact(dim).map(<[f32]>::to_vec).collect());
        }
        eprintln!("{}: wrong size, embedding again", path.display());
    }
    let out = compute()?;
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let bytes: Vec<u8> = out.iter().flatten().flat_map(|x| x.to_le_bytes()).collect();
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)
    });
    if let Err(e) = written {
        eprintln!("cannot write the embedding cache {}: {e}", path.display());
    }
    Ok(out)
}

/// `SITREP_STORIES_CACHE` (default `<temp dir>/sitrep-stories-cache`; `off`: none).
fn cache_dir() -> Option<std::path::PathBuf> {
    match std::env::var_os("SITREP_STORIES_CACHE") {
        Some(v) if v == "off" => None,
        Some(v) => Some(std::path::PathBuf::from(v)),
        None => Some(std::env::temp_dir().join("sitrep-stories-cache")),
    }
}

/// The names, sizes and times of the files in a model folder, into a cache key.
fn hash_model_files(hasher: &mut blake3::Hasher, model: &Path) {
    if let Ok(entries) = std::fs::read_dir(model) {
        let mut files: Vec<(String, u64, u64)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let meta = std::fs::metadata(e.path()).ok()?;
                let mtime = meta
                    .modified()
                    .ok()?
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()?
                    .as_secs();
                Some((
                    e.file_name().to_string_lossy().into_owned(),
                    meta.len(),
                    mtime,
                ))
            })
            .collect();
        files.sort();
        for (name, len, mtime) in files {
            hasher.update(format!("{name}\0{len}\0{mtime}\0").as_bytes());
        }
    }
}

/// The extraction of every document (`extract_dated(None, text, None)`), read from the cache
/// when it holds this set: a JSON file in `SITREP_STORIES_CACHE` (default
/// `<temp dir>/sitrep-stories-cache`; `off`: no cache) named by a hash of the documents' ids
/// and texts, of the model files' names, sizes and times, and of the extraction code (a
/// fingerprint of the source of sitrep-extract and the crates it builds on, made by this
/// crate's build script): a change to any of them gives a new key.
fn extractions(
    analyzer: &sitrep_extract::Analyzer,
    docs: &[(String, String, String, String)],
    set: &str,
) -> Vec<sitrep_model::Extraction> {
    let compute = || -> Vec<sitrep_model::Extraction> {
        docs.par_iter()
            .map(|(_, text, _, _)| analyzer.extract_dated(None, text, None))
            .collect()
    };
    let Some(dir) = cache_dir() else {
        return compute();
    };
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"sitrep-stories extraction cache 2\0");
    hasher.update(env!("SITREP_EXTRACTION_SOURCE").as_bytes());
    hash_model_files(&mut hasher, &sitrep_nlp::default_model_dir());
    for (id, text, _, _) in docs {
        hasher.update(id.as_bytes());
        hasher.update(b"\0");
        hasher.update(text.as_bytes());
        hasher.update(b"\0");
    }
    let hex = hasher.finalize().to_hex();
    let path = dir.join(format!("{set}-{}.json", &hex[..16]));
    if let Ok(bytes) = std::fs::read(&path) {
        match serde_json::from_slice::<Vec<sitrep_model::Extraction>>(&bytes) {
            Ok(cached) if cached.len() == docs.len() => return cached,
            Ok(_) => eprintln!(
                "{}: wrong number of documents, extracting again",
                path.display()
            ),
            Err(e) => eprintln!(
                "{}: unreadable cache ({e}), extracting again",
                path.display()
            ),
        }
    }
    let out = compute();
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let json = serde_json::to_vec(&out).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, &path)
    });
    if let Err(e) = written {
        eprintln!("cannot write the extraction cache {}: {e}", path.display());
    }
    out
}

/// ECB+ split: documents with subtopic (`12_ecb` / `12_ecbplus`) and topic (`12`).
fn ecb(analyzer: &sitrep_extract::Analyzer, path: &Path) -> anyhow::Result<Vec<Doc>> {
    let docs = read_tokens(path, 3)?
        .into_iter()
        .map(|(id, tokens)| {
            let (topic, rest) = id.split_once('_').unwrap_or((&id, ""));
            let sub = if rest.ends_with("ecbplus") {
                "ecbplus"
            } else {
                "ecb"
            };
            let text = detokenize(&tokens);
            (
                id.clone(),
                text,
                format!("{topic}_{sub}"),
                topic.to_string(),
            )
        })
        .collect();
    let set = path
        .file_stem()
        .map_or_else(|| "ecb".to_string(), |s| s.to_string_lossy().into_owned());
    features(analyzer, docs, &set)
}

/// NewsWCL50: `0/-/0_L` is event 0 told by outlet L.
fn newswcl(analyzer: &sitrep_extract::Analyzer, path: &Path) -> anyhow::Result<Vec<Doc>> {
    let docs = read_tokens(path, 3)?
        .into_iter()
        .map(|(id, tokens)| {
            let event = id.split('/').next().unwrap_or("").to_string();
            let text = detokenize(&tokens);
            (id.clone(), text, event.clone(), event)
        })
        .collect();
    features(analyzer, docs, "newswcl50")
}

/// FNC-1 competition test bodies, each with its claim's story (see [`crate::fnc_stories`]);
/// the thread is the story (FNC-1 has no storylines).
fn fnc1(analyzer: &sitrep_extract::Analyzer, dir: &Path) -> anyhow::Result<Vec<Doc>> {
    let docs = crate::fnc_stories::load(dir)?
        .into_iter()
        .map(|(id, text, story)| (format!("fnc1/{id}"), text, story.clone(), story))
        .collect();
    features(analyzer, docs, "fnc1")
}

/// A fixed pseudo-random permutation of `0..n` (xorshift, so no dependency).
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    order
}

/// The story sitrep-stories gives each ECB+ document of `path` (default configuration, documents
/// in `seed`'s order): `(document id, story)`. Event linking runs within these clusters.
pub(crate) fn ecb_stories(
    analyzer: &sitrep_extract::Analyzer,
    path: &Path,
    seed: u64,
) -> anyhow::Result<Vec<(String, u32)>> {
    let docs = ecb(analyzer, path)?;
    let order = shuffled(docs.len(), seed);
    let mut config = Config::default();
    if let Some(set) = std::env::var_os("SITREP_STORIES_SET") {
        override_config(&mut config, &set.to_string_lossy())?;
    }
    let feats: Vec<ArticleFeatures> = docs.iter().map(|d| d.full.clone()).collect();
    let orders = consensus_orders(docs.len(), &config, &order);
    let kept = sitrep_stories::consensus::cluster_batch(&config, &feats, orders, |_| {});
    let (c, order) = (kept.clusterer, kept.order);
    let mut out = vec![(String::new(), 0); docs.len()];
    for (pos, &i) in order.iter().enumerate() {
        let s = c.story_of(pos).map_or(u32::MAX, |s| s.0);
        out[i] = (docs[i].full.id.clone(), s);
    }
    Ok(out)
}

/// The orders a run in `order` clusters the documents in: `order` itself and, with
/// [`Config::consensus_runs`] above 1, as many more pseudo-random ones seeded by `order` (the
/// documents are undated, so every order is open; `sitrep` keeps publication dates in order
/// and shuffles within a date by a salted id hash).
fn consensus_orders(n: usize, config: &Config, order: &[usize]) -> Vec<Vec<usize>> {
    let seed = order.iter().take(8).fold(0u64, |h, &i| {
        h.wrapping_mul(0x0100_0000_01b3) ^ (i as u64 + 1)
    });
    (0..config.consensus_runs.max(1) as u64)
        .map(|j| {
            if j == 0 {
                order.to_vec()
            } else {
                shuffled(n, seed ^ j.wrapping_mul(0x9e37_79b9))
            }
        })
        .collect()
}

/// Stories and threads BCubed of one run in one order.
fn cluster(docs: &[Doc], config: &Config, baseline: bool, order: &[usize]) -> (BCubed, BCubed) {
    let feats: Vec<ArticleFeatures> = docs
        .iter()
        .map(|d| if baseline { &d.words } else { &d.full }.clone())
        .collect();
    let kept = sitrep_stories::consensus::cluster_batch(
        config,
        &feats,
        consensus_orders(docs.len(), config, order),
        |_| {},
    );
    let (c, order) = (kept.clusterer, kept.order);
    let mut story = vec![0u32; docs.len()];
    let mut thread = vec![0u32; docs.len()];
    for (pos, &i) in order.iter().enumerate() {
        let s = c.story_of(pos).map_or(u32::MAX, |s| s.0);
        story[i] = s;
        thread[i] = c.thread_of(sitrep_stories::StoryId(s)).0;
    }
    if std::env::var_os("SITREP_STORIES_DEBUG").is_some() && !baseline {
        // Per predicted story: its gold stories (to see what merges and splits).
        let mut by: std::collections::BTreeMap<u32, Vec<&str>> = Default::default();
        // `SITREP_STORIES_DEBUG=ids`: the documents' ids instead of their gold labels.
        let ids = std::env::var_os("SITREP_STORIES_DEBUG").is_some_and(|v| v == "ids");
        for (i, d) in docs.iter().enumerate() {
            by.entry(story[i])
                .or_default()
                .push(if ids { d.full.id.as_str() } else { &d.story });
        }
        for (s, golds) in by {
            let mut g = golds.clone();
            g.sort_unstable();
            g.dedup();
            if g.len() > 1 || golds.len() > 1 {
                eprintln!("story {s}: {golds:?}");
            }
        }
    }
    let gold_story: Vec<&str> = docs.iter().map(|d| d.story.as_str()).collect();
    let gold_thread: Vec<&str> = docs.iter().map(|d| d.thread.as_str()).collect();
    (bcubed(&story, &gold_story), bcubed(&thread, &gold_thread))
}

/// Mean, min and max over the orders.
struct Spread {
    runs: Vec<(BCubed, BCubed)>,
}

impl Spread {
    fn run_n(docs: &[Doc], config: &Config, baseline: bool, seed: u64, orders: u64) -> Spread {
        let runs = (0..orders)
            .into_par_iter()
            .map(|k| cluster(docs, config, baseline, &shuffled(docs.len(), seed + k)))
            .collect();
        Spread { runs }
    }

    fn mean_f1(&self, threads: bool) -> f64 {
        let sum: f64 = self
            .runs
            .iter()
            .map(|(s, t)| if threads { t.f1 } else { s.f1 })
            .sum();
        sum / self.runs.len().max(1) as f64
    }

    fn min_f1(&self, threads: bool) -> f64 {
        self.runs
            .iter()
            .map(|(s, t)| if threads { t.f1 } else { s.f1 })
            .fold(f64::INFINITY, f64::min)
    }

    fn json(&self, threads: bool) -> serde_json::Value {
        let pick = |r: &(BCubed, BCubed)| if threads { r.1 } else { r.0 };
        let n = self.runs.len().max(1) as f64;
        let mean = |f: fn(&BCubed) -> f64| self.runs.iter().map(|r| f(&pick(r))).sum::<f64>() / n;
        let f1s: Vec<f64> = self.runs.iter().map(|r| pick(r).f1).collect();
        let min = f1s.iter().copied().fold(f64::INFINITY, f64::min);
        let max = f1s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        serde_json::json!({
            "precision": round(mean(|b| b.precision)),
            "recall": round(mean(|b| b.recall)),
            "f1": round(mean(|b| b.f1)),
            "f1_per_order": f1s.iter().map(|&x| round(x)).collect::<Vec<_>>(),
            "f1_spread": round(max - min),
        })
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// What `--tune` maximises over its training sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// The mean over the sets of each set's mean F1 over the tuning orders.
    Mean,
    /// The smallest of the sets' mean F1s.
    Min,
    /// The mean over the sets of each set's worst F1 over the tuning orders (rewards
    /// order-independence on the training sets).
    Worst,
}

/// The tuning objective of `config` over `sets` (threads: the first set only, the others
/// have no storyline gold).
fn objective(
    sets: &[&[Doc]],
    config: &Config,
    baseline: bool,
    seed: u64,
    threads: bool,
    how: Objective,
) -> f64 {
    let sets = if threads {
        &sets[..1.min(sets.len())]
    } else {
        sets
    };
    let f1s: Vec<f64> = sets
        .iter()
        .map(|docs| {
            let runs = Spread::run_n(docs, config, baseline, seed + 100, TUNE_ORDERS);
            match how {
                Objective::Worst => runs.min_f1(threads),
                Objective::Mean | Objective::Min => runs.mean_f1(threads),
            }
        })
        .collect();
    match how {
        Objective::Mean | Objective::Worst => f1s.iter().sum::<f64>() / f1s.len().max(1) as f64,
        Objective::Min => f1s.iter().copied().fold(f64::INFINITY, f64::min),
    }
}

/// Coordinate ascent over the story parameters, then the thread parameters, on the training
/// `sets` (ECB+ train first).
fn tune(sets: &[&[Doc]], seed: u64, how: Objective) -> (Config, f32) {
    let mut best_baseline = (0.0, BASELINE_THRESHOLD);
    for t in 1..=30 {
        let t = t as f32 * 0.02;
        let f = objective(sets, &Config::tfidf_baseline(t), true, seed, false, how);
        if f > best_baseline.0 {
            best_baseline = (f, t);
        }
    }
    eprintln!(
        "baseline: threshold {} f1 {:.4}",
        best_baseline.1, best_baseline.0
    );

    type Setter = fn(&mut Config, f32);
    let story_params: Vec<(&str, Setter, Vec<f32>)> = vec![
        (
            // The merge pass never merges below the joining threshold (else merged centroids
            // grow broad and chain): the threshold moves with its margin.
            "threshold",
            |c, v| {
                let margin = c.merge_threshold - c.threshold;
                c.threshold = v;
                c.merge_threshold = v + margin;
            },
            (4..=30).map(|t| t as f32 * 0.02).collect(),
        ),
        (
            "merge_margin",
            |c, v| c.merge_threshold = c.threshold + v,
            (0..=10).map(|t| t as f32 * 0.02).collect(),
        ),
        (
            "entities",
            |c, v| c.weights.entities = v,
            vec![0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0],
        ),
        (
            "places",
            |c, v| c.weights.places = v,
            vec![0.0, 0.25, 0.5, 1.0, 1.5, 2.0],
        ),
        (
            "events",
            |c, v| c.weights.events = v,
            vec![0.0, 0.1, 0.25, 0.5, 1.0],
        ),
        (
            "numbers",
            |c, v| c.weights.numbers = v,
            vec![0.0, 0.1, 0.25, 0.5, 1.0],
        ),
        (
            // 0 (unbounded) is left out: one shared figure would join unrelated briefs.
            "numbers_words_ratio",
            |c, v| c.numbers_words_ratio = v,
            vec![1.0, 1.5, 2.0, 3.0, 4.0],
        ),
        (
            "lead",
            |c, v| c.weights.lead = v,
            vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0],
        ),
        (
            "year_penalty",
            |c, v| c.year_penalty = v,
            vec![0.0, 0.2, 0.4, 0.6, 0.8],
        ),
        (
            "who_penalty",
            |c, v| c.who_penalty = v,
            vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        ),
        (
            "where_penalty",
            |c, v| c.where_penalty = v,
            vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        ),
        (
            "killed_penalty",
            |c, v| c.killed_penalty = v,
            vec![0.0, 0.2, 0.4, 0.6, 0.8],
        ),
        (
            "date_penalty",
            |c, v| c.date_penalty = v,
            vec![0.0, 0.2, 0.4, 0.6],
        ),
        (
            "core_penalty",
            |c, v| c.core_penalty = v,
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        ),
        (
            "core_min_articles",
            |c, v| c.core_min_articles = v as u32,
            vec![1.0, 2.0, 3.0, 4.0],
        ),
        (
            "core_share",
            |c, v| c.core_share = v,
            vec![0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        ),
        (
            "split_min_articles",
            |c, v| c.split_min_articles = v as u32,
            vec![0.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        ),
        (
            "split_ratio",
            |c, v| c.split_ratio = v,
            (8..=18).map(|t| t as f32 * 0.05).collect(),
        ),
        (
            "length_exponent",
            |c, v| c.length_exponent = v,
            (-4..=12).map(|t| t as f32 * 0.05).collect(),
        ),
        (
            "length_ref",
            |c, v| c.length_ref = v,
            vec![10.0, 20.0, 40.0, 80.0, 160.0],
        ),
    ];
    let embedded = sets
        .first()
        .and_then(|docs| docs.first())
        .is_some_and(|d| !d.full.embedding.is_empty());
    let mut story_params = story_params;
    if embedded {
        story_params.push((
            "embedding_weight",
            |c, v| c.embedding_weight = v,
            (0..=16).map(|t| t as f32 * 0.05).collect(),
        ));
        story_params.push((
            "embedding_floor",
            |c, v| c.embedding_floor = v,
            (0..=12).map(|t| t as f32 * 0.05).collect(),
        ));
    }
    let thread_params: Vec<(&str, Setter, Vec<f32>)> = vec![
        (
            "thread_threshold",
            |c, v| c.thread_threshold = v,
            (1..=25).map(|t| t as f32 * 0.02).collect(),
        ),
        (
            "thread_entities",
            |c, v| c.thread_weights.entities = v,
            vec![0.0, 0.25, 0.5, 1.0, 2.0],
        ),
        (
            "thread_places",
            |c, v| c.thread_weights.places = v,
            vec![0.0, 0.25, 0.5, 1.0],
        ),
        (
            "thread_events",
            |c, v| c.thread_weights.events = v,
            vec![0.0, 0.25, 0.5, 1.0],
        ),
        (
            "thread_numbers",
            |c, v| c.thread_weights.numbers = v,
            vec![0.0, 0.25, 0.5],
        ),
    ];
    let mut config = Config::default();
    if embedded {
        embedding_grid(sets, seed, how, &mut config);
        if std::env::var_os("SITREP_STORIES_TUNE_EMBED_ONLY").is_some() {
            eprintln!("tuned (embedding grid only): {config:#?}");
            return (config, best_baseline.1);
        }
    }
    // The core penalty moves with the merge margin (it lowers merged-story similarities), so
    // those two and the core size are searched jointly before the coordinate ascent.
    let mut grid: Vec<(f32, u32, f32)> = Vec::new();
    for penalty in [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8] {
        for min_articles in [2, 3, 4] {
            for margin in [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14] {
                grid.push((penalty, min_articles, margin));
            }
        }
    }
    let joint: Vec<(f64, (f32, u32, f32))> = grid
        .par_iter()
        .map(|&(penalty, min_articles, margin)| {
            let mut c = config.clone();
            c.core_penalty = penalty;
            c.core_min_articles = min_articles;
            c.merge_threshold = c.threshold + margin;
            let f = objective(sets, &c, false, seed, false, how);
            (f, (penalty, min_articles, margin))
        })
        .collect();
    if let Some(&(f, (penalty, min_articles, margin))) = joint
        .iter()
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.0.total_cmp(&a.1.0)))
    {
        config.core_penalty = penalty;
        config.core_min_articles = min_articles;
        config.merge_threshold = config.threshold + margin;
        eprintln!(
            "joint core_penalty {penalty} core_min_articles {min_articles} merge_margin {margin}: f1 {f:.4}"
        );
    }
    // The length exponent moves with the threshold (short ECB+ documents see the threshold
    // alone, long ones the threshold times the length factor): searched jointly too, with
    // the merge margin kept.
    if sets.len() > 1 {
        let mut grid: Vec<(f32, f32)> = Vec::new();
        for t in 8..=17 {
            for e in 0..=8 {
                grid.push((t as f32 * 0.02, e as f32 * 0.05));
            }
        }
        let joint: Vec<(f64, (f32, f32))> = grid
            .par_iter()
            .map(|&(threshold, exponent)| {
                let mut c = config.clone();
                let margin = c.merge_threshold - c.threshold;
                c.threshold = threshold;
                c.merge_threshold = threshold + margin;
                c.length_exponent = exponent;
                let f = objective(sets, &c, false, seed, false, how);
                (f, (threshold, exponent))
            })
            .collect();
        if let Some(&(f, (threshold, exponent))) = joint
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.1.total_cmp(&a.1.1)))
        {
            let margin = config.merge_threshold - config.threshold;
            config.threshold = threshold;
            config.merge_threshold = threshold + margin;
            config.length_exponent = exponent;
            eprintln!("joint threshold {threshold} length_exponent {exponent}: f1 {f:.4}");
        }
    }
    for (params, threads) in [(&story_params, false), (&thread_params, true)] {
        let mut best = objective(sets, &config, false, seed, threads, how);
        for round in 0..3 {
            let before = best;
            for (name, set, values) in params.iter() {
                let results: Vec<(f64, f32)> = values
                    .par_iter()
                    .map(|&v| {
                        let mut c = config.clone();
                        set(&mut c, v);
                        (objective(sets, &c, false, seed, threads, how), v)
                    })
                    .collect();
                for (f, v) in results {
                    if f > best + 1e-9 {
                        best = f;
                        set(&mut config, v);
                    }
                }
                eprintln!("round {round} {name}: f1 {best:.4}");
            }
            if best <= before + 1e-9 {
                break;
            }
        }
    }
    eprintln!("tuned: {config:#?}");
    (config, best_baseline.1)
}

/// The embedding weight and floor move the similarity's scale: searched jointly with the
/// threshold (the merge margin kept) from `config`, which takes the best.
fn embedding_grid(sets: &[&[Doc]], seed: u64, how: Objective, config: &mut Config) {
    let mut grid: Vec<(f32, f32, f32)> = Vec::new();
    for w in 0..=6 {
        for floor in [0.0, 0.3, 0.5] {
            for t in 8..=22 {
                grid.push((w as f32 * 0.1, floor, t as f32 * 0.02));
            }
        }
    }
    let margin = config.merge_threshold - config.threshold;
    let results: Vec<(f64, (f32, f32, f32))> = grid
        .par_iter()
        .map(|&(w, floor, t)| {
            let mut c = config.clone();
            c.embedding_weight = w;
            c.embedding_floor = floor;
            c.threshold = t;
            c.merge_threshold = t + margin;
            (objective(sets, &c, false, seed, false, how), (w, floor, t))
        })
        .collect();
    // Ties: the smaller weight, then the lower floor (less of the costly signal).
    if let Some(&(f, (w, floor, t))) = results.iter().max_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(b.1.0.total_cmp(&a.1.0))
            .then(b.1.1.total_cmp(&a.1.1))
    }) {
        config.embedding_weight = w;
        config.embedding_floor = floor;
        config.threshold = t;
        config.merge_threshold = t + margin;
        eprintln!("joint embedding_weight {w} embedding_floor {floor} threshold {t}: f1 {f:.4}");
    }
    for w in 0..=6 {
        let w = w as f32 * 0.1;
        let best = results
            .iter()
            .filter(|r| r.1.0 == w)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(&(f, (_, floor, t))) = best {
            eprintln!("  weight {w:.1}: best f1 {f:.4} (floor {floor}, threshold {t})");
        }
    }
}

/// `SITREP_STORIES_SET="threshold=0.3,core_penalty=0.5"`: overrides of the measured
/// configuration (to try a setting without a rebuild; the figures in BENCHMARKS.md use none).
fn override_config(c: &mut Config, set: &str) -> anyhow::Result<()> {
    for item in set.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .with_context(|| format!("SITREP_STORIES_SET: {item:?} is not name=value"))?;
        let v: f32 = value
            .trim()
            .parse()
            .with_context(|| format!("SITREP_STORIES_SET: {value:?} is not a number"))?;
        match name.trim() {
            "threshold" => c.threshold = v,
            "merge_threshold" => c.merge_threshold = v,
            "words" => c.weights.words = v,
            "entities" => c.weights.entities = v,
            "places" => c.weights.places = v,
            "events" => c.weights.events = v,
            "numbers" => c.weights.numbers = v,
            "lead" => c.weights.lead = v,
            "year_penalty" => c.year_penalty = v,
            "who_penalty" => c.who_penalty = v,
            "where_penalty" => c.where_penalty = v,
            "killed_penalty" => c.killed_penalty = v,
            "date_penalty" => c.date_penalty = v,
            "core_penalty" => c.core_penalty = v,
            "core_min_articles" => c.core_min_articles = v as u32,
            "core_share" => c.core_share = v,
            "split_min_articles" => c.split_min_articles = v as u32,
            "split_ratio" => c.split_ratio = v,
            "reassign_rounds" => c.reassign_rounds = v as u32,
            "reassign_margin" => c.reassign_margin = v,
            "reassign_close" => c.reassign_close = v,
            "consensus_runs" => c.consensus_runs = v as usize,
            "length_exponent" => c.length_exponent = v,
            "length_ref" => c.length_ref = v,
            "embedding_weight" => c.embedding_weight = v,
            "embedding_floor" => c.embedding_floor = v,
            "embedding_short" => c.embedding_short = v,
            "embedding_long" => c.embedding_long = v,
            "embedding_offset" => c.embedding_offset = v,
            "numbers_words_ratio" => c.numbers_words_ratio = v,
            "max_span_days" => c.max_span_days = v as i64,
            "merge_every" => c.merge_every = v as u32,
            "thread_threshold" => c.thread_threshold = v,
            "thread_entities" => c.thread_weights.entities = v,
            "thread_places" => c.thread_weights.places = v,
            other => anyhow::bail!("SITREP_STORIES_SET: unknown parameter {other:?}"),
        }
    }
    Ok(())
}

/// Which training sets `--tune` searches on (dev and NewsWCL50 are never among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TuneOn {
    /// ECB+ train only (the earlier steps' tuning).
    Ecb,
    /// ECB+ train and FNC-1 (long articles), with the given objective.
    Mixed(Objective),
}

impl std::str::FromStr for TuneOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ecb" => Ok(TuneOn::Ecb),
            "mixed" | "mixed-mean" => Ok(TuneOn::Mixed(Objective::Mean)),
            "mixed-min" => Ok(TuneOn::Mixed(Objective::Min)),
            "mixed-worst" => Ok(TuneOn::Mixed(Objective::Worst)),
            other => Err(format!(
                "unknown training set {other:?} (ecb, mixed, mixed-min, mixed-worst)"
            )),
        }
    }
}

/// `sitrep-eval stories`.
pub fn run(data: &Path, tune_on: Option<TuneOn>, seed: u64) -> anyhow::Result<serde_json::Value> {
    let model = sitrep_nlp::default_model_dir();
    let analyzer = sitrep_extract::Analyzer::load(&model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let started = Instant::now();
    let root = data.join("stories");
    let train = ecb(&analyzer, &root.join("ecbplus/ECB_Train_corpus.txt"))?;
    let dev = ecb(&analyzer, &root.join("ecbplus/ECB_Dev_corpus.txt"))?;
    let wcl = newswcl(&analyzer, &root.join("cdcr/newswcl50/NewsWCL50.conll"))?;
    let fnc = fnc1(&analyzer, &root.join("fnc1"))?;
    let extract_s = started.elapsed().as_secs_f64();

    let (mut config, baseline_threshold) = match tune_on {
        Some(TuneOn::Ecb) => tune(&[&train], seed, Objective::Mean),
        Some(TuneOn::Mixed(how)) => tune(&[&train, &fnc], seed, how),
        // With embeddings on, the recommended embedding setting (BENCHMARKS.md, step 14).
        None if embedder()?.is_some() => (Config::with_embeddings(), BASELINE_THRESHOLD),
        None => (Config::default(), BASELINE_THRESHOLD),
    };
    if let Some(set) = std::env::var_os("SITREP_STORIES_SET") {
        override_config(&mut config, &set.to_string_lossy())?;
    }
    let baseline = Config::tfidf_baseline(baseline_threshold);
    // `SITREP_STORIES_ORDERS=12`: that many orders from the seed (default 3).
    let orders: u64 = match std::env::var("SITREP_STORIES_ORDERS") {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .with_context(|| format!("SITREP_STORIES_ORDERS: {v:?} is not a positive count"))?,
        Err(_) => 3,
    };
    // `SITREP_STORIES_ONLY=ecb_train,fnc1_train`: measure these sets only (tuning on the
    // training sets without seeing the held-out figures).
    let only: Option<Vec<String>> = std::env::var("SITREP_STORIES_ONLY")
        .ok()
        .map(|v| v.split(',').map(|x| x.trim().to_string()).collect());
    let started = Instant::now();
    let mut report = serde_json::Map::new();
    for (name, docs) in [
        ("ecb_train", &train),
        ("fnc1_train", &fnc),
        ("ecb_dev", &dev),
        ("newswcl50", &wcl),
    ] {
        if only.as_ref().is_some_and(|o| !o.iter().any(|x| x == name)) {
            continue;
        }
        let ours = Spread::run_n(docs, &config, false, seed, orders);
        let base = Spread::run_n(docs, &baseline, true, seed, orders);
        let stories = docs
            .iter()
            .map(|d| d.story.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        let threads = docs
            .iter()
            .map(|d| d.thread.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        report.insert(
            name.to_string(),
            serde_json::json!({
                "documents": docs.len(),
                "gold_stories": stories,
                "gold_threads": threads,
                "stories": { "tfidf_baseline": base.json(false), "ours": ours.json(false) },
                "threads": { "tfidf_baseline": base.json(true), "ours": ours.json(true) },
            }),
        );
    }
    report.insert(
        "config".to_string(),
        serde_json::json!({
            "tuned_now": tune_on.map(|t| format!("{t:?}")),
            "baseline_threshold": baseline_threshold,
            "config": format!("{config:?}"),
            "orders": (seed..seed + orders).collect::<Vec<_>>(),
        }),
    );
    report.insert(
        "seconds".to_string(),
        serde_json::json!({
            "extract": round(extract_s),
            "cluster_all": round(started.elapsed().as_secs_f64()),
        }),
    );
    Ok(serde_json::Value::Object(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detokenize_joins_punctuation() {
        let t: Vec<String> = [
            "He", "said", "(", "twice", ")", ",", "it", "is", "n't", "so", ".",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(detokenize(&t), "He said (twice), it isn't so.");
    }

    #[test]
    fn shuffles_are_permutations() {
        let mut o = shuffled(50, 7);
        assert_ne!(o, (0..50).collect::<Vec<_>>());
        o.sort_unstable();
        assert_eq!(o, (0..50).collect::<Vec<_>>());
    }
}
