//! A learned five-way event class (0 statement or appeal, 1 verbal cooperation, 2 material
//! cooperation, 3 verbal conflict, 4 material conflict) on top of the rules: multinomial logistic
//! regression over the rules' main event (class, PLOVER type, CAMEO root, modality, negation,
//! trigger), the lemmas of the sentence's root verb and its complements, and lemma uni- and
//! bigrams. Trained with Adam by `sitrep-eval events --train-out FILE` on the four tuning fifths
//! of ConfliBERT's CAMEO class data (never the held-out fifth); the weights are
//! `data/event-class-weights.tsv`.

use std::collections::HashMap;
use std::sync::LazyLock;

use sitrep_nlp::Doc;

use crate::events::detect::{self, EventMention, Gist, Modality, Tree};
use crate::events::lexicon::penta_class;

/// Number of classes.
pub const K: usize = 5;

const WEIGHTS: &str = include_str!("../../data/event-class-weights.tsv");

/// The committed model.
pub static MODEL: LazyLock<Model> = LazyLock::new(|| Model::parse(WEIGHTS));

/// The rules' five-way class of a sentence's main event: the CAMEO coding of the event (claimed
/// events count as statements), a statement's class (a demand when what is said is that someone
/// must act), or `None` when no event was found.
pub fn rule_class(doc: &Doc, mentions: &[EventMention], gist: Option<Gist>) -> Option<usize> {
    match gist {
        Some(Gist::Event(i)) => {
            let m = &mentions[i];
            if m.modality == Modality::Claimed {
                Some(0)
            } else {
                Some(penta_class(detect::cameo_coding(m).cameo_root()))
            }
        }
        Some(Gist::Statement(t)) => Some(if demands(doc, t) { 3 } else { 0 }),
        None => None,
    }
}

/// Whether what the speaker at verb `v` says is that someone must act ("said Kyiv must ...").
pub fn demands(doc: &Doc, v: usize) -> bool {
    let tree = Tree::new(doc);
    tree.kids(v, "ccomp").any(|c| {
        tree.children[c]
            .iter()
            .any(|&a| matches!(tree.dep(a), "aux" | "auxpass") && tree.lower(a) == "must")
    })
}

/// The five-way class of a text with the committed model.
pub fn classify(doc: &Doc, mentions: &[EventMention], gist: Option<Gist>) -> usize {
    MODEL.predict(&features(doc, mentions, gist))
}

/// The features of a text (see the module documentation).
pub fn features(doc: &Doc, mentions: &[EventMention], gist: Option<Gist>) -> Vec<String> {
    let tree = Tree::new(doc);
    let rule = rule_class(doc, mentions, gist);
    let mut f = vec![format!("rule={rule:?}")];
    match gist {
        Some(Gist::Event(i)) => {
            let m = &mentions[i];
            let coded = detect::cameo_coding(m);
            f.push(format!("kind={}", coded.kind));
            f.push(format!("root={}", coded.cameo_root()));
            f.push(format!("trigkind={}", m.frame.kind));
            f.push(format!("mod={}", m.modality.as_str()));
            f.push(format!("neg={}", m.negated));
            f.push(format!("nominal={}", m.nominal));
            f.push(format!("trig={}", tree.lemma(m.trigger).to_lowercase()));
            f.push(format!("anchor={}", tree.lemma(m.anchor).to_lowercase()));
            f.push(format!("trigclass={}", penta_class(m.frame.cameo_root())));
        }
        Some(Gist::Statement(t)) => {
            f.push("gist=statement".into());
            f.push(format!("say={}", tree.lemma(t).to_lowercase()));
        }
        None => f.push("gist=none".into()),
    }
    for m in mentions {
        f.push(format!("any={}", m.frame.kind));
    }
    for s in &doc.sentences {
        if let Some(root) = s.tokens.clone().find(|&i| tree.head(i) == i) {
            f.push(format!("rootv={}", tree.lemma(root).to_lowercase()));
            for dep in ["dobj", "xcomp", "ccomp"] {
                if let Some(c) = tree.kid(root, dep) {
                    f.push(format!("r{dep}={}", tree.lemma(c).to_lowercase()));
                    if dep != "dobj"
                        && let Some(o) = tree.kid(c, "dobj")
                    {
                        f.push(format!("r{dep}obj={}", tree.lemma(o).to_lowercase()));
                    }
                }
            }
        }
    }
    let lemmas: Vec<String> = (0..doc.tokens.len())
        .filter(|&i| !matches!(tree.pos(i), "PUNCT" | "DET" | "NUM" | "SPACE"))
        .map(|i| tree.lemma(i).to_lowercase())
        .collect();
    for (i, l) in lemmas.iter().enumerate() {
        f.push(format!("w={l}"));
        if let Some(n) = lemmas.get(i + 1) {
            f.push(format!("b={l}_{n}"));
        }
    }
    f.retain(|x| !x.contains(['\t', '\n']));
    f
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub epochs: usize,
    pub learning_rate: f64,
    pub l2: f64,
    /// Features seen fewer times than this in training are dropped.
    pub min_count: usize,
}

impl Default for Settings {
    /// The settings chosen by 5-fold cross-validation on the tuning fifths.
    fn default() -> Self {
        Settings {
            epochs: 5,
            learning_rate: 0.05,
            l2: 1e-4,
            min_count: 2,
        }
    }
}

/// Multinomial logistic regression: a row of K weights per feature, and biases.
pub struct Model {
    pub index: HashMap<String, usize>,
    pub w: Vec<[f64; K]>,
    pub b: [f64; K],
}

impl Model {
    fn encode(&self, f: &[String]) -> Vec<usize> {
        let mut v: Vec<usize> = f
            .iter()
            .filter_map(|x| self.index.get(x).copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Class probabilities of an encoded text.
    fn probabilities(&self, x: &[usize]) -> [f64; K] {
        let mut z = self.b;
        for &j in x {
            for (k, zk) in z.iter_mut().enumerate() {
                *zk += self.w[j][k];
            }
        }
        let max = z.iter().cloned().fold(f64::MIN, f64::max);
        let mut sum = 0.0;
        for zk in z.iter_mut() {
            *zk = (*zk - max).exp();
            sum += *zk;
        }
        for zk in z.iter_mut() {
            *zk /= sum;
        }
        z
    }

    /// The most probable class of a text's features.
    pub fn predict(&self, f: &[String]) -> usize {
        let p = self.probabilities(&self.encode(f));
        (0..K).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(0)
    }

    /// Adam on the cross-entropy with L2; a fixed visiting order, so training is reproducible.
    pub fn train(data: &[(&[String], usize)], settings: Settings) -> Model {
        let index = crate::learn::vocabulary(data, settings.min_count);
        let features = index.len();
        let mut model = Model {
            index,
            w: vec![[0.0; K]; features],
            b: [0.0; K],
        };
        let xs: Vec<(Vec<usize>, usize)> =
            data.iter().map(|(f, y)| (model.encode(f), *y)).collect();
        let (lr, l2) = (settings.learning_rate, settings.l2);
        let mut m1 = vec![[0.0; K]; features];
        let mut m2 = vec![[0.0; K]; features];
        let (mut bm1, mut bm2) = ([0.0; K], [0.0; K]);
        let mut t = 0i32;
        let mut order: Vec<usize> = (0..xs.len()).collect();
        for epoch in 0..settings.epochs {
            crate::learn::visit(&mut order, epoch, xs.len());
            for &n in &order {
                let (x, y) = &xs[n];
                let p = model.probabilities(x);
                t += 1;
                let c = (
                    1.0 - crate::learn::B1.powi(t),
                    1.0 - crate::learn::B2.powi(t),
                );
                for k in 0..K {
                    let g = p[k] - if k == *y { 1.0 } else { 0.0 };
                    for &j in x {
                        let gj = g + l2 * model.w[j][k];
                        let (m1, m2) = (&mut m1[j][k], &mut m2[j][k]);
                        crate::learn::adam(&mut model.w[j][k], m1, m2, gj, lr, c);
                    }
                    crate::learn::adam(&mut model.b[k], &mut bm1[k], &mut bm2[k], g, lr, c);
                }
            }
        }
        model
    }

    /// The weights as TSV: a comment, a `bias` line, then one line per feature (its K weights
    /// rounded to 4 decimals; features whose weights all round to zero are left out).
    pub fn to_tsv(&self, comment: &str) -> String {
        let mut out = String::new();
        for line in comment.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        let row = |w: &[f64; K]| {
            w.iter()
                .map(|x| format!("{:.4}", x))
                .collect::<Vec<_>>()
                .join("\t")
        };
        out.push_str(&format!("bias\t{}\n", row(&self.b)));
        let mut names: Vec<(&String, &usize)> = self.index.iter().collect();
        names.sort();
        for (name, &j) in names {
            if self.w[j].iter().all(|x| x.abs() < 5e-5) {
                continue;
            }
            out.push_str(&format!("{name}\t{}\n", row(&self.w[j])));
        }
        out
    }

    /// Reads [`Model::to_tsv`]'s format.
    pub fn parse(text: &str) -> Model {
        let mut model = Model {
            index: HashMap::new(),
            w: Vec::new(),
            b: [0.0; K],
        };
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let Some(name) = cols.next() else { continue };
            let mut w = [0.0; K];
            for (k, c) in cols.take(K).enumerate() {
                w[k] = c.parse().unwrap_or(0.0);
            }
            if name == "bias" {
                model.b = w;
            } else {
                model.index.insert(name.to_string(), model.w.len());
                model.w.push(w);
            }
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_toy_problem_and_round_trips() {
        let a = vec!["w=attack".to_string(), "w=kill".to_string()];
        let b = vec!["w=meet".to_string(), "w=talk".to_string()];
        let data: Vec<(&[String], usize)> = (0..10)
            .flat_map(|_| [(a.as_slice(), 4), (b.as_slice(), 1)])
            .collect();
        let model = Model::train(&data, Settings::default());
        assert_eq!(model.predict(&a), 4);
        assert_eq!(model.predict(&b), 1);
        let again = Model::parse(&model.to_tsv("toy"));
        assert_eq!(again.predict(&a), 4);
        assert_eq!(again.predict(&b), 1);
    }

    #[test]
    fn the_committed_weights_load() {
        assert!(MODEL.index.len() > 100, "weights file is empty");
    }
}
