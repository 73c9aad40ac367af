//! BCubed precision, recall and F1 of a clustering against gold classes (Bagga and Baldwin
//! 1998): per item, precision is the share of its cluster in its gold class, recall the share
//! of its gold class in its cluster; both are averaged over items.

use std::collections::HashMap;
use std::hash::Hash;

/// BCubed scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BCubed {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Scores `predicted[i]` (cluster of item i) against `gold[i]` (class of item i). Slices of
/// unequal length are scored over the common prefix; no items scores 0.
pub fn bcubed<P: Eq + Hash, G: Eq + Hash>(predicted: &[P], gold: &[G]) -> BCubed {
    let n = predicted.len().min(gold.len());
    if n == 0 {
        return BCubed {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        };
    }
    let mut cluster_size: HashMap<&P, usize> = HashMap::new();
    let mut class_size: HashMap<&G, usize> = HashMap::new();
    let mut both: HashMap<(&P, &G), usize> = HashMap::new();
    for (p, g) in predicted[..n].iter().zip(&gold[..n]) {
        *cluster_size.entry(p).or_default() += 1;
        *class_size.entry(g).or_default() += 1;
        *both.entry((p, g)).or_default() += 1;
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (p, g) in predicted[..n].iter().zip(&gold[..n]) {
        let shared = both[&(p, g)] as f64;
        precision += shared / cluster_size[p] as f64;
        recall += shared / class_size[g] as f64;
    }
    precision /= n as f64;
    recall /= n as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    BCubed {
        precision,
        recall,
        f1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let s = bcubed(&[1, 1, 2, 3], &["a", "a", "b", "c"]);
        assert!(close(s.precision, 1.0) && close(s.recall, 1.0) && close(s.f1, 1.0));
    }

    #[test]
    fn hand_computed_example() {
        // Clusters {0,1,2} {3,4}; classes {0,1} {2,3,4}.
        // Precision: 2/3, 2/3, 1/3, 1, 1 -> 11/15. Recall: 1, 1, 1/3, 2/3, 2/3 -> 11/15.
        let s = bcubed(&[0, 0, 0, 1, 1], &[0, 0, 1, 1, 1]);
        assert!(close(s.precision, 11.0 / 15.0));
        assert!(close(s.recall, 11.0 / 15.0));
        assert!(close(s.f1, 11.0 / 15.0));
    }

    #[test]
    fn all_in_one_and_all_apart() {
        let gold = [0, 0, 1, 1];
        let one = bcubed(&[7, 7, 7, 7], &gold);
        assert!(close(one.precision, 0.5) && close(one.recall, 1.0));
        let apart = bcubed(&[0, 1, 2, 3], &gold);
        assert!(close(apart.precision, 1.0) && close(apart.recall, 0.5));
        assert_eq!(bcubed::<u8, u8>(&[], &[]).f1, 0.0);
    }
}
