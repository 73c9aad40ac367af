//! FNC-1's competition test set as a story-clustering set of long articles (issue 6).
//!
//! Each stance row pairs a headline with a body (`Body ID`) and labels the pair `agree`,
//! `disagree`, `discuss` or `unrelated`. The first three mean the body is about the headline's
//! claim (one Emergent claim per headline family). A gold story is a connected component of
//! the graph whose nodes are headlines (by their exact text) and bodies, with an edge for
//! each related (not `unrelated`) row. Bodies only ever paired as `unrelated` belong to no
//! component and are left out. Caveats: the claims are rumours tracked by Emergent, not
//! curated events, and two claims about the same event are two stories here.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

/// One FNC-1 body with its gold story: `(body id, body text, story label)`, in body-id order.
pub type FncDoc = (u32, String, String);

/// Reads `competition_test_bodies.csv` and `competition_test_stances.csv` under `dir`.
pub fn load(dir: &Path) -> anyhow::Result<Vec<FncDoc>> {
    let bodies_path = dir.join("competition_test_bodies.csv");
    let stances_path = dir.join("competition_test_stances.csv");
    let mut bodies: BTreeMap<u32, String> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&bodies_path)
        .with_context(|| format!("cannot read {}", bodies_path.display()))?;
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: bad row {}", bodies_path.display(), i + 2))?;
        let (Some(id), Some(body)) = (row.get(0), row.get(1)) else {
            anyhow::bail!(
                "{}: row {} has fewer than 2 fields",
                bodies_path.display(),
                i + 2
            );
        };
        let id: u32 = id
            .trim()
            .parse()
            .with_context(|| format!("{}: row {}: body id {id:?}", bodies_path.display(), i + 2))?;
        bodies.insert(id, body.to_string());
    }
    let mut pairs: Vec<(String, u32)> = Vec::new();
    let mut reader = csv::Reader::from_path(&stances_path)
        .with_context(|| format!("cannot read {}", stances_path.display()))?;
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: bad row {}", stances_path.display(), i + 2))?;
        let (Some(headline), Some(id), Some(stance)) = (row.get(0), row.get(1), row.get(2)) else {
            anyhow::bail!(
                "{}: row {} has fewer than 3 fields",
                stances_path.display(),
                i + 2
            );
        };
        if stance.trim() == "unrelated" {
            continue;
        }
        let id: u32 = id.trim().parse().with_context(|| {
            format!("{}: row {}: body id {id:?}", stances_path.display(), i + 2)
        })?;
        if bodies.contains_key(&id) {
            pairs.push((headline.to_string(), id));
        }
    }
    let stories = components(&pairs);
    Ok(stories
        .into_iter()
        .filter_map(|(id, story)| bodies.get(&id).map(|b| (id, b.clone(), story)))
        .collect())
}

/// Gold story of every body in a related `(headline, body id)` pair: the connected component
/// of headlines and bodies, named `fnc<smallest body id>`; in body-id order.
pub fn components(pairs: &[(String, u32)]) -> Vec<(u32, String)> {
    // Union-find over node indexes: bodies first (sorted), then headlines (sorted).
    let mut body_ids: Vec<u32> = pairs.iter().map(|p| p.1).collect();
    body_ids.sort_unstable();
    body_ids.dedup();
    let mut headlines: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
    headlines.sort_unstable();
    headlines.dedup();
    let mut parent: Vec<usize> = (0..body_ids.len() + headlines.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (h, b) in pairs {
        let (Ok(bi), Ok(hi)) = (
            body_ids.binary_search(b),
            headlines.binary_search(&h.as_str()),
        ) else {
            continue;
        };
        let (ra, rb) = (
            find(&mut parent, bi),
            find(&mut parent, body_ids.len() + hi),
        );
        // The smaller index (a body, the smallest id) stays the root.
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi] = lo;
    }
    (0..body_ids.len())
        .map(|i| {
            let root = find(&mut parent, i);
            (body_ids[i], format!("fnc{}", body_ids[root]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_join_through_shared_headlines() {
        let pairs: Vec<(String, u32)> = [
            ("Mayor of Brindle adopts a wolf", 7),
            ("Mayor of Brindle adopts a wolf", 3),
            ("Brindle wolf story is a hoax", 3),
            ("Brindle wolf story is a hoax", 12),
            ("Comet seen over Tarsk", 5),
            ("Tarsk comet was a drone", 9),
            ("Tarsk comet was a drone", 5),
        ]
        .iter()
        .map(|(h, b)| (h.to_string(), *b))
        .collect();
        let got = components(&pairs);
        let want: Vec<(u32, String)> = [
            (3, "fnc3"),
            (5, "fnc5"),
            (7, "fnc3"),
            (9, "fnc5"),
            (12, "fnc3"),
        ]
        .iter()
        .map(|(b, s)| (*b, s.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn loads_related_bodies_only() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("sitrep-fnc-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("competition_test_bodies.csv"),
            "Body ID,articleBody\n1,\"A wolf, they say,\nlives in the mayor's house.\"\n2,Unrelated text\n4,\"The mayor denies \"\"any wolf\"\".\"\n",
        )?;
        std::fs::write(
            dir.join("competition_test_stances.csv"),
            "Headline,Body ID,Stance\nMayor adopts wolf,1,discuss\nMayor adopts wolf,2,unrelated\nMayor adopts wolf,4,disagree\nMayor adopts wolf,99,agree\n",
        )?;
        let docs = load(&dir);
        std::fs::remove_dir_all(&dir)?;
        let docs = docs?;
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].0, 1);
        assert!(docs[0].1.contains("wolf, they say,\nlives"));
        assert_eq!(docs[1].1, "The mayor denies \"any wolf\".");
        assert!(docs.iter().all(|d| d.2 == "fnc1"));
        Ok(())
    }

    #[test]
    fn a_missing_file_names_the_file() {
        let Err(err) = load(Path::new("/nonexistent/fnc1")) else {
            panic!("a missing folder loaded");
        };
        assert!(format!("{err:#}").contains("competition_test_bodies.csv"));
    }
}
