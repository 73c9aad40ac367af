//! Gradient-boosted decision trees over the filter's binary features (logistic loss, Newton
//! leaves, shrinkage). A split asks whether one feature is present; the trees see
//! conjunctions (cue class with content kind with source kind, ...) that the linear model
//! can only add up. Fitting is deterministic: examples are visited in their given order and
//! candidate splits in feature-index order (the vocabulary is in name order), the first of
//! equal gains winning; row and feature subsampling, when asked for, draw by a fixed hash of
//! a seed, the round and the row or feature.

/// Boosting settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Boosting {
    /// Number of trees.
    pub rounds: usize,
    /// Levels of splits below the root (a depth-2 tree has at most four leaves).
    pub depth: usize,
    /// Each tree's leaves are scaled by this.
    pub shrinkage: f64,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// A split leaves at least this much hessian (about p(1-p) per example) on each side.
    pub min_hessian: f64,
    /// Features seen fewer times in the training data are not split on.
    pub min_count: usize,
    /// Share of the examples each tree is grown on (1.0: all), drawn afresh per round by a
    /// fixed hash of `seed`, the round and the example, so fitting stays reproducible.
    pub subsample: f64,
    /// Share of the features each tree may split on (1.0: all), drawn the same way.
    pub colsample: f64,
    /// Seed of the row and feature draws.
    pub seed: u64,
}

impl Default for Boosting {
    fn default() -> Self {
        Boosting {
            rounds: 400,
            depth: 3,
            shrinkage: 0.1,
            lambda: 1.0,
            min_hessian: 1.0,
            min_count: 3,
            subsample: 1.0,
            colsample: 1.0,
            seed: 1,
        }
    }
}

/// One node of a tree: a split on a feature's presence, or a leaf's margin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Split {
        feature: usize,
        absent: usize,
        present: usize,
    },
    Leaf(f64),
}

/// A regression tree over feature indexes; the root is node 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
}

impl Tree {
    /// The tree's margin for a candidate whose feature indexes are `x` (sorted).
    pub(crate) fn value(&self, x: &[usize]) -> f64 {
        let mut n = 0;
        loop {
            match self.nodes.get(n) {
                Some(Node::Split {
                    feature,
                    absent,
                    present,
                }) => {
                    n = if x.binary_search(feature).is_ok() {
                        *present
                    } else {
                        *absent
                    };
                }
                Some(Node::Leaf(v)) => return *v,
                None => return 0.0,
            }
        }
    }

    /// Tokens in preorder: `s:NAME` for a split (then its absent and present subtrees),
    /// `v:VALUE` for a leaf.
    pub(crate) fn tokens(&self, names: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        self.preorder(0, names, &mut out);
        out
    }

    fn preorder(&self, n: usize, names: &[&str], out: &mut Vec<String>) {
        match self.nodes.get(n) {
            Some(Node::Split {
                feature,
                absent,
                present,
            }) => {
                out.push(format!("s:{}", names.get(*feature).copied().unwrap_or("")));
                self.preorder(*absent, names, out);
                self.preorder(*present, names, out);
            }
            Some(Node::Leaf(v)) => out.push(format!("v:{v:.6}")),
            None => out.push("v:0".into()),
        }
    }

    /// Reads [`Tree::tokens`]; `feature` gives a name's index. None when the tokens do not
    /// form one whole tree or a value is no number.
    pub(crate) fn parse<'a>(
        tokens: &mut impl Iterator<Item = &'a str>,
        feature: &mut impl FnMut(&str) -> usize,
    ) -> Option<Tree> {
        let mut tree = Tree::default();
        tree.read(tokens, feature, 0)?;
        Some(tree)
    }

    fn read<'a>(
        &mut self,
        tokens: &mut impl Iterator<Item = &'a str>,
        feature: &mut impl FnMut(&str) -> usize,
        depth: usize,
    ) -> Option<usize> {
        if depth > 64 {
            return None;
        }
        let token = tokens.next()?;
        let at = self.nodes.len();
        if let Some(name) = token.strip_prefix("s:") {
            self.nodes.push(Node::Split {
                feature: feature(name),
                absent: 0,
                present: 0,
            });
            let a = self.read(tokens, feature, depth + 1)?;
            let p = self.read(tokens, feature, depth + 1)?;
            if let Some(Node::Split {
                absent, present, ..
            }) = self.nodes.get_mut(at)
            {
                *absent = a;
                *present = p;
            }
        } else {
            let v = token.strip_prefix("v:")?.parse::<f64>().ok()?;
            self.nodes.push(Node::Leaf(v));
        }
        Some(at)
    }
}

/// A number in [0, 1) fixed by `seed`, `round` and `item` (splitmix64 of their mix).
fn draw(seed: u64, round: usize, item: usize) -> f64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((round as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add((item as u64).wrapping_mul(0x94D0_49BB_1331_11EB));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Per-feature sums of gradients and hessians, reused across nodes.
struct Scratch {
    g: Vec<f64>,
    h: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<usize>,
    /// The features this round's tree may split on.
    allowed: Vec<bool>,
}

/// Fits `settings.rounds` trees to examples `xs` (sorted feature indexes below `features`)
/// with labels `ys`, starting from the margin `base`; `after` is called with the trees so far
/// after each round.
pub(crate) fn fit(
    xs: &[Vec<usize>],
    ys: &[bool],
    features: usize,
    base: f64,
    settings: Boosting,
    mut after: impl FnMut(&[Tree]),
) -> Vec<Tree> {
    let n = xs.len();
    let mut margin = vec![base; n];
    let (mut g, mut h) = (vec![0.0; n], vec![0.0; n]);
    let mut scratch = Scratch {
        g: vec![0.0; features],
        h: vec![0.0; features],
        seen: vec![false; features],
        touched: Vec::new(),
        allowed: vec![true; features],
    };
    let mut trees = Vec::with_capacity(settings.rounds);
    for round in 0..settings.rounds {
        for i in 0..n {
            let p = sigmoid(margin[i]);
            g[i] = p - if ys[i] { 1.0 } else { 0.0 };
            h[i] = (p * (1.0 - p)).max(1e-12);
        }
        let mut tree = Tree::default();
        let rows: Vec<usize> = if settings.subsample < 1.0 {
            (0..n)
                .filter(|&i| draw(settings.seed, round, i) < settings.subsample)
                .collect()
        } else {
            (0..n).collect()
        };
        if settings.colsample < 1.0 {
            for (f, a) in scratch.allowed.iter_mut().enumerate() {
                *a = draw(settings.seed ^ 0x5EED, round, f) < settings.colsample;
            }
        }
        grow(
            &mut tree,
            xs,
            (&g, &h),
            rows,
            settings.depth,
            &settings,
            &mut scratch,
        );
        for i in 0..n {
            margin[i] += tree.value(&xs[i]);
        }
        trees.push(tree);
        after(&trees);
    }
    trees
}

fn grow(
    tree: &mut Tree,
    xs: &[Vec<usize>],
    (g, h): (&[f64], &[f64]),
    rows: Vec<usize>,
    depth_left: usize,
    s: &Boosting,
    scratch: &mut Scratch,
) -> usize {
    let gs: f64 = rows.iter().map(|&r| g[r]).sum();
    let hs: f64 = rows.iter().map(|&r| h[r]).sum();
    let at = tree.nodes.len();
    let leaf = Node::Leaf(-gs / (hs + s.lambda) * s.shrinkage);
    if depth_left == 0 || rows.len() < 2 {
        tree.nodes.push(leaf);
        return at;
    }
    for &r in &rows {
        for &f in &xs[r] {
            if !scratch.seen[f] {
                scratch.seen[f] = true;
                scratch.touched.push(f);
            }
            scratch.g[f] += g[r];
            scratch.h[f] += h[r];
        }
    }
    scratch.touched.sort_unstable();
    let parent = gs * gs / (hs + s.lambda);
    let mut best: Option<(f64, usize)> = None;
    for &f in &scratch.touched {
        if !scratch.allowed[f] {
            continue;
        }
        let (gl, hl) = (scratch.g[f], scratch.h[f]);
        let (gr, hr) = (gs - gl, hs - hl);
        if hl >= s.min_hessian && hr >= s.min_hessian {
            let gain = gl * gl / (hl + s.lambda) + gr * gr / (hr + s.lambda) - parent;
            if gain > 1e-9 && best.is_none_or(|(b, _)| gain > b) {
                best = Some((gain, f));
            }
        }
    }
    for &f in &scratch.touched {
        scratch.g[f] = 0.0;
        scratch.h[f] = 0.0;
        scratch.seen[f] = false;
    }
    scratch.touched.clear();
    let Some((_, feature)) = best else {
        tree.nodes.push(leaf);
        return at;
    };
    let (present, absent): (Vec<usize>, Vec<usize>) = rows
        .into_iter()
        .partition(|&r| xs[r].binary_search(&feature).is_ok());
    tree.nodes.push(Node::Split {
        feature,
        absent: 0,
        present: 0,
    });
    let a = grow(tree, xs, (g, h), absent, depth_left - 1, s, scratch);
    let p = grow(tree, xs, (g, h), present, depth_left - 1, s, scratch);
    tree.nodes[at] = Node::Split {
        feature,
        absent: a,
        present: p,
    };
    at
}
