//! Whole-pipeline throughput (tokenizer, tagger, parser, NER) on real documents.
//!
//! ```text
//! cargo run --release -p sitrep-nlp --example pipeline_bench -- TEXTS.jsonl [--threads N] [--rounds R]
//! ```
//!
//! Reads `{"text": ...}` lines, analyses them `--rounds` times (default 3) with `analyze_batch`
//! on `--threads` threads (default: all cores), and prints one JSON line: words/s (tokens that
//! are not whitespace), tokens/s, model load time, peak resident memory (VmHWM).

use std::time::Instant;

use sitrep_nlp::Pipeline;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut input = None;
    let mut threads = 0usize;
    let mut rounds = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => threads = args.next().ok_or("--threads needs a value")?.parse()?,
            "--rounds" => rounds = args.next().ok_or("--rounds needs a value")?.parse()?,
            _ => input = Some(arg),
        }
    }
    let input = input.ok_or("usage: pipeline_bench TEXTS.jsonl [--threads N] [--rounds R]")?;
    let texts: Vec<String> = std::fs::read_to_string(&input)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| -> Result<String, serde_json::Error> {
            let v: serde_json::Value = serde_json::from_str(l)?;
            Ok(v["text"].as_str().unwrap_or_default().to_string())
        })
        .collect::<Result<_, _>>()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let started = Instant::now();
    let nlp = Pipeline::load(&sitrep_nlp::default_model_dir())?;
    let load_s = started.elapsed().as_secs_f64();
    let (mut words, mut tokens) = (0usize, 0usize);
    let started = Instant::now();
    for _ in 0..rounds {
        let docs = pool.install(|| nlp.analyze_batch(&texts));
        for d in &docs {
            tokens += d.tokens.len();
            words += (0..d.tokens.len())
                .filter(|&i| !d.token_text(i).trim().is_empty())
                .count();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let peak_kb: u64 = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0);
    let line = serde_json::json!({
        "tool": "sitrep",
        "threads": pool.current_num_threads(),
        "documents": texts.len() * rounds,
        "words": words,
        "tokens": tokens,
        "seconds": (secs * 1000.0).round() / 1000.0,
        "words_per_s": (words as f64 / secs).round(),
        "load_s": (load_s * 1000.0).round() / 1000.0,
        "peak_rss_mb": peak_kb / 1024,
    });
    println!("{line}");
    Ok(())
}
