//! The learned attribution filter: binary logistic regression deciding which broad attribution
//! candidates (see [`crate::quotes`], the candidates the rules did not produce) are
//! attributions. Features are strings (cue lemma, source and content kinds, tense, modality,
//! negation, dependency labels, ...); the vocabulary is built on PolNeAR train (features seen
//! at least three times). Fitted with Adam by `sitrep-eval polnear-fit` on PolNeAR train only,
//! threshold picked on a held-out quarter of train; the weights are
//! `data/attribution-weights.tsv`.

use std::collections::HashMap;
use std::sync::LazyLock;

const WEIGHTS: &str = include_str!("../data/attribution-weights.tsv");

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

/// Binary logistic regression over string features, with its acceptance threshold.
#[derive(Debug, Clone)]
pub struct Filter {
    index: HashMap<String, usize>,
    w: Vec<f64>,
    bias: f64,
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
        let z = self.bias + x.iter().map(|&j| self.w[j]).sum::<f64>();
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

    /// Number of features with a weight.
    pub fn len(&self) -> usize {
        self.w.len()
    }

    /// Whether the filter has no feature weights.
    pub fn is_empty(&self) -> bool {
        self.w.is_empty()
    }

    /// Adam on the log loss with L2; a fixed visiting order, so fitting is reproducible.
    pub fn fit(data: &[(&[String], bool)], settings: Settings, threshold: f64) -> Filter {
        let index = crate::learn::vocabulary(data, settings.min_count);
        let features = index.len();
        let mut model = Filter {
            index,
            w: vec![0.0; features],
            bias: 0.0,
            threshold,
        };
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

    /// The weights as TSV: comment lines, `threshold` and `bias` lines, then one line per
    /// feature in name order (weights rounded to 4 decimals; those that round to zero are left
    /// out).
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
            let Ok(value) = value.trim().parse::<f64>() else {
                continue;
            };
            match name {
                "threshold" => model.threshold = value,
                "bias" => model.bias = value,
                _ => {
                    model.index.insert(name.to_string(), model.w.len());
                    model.w.push(value);
                }
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
    fn the_committed_filter_loads() {
        assert!(FILTER.len() > 50, "{} weights", FILTER.len());
        assert!(FILTER.threshold > 0.0 && FILTER.threshold < 1.0);
    }
}
