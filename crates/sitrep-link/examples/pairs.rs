//! Disagreement precision and recall on the team-written article pairs
//! (`tests/fixtures/pairs.jsonl`, fictional people): each pair is extracted end to end (the
//! linguistic core, entities, quotes, events) and linked; a found disagreement is right when
//! an expected one has its slot and a subject containing the expected words. Traps expect none.
//!
//! `cargo run --release -p sitrep-link --example pairs [-- -v]`

use std::path::Path;

use sitrep_model::{Article, ArticleRecord};

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let dir = sitrep_nlp::default_model_dir();
    let analyzer = match sitrep_extract::Analyzer::load(&dir) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pairs: cannot load the model from {}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pairs.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("pairs: cannot read {}: {e}", path.display());
            std::process::exit(2);
        }
    };
    let published = chrono::NaiveDate::from_ymd_opt(2025, 3, 14);
    let (mut tp, mut fp, mut fn_, mut pairs, mut traps_clean, mut traps) = (0, 0, 0, 0, 0, 0);
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("pairs: line {}: {e}", n + 1);
                continue;
            }
        };
        pairs += 1;
        let records: Vec<ArticleRecord> = ["a", "b"]
            .iter()
            .map(|k| {
                let body = v[k].as_str().unwrap_or_default().to_string();
                let mut article = Article::new(&format!("pair{}{k}", n + 1), body);
                article.id = format!("pair{}{k}", n + 1);
                article.published = published;
                let x = analyzer.extract_dated(None, &article.body, published);
                ArticleRecord::new(article, x)
            })
            .collect();
        let linked = sitrep_link::link(&records);
        let expect: Vec<(String, String)> = v["expect"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        Some((e[0].as_str()?.to_lowercase(), e[1].as_str()?.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if expect.is_empty() {
            traps += 1;
        }
        let mut matched = vec![false; expect.len()];
        let mut wrong = 0;
        for d in &linked.disagreements {
            let hit = expect.iter().position(|(subject, slot)| {
                *slot == d.slot && d.subject.to_lowercase().contains(subject.as_str())
            });
            match hit {
                Some(i) => matched[i] = true,
                None => {
                    wrong += 1;
                    if verbose {
                        eprintln!("false  {}: {:?}", v["name"], d);
                    }
                }
            }
        }
        fp += wrong;
        for (i, ok) in matched.iter().enumerate() {
            if *ok {
                tp += 1;
            } else {
                fn_ += 1;
                if verbose {
                    eprintln!("missed {}: {:?}", v["name"], expect[i]);
                }
            }
        }
        if expect.is_empty() && wrong == 0 {
            traps_clean += 1;
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "{{\"pairs\":{pairs},\"expected\":{},\"found_right\":{tp},\"found_wrong\":{fp},\"precision\":{p:.3},\"recall\":{r:.3},\"traps_without_false_alarm\":\"{traps_clean}/{traps}\"}}",
        tp + fn_
    );
}
