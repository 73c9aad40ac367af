//! Throughput of the embedder on real news text: FNC-1's article bodies (a CSV of `Body
//! ID,articleBody`).
//!
//! `cargo run --release -p sitrep-embed --example throughput -- ../shared/data/stories/fnc1/competition_test_bodies.csv [articles]`
//!
//! Prints the model load time, articles/s for each article's title + lead (its first 256 word
//! pieces, in batches of 32 and one at a time), sentences/s (the articles' sentences, in
//! batches and one at a time) and the peak RSS.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: throughput BODIES.csv [ARTICLES]")?;
    let limit: usize = args.next().map_or(Ok(300), |s| s.parse())?;
    let mut reader = csv::Reader::from_path(&path)?;
    let mut bodies = Vec::new();
    for row in reader.records() {
        let row = row?;
        if let Some(body) = row.get(1) {
            bodies.push(body.to_string());
        }
        if bodies.len() >= limit {
            break;
        }
    }
    let started = Instant::now();
    let embedder = sitrep_embed::Embedder::load(&sitrep_embed::default_model_dir())?;
    println!("model load: {:.2} s", started.elapsed().as_secs_f64());

    // Title + lead: the first ~3,000 characters (the embedder keeps 256 word pieces).
    let leads: Vec<&str> = bodies
        .iter()
        .map(|b| {
            let mut end = b.len().min(3000);
            while !b.is_char_boundary(end) {
                end -= 1;
            }
            &b[..end]
        })
        .collect();
    let t = Instant::now();
    embedder.embed(&leads)?;
    let s = t.elapsed().as_secs_f64();
    println!(
        "articles (lead, batches of {}): {} in {s:.2} s = {:.1} articles/s",
        sitrep_embed::BATCH,
        leads.len(),
        leads.len() as f64 / s
    );
    let few = &leads[..leads.len().min(60)];
    let t = Instant::now();
    for lead in few {
        embedder.embed(&[*lead])?;
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "articles (lead, one at a time): {} in {s:.2} s = {:.1} articles/s",
        few.len(),
        few.len() as f64 / s
    );

    let sentences: Vec<&str> = bodies
        .iter()
        .flat_map(|b| b.split(['.', '\n']))
        .map(str::trim)
        .filter(|s| s.split_whitespace().count() >= 4)
        .take(3000)
        .collect();
    let t = Instant::now();
    embedder.embed(&sentences)?;
    let s = t.elapsed().as_secs_f64();
    let words: usize = sentences.iter().map(|s| s.split_whitespace().count()).sum();
    println!(
        "sentences (batches): {} ({:.1} words each) in {s:.2} s = {:.1} sentences/s",
        sentences.len(),
        words as f64 / sentences.len().max(1) as f64,
        sentences.len() as f64 / s
    );
    let few = &sentences[..sentences.len().min(300)];
    let t = Instant::now();
    for sentence in few {
        embedder.embed(&[*sentence])?;
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "sentences (one at a time): {} in {s:.2} s = {:.1} sentences/s",
        few.len(),
        few.len() as f64 / s
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM"))
    {
        println!("peak RSS: {}", line.trim_start_matches("VmHWM:").trim());
    }
    Ok(())
}
