//! Sentence starts for the sentence-splitting benchmark.
//!
//! ```text
//! cargo run --release -p sitrep-nlp --example sentences -- TEXTS.jsonl OUT.jsonl
//! ```
//!
//! Reads `{"corpus","doc","text"}` lines (written by `sitrep-eval sentence-texts`), analyses
//! every text in parallel, and writes `{"corpus","doc","starts"}` lines: the byte offset of
//! each sentence's first token that is not whitespace (the format `sitrep-eval sentences`
//! scores, as `tools/spacy_sents.py` writes it for spaCy).

use std::io::Write;

use sitrep_nlp::Pipeline;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (input, output) = match (args.next(), args.next()) {
        (Some(i), Some(o)) => (i, o),
        _ => return Err("usage: sentences TEXTS.jsonl OUT.jsonl".into()),
    };
    let nlp = Pipeline::load(&sitrep_nlp::default_model_dir())?;
    let docs: Vec<serde_json::Value> = std::fs::read_to_string(&input)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let texts: Vec<&str> = docs
        .iter()
        .map(|d| d["text"].as_str().unwrap_or(""))
        .collect();
    let analysed = nlp.analyze_batch(&texts);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&output)?);
    for (d, doc) in docs.iter().zip(&analysed) {
        let starts: Vec<usize> = doc
            .sentences
            .iter()
            .filter_map(|s| {
                s.tokens
                    .clone()
                    .find(|&i| !doc.token_text(i).trim().is_empty())
                    .map(|i| doc.tokens[i].start)
            })
            .collect();
        let line = serde_json::json!({"corpus": d["corpus"], "doc": d["doc"], "starts": starts});
        writeln!(out, "{line}")?;
    }
    Ok(())
}
