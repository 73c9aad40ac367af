//! What the two hand-written linear models share (the event-type classifier in
//! `events::classify` and the attribution filter in `attribution`): the feature vocabulary
//! built from training data, the fixed visiting order that makes fitting reproducible, and
//! the Adam update of one weight.

use std::collections::HashMap;

/// Column of each feature seen in at least `min_count` training examples, in name order.
pub(crate) fn vocabulary<Y>(data: &[(&[String], Y)], min_count: usize) -> HashMap<String, usize> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (f, _) in data {
        for x in f.iter() {
            *counts.entry(x.as_str()).or_default() += 1;
        }
    }
    let mut names: Vec<&str> = counts
        .iter()
        .filter(|(_, c)| **c >= min_count)
        .map(|(n, _)| *n)
        .collect();
    names.sort_unstable();
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.to_string(), i))
        .collect()
}

/// Reorders `order` (indexes of `len` examples) for `epoch`: a fixed permutation per epoch.
pub(crate) fn visit(order: &mut [usize], epoch: usize, len: usize) {
    order.sort_by_key(|&i| (i * 7919 + epoch * 104_729) % len.max(1));
}

/// Adam's moment decay rates and its epsilon.
pub(crate) const B1: f64 = 0.9;
pub(crate) const B2: f64 = 0.999;
const EPS: f64 = 1e-8;

/// One Adam step of weight `w` with gradient `g` and its moments `m1`, `m2`; `c1`, `c2` are
/// the bias corrections `1 - B1^t`, `1 - B2^t` of step `t`.
pub(crate) fn adam(w: &mut f64, m1: &mut f64, m2: &mut f64, g: f64, lr: f64, (c1, c2): (f64, f64)) {
    *m1 = B1 * *m1 + (1.0 - B1) * g;
    *m2 = B2 * *m2 + (1.0 - B2) * g * g;
    *w -= lr * (*m1 / c1) / ((*m2 / c2).sqrt() + EPS);
}
