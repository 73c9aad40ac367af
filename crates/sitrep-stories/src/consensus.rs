//! One batch clustered in several orders, the result the orders agree on most.
//!
//! A single pass depends on the order articles arrive in: an early article can seed a story
//! that a later, better seed would have shaped otherwise, and the merge, reassignment and split
//! passes repair most but not all of it. [`cluster_batch`] clusters a batch once per order it is
//! given (callers derive them from the articles, so the result does not depend on how the batch
//! arrived: `sitrep` orders by publication date, then by the article id salted per run) and
//! keeps the **medoid** run: the one whose stories agree most with the other runs' (the sum of
//! BCubed F1 between its partition and each other's). An order that went wrong disagrees with
//! the rest and is not kept. Chosen on ECB+ train and FNC-1 over twelve orders
//! ([`Config::consensus_runs`]; BENCHMARKS.md, Stories, step 17).
//!
//! Invariants: one order gives exactly the single pass; the chosen run is a whole run (its
//! stories and threads, as one pass made them), never a mix; ties go to the earliest order.

use crate::bcubed::bcubed;
use crate::{ArticleFeatures, Clusterer, Config};

/// A batch clustered in the run [`cluster_batch`] kept.
pub struct Clustered {
    /// The kept run's clusterer, every article of the batch added and consolidated.
    pub clusterer: Clusterer,
    /// The order its articles were added in: `order[pos]` is the batch index of the article
    /// [`Clusterer::story_of`]`(pos)` places.
    pub order: Vec<usize>,
    /// Which of the orders it was.
    pub run: usize,
}

/// Clusters `feats` once per order of `orders` (each a permutation of `0..feats.len()`; none:
/// the batch's own order), each clusterer first `prepare`d (e.g. to observe a background
/// sample), and keeps the run whose stories agree most with the others' ([`medoid`]). Runs go
/// in parallel and keep only their partitions; the kept run is clustered once more for its
/// clusterer (the clustering is deterministic), so memory holds the runs in flight, not all.
pub fn cluster_batch<F>(
    config: &Config,
    feats: &[ArticleFeatures],
    orders: Vec<Vec<usize>>,
    prepare: F,
) -> Clustered
where
    F: Fn(&mut Clusterer) + Sync,
{
    use rayon::prelude::*;
    let orders = if orders.is_empty() {
        vec![(0..feats.len()).collect()]
    } else {
        orders
    };
    let run_in = |order: &[usize]| {
        let mut c = Clusterer::new(config.clone());
        prepare(&mut c);
        for &i in order {
            c.add(&feats[i]);
        }
        c.consolidate();
        c
    };
    if orders.len() == 1 {
        let order = orders.into_iter().next().unwrap_or_default();
        return Clustered {
            clusterer: run_in(&order),
            order,
            run: 0,
        };
    }
    // Each run keeps only its partition, so memory holds the runs in flight, not all of them;
    // the kept one is clustered again (the same order gives the same result).
    let labels: Vec<Vec<u32>> = orders
        .par_iter()
        .map(|order| {
            let c = run_in(order);
            let mut labels = vec![u32::MAX; feats.len()];
            for (pos, &i) in order.iter().enumerate() {
                labels[i] = c.story_of(pos).map_or(u32::MAX, |s| s.0);
            }
            labels
        })
        .collect();
    let views: Vec<&[u32]> = labels.iter().map(Vec::as_slice).collect();
    let run = medoid(&views);
    let order = orders.into_iter().nth(run).unwrap_or_default();
    Clustered {
        clusterer: run_in(&order),
        order,
        run,
    }
}

/// The index of the partition that agrees most with the others: the highest sum of BCubed F1
/// against each other partition (symmetric), the earliest on ties; 0 for fewer than three
/// (two partitions agree equally with each other).
pub fn medoid(partitions: &[&[u32]]) -> usize {
    let k = partitions.len();
    if k < 3 {
        return 0;
    }
    let mut f1 = vec![vec![0.0f64; k]; k];
    for a in 0..k {
        for b in a + 1..k {
            let s = bcubed(partitions[a], partitions[b]).f1;
            f1[a][b] = s;
            f1[b][a] = s;
        }
    }
    let mut best = (f64::MIN, 0);
    for (a, row) in f1.iter().enumerate() {
        let agree: f64 = row.iter().sum();
        if agree > best.0 + 1e-12 {
            best = (agree, a);
        }
    }
    best.1
}

/// A salted 64-bit hash of an article id (FNV-1a), to order articles of one date differently
/// in each run.
pub fn salted(id: &str, salt: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_medoid_is_the_partition_the_others_agree_with() {
        let a = [0, 0, 0, 1, 1, 1];
        let b = [0, 0, 0, 1, 1, 1];
        let odd = [0, 0, 0, 0, 0, 0];
        let c = [0, 0, 1, 2, 2, 2];
        assert_eq!(medoid(&[&odd, &a, &b, &c]), 1);
        assert_eq!(medoid(&[&a, &odd, &c]), 0);
        assert_eq!(medoid(&[&odd, &a]), 0, "two: the first");
        assert_eq!(medoid(&[]), 0);
    }

    /// Four reports where the middle ones bridge the ends: a single pass (no merge or
    /// reassignment) groups them by which arrives first.
    fn bridged() -> (Config, Vec<ArticleFeatures>) {
        let texts = [
            "Harbour crane collapse at Velmora port injures two dock workers",
            "Velmora port crane collapse: dock workers injured, harbour closed",
            "Harbour closed after crane collapse, Velmora port authority inquiry opens",
            "Port authority inquiry into Velmora harbour closure hears dock unions",
        ];
        let feats = texts
            .iter()
            .enumerate()
            .map(|(i, t)| ArticleFeatures::from_text(&format!("r{i}"), t, None))
            .collect();
        (Config::tfidf_baseline(0.5), feats)
    }

    fn partition(config: &Config, feats: &[ArticleFeatures], order: &[usize]) -> Vec<u32> {
        let kept = cluster_batch(config, feats, vec![order.to_vec()], |_| {});
        let mut labels = vec![0; feats.len()];
        for (pos, &i) in kept.order.iter().enumerate() {
            labels[i] = kept.clusterer.story_of(pos).map_or(u32::MAX, |s| s.0);
        }
        labels
    }

    /// Same grouping, whatever the numbering.
    fn same(a: &[u32], b: &[u32]) -> bool {
        (bcubed(a, b).f1 - 1.0).abs() < 1e-9
    }

    #[test]
    fn the_run_the_other_orders_agree_with_is_kept() {
        let (config, feats) = bridged();
        // Every order of the four, clustered alone; two that group them differently.
        let mut orders: Vec<Vec<usize>> = Vec::new();
        for a in 0..4 {
            for b in 0..4 {
                for c in 0..4 {
                    let d = 6 - a - b - c;
                    let o = vec![a, b, c, d];
                    let mut sorted = o.clone();
                    sorted.sort_unstable();
                    if sorted == [0, 1, 2, 3] {
                        orders.push(o);
                    }
                }
            }
        }
        let parts: Vec<Vec<u32>> = orders
            .iter()
            .map(|o| partition(&config, &feats, o))
            .collect();
        let odd = (1..parts.len())
            .find(|&i| !same(&parts[i], &parts[0]))
            .expect("the fixture is order-dependent in a single pass");
        // One odd order first, then two that agree: the kept run is one of the two.
        let kept = cluster_batch(
            &config,
            &feats,
            vec![orders[odd].clone(), orders[0].clone(), orders[0].clone()],
            |_| {},
        );
        assert_eq!(kept.run, 1);
        assert_eq!(kept.order, orders[0]);
        let mut labels = vec![0; feats.len()];
        for (pos, &i) in kept.order.iter().enumerate() {
            labels[i] = kept.clusterer.story_of(pos).map_or(u32::MAX, |s| s.0);
        }
        assert!(same(&labels, &parts[0]));
        // One order: the single pass itself.
        let one = cluster_batch(&config, &feats, vec![orders[odd].clone()], |_| {});
        assert_eq!(one.run, 0);
        assert_eq!(one.order, orders[odd]);
    }

    #[test]
    fn salted_hashes_differ_by_salt_and_id() {
        assert_ne!(salted("a1", 1), salted("a1", 2));
        assert_ne!(salted("a1", 1), salted("a2", 1));
        assert_eq!(salted("a1", 3), salted("a1", 3));
    }
}
