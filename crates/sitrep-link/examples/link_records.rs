//! Links article records (JSON lines from `sitrep extract`) as one story and prints what the
//! sources disagree on: `sitrep extract a.txt b.txt | cargo run -p sitrep-link --example link_records`.

use std::io::BufRead;

fn main() {
    let mut records = Vec::new();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let Ok(line) = line else { break };
        match serde_json::from_str::<sitrep_model::ArticleRecord>(&line) {
            Ok(r) => records.push(r),
            Err(e) => eprintln!("link_records: line {}: not an article record: {e}", n + 1),
        }
    }
    let linked = sitrep_link::link(&records);
    for d in &linked.disagreements {
        println!("{}", serde_json::to_string(d).unwrap_or_default());
    }
    for q in linked.quotes.iter().filter(|q| q.articles.len() > 1) {
        println!("{}", serde_json::to_string(q).unwrap_or_default());
    }
    for e in linked.entities.iter().filter(|e| e.articles > 1) {
        println!("{}", serde_json::to_string(e).unwrap_or_default());
    }
}
