//! Tagger throughput on pre-tokenised documents.
//!
//! ```text
//! cargo run --release -p sitrep-nlp --example tag_bench -- [GOLDEN_JSONL] [--rounds N] [--threads T] [--dump FILE]
//! ```
//!
//! Reads documents as spaCy golden lines (`{"tokens": [{"text", "ws"}, ...]}`, default
//! `tests/data/golden.jsonl`), tags them `--rounds` times (default 20) on `--threads` threads
//! (default 1) sharing one loaded model, and prints tokens/s on stderr. `--dump FILE` writes each document's tok2vec output as a JSON line of rows, for
//! numeric comparison with Python spaCy (`Doc(vocab, words, spaces)`, so no exception norms).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use sitrep_nlp::model::{Tagger, TokenIn};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    let mut rounds = 20usize;
    let mut dump = None;
    let mut threads = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => rounds = args.next().ok_or("--rounds needs a value")?.parse()?,
            "--threads" => threads = args.next().ok_or("--threads needs a value")?.parse()?,
            "--dump" => dump = Some(PathBuf::from(args.next().ok_or("--dump needs a file")?)),
            _ => input = PathBuf::from(arg),
        }
    }
    let docs: Vec<Vec<(String, bool)>> = std::fs::read_to_string(&input)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| -> Result<_, Box<dyn std::error::Error>> {
            let doc: serde_json::Value = serde_json::from_str(line)?;
            let tokens = doc["tokens"].as_array().ok_or("line without tokens")?;
            Ok(tokens
                .iter()
                .map(|t| {
                    (
                        t["text"].as_str().unwrap_or_default().to_string(),
                        t["ws"].as_bool() == Some(true),
                    )
                })
                .collect())
        })
        .collect::<Result<_, _>>()?;
    let docs: Vec<Vec<TokenIn<'_>>> = docs
        .iter()
        .map(|d| {
            d.iter()
                .map(|(t, ws)| TokenIn {
                    text: t,
                    space_after: *ws,
                    norm: None,
                })
                .collect()
        })
        .collect();
    let n_tokens: usize = docs.iter().map(Vec::len).sum();

    let load = Instant::now();
    let tagger = Tagger::load(&sitrep_nlp::default_model_dir())?;
    eprintln!("loaded in {:.2?}", load.elapsed());

    if let Some(path) = dump {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        let width = tagger.tok2vec().width();
        for doc in &docs {
            let vectors = tagger.tok2vec().forward_tokens(doc);
            let rows: Vec<&[f32]> = vectors.chunks_exact(width).collect();
            writeln!(out, "{}", serde_json::to_string(&rows)?)?;
        }
    }

    let threads = threads.max(1);
    let start = Instant::now();
    let tags: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (tagger, docs) = (&tagger, &docs);
                scope.spawn(move || {
                    let mut tags = 0;
                    for _ in 0..rounds {
                        for doc in docs.iter().skip(t).step_by(threads) {
                            tags += tagger.tag_tokens(doc).len();
                        }
                    }
                    tags
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{} docs, {n_tokens} tokens x {rounds} rounds: {:.0} tokens/s (tok2vec + tagger, {threads} thread(s))",
        docs.len(),
        tags as f64 / secs
    );
    Ok(())
}
