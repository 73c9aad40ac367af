//! Parity of the dependency parser with Python spaCy: the golden file holds spaCy 3.8.7's
//! tokens, heads, dependency labels and sentence starts for team-written documents; tok2vec
//! and the parser run on the same tokens (with the tokenizer exceptions' NORMs, as in
//! `tests/tagger.rs`) and must agree on the heads and labels.

use std::time::Instant;

mod common;

use common::*;
use sitrep_nlp::model::Parser;

#[test]
fn move_names_follow_spacy_order() {
    let parser = Parser::load(&model_dir("parser")).expect("parser loads");
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
    let dir = model_dir("parser");
    let parser = Parser::load(&dir).expect("parser loads");
    let exceptions = exceptions(&dir);
    let (mut total, mut heads_same, mut both_same, mut starts_same) = (0usize, 0, 0, 0);
    let mut diffs = Vec::new();
    let start = Instant::now();
    for doc in golden_docs().into_iter().map(|d| d.tokens) {
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
    let parser = Parser::load(&model_dir("parser")).expect("parser loads");
    assert!(parser.parse_tokens(&[]).is_empty());
}
