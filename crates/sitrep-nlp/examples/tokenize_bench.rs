//! Tokenizer speed (and, with `--check`, parity) on documents in spaCy golden JSON lines.
//!
//! ```text
//! cargo run --release -p sitrep-nlp --example tokenize_bench -- [FILE.jsonl] [--repeat N] [--threads T] [--check]
//! ```
//!
//! FILE defaults to `tests/data/golden.jsonl`. Each document is tokenized N times (default
//! 200), on T threads (default 1) sharing one tokenizer; prints tokens per second to stdout. `--check` compares each document's
//! tokens (text, byte offset, space) with the file's and prints the differences.

use std::path::PathBuf;
use std::time::Instant;

use sitrep_nlp::tokenizer::Tokenizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    let (mut repeat, mut check, mut threads) = (200usize, false, 1usize);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--repeat" => repeat = args.next().ok_or("--repeat needs a number")?.parse()?,
            "--threads" => threads = args.next().ok_or("--threads needs a number")?.parse()?,
            _ => path = PathBuf::from(arg),
        }
    }
    let started = Instant::now();
    let tokenizer = Tokenizer::load(&sitrep_nlp::default_model_dir())?;
    eprintln!("loaded in {:.2?}", started.elapsed());

    let mut docs = Vec::new();
    for line in std::fs::read_to_string(&path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let doc: serde_json::Value = serde_json::from_str(line)?;
        let text = doc["text"]
            .as_str()
            .ok_or("document without text")?
            .to_string();
        let gold = if check {
            doc["tokens"].clone()
        } else {
            serde_json::Value::Null
        };
        docs.push((text, gold));
    }

    if check {
        let (mut same, mut tokens_same, mut tokens_total) = (0, 0, 0);
        for (text, expected) in &docs {
            let expected: Vec<(String, u64, bool)> = expected
                .as_array()
                .ok_or("tokens is not a list")?
                .iter()
                .map(|t| {
                    let text = t["text"].as_str().unwrap_or_default().to_string();
                    (
                        text,
                        t["idx"].as_u64().unwrap_or(0),
                        t["ws"].as_bool().unwrap_or(false),
                    )
                })
                .collect();
            let got: Vec<(String, u64, bool)> = tokenizer
                .tokenize(text)
                .iter()
                .map(|t| (t.text(text).to_string(), t.start as u64, t.ws))
                .collect();
            tokens_total += expected.len();
            tokens_same += expected.iter().filter(|t| got.contains(t)).count();
            if got == expected {
                same += 1;
            } else {
                println!(
                    "{text:?}\n  spaCy: {:?}\n  ours:  {:?}",
                    texts(&expected),
                    texts(&got)
                );
            }
        }
        println!(
            "documents identical: {same}/{}, tokens identical: {tokens_same}/{tokens_total}",
            docs.len()
        );
    }

    let started = Instant::now();
    let threads = threads.max(1);
    let tokens: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|w| {
                let (tokenizer, docs) = (&tokenizer, &docs);
                scope.spawn(move || {
                    let mut tokens = 0;
                    for _ in 0..repeat {
                        for (text, _) in docs.iter().skip(w).step_by(threads) {
                            tokens += tokenizer.tokenize(text).len();
                        }
                    }
                    tokens
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{tokens} tokens in {secs:.3} s: {:.0} tokens/s ({threads} threads)",
        tokens as f64 / secs
    );
    Ok(())
}

fn texts(tokens: &[(String, u64, bool)]) -> Vec<String> {
    tokens
        .iter()
        .map(|(t, i, ws)| format!("{t}@{i}{}", if *ws { "_" } else { "" }))
        .collect()
}
