//! Parity of the dependency parser with Python spaCy: the golden file holds spaCy 3.8.7's
//! tokens, heads, dependency labels and sentence starts for team-written documents; tok2vec
//! and the parser run on the same tokens (with the tokenizer exceptions' NORMs, as in
//! `tests/tagger.rs`) and must agree on the heads and labels.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sitrep_nlp::model::{Parser, TokenIn};

fn model_dir() -> PathBuf {
    let dir = sitrep_nlp::default_model_dir();
    assert!(
        dir.join("parser").join("model").exists(),
        "model not found in {}: run ./scripts/fetch-models first",
        dir.display()
    );
    dir
}

struct GoldToken {
    text: String,
    ws: bool,
    head: usize,
    dep: String,
    sent_start: bool,
}

fn golden_docs() -> Vec<Vec<GoldToken>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    let text = std::fs::read_to_string(&path).expect("golden.jsonl is readable");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let doc: serde_json::Value = serde_json::from_str(line).expect("golden line is JSON");
            doc["tokens"]
                .as_array()
                .expect("golden doc has tokens")
                .iter()
                .map(|t| GoldToken {
                    text: t["text"].as_str().expect("token text").to_string(),
                    ws: t["ws"].as_bool().expect("token ws"),
                    head: t["head"].as_u64().expect("token head") as usize,
                    dep: t["dep"].as_str().expect("token dep").to_string(),
                    sent_start: t["sent_start"].as_bool().unwrap_or(false),
                })
                .collect()
        })
        .collect()
}

/// The tokenizer's special cases: each exception's pieces, as (text, NORM if set).
type Exceptions = HashMap<String, Vec<Vec<(String, Option<String>)>>>;

/// Reads the special cases from the model's tokenizer file, keyed by their first piece.
fn exceptions(model_dir: &Path) -> Exceptions {
    const ORTH: u64 = 65;
    const NORM: u64 = 67;
    let bytes = std::fs::read(model_dir.join("tokenizer")).expect("tokenizer file is readable");
    let root = rmpv::decode::read_value(&mut &bytes[..]).expect("tokenizer file is msgpack");
    let exceptions = root
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some("exceptions")))
        .map(|(_, v)| v.clone())
        .expect("tokenizer has exceptions");
    let mut out: Exceptions = HashMap::new();
    for (_, pieces) in exceptions.as_map().expect("exceptions map") {
        let pieces: Vec<(String, Option<String>)> = pieces
            .as_array()
            .expect("exception pieces")
            .iter()
            .map(|piece| {
                let attr = |id: u64| {
                    piece.as_map().and_then(|m| {
                        m.iter()
                            .find(|(k, _)| k.as_u64() == Some(id))
                            .and_then(|(_, v)| v.as_str())
                            .map(str::to_string)
                    })
                };
                (attr(ORTH).expect("exception piece has ORTH"), attr(NORM))
            })
            .collect();
        out.entry(pieces[0].0.clone()).or_default().push(pieces);
    }
    out
}

/// Token NORMs set by special cases (e.g. "n't" -> "not" in "don't"): where a run of tokens
/// with no space between them spells a whole exception, its pieces' NORMs. The tokenizer
/// proper passes these on; this test stands in for it.
fn exception_norms<'a>(doc: &[GoldToken], exceptions: &'a Exceptions) -> Vec<Option<&'a str>> {
    let mut norms = vec![None; doc.len()];
    for i in 0..doc.len() {
        let Some(candidates) = exceptions.get(&doc[i].text) else {
            continue;
        };
        for pieces in candidates {
            let k = pieces.len();
            let fits = i + k <= doc.len()
                && pieces
                    .iter()
                    .zip(&doc[i..])
                    .all(|((orth, _), t)| *orth == t.text)
                && doc[i..i + k - 1].iter().all(|t| !t.ws);
            if fits {
                for (j, (_, norm)) in pieces.iter().enumerate() {
                    if norms[i + j].is_none() {
                        norms[i + j] = norm.as_deref();
                    }
                }
            }
        }
    }
    norms
}

fn tokens_in<'a>(doc: &'a [GoldToken], exceptions: &'a Exceptions) -> Vec<TokenIn<'a>> {
    doc.iter()
        .zip(exception_norms(doc, exceptions))
        .map(|(t, norm)| TokenIn {
            text: &t.text,
            space_after: t.ws,
            norm,
        })
        .collect()
}

#[test]
fn move_names_follow_spacy_order() {
    let parser = Parser::load(&model_dir()).expect("parser loads");
    let names = parser.move_names();
    // `nlp.get_pipe("parser").moves.class_name(i)` in spaCy 3.8.7.
    assert_eq!(names.len(), 106);
    assert_eq!(&names[..5], ["S", "D", "L-det", "L-nsubj", "L-compound"]);
    assert_eq!(names[30], "L-pobj||prep");
    assert_eq!(names[49], "R-punct");
    assert_eq!(names[105], "B-ROOT");
}

/// Current floor: identical heads, labels and sentence starts on every golden token.
#[test]
fn parses_agree_with_spacy() {
    let dir = model_dir();
    let parser = Parser::load(&dir).expect("parser loads");
    let exceptions = exceptions(&dir);
    let (mut total, mut heads_same, mut both_same, mut starts_same) = (0usize, 0, 0, 0);
    let mut diffs = Vec::new();
    let start = Instant::now();
    for doc in golden_docs() {
        let tokens = tokens_in(&doc, &exceptions);
        let parse = parser.parse_tokens(&tokens);
        assert_eq!(parse.len(), doc.len());
        for (i, (gold, dep)) in doc.iter().zip(&parse).enumerate() {
            total += 1;
            let head_ok = gold.head == dep.head;
            heads_same += usize::from(head_ok);
            both_same += usize::from(head_ok && gold.dep == dep.dep);
            starts_same += usize::from(gold.sent_start == dep.sent_start);
            if !head_ok || gold.dep != dep.dep || gold.sent_start != dep.sent_start {
                diffs.push(format!(
                    "token {i} {:?}: spaCy {}->{} ({}) rust {}->{} ({})",
                    gold.text,
                    gold.dep,
                    gold.head,
                    gold.sent_start,
                    dep.dep,
                    dep.head,
                    dep.sent_start
                ));
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let uas = heads_same as f64 / total as f64;
    let las = both_same as f64 / total as f64;
    eprintln!(
        "UAS {heads_same}/{total} = {:.4}%, LAS {both_same}/{total} = {:.4}%, \
         sentence starts {starts_same}/{total}; {:.0} tokens/s (tok2vec + parser)",
        100.0 * uas,
        100.0 * las,
        total as f64 / elapsed
    );
    for d in &diffs {
        eprintln!("  {d}");
    }
    assert!(total > 500, "golden file has too few tokens: {total}");
    assert!(
        both_same == total && starts_same == total,
        "parser differs from spaCy (UAS {uas:.4}, LAS {las:.4}):\n{}",
        diffs.join("\n")
    );
}

#[test]
fn parser_is_shareable_across_threads() {
    fn check<T: Send + Sync>() {}
    check::<Parser>();
}

#[test]
fn empty_document_parses_to_nothing() {
    let parser = Parser::load(&model_dir()).expect("parser loads");
    assert!(parser.parse_tokens(&[]).is_empty());
}
