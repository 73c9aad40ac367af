//! Helpers shared by the parity tests: the model folder, the golden file written by Python
//! spaCy, and the tokenizer exceptions' NORMs that the tokenizer proper would pass on.
#![allow(dead_code)] // each test crate uses its own subset

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sitrep_nlp::model::{EntitySpan, TokenIn};

/// The model folder; fails with a clear message when `component` is not there.
pub fn model_dir(component: &str) -> PathBuf {
    let dir = sitrep_nlp::default_model_dir();
    assert!(
        dir.join(component).join("model").exists(),
        "model not found in {}: run ./scripts/fetch-models first",
        dir.display()
    );
    dir
}

/// One token of spaCy's golden analysis.
pub struct GoldToken {
    pub text: String,
    pub ws: bool,
    pub tag: String,
    pub head: usize,
    pub dep: String,
    pub sent_start: bool,
    pub ent_iob: String,
    pub ent_type: String,
}

/// One golden document: its tokens and entities.
pub struct GoldDoc {
    pub tokens: Vec<GoldToken>,
    pub ents: Vec<EntitySpan>,
}

/// The documents of `tests/data/golden.jsonl`.
pub fn golden_docs() -> Vec<GoldDoc> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    let text = std::fs::read_to_string(&path).expect("golden.jsonl is readable");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let doc: serde_json::Value = serde_json::from_str(line).expect("golden line is JSON");
            let tokens = doc["tokens"]
                .as_array()
                .expect("golden doc has tokens")
                .iter()
                .map(|t| GoldToken {
                    text: t["text"].as_str().expect("token text").to_string(),
                    ws: t["ws"].as_bool().expect("token ws"),
                    tag: t["tag"].as_str().expect("token tag").to_string(),
                    head: t["head"].as_u64().expect("token head") as usize,
                    dep: t["dep"].as_str().expect("token dep").to_string(),
                    sent_start: t["sent_start"].as_bool().unwrap_or(false),
                    ent_iob: t["ent_iob"].as_str().expect("token ent_iob").to_string(),
                    ent_type: t["ent_type"].as_str().expect("token ent_type").to_string(),
                })
                .collect();
            let ents = doc["ents"]
                .as_array()
                .expect("golden doc has ents")
                .iter()
                .map(|e| EntitySpan {
                    start: e["start"].as_u64().expect("ent start") as usize,
                    end: e["end"].as_u64().expect("ent end") as usize,
                    label: e["label"].as_str().expect("ent label").to_string(),
                })
                .collect();
            GoldDoc { tokens, ents }
        })
        .collect()
}

/// The tokenizer's special cases: each exception's pieces, as (text, NORM if set).
pub type Exceptions = HashMap<String, Vec<Vec<(String, Option<String>)>>>;

/// Reads the special cases from the model's tokenizer file, keyed by their first piece.
pub fn exceptions(model_dir: &Path) -> Exceptions {
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
pub fn exception_norms<'a>(doc: &[GoldToken], exceptions: &'a Exceptions) -> Vec<Option<&'a str>> {
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

pub fn tokens_in<'a>(doc: &'a [GoldToken], exceptions: &'a Exceptions) -> Vec<TokenIn<'a>> {
    doc.iter()
        .zip(exception_norms(doc, exceptions))
        .map(|(t, norm)| TokenIn {
            text: &t.text,
            space_after: t.ws,
            norm,
        })
        .collect()
}
