//! Person-chain resolution against GUM's gold coreference (news documents).
//!
//! Each `GUM_news_*.conll` document is rebuilt by joining its tokens with single spaces (the
//! shared files carry no sentence breaks or spacing) and analysed. Gold: every mention GUM
//! types `person` (names, descriptions, pronouns, singletons included), chained by entity id.
//! System: the mentions of our PERSON entities. A system mention is aligned to the smallest
//! gold person mention whose token span contains it (one system mention per gold mention);
//! unaligned system mentions stay in the response as extra mentions.
//!
//! Scores: MUC (links) and B-cubed (per mention; a mention missing on one side counts as a
//! singleton there), micro-averaged over documents. The baseline groups the NER's PERSON
//! names by identical text and links no pronoun.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;

/// One gold document: tokens and person mentions (token ranges, entity id).
pub struct GoldDoc {
    pub tokens: Vec<String>,
    pub mentions: Vec<(usize, usize, String)>,
}

/// Parses a GUM coreference file (`index TAB token TAB coref`): person mentions only.
pub fn parse_gum(text: &str) -> GoldDoc {
    let mut tokens = Vec::new();
    let mut open: HashMap<String, Vec<usize>> = HashMap::new();
    let mut mentions = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(_), Some(tok), coref) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let i = tokens.len();
        tokens.push(tok.to_string());
        let coref = coref.unwrap_or("_");
        if coref == "_" {
            continue;
        }
        // Items like "(person-12-Name", "person-12-Name)", "(person-17)".
        let mut rest = coref;
        while !rest.is_empty() {
            let opens = rest.starts_with('(');
            let body_start = usize::from(opens);
            let end = rest[body_start..]
                .find(['(', ')'])
                .map_or(rest.len(), |k| k + body_start);
            let item = &rest[body_start..end];
            let closes = rest[end..].starts_with(')');
            let next = if closes { end + 1 } else { end };
            let mut parts = item.splitn(3, '-');
            let (kind, id) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if kind == "person" && !id.is_empty() {
                if opens {
                    open.entry(id.to_string()).or_default().push(i);
                }
                if closes && let Some(start) = open.get_mut(id).and_then(Vec::pop) {
                    mentions.push((start, i + 1, id.to_string()));
                }
            }
            if next == 0 {
                break;
            }
            rest = &rest[next..];
        }
    }
    GoldDoc { tokens, mentions }
}

/// A clustering: mention key -> cluster id.
type Clusters = HashMap<usize, usize>;

fn groups(c: &Clusters) -> BTreeMap<usize, HashSet<usize>> {
    let mut g: BTreeMap<usize, HashSet<usize>> = BTreeMap::new();
    for (&m, &k) in c {
        g.entry(k).or_default().insert(m);
    }
    g
}

/// MUC numerator and denominator of `key` partitioned by `response`.
fn muc(key: &Clusters, response: &Clusters) -> (usize, usize) {
    let (mut num, mut den) = (0, 0);
    for chain in groups(key).values() {
        let parts: HashSet<Option<usize>> =
            chain.iter().map(|m| response.get(m).copied()).collect();
        // Mentions missing from the response are singletons each.
        let missing = chain.iter().filter(|m| !response.contains_key(m)).count();
        let partitions = parts.iter().filter(|p| p.is_some()).count() + missing;
        num += chain.len() - partitions;
        den += chain.len() - 1;
    }
    (num, den)
}

/// B-cubed sum over `key`'s mentions of |K ∩ R| / |K| (and the mention count).
fn b3(key: &Clusters, response: &Clusters) -> (f64, usize) {
    let kg = groups(key);
    let rg = groups(response);
    let mut sum = 0.0;
    for (m, k) in key {
        let kc = &kg[k];
        let overlap = match response.get(m) {
            Some(r) => rg[r].intersection(kc).count(),
            None => 1,
        };
        sum += overlap as f64 / kc.len() as f64;
    }
    (sum, key.len())
}

#[derive(Default, Clone, Copy)]
struct Scores {
    muc_r: (usize, usize),
    muc_p: (usize, usize),
    b3_r: (f64, usize),
    b3_p: (f64, usize),
}

impl Scores {
    fn add(&mut self, o: Scores) {
        self.muc_r.0 += o.muc_r.0;
        self.muc_r.1 += o.muc_r.1;
        self.muc_p.0 += o.muc_p.0;
        self.muc_p.1 += o.muc_p.1;
        self.b3_r.0 += o.b3_r.0;
        self.b3_r.1 += o.b3_r.1;
        self.b3_p.0 += o.b3_p.0;
        self.b3_p.1 += o.b3_p.1;
    }

    fn json(&self) -> serde_json::Value {
        let f = |p: f64, r: f64| {
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            }
        };
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        let mr = self.muc_r.0 as f64 / self.muc_r.1.max(1) as f64;
        let mp = self.muc_p.0 as f64 / self.muc_p.1.max(1) as f64;
        let br = self.b3_r.0 / self.b3_r.1.max(1) as f64;
        let bp = self.b3_p.0 / self.b3_p.1.max(1) as f64;
        serde_json::json!({
            "muc": {"precision": round(mp), "recall": round(mr), "f1": round(f(mp, mr))},
            "b_cubed": {"precision": round(bp), "recall": round(br), "f1": round(f(bp, br))},
        })
    }
}

/// Scores one document given system clusters over (token start, token end) spans.
fn score(gold: &GoldDoc, system: &[Vec<(usize, usize)>]) -> Scores {
    let mut key: Clusters = HashMap::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (g, (_, _, id)) in gold.mentions.iter().enumerate() {
        let n = ids.len();
        key.insert(g, *ids.entry(id.as_str()).or_insert(n));
    }
    let mut response: Clusters = HashMap::new();
    let mut extra = gold.mentions.len();
    for (c, chain) in system.iter().enumerate() {
        for &(s, e) in chain {
            let aligned = gold
                .mentions
                .iter()
                .enumerate()
                .filter(|(g, (gs, ge, _))| *gs <= s && e <= *ge && !response.contains_key(g))
                .min_by_key(|(_, (gs, ge, _))| ge - gs)
                .map(|(g, _)| g);
            let m = aligned.unwrap_or_else(|| {
                extra += 1;
                extra
            });
            response.insert(m, c);
        }
    }
    Scores {
        muc_r: muc(&key, &response),
        muc_p: muc(&response, &key),
        b3_r: b3(&key, &response),
        b3_p: b3(&response, &key),
    }
}

/// `-v`: each gold person chain with the system entity of each of its mentions (`-` none), then
/// each system entity's mentions that align to no gold person mention.
fn explain(gold: &GoldDoc, system: &[Vec<(usize, usize)>]) -> String {
    let text = |s: usize, e: usize| gold.tokens[s..e].join(" ");
    let entity_of = |gs: usize, ge: usize| {
        system
            .iter()
            .position(|chain| chain.iter().any(|&(s, e)| gs <= s && e <= ge))
    };
    let mut chains: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (s, e, id) in &gold.mentions {
        chains.entry(id.as_str()).or_default().push((*s, *e));
    }
    let mut out = String::new();
    for (id, mut chain) in chains {
        chain.sort_unstable();
        let items: Vec<String> = chain
            .iter()
            .map(|&(s, e)| {
                let sys = entity_of(s, e).map_or("-".to_string(), |k| k.to_string());
                format!("{}[{sys}]", text(s, e))
            })
            .collect();
        out.push_str(&format!("gold {id}: {}\n", items.join(" | ")));
    }
    for (k, chain) in system.iter().enumerate() {
        for &(s, e) in chain {
            if !gold.mentions.iter().any(|(gs, ge, _)| *gs <= s && e <= *ge) {
                out.push_str(&format!("extra [{k}]: {}\n", text(s, e)));
            }
        }
    }
    out
}

/// `sitrep-eval coref`: person chains on GUM news, ours beside the name-only baseline.
pub fn run(data: &Path, verbose: bool) -> anyhow::Result<serde_json::Value> {
    let dir = data.join("nlp/gum");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("GUM_news_") && n.ends_with(".conll"))
        })
        .collect();
    files.sort();
    let docs: Vec<GoldDoc> = files
        .iter()
        .map(|p| -> anyhow::Result<GoldDoc> {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Ok(parse_gum(&text))
        })
        .collect::<anyhow::Result<_>>()?;
    let model = sitrep_nlp::default_model_dir();
    let nlp = sitrep_nlp::Pipeline::load(&model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let results: Vec<(Scores, Scores, String)> = docs
        .par_iter()
        .map(|gold| {
            let words: Vec<&str> = gold.tokens.iter().map(String::as_str).collect();
            let doc = nlp.analyze_words(&words, None);
            let resolution = sitrep_extract::entities::resolve(&doc);
            let ours: Vec<Vec<(usize, usize)>> = resolution
                .entities
                .iter()
                .filter(|e| e.kind == "PERSON")
                .map(|e| {
                    e.mentions
                        .iter()
                        .map(|m| (m.tokens.start, m.tokens.end))
                        .collect()
                })
                .collect();
            let mut by_text: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
            for ent in doc.entities.iter().filter(|e| e.label == "PERSON") {
                by_text
                    .entry(&doc.text[ent.start..ent.end])
                    .or_default()
                    .push((ent.tokens.start, ent.tokens.end));
            }
            let baseline: Vec<Vec<(usize, usize)>> = by_text.into_values().collect();
            let why = if verbose {
                explain(gold, &ours)
            } else {
                String::new()
            };
            (score(gold, &ours), score(gold, &baseline), why)
        })
        .collect();
    let (mut ours, mut base) = (Scores::default(), Scores::default());
    for ((o, b, why), file) in results.into_iter().zip(&files) {
        if verbose {
            eprintln!("== {}\n{why}", file.display());
        }
        ours.add(o);
        base.add(b);
    }
    let gold_mentions: usize = docs.iter().map(|d| d.mentions.len()).sum();
    Ok(serde_json::json!({
        "documents": docs.len(),
        "gold_person_mentions": gold_mentions,
        "sitrep": ours.json(),
        "baseline_names_by_text": base.json(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gum_person_mentions_are_read() {
        let text = "# begin document x\n0\tMayor\t(person-1-Ilse_Brandt\n1\tBrandt\tperson-1-Ilse_Brandt)\n\
                    2\tmet\t_\n3\ther\t(person-2)\n4\taide\t(person-3(abstract-4)person-3)\n# end document\n";
        let d = parse_gum(text);
        assert_eq!(d.tokens.len(), 5);
        let mut m = d.mentions.clone();
        m.sort();
        assert_eq!(
            m,
            vec![
                (0, 2, "1".to_string()),
                (3, 4, "2".to_string()),
                (4, 5, "3".to_string())
            ]
        );
    }

    #[test]
    fn perfect_and_split_chains_score_as_expected() {
        let gold = GoldDoc {
            tokens: vec![],
            mentions: vec![(0, 2, "a".into()), (5, 6, "a".into()), (9, 10, "a".into())],
        };
        let perfect = score(&gold, &[vec![(1, 2), (5, 6), (9, 10)]]);
        assert_eq!(perfect.muc_r, (2, 2));
        assert_eq!(perfect.muc_p, (2, 2));
        assert!((perfect.b3_r.0 - 3.0).abs() < 1e-9);
        let split = score(&gold, &[vec![(1, 2), (5, 6)], vec![(9, 10)]]);
        assert_eq!(split.muc_r, (1, 2));
        assert_eq!(split.muc_p, (1, 1));
        // B-cubed recall: 2/3 + 2/3 + 1/3.
        assert!((split.b3_r.0 - 5.0 / 3.0).abs() < 1e-9);
    }
}
