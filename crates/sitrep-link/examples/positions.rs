//! Proposal-position precision and recall on the team-written storylines
//! (`tests/fixtures/positions.jsonl`, fictional parties): each storyline's articles are
//! extracted end to end (the linguistic core, entities, events) and linked as one story; a found
//! position is right when an expected one has its stance, a party containing the expected
//! words and a proposal (subject or variant) containing the expected words, one to one. The
//! trap storyline names proposals without any position and expects none.
//!
//! `cargo run --release -p sitrep-link --example positions [-- -v]`

use std::path::Path;

use sitrep_model::{Article, ArticleRecord};

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let dir = sitrep_nlp::default_model_dir();
    let analyzer = match sitrep_extract::Analyzer::load(&dir) {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "positions: cannot load the model from {}: {e}",
                dir.display()
            );
            std::process::exit(2);
        }
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/positions.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("positions: cannot read {}: {e}", path.display());
            std::process::exit(2);
        }
    };
    // [written with the rules, written after them (never tuned on)]: (right, wrong, missed, lines)
    let mut counts = [(0usize, 0usize, 0usize, 0usize); 2];
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("positions: line {}: {e}", n + 1);
                continue;
            }
        };
        let set = usize::from(v["held_out"].as_bool().unwrap_or(false));
        let (tp, fp, fn_, lines) = &mut counts[set];
        *lines += 1;
        let records: Vec<ArticleRecord> = v["articles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let body = x["body"].as_str().unwrap_or_default().to_string();
                        let id = x["id"].as_str().unwrap_or_default();
                        let mut article = Article::new(id, body);
                        article.id = id.to_string();
                        article.outlet = x["outlet"].as_str().map(str::to_string);
                        article.published = x["date"]
                            .as_str()
                            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                        let ex = analyzer.extract_dated(None, &article.body, article.published);
                        ArticleRecord::new(article, ex)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let linked = sitrep_link::link(&records);
        let expect: Vec<[String; 3]> = v["expect"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        Some([
                            e[0].as_str()?.to_lowercase(),
                            e[1].as_str()?.to_lowercase(),
                            e[2].as_str()?.to_string(),
                        ])
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut matched = vec![false; expect.len()];
        for p in &linked.proposals {
            let names: Vec<String> = std::iter::once(&p.subject)
                .chain(&p.variants)
                .map(|s| s.to_lowercase())
                .collect();
            for pos in &p.positions {
                let hit = expect
                    .iter()
                    .enumerate()
                    .position(|(i, [what, who, stance])| {
                        !matched[i]
                            && *stance == pos.stance
                            && pos.party.to_lowercase().contains(who.as_str())
                            && names.iter().any(|n| n.contains(what.as_str()))
                    });
                match hit {
                    Some(i) => matched[i] = true,
                    None => {
                        *fp += 1;
                        if verbose {
                            eprintln!(
                                "false  {}: {} / {} / {} {:?}",
                                v["name"], p.subject, pos.party, pos.stance, pos.conditions
                            );
                        }
                    }
                }
            }
        }
        *tp += matched.iter().filter(|&&m| m).count();
        for (i, ok) in matched.iter().enumerate() {
            if !ok {
                *fn_ += 1;
                if verbose {
                    eprintln!("missed {}: {:?}", v["name"], expect[i]);
                }
            }
        }
    }
    for (name, (tp, fp, fn_, lines)) in ["development", "held_out"].iter().zip(counts) {
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fn_).max(1) as f64;
        println!(
            "{{\"set\":\"{name}\",\"storylines\":{lines},\"expected\":{},\"found_right\":{tp},\"found_wrong\":{fp},\"precision\":{p:.3},\"recall\":{r:.3}}}",
            tp + fn_
        );
    }
}
