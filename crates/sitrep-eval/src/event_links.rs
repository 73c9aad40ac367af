//! `sitrep-eval event-links`: ECB+ cross-document event coreference with gold mentions
//! (issue 6), scored with MUC, B-cubed and CEAF-e and their mean, the CoNLL F1.
//!
//! Mentions are linked only within one document cluster: the gold subtopics, or the stories
//! sitrep-stories finds (the realistic setting, as Barhom et al. 2019's "cluster + lemma"). Two
//! methods: the lemma baseline (mentions whose trigger heads share a lemma are one event) and
//! a learned pairwise scorer (logistic regression over features sitrep computes anyway: trigger
//! lemmas, the event lexicon's PLOVER type, arguments, places, times, sentence words, and how
//! often two lemmas corefer in train) whose pairs are joined by average-link clustering. The
//! scorer and its threshold are fitted on ECB+ train only; dev is held out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use serde::Deserialize;
use sitrep_extract::events::lexicon::LEXICON;

// ---------------------------------------------------------------------------------------------
// Scorer

/// Precision, recall and F1 of one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "precision": round(self.precision),
            "recall": round(self.recall),
            "f1": round(self.f1),
        })
    }
}

/// MUC, B-cubed, CEAF-e and the CoNLL F1 (their F1s' mean).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub muc: Prf,
    pub b3: Prf,
    pub ceafe: Prf,
    pub conll: f64,
}

impl Scores {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "muc": self.muc.json(),
            "b3": self.b3.json(),
            "ceaf_e": self.ceafe.json(),
            "conll_f1": round(self.conll),
        })
    }
}

/// Clusters as lists of mention indices, in order of first mention (deterministic).
fn clusters_of(labels: &[usize]) -> Vec<Vec<usize>> {
    let mut index: HashMap<usize, usize> = HashMap::new();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (m, &l) in labels.iter().enumerate() {
        let c = *index.entry(l).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[c].push(m);
    }
    out
}

/// MUC recall of `key` against `response` (swap them for precision): links kept over links.
fn muc_recall(key: &[Vec<usize>], response_label: &[usize]) -> f64 {
    let (mut num, mut den) = (0usize, 0usize);
    for k in key {
        let parts: BTreeSet<usize> = k.iter().map(|&m| response_label[m]).collect();
        num += k.len() - parts.len();
        den += k.len() - 1;
    }
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// The largest total weight of a matching between rows and columns (Kuhn-Munkres, O(n²m)).
fn max_matching(w: &[Vec<f64>]) -> f64 {
    let rows = w.len();
    let cols = w.first().map_or(0, Vec::len);
    if rows == 0 || cols == 0 {
        return 0.0;
    }
    if rows > cols {
        let t: Vec<Vec<f64>> = (0..cols)
            .map(|j| (0..rows).map(|i| w[i][j]).collect())
            .collect();
        return max_matching(&t);
    }
    // Minimise the negated weights; 1-based potentials as in the classic formulation.
    let (n, m) = (rows, cols);
    let cost = |i: usize, j: usize| -w[i - 1][j - 1];
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; m + 1];
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![f64::INFINITY; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=m {
                if !used[j] {
                    let cur = cost(i0, j) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    (1..=m)
        .filter(|&j| p[j] != 0)
        .map(|j| w[p[j] - 1][j - 1])
        .sum()
}

/// Scores a response clustering against the key over the same mentions (`key[i]` and
/// `response[i]` are mention i's cluster labels; gold mentions, so both cover every mention).
pub fn score(key: &[usize], response: &[usize]) -> Scores {
    assert_eq!(
        key.len(),
        response.len(),
        "key and response cover the same mentions"
    );
    let kc = clusters_of(key);
    let rc = clusters_of(response);
    // Cluster index of every mention on each side.
    let mut kof = vec![0usize; key.len()];
    for (c, k) in kc.iter().enumerate() {
        for &m in k {
            kof[m] = c;
        }
    }
    let mut rof = vec![0usize; key.len()];
    for (c, r) in rc.iter().enumerate() {
        for &m in r {
            rof[m] = c;
        }
    }
    let muc = Prf::new(muc_recall(&rc, &kof), muc_recall(&kc, &rof));

    let mut overlap: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for m in 0..key.len() {
        *overlap.entry((kof[m], rof[m])).or_default() += 1;
    }
    // B-cubed over mentions is the story clustering's scorer (response = clusters, key = classes).
    let b = sitrep_stories::bcubed::bcubed(response, key);
    let b3 = Prf::new(b.precision, b.recall);

    // CEAF-e: the best one-to-one alignment of key and response clusters by
    // phi4 = 2|K∩R| / (|K| + |R|), solved per connected component of overlapping clusters.
    let mut parent: Vec<usize> = (0..kc.len() + rc.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for &(k, r) in overlap.keys() {
        let (a, b) = (find(&mut parent, k), find(&mut parent, kc.len() + r));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut comps: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for k in 0..kc.len() {
        let root = find(&mut parent, k);
        comps.entry(root).or_default().0.push(k);
    }
    for r in 0..rc.len() {
        let root = find(&mut parent, kc.len() + r);
        comps.entry(root).or_default().1.push(r);
    }
    let mut total = 0.0;
    for (ks, rs) in comps.values() {
        let w: Vec<Vec<f64>> = ks
            .iter()
            .map(|&k| {
                rs.iter()
                    .map(|&r| {
                        overlap.get(&(k, r)).map_or(0.0, |&o| {
                            2.0 * o as f64 / (kc[k].len() + rc[r].len()) as f64
                        })
                    })
                    .collect()
            })
            .collect();
        total += max_matching(&w);
    }
    let ceafe = Prf::new(
        total / rc.len().max(1) as f64,
        total / kc.len().max(1) as f64,
    );
    Scores {
        muc,
        b3,
        ceafe,
        conll: (muc.f1 + b3.f1 + ceafe.f1) / 3.0,
    }
}

// ---------------------------------------------------------------------------------------------
// Data

#[derive(Deserialize)]
struct GoldMention {
    coref_chain: String,
    doc_id: String,
    sent_id: usize,
    tokens_number: Vec<usize>,
}

/// One gold event mention with what the pairwise features need.
struct Mention {
    doc: String,
    /// ECB+ topic ("12") and subtopic ("12_ecbplus").
    topic: String,
    subtopic: String,
    chain: String,
    head_lemma: String,
    lemmas: String,
    head_pos: String,
    /// PLOVER type of the trigger in sitrep's event lexicon.
    frame: Option<&'static str>,
    /// Lemmas of the trigger's subject, object and prepositional objects.
    args: BTreeSet<String>,
    /// Named participants (people, organisations, groups), places and times in the sentence.
    participants: BTreeSet<String>,
    places: BTreeSet<String>,
    times: BTreeSet<String>,
    /// Content lemmas of the sentence, the trigger excluded.
    context: BTreeSet<String>,
    /// The trigger head's tok2vec vector and the sentence's mean vector, unit length.
    head_vec: Vec<f32>,
    sent_vec: Vec<f32>,
    /// MiniLM embeddings (`SITREP_EVENTS_EMBED`; empty otherwise) of the sentence and of a
    /// window of [`WINDOW`] tokens either side of the trigger.
    mlm_sent: Vec<f32>,
    mlm_window: Vec<f32>,
    /// The sentence's text and the window's (what is embedded).
    sent_text: String,
    window_text: String,
}

/// Tokens either side of the trigger in the embedded window.
const WINDOW: usize = 5;

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
    v
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    f64::from(a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>())
}

/// Sentences of a token-per-line file: `(doc, sent) -> [(token number, token)]`.
type Sentences = BTreeMap<(String, usize), Vec<(usize, String)>>;

fn read_corpus(path: &Path) -> anyhow::Result<Sentences> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out: Sentences = BTreeMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 || cols[0].is_empty() {
            continue;
        }
        let (Ok(sent), Ok(tok)) = (cols[1].parse::<usize>(), cols[2].parse::<usize>()) else {
            continue;
        };
        out.entry((cols[0].to_string(), sent))
            .or_default()
            .push((tok, cols[3].to_string()));
    }
    Ok(out)
}

const STOP: &[&str] = &[
    "be", "have", "do", "say", "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "at",
    "by", "with", "from", "as", "that", "this", "it", "he", "she", "they", "we", "i", "you", "his",
    "her", "their", "its", "who", "which", "will", "would", "can", "could", "may", "not", "-PRON-",
];

fn content(pos: &str) -> bool {
    matches!(pos, "NOUN" | "PROPN" | "VERB" | "ADJ" | "NUM")
}

/// Reads one split's gold event mentions and analyses their sentences.
fn load(
    nlp: &sitrep_nlp::Pipeline,
    t2v: &sitrep_nlp::model::Tok2Vec,
    corpus: &Path,
    mentions: &Path,
) -> anyhow::Result<Vec<Mention>> {
    let sentences = read_corpus(corpus)?;
    let text = std::fs::read_to_string(mentions)
        .with_context(|| format!("cannot read {}", mentions.display()))?;
    let gold: Vec<GoldMention> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a list of ECB+ mentions", mentions.display()))?;
    let wanted: BTreeSet<(String, usize)> =
        gold.iter().map(|m| (m.doc_id.clone(), m.sent_id)).collect();
    let keys: Vec<&(String, usize)> = wanted.iter().collect();
    type Analysed = (Vec<usize>, sitrep_nlp::Doc, Vec<f32>);
    let analysed: HashMap<(String, usize), Analysed> = keys
        .par_iter()
        .filter_map(|k| {
            let toks = sentences.get(*k)?;
            let words: Vec<&str> = toks.iter().map(|(_, w)| w.as_str()).collect();
            let numbers: Vec<usize> = toks.iter().map(|(n, _)| *n).collect();
            let vectors = t2v.forward(&words);
            Some((
                (*k).clone(),
                (numbers, nlp.analyze_words(&words, None), vectors),
            ))
        })
        .collect();
    let mut out = Vec::with_capacity(gold.len());
    let mut missing = 0usize;
    for g in gold {
        let Some((numbers, doc, vectors)) = analysed.get(&(g.doc_id.clone(), g.sent_id)) else {
            missing += 1;
            continue;
        };
        let span: Vec<usize> = g
            .tokens_number
            .iter()
            .filter_map(|n| numbers.iter().position(|x| x == n))
            .collect();
        if span.is_empty() || doc.tokens.len() != numbers.len() {
            missing += 1;
            continue;
        }
        let toks = &doc.tokens;
        let head = span
            .iter()
            .copied()
            .find(|&i| !span.contains(&toks[i].head) || toks[i].head == i)
            .unwrap_or(span[span.len() - 1]);
        let lemma = |i: usize| toks[i].lemma.to_lowercase();
        let head_lemma = lemma(head);
        let lemmas = span.iter().map(|&i| lemma(i)).collect::<Vec<_>>().join(" ");
        let head_pos = toks[head].pos.as_str().to_string();
        let frame = LEXICON
            .verb(&head_lemma, &[])
            .or_else(|| LEXICON.noun(&head_lemma))
            .map(|f| f.kind);
        let mut args = BTreeSet::new();
        for (i, t) in toks.iter().enumerate() {
            if t.head == head && i != head {
                match t.dep.as_str() {
                    "nsubj" | "nsubjpass" | "dobj" | "agent" | "poss" | "compound" => {
                        args.insert(lemma(i));
                    }
                    "prep" => {
                        for (j, u) in toks.iter().enumerate() {
                            if u.head == i && u.dep.as_str() == "pobj" {
                                args.insert(lemma(j));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let (mut participants, mut places, mut times) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for e in &doc.entities {
            let name = doc.text[e.start..e.end].to_lowercase();
            match e.label.as_str() {
                "PERSON" | "ORG" | "NORP" => participants.insert(name),
                "GPE" | "LOC" | "FAC" => places.insert(name),
                "DATE" | "TIME" => times.insert(name),
                _ => false,
            };
        }
        let context = toks
            .iter()
            .enumerate()
            .filter(|(i, t)| !span.contains(i) && content(t.pos.as_str()))
            .map(|(i, _)| lemma(i))
            .filter(|l| !STOP.contains(&l.as_str()))
            .collect();
        let w = t2v.width();
        let head_vec = unit(
            vectors
                .get(head * w..(head + 1) * w)
                .map_or_else(|| vec![0.0; w], <[f32]>::to_vec),
        );
        let mut sent_vec = vec![0.0f32; w];
        for row in vectors.chunks(w) {
            sent_vec.iter_mut().zip(row).for_each(|(s, x)| *s += x);
        }
        let sent_vec = unit(sent_vec);
        let words: Vec<String> = toks
            .iter()
            .map(|t| doc.text[t.start..t.end].to_string())
            .collect();
        let sent_text = crate::stories::detokenize(&words);
        let (lo, hi) = (span[0], span[span.len() - 1]);
        let window = &words[lo.saturating_sub(WINDOW)..(hi + 1 + WINDOW).min(words.len())];
        let window_text = crate::stories::detokenize(window);
        let (topic, rest) = g.doc_id.split_once('_').unwrap_or((&g.doc_id, ""));
        let sub = if rest.ends_with("ecbplus") {
            "ecbplus"
        } else {
            "ecb"
        };
        out.push(Mention {
            topic: topic.to_string(),
            subtopic: format!("{topic}_{sub}"),
            doc: g.doc_id,
            chain: g.coref_chain,
            head_lemma,
            lemmas,
            head_pos,
            frame,
            args,
            participants,
            places,
            times,
            context,
            head_vec,
            sent_vec,
            mlm_sent: Vec::new(),
            mlm_window: Vec::new(),
            sent_text,
            window_text,
        });
    }
    if missing > 0 {
        eprintln!(
            "event-links: {missing} mentions of {} without their sentence, left out",
            mentions.display()
        );
    }
    Ok(out)
}

/// With `SITREP_EVENTS_EMBED` (`on`: `models/minilm`, else the model folder): every distinct
/// sentence and trigger window of both splits embedded with MiniLM. Returns the seconds taken
/// (`None`: off, the MiniLM features stay 0).
fn embed_mentions(train: &mut [Mention], dev: &mut [Mention]) -> anyhow::Result<Option<f64>> {
    let Some(setting) = std::env::var_os("SITREP_EVENTS_EMBED") else {
        return Ok(None);
    };
    if setting == "off" || setting.is_empty() {
        return Ok(None);
    }
    let dir = if setting == "on" {
        sitrep_embed::default_model_dir()
    } else {
        std::path::PathBuf::from(setting)
    };
    let started = Instant::now();
    let embedder = sitrep_embed::Embedder::load(&dir)?;
    let mut texts: BTreeSet<String> = BTreeSet::new();
    for m in train.iter().chain(dev.iter()) {
        texts.insert(m.sent_text.clone());
        texts.insert(m.window_text.clone());
    }
    let texts: Vec<String> = texts.into_iter().collect();
    let vectors = embedder
        .embed(&texts)
        .context("embedding the mention sentences")?;
    let by: HashMap<String, Vec<f32>> = texts
        .into_iter()
        .zip(vectors)
        .map(|(t, v)| (t, v.to_vec()))
        .collect();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("event-links: {} texts embedded in {seconds:.1} s", by.len());
    for m in train.iter_mut().chain(dev.iter_mut()) {
        m.mlm_sent = by.get(m.sent_text.as_str()).cloned().unwrap_or_default();
        m.mlm_window = by.get(m.window_text.as_str()).cloned().unwrap_or_default();
    }
    Ok(Some(seconds))
}

// ---------------------------------------------------------------------------------------------
// Pairwise scorer

/// How often two head lemmas corefer in train, per topic (so train's own features can leave
/// the mention's topic out).
#[derive(Default)]
struct LemmaPairs {
    /// (lemma, lemma) sorted -> topic -> (coreferent pairs, pairs).
    counts: HashMap<(String, String), HashMap<String, (u32, u32)>>,
    prior: f64,
}

fn pair_key(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl LemmaPairs {
    fn fit(train: &[Mention]) -> LemmaPairs {
        let mut lp = LemmaPairs::default();
        let (mut pos, mut all) = (0u64, 0u64);
        for group in groups(train, |m| m.subtopic.clone()) {
            for (x, &i) in group.iter().enumerate() {
                for &j in &group[x + 1..] {
                    let (a, b) = (&train[i], &train[j]);
                    let same = a.chain == b.chain;
                    let e = lp
                        .counts
                        .entry(pair_key(&a.head_lemma, &b.head_lemma))
                        .or_default()
                        .entry(a.topic.clone())
                        .or_default();
                    e.0 += u32::from(same);
                    e.1 += 1;
                    pos += u64::from(same);
                    all += 1;
                }
            }
        }
        lp.prior = pos as f64 / all.max(1) as f64;
        lp
    }

    /// Smoothed coreference rate of the pair and whether train saw it, leaving `topic` out.
    fn rate(&self, a: &str, b: &str, leave_out: Option<&str>) -> (f64, bool) {
        let (mut p, mut n) = (0u32, 0u32);
        if let Some(by_topic) = self.counts.get(&pair_key(a, b)) {
            for (t, &(tp, tn)) in by_topic {
                if Some(t.as_str()) != leave_out {
                    p += tp;
                    n += tn;
                }
            }
        }
        let smooth = 2.0;
        (
            (p as f64 + smooth * self.prior) / (n as f64 + smooth),
            n > 0,
        )
    }
}

const FEATURES: usize = 26;

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn shares(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    f64::from(u8::from(a.intersection(b).next().is_some()))
}

fn disjoint(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    f64::from(u8::from(
        !a.is_empty() && !b.is_empty() && a.intersection(b).next().is_none(),
    ))
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

fn features(a: &Mention, b: &Mention, lp: &LemmaPairs, leave_out: Option<&str>) -> [f64; FEATURES] {
    let same_lemma = f64::from(u8::from(a.head_lemma == b.head_lemma));
    let prefix = common_prefix(&a.head_lemma, &b.head_lemma);
    let near_lemma = f64::from(u8::from(same_lemma == 0.0 && prefix >= 4));
    let (rate, seen) = lp.rate(&a.head_lemma, &b.head_lemma, leave_out);
    let context = jaccard(&a.context, &b.context);
    let (fa, fb) = (a.frame, b.frame);
    [
        1.0,
        same_lemma,
        f64::from(u8::from(a.lemmas == b.lemmas)),
        near_lemma,
        f64::from(u8::from(fa.is_some() && fa == fb)),
        f64::from(u8::from(fa.is_some() && fb.is_some() && fa != fb)),
        f64::from(u8::from(a.doc == b.doc)),
        context,
        shares(&a.participants, &b.participants),
        shares(&a.places, &b.places),
        disjoint(&a.places, &b.places),
        shares(&a.times, &b.times),
        disjoint(&a.times, &b.times),
        f64::from(u8::from(a.head_pos == "VERB" && b.head_pos == "VERB")),
        f64::from(u8::from(a.head_pos == "NOUN" && b.head_pos == "NOUN")),
        rate,
        f64::from(u8::from(seen)),
        jaccard(&a.args, &b.args),
        same_lemma * context,
        rate * context,
        cosine(&a.head_vec, &b.head_vec),
        cosine(&a.sent_vec, &b.sent_vec),
        same_lemma * cosine(&a.sent_vec, &b.sent_vec),
        // MiniLM (0 without `SITREP_EVENTS_EMBED`: a feature that is always 0 keeps weight 0).
        cosine(&a.mlm_sent, &b.mlm_sent),
        cosine(&a.mlm_window, &b.mlm_window),
        same_lemma * cosine(&a.mlm_window, &b.mlm_window),
    ]
}

/// Logistic regression weights.
struct Scorer {
    w: [f64; FEATURES],
}

impl Scorer {
    fn prob(&self, f: &[f64; FEATURES]) -> f64 {
        let z: f64 = self.w.iter().zip(f).map(|(w, x)| w * x).sum();
        1.0 / (1.0 + (-z).exp())
    }

    /// Full-batch gradient descent with L2 and balanced class weights.
    fn train(xs: &[[f64; FEATURES]], ys: &[bool]) -> Scorer {
        let pos = ys.iter().filter(|&&y| y).count().max(1) as f64;
        let neg = (ys.len() as f64 - pos).max(1.0);
        let (wp, wn) = (ys.len() as f64 / (2.0 * pos), ys.len() as f64 / (2.0 * neg));
        let mut s = Scorer { w: [0.0; FEATURES] };
        let lr = 0.5;
        let l2 = 1e-4;
        for _ in 0..2000 {
            let grad = xs
                .par_iter()
                .zip(ys.par_iter())
                .fold(
                    || [0.0f64; FEATURES],
                    |mut g, (x, &y)| {
                        let p = s.prob(x);
                        let (t, cw) = if y { (1.0, wp) } else { (0.0, wn) };
                        for (gk, xk) in g.iter_mut().zip(x) {
                            *gk += cw * (p - t) * xk;
                        }
                        g
                    },
                )
                .reduce(
                    || [0.0f64; FEATURES],
                    |mut a, b| {
                        for (ak, bk) in a.iter_mut().zip(b) {
                            *ak += bk;
                        }
                        a
                    },
                );
            let n = xs.len() as f64;
            for (w, g) in s.w.iter_mut().zip(grad) {
                *w -= lr * (g / n + l2 * *w);
            }
        }
        s
    }
}

/// Mention indices grouped by `key`, groups in key order.
fn groups(mentions: &[Mention], key: impl Fn(&Mention) -> String) -> Vec<Vec<usize>> {
    let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, m) in mentions.iter().enumerate() {
        by.entry(key(m)).or_default().push(i);
    }
    by.into_values().collect()
}

/// Average-link agglomerative clustering of one group: joins the two clusters with the highest
/// mean pairwise probability while it is at least `threshold`. Returns a label per member.
fn average_link(sim: &[Vec<f64>], threshold: f64) -> Vec<usize> {
    let n = sim.len();
    let mut clusters: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    // Sum of pairwise similarities between live clusters.
    let mut sums: Vec<Vec<f64>> = sim.to_vec();
    let mut alive = vec![true; n];
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for a in 0..n {
            if !alive[a] {
                continue;
            }
            for b in a + 1..n {
                if !alive[b] {
                    continue;
                }
                let avg = sums[a][b] / (clusters[a].len() * clusters[b].len()) as f64;
                if avg >= threshold && best.is_none_or(|(s, _, _)| avg > s) {
                    best = Some((avg, a, b));
                }
            }
        }
        let Some((_, a, b)) = best else { break };
        let moved = std::mem::take(&mut clusters[b]);
        clusters[a].extend(moved);
        alive[b] = false;
        for c in 0..n {
            if alive[c] && c != a {
                let s = sums[a][c] + sums[b][c];
                sums[a][c] = s;
                sums[c][a] = s;
            }
        }
    }
    let mut labels = vec![0usize; n];
    for (c, members) in clusters.iter().enumerate() {
        for &m in members {
            labels[m] = c;
        }
    }
    labels
}

/// Gold chain labels of the mentions (chain names to numbers).
fn key_labels(mentions: &[Mention]) -> Vec<usize> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    mentions
        .iter()
        .map(|m| {
            let n = ids.len();
            *ids.entry(m.chain.as_str()).or_insert(n)
        })
        .collect()
}

/// The lemma baseline: one event per head lemma within each document cluster.
fn lemma_baseline(mentions: &[Mention], cluster: &dyn Fn(&Mention) -> String) -> Vec<usize> {
    let mut ids: HashMap<(String, String), usize> = HashMap::new();
    mentions
        .iter()
        .map(|m| {
            let n = ids.len();
            *ids.entry((cluster(m), m.head_lemma.clone())).or_insert(n)
        })
        .collect()
}

/// Pairwise probabilities within each document cluster: `(members, matrix)` per cluster.
fn probabilities(
    mentions: &[Mention],
    cluster: &dyn Fn(&Mention) -> String,
    scorer: &Scorer,
    lp: &LemmaPairs,
    leave_topic_out: bool,
) -> Vec<(Vec<usize>, Vec<Vec<f64>>)> {
    groups(mentions, cluster)
        .into_par_iter()
        .map(|g| {
            let n = g.len();
            let mut sim = vec![vec![0.0; n]; n];
            for x in 0..n {
                for y in x + 1..n {
                    let (a, b) = (&mentions[g[x]], &mentions[g[y]]);
                    let out = leave_topic_out.then_some(a.topic.as_str());
                    let p = scorer.prob(&features(a, b, lp, out));
                    sim[x][y] = p;
                    sim[y][x] = p;
                }
            }
            (g, sim)
        })
        .collect()
}

fn link(mentions: &[Mention], probs: &[(Vec<usize>, Vec<Vec<f64>>)], threshold: f64) -> Vec<usize> {
    let mut labels = vec![0usize; mentions.len()];
    let mut next = 0usize;
    for (g, sim) in probs {
        let local = average_link(sim, threshold);
        let base = next;
        for (x, &m) in g.iter().enumerate() {
            labels[m] = base + local[x];
            next = next.max(base + local[x] + 1);
        }
    }
    labels
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// `sitrep-eval event-links`.
pub fn run(data: &Path, seed: u64) -> anyhow::Result<serde_json::Value> {
    let started = Instant::now();
    let root = data.join("stories/ecbplus");
    let model = sitrep_nlp::default_model_dir();
    let analyzer = sitrep_extract::Analyzer::load(&model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let nlp = sitrep_nlp::Pipeline::load(&model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let t2v = sitrep_nlp::model::Tok2Vec::load(&model.join("tok2vec"))
        .with_context(|| format!("cannot load tok2vec from {}", model.display()))?;
    let train = load(
        &nlp,
        &t2v,
        &root.join("ECB_Train_corpus.txt"),
        &root.join("ECB_Train_Event_gold_mentions.json"),
    )?;
    let dev = load(
        &nlp,
        &t2v,
        &root.join("ECB_Dev_corpus.txt"),
        &root.join("ECB_Dev_Event_gold_mentions.json"),
    )?;
    let (mut train, mut dev) = (train, dev);
    let embed_s = embed_mentions(&mut train, &mut dev)?;
    // Document clusters sitrep-stories finds (no gold topic information).
    let mut stories: HashMap<String, String> = HashMap::new();
    for (split, file) in [
        ("train", "ECB_Train_corpus.txt"),
        ("dev", "ECB_Dev_corpus.txt"),
    ] {
        for (doc, s) in crate::stories::ecb_stories(&analyzer, &root.join(file), seed)? {
            stories.insert(doc, format!("{split}:{s}"));
        }
    }
    let prepared_s = started.elapsed().as_secs_f64();

    // Fit on train: lemma-pair rates, then the scorer on train's within-subtopic pairs (each
    // pair's lemma rate leaves its own topic out, as it will be unseen at test time).
    let lp = LemmaPairs::fit(&train);
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for g in groups(&train, |m| m.subtopic.clone()) {
        for (x, &i) in g.iter().enumerate() {
            for &j in &g[x + 1..] {
                let (a, b) = (&train[i], &train[j]);
                xs.push(features(a, b, &lp, Some(a.topic.as_str())));
                ys.push(a.chain == b.chain);
            }
        }
    }
    let scorer = Scorer::train(&xs, &ys);

    let gold_sub: &dyn Fn(&Mention) -> String = &|m: &Mention| m.subtopic.clone();
    let predicted = |m: &Mention| {
        stories
            .get(&m.doc)
            .cloned()
            .unwrap_or_else(|| format!("doc:{}", m.doc))
    };
    let pred_sub: &dyn Fn(&Mention) -> String = &predicted;

    // Threshold: the best train CoNLL F1 with gold subtopics.
    let train_key = key_labels(&train);
    let train_probs = probabilities(&train, gold_sub, &scorer, &lp, true);
    let mut best = (f64::MIN, 0.5);
    for t in 10..=95 {
        let t = t as f64 * 0.01;
        let f = score(&train_key, &link(&train, &train_probs, t)).conll;
        if f > best.0 {
            best = (f, t);
        }
    }
    let threshold = best.1;

    let mut report = serde_json::Map::new();
    for (name, mentions, leave_out) in [("ecb_train", &train, true), ("ecb_dev", &dev, false)] {
        let key = key_labels(mentions);
        let chains = clusters_of(&key).len();
        let mut block = serde_json::Map::new();
        for (setting, cluster) in [("gold_subtopics", gold_sub), ("sitrep_stories", pred_sub)] {
            let lemma = score(&key, &lemma_baseline(mentions, cluster));
            let probs = probabilities(mentions, cluster, &scorer, &lp, leave_out);
            let learned = score(&key, &link(mentions, &probs, threshold));
            block.insert(
                setting.to_string(),
                serde_json::json!({
                    "lemma_baseline": lemma.json(),
                    "learned_pairwise": learned.json(),
                }),
            );
        }
        block.insert("mentions".into(), serde_json::json!(mentions.len()));
        block.insert("gold_chains".into(), serde_json::json!(chains));
        report.insert(name.to_string(), serde_json::Value::Object(block));
    }
    report.insert(
        "scorer".into(),
        serde_json::json!({
            "weights": scorer.w.iter().map(|&w| round(w)).collect::<Vec<_>>(),
            "threshold": threshold,
            "train_pairs": xs.len(),
            "fitted_on": "ecb train (within gold subtopics; lemma-pair rates leave the pair's topic out)",
        }),
    );
    report.insert(
        "seconds".into(),
        serde_json::json!({
            "prepare": round(prepared_s),
            "minilm_embedding": embed_s.map(round),
            "total": round(started.elapsed().as_secs_f64()),
        }),
    );
    Ok(serde_json::Value::Object(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn worked_example() {
        // key {0,1,2} {3,4}; response {0,1} {2,3,4}.
        let s = score(&[0, 0, 0, 1, 1], &[0, 0, 1, 1, 1]);
        assert!(close(s.muc.recall, 2.0 / 3.0) && close(s.muc.precision, 2.0 / 3.0));
        assert!(close(s.b3.precision, 11.0 / 15.0) && close(s.b3.recall, 11.0 / 15.0));
        // phi(K1,R1) = 4/5, phi(K2,R2) = 4/5: 1.6 over two clusters each side.
        assert!(close(s.ceafe.recall, 0.8) && close(s.ceafe.precision, 0.8));
        assert!(close(s.conll, (2.0 / 3.0 + 11.0 / 15.0 + 0.8) / 3.0));
    }

    #[test]
    fn identical_partitions_score_one() {
        let k = [3, 3, 7, 7, 7, 9];
        let s = score(&k, &[0, 0, 1, 1, 1, 2]);
        assert!(close(s.muc.f1, 1.0) && close(s.b3.f1, 1.0) && close(s.ceafe.f1, 1.0));
    }

    #[test]
    fn all_singletons_against_one_chain() {
        let s = score(&[0, 0, 0, 0], &[0, 1, 2, 3]);
        assert!(close(s.muc.recall, 0.0) && close(s.muc.f1, 0.0));
        assert!(close(s.b3.precision, 1.0) && close(s.b3.recall, 0.25));
        // phi(K, {i}) = 2/5; one of four response clusters aligned.
        assert!(close(s.ceafe.recall, 0.4) && close(s.ceafe.precision, 0.1));
    }

    #[test]
    fn one_chain_against_all_singletons_keys() {
        // Everything merged when the key has only singletons: MUC has no key links.
        let s = score(&[0, 1, 2], &[5, 5, 5]);
        assert!(close(s.muc.recall, 0.0) && close(s.muc.precision, 0.0));
        assert!(close(s.b3.precision, 1.0 / 3.0) && close(s.b3.recall, 1.0));
    }

    #[test]
    fn matching_is_optimal_not_greedy() {
        // Greedy takes 0.9 then 0.0; the best matching is 0.8 + 0.8.
        let w = vec![vec![0.9, 0.8], vec![0.8, 0.0]];
        assert!(close(max_matching(&w), 1.6));
        // Rectangular, both ways round.
        let w = vec![vec![0.1, 0.5, 0.2]];
        assert!(close(max_matching(&w), 0.5));
        let w = vec![vec![0.1], vec![0.5], vec![0.2]];
        assert!(close(max_matching(&w), 0.5));
    }

    #[test]
    fn average_link_stops_at_threshold() {
        let sim = vec![
            vec![0.0, 0.9, 0.1],
            vec![0.9, 0.0, 0.2],
            vec![0.1, 0.2, 0.0],
        ];
        let l = average_link(&sim, 0.5);
        assert_eq!(l[0], l[1]);
        assert_ne!(l[0], l[2]);
        let l = average_link(&sim, 0.1);
        assert!(l[0] == l[1] && l[1] == l[2]);
    }
}
