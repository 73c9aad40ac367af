//! The learned attribution filter deciding which broad attribution candidates (see
//! [`crate::quotes`], the candidates the rules did not produce) are attributions: a binary
//! classifier over string features (cue lemma, source and content kinds, tense, modality,
//! negation, dependency labels, ...), either a logistic regression (fitted with Adam) or
//! gradient-boosted decision trees over the same features ([`boost`]), or both added up. The
//! vocabulary is built on PolNeAR train (features seen at least three times). Fitted by
//! `sitrep-eval polnear-fit` on PolNeAR train only, learner, settings and threshold picked on
//! a held-out quarter of train; the model is `data/attribution-weights.tsv`.

use std::collections::HashMap;
use std::sync::LazyLock;

pub mod boost;

pub use boost::Boosting;
use boost::Tree;

/// The committed model's text (`polnear-fit` compares what it writes with it).
pub const WEIGHTS: &str = include_str!("../data/attribution-weights.tsv");

/// The committed filter.
pub static FILTER: LazyLock<Filter> = LazyLock::new(|| Filter::parse(WEIGHTS));

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub epochs: usize,
    pub learning_rate: f64,
    pub l2: f64,
    /// Features seen fewer times in the training data are left out of the vocabulary.
    pub min_count: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            epochs: 8,
            learning_rate: 0.02,
            l2: 1e-5,
            min_count: 3,
        }
    }
}

/// A binary classifier over string features (a linear part and boosted trees, whose margins
/// add up), with its acceptance threshold.
#[derive(Debug, Clone)]
pub struct Filter {
    index: HashMap<String, usize>,
    w: Vec<f64>,
    bias: f64,
    trees: Vec<Tree>,
    /// A candidate is accepted when its probability is at least this.
    pub threshold: f64,
}

impl Filter {
    /// A filter that accepts nothing (the rules alone).
    pub fn none() -> Filter {
        Filter {
            index: HashMap::new(),
            w: Vec::new(),
            bias: 0.0,
            trees: Vec::new(),
            threshold: f64::INFINITY,
        }
    }

    fn encode(&self, f: &[String]) -> Vec<usize> {
        let mut v: Vec<usize> = f
            .iter()
            .filter_map(|x| self.index.get(x).copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn probability_of(&self, x: &[usize]) -> f64 {
        let z = self.bias
            + x.iter().map(|&j| self.w[j]).sum::<f64>()
            + self.trees.iter().map(|t| t.value(x)).sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The probability that a candidate with these features is an attribution.
    pub fn probability(&self, features: &[String]) -> f64 {
        self.probability_of(&self.encode(features))
    }

    /// Whether a candidate with these features is accepted.
    pub fn accepts(&self, features: &[String]) -> bool {
        self.probability(features) >= self.threshold
    }

    /// Number of features with a weight or a split.
    pub fn len(&self) -> usize {
        self.w.len()
    }

    /// Whether the filter has no feature weights and no trees.
    pub fn is_empty(&self) -> bool {
        self.w.is_empty() && self.trees.is_empty()
    }

    /// Number of boosted trees.
    pub fn trees(&self) -> usize {
        self.trees.len()
    }

    /// A model with the training data's vocabulary, every weight zero and no trees.
    fn blank(data: &[(&[String], bool)], min_count: usize, threshold: f64) -> Filter {
        let index = crate::learn::vocabulary(data, min_count);
        let features = index.len();
        Filter {
            index,
            w: vec![0.0; features],
            bias: 0.0,
            trees: Vec::new(),
            threshold,
        }
    }

    /// Adam on the log loss with L2; a fixed visiting order, so fitting is reproducible.
    pub fn fit(data: &[(&[String], bool)], settings: Settings, threshold: f64) -> Filter {
        let mut model = Filter::blank(data, settings.min_count, threshold);
        let features = model.index.len();
        let xs: Vec<(Vec<usize>, bool)> = data.iter().map(|(f, y)| (model.encode(f), *y)).collect();
        let (lr, l2) = (settings.learning_rate, settings.l2);
        let mut m1 = vec![0.0; features];
        let mut m2 = vec![0.0; features];
        let (mut bm1, mut bm2) = (0.0, 0.0);
        let mut t = 0i32;
        let mut order: Vec<usize> = (0..xs.len()).collect();
        for epoch in 0..settings.epochs {
            crate::learn::visit(&mut order, epoch, xs.len());
            for &n in &order {
                let (x, y) = &xs[n];
                let g = model.probability_of(x) - if *y { 1.0 } else { 0.0 };
                t = t.saturating_add(1);
                let c = (
                    1.0 - crate::learn::B1.powi(t),
                    1.0 - crate::learn::B2.powi(t),
                );
                for &j in x {
                    let gj = g + l2 * model.w[j];
                    crate::learn::adam(&mut model.w[j], &mut m1[j], &mut m2[j], gj, lr, c);
                }
                crate::learn::adam(&mut model.bias, &mut bm1, &mut bm2, g, lr, c);
            }
        }
        model
    }

    /// Gradient-boosted trees (see [`boost`]) fitted from the base rate; `after` is called
    /// with the model of each round (its first trees), for picking the number of rounds.
    pub fn fit_boosted(
        data: &[(&[String], bool)],
        settings: Boosting,
        threshold: f64,
        mut after: impl FnMut(&Filter),
    ) -> Filter {
        let mut model = Filter::blank(data, settings.min_count, threshold);
        let features = model.index.len();
        let xs: Vec<Vec<usize>> = data.iter().map(|(f, _)| model.encode(f)).collect();
        let ys: Vec<bool> = data.iter().map(|x| x.1).collect();
        let positives = ys.iter().filter(|y| **y).count() as f64;
        let rate = ((positives + 1.0) / (ys.len() as f64 + 2.0)).clamp(1e-6, 1.0 - 1e-6);
        model.bias = (rate / (1.0 - rate)).ln();
        let mut round = model.clone();
        model.trees = boost::fit(&xs, &ys, features, model.bias, settings, |trees| {
            if let Some(t) = trees.last() {
                round.trees.push(t.clone());
            }
            after(&round);
        });
        model
    }

    /// The model as TSV: comment lines, `threshold` and `bias` lines, one line per weighted
    /// feature in name order (weights rounded to 4 decimals; those that round to zero are left
    /// out), then one `tree` line per tree (see [`boost::Tree::tokens`]).
    pub fn to_tsv(&self, comment: &str) -> String {
        let mut out = String::new();
        for line in comment.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!("threshold\t{:.4}\n", self.threshold));
        out.push_str(&format!("bias\t{:.4}\n", self.bias));
        let mut names: Vec<(&String, &usize)> = self.index.iter().collect();
        names.sort();
        for (name, &j) in names {
            if self.w[j].abs() < 5e-5 {
                continue;
            }
            out.push_str(&format!("{name}\t{:.4}\n", self.w[j]));
        }
        let mut by_index = vec![""; self.w.len()];
        for (name, &j) in &self.index {
            if let Some(slot) = by_index.get_mut(j) {
                *slot = name.as_str();
            }
        }
        for tree in &self.trees {
            out.push_str("tree\t");
            out.push_str(&tree.tokens(&by_index).join("\t"));
            out.push('\n');
        }
        out
    }

    /// Reads [`Filter::to_tsv`]'s format; a line without a number is skipped, and a file
    /// without a threshold accepts nothing.
    pub fn parse(text: &str) -> Filter {
        let mut model = Filter::none();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((name, value)) = line.split_once('\t') else {
                continue;
            };
            if name == "tree" {
                let Filter { index, w, .. } = &mut model;
                let mut feature = |name: &str| {
                    *index.entry(name.to_string()).or_insert_with(|| {
                        w.push(0.0);
                        w.len() - 1
                    })
                };
                if let Some(tree) = Tree::parse(&mut value.split('\t'), &mut feature) {
                    model.trees.push(tree);
                }
                continue;
            }
            let Ok(value) = value.trim().parse::<f64>() else {
                continue;
            };
            match name {
                "threshold" => model.threshold = value,
                "bias" => model.bias = value,
                _ => match model.index.get(name) {
                    Some(&j) => model.w[j] = value,
                    None => {
                        model.index.insert(name.to_string(), model.w.len());
                        model.w.push(value);
                    }
                },
            }
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_problem_and_round_trips() {
        let yes = vec!["l=say".to_string(), "ck=ccomp".to_string()];
        let no = vec!["l=eat".to_string(), "ck=dobj".to_string()];
        let data: Vec<(&[String], bool)> = (0..20)
            .flat_map(|_| [(yes.as_slice(), true), (no.as_slice(), false)])
            .collect();
        let model = Filter::fit(&data, Settings::default(), 0.5);
        assert!(model.probability(&yes) > 0.9);
        assert!(model.probability(&no) < 0.1);
        assert!(model.accepts(&yes) && !model.accepts(&no));
        let back = Filter::parse(&model.to_tsv("test"));
        assert_eq!(back.len(), 4);
        assert!((back.probability(&yes) - model.probability(&yes)).abs() < 1e-3);
        assert!((back.threshold - 0.5).abs() < 1e-9);
        // Unknown features leave only the bias.
        let unknown = vec!["l=sing".to_string()];
        assert!((back.probability(&unknown) - 1.0 / (1.0 + (-back.bias).exp())).abs() < 1e-9);
    }

    #[test]
    fn bad_lines_are_skipped_and_no_threshold_accepts_nothing() {
        let f = Filter::parse("# comment\nbias\t0.5\nl=say\tnot-a-number\nl=claim\t2.0\nbroken\n");
        assert_eq!(f.len(), 1);
        assert!(!f.accepts(&["l=claim".to_string()]));
        assert!(Filter::none().is_empty());
    }

    #[test]
    fn boosted_trees_learn_a_conjunction_and_round_trip() {
        // Positive only when both features are there: no linear model separates the four
        // kinds, a depth-2 tree does.
        let kinds = [
            (vec!["a".to_string(), "b".to_string()], true),
            (vec!["a".to_string()], false),
            (vec!["b".to_string()], false),
            (vec!["c".to_string()], false),
        ];
        let data: Vec<(&[String], bool)> = (0..30)
            .flat_map(|_| kinds.iter().map(|(f, y)| (f.as_slice(), *y)))
            .collect();
        let settings = Boosting {
            rounds: 60,
            depth: 2,
            shrinkage: 0.3,
            ..Boosting::default()
        };
        let mut rounds = 0;
        let model = Filter::fit_boosted(&data, settings, 0.5, |_| rounds += 1);
        assert_eq!((rounds, model.trees()), (60, 60));
        for (f, y) in &kinds {
            assert_eq!(model.accepts(f), *y, "{f:?}");
        }
        let back = Filter::parse(&model.to_tsv("trees"));
        assert_eq!(back.trees(), 60);
        for (f, _) in &kinds {
            assert!((back.probability(f) - model.probability(f)).abs() < 1e-4);
        }
        // A tree line cut short is skipped, the rest is read.
        let cut = Filter::parse("threshold\t0.5\ntree\ts:a\tv:1.0\ntree\ts:a\tv:-1.0\tv:2.0\n");
        assert_eq!(cut.trees(), 1);
        assert!(cut.accepts(&["a".to_string()]) && !cut.accepts(&["b".to_string()]));
    }

    #[test]
    fn subsampled_trees_are_reproducible_and_still_learn() {
        let kinds = [
            (vec!["a".to_string(), "b".to_string()], true),
            (vec!["a".to_string(), "d".to_string()], false),
            (vec!["b".to_string(), "d".to_string()], false),
            (vec!["c".to_string()], false),
        ];
        let data: Vec<(&[String], bool)> = (0..40)
            .flat_map(|_| kinds.iter().map(|(f, y)| (f.as_slice(), *y)))
            .collect();
        let settings = Boosting {
            rounds: 80,
            depth: 2,
            shrinkage: 0.3,
            subsample: 0.7,
            colsample: 0.75,
            seed: 7,
            ..Boosting::default()
        };
        let one = Filter::fit_boosted(&data, settings, 0.5, |_| ());
        let two = Filter::fit_boosted(&data, settings, 0.5, |_| ());
        assert_eq!(one.to_tsv(""), two.to_tsv(""));
        for (f, y) in &kinds {
            assert_eq!(one.accepts(f), *y, "{f:?}");
        }
        // Another seed draws other rows: other trees.
        let other = Filter::fit_boosted(
            &data,
            Boosting {
                seed: 8,
                ..settings
            },
            0.5,
            |_| (),
        );
        assert_ne!(one.to_tsv(""), other.to_tsv(""));
    }

    #[test]
    fn the_committed_filter_loads() {
        assert!(FILTER.len() > 50, "{} weights", FILTER.len());
        assert!(FILTER.threshold > 0.0 && FILTER.threshold < 1.0);
    }
}
