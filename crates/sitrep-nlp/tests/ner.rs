//! Parity of the named entity recognizer with Python spaCy: the golden file holds spaCy
//! 3.8.7's tokens, sentence starts and entities for team-written documents; the NER runs on the
//! same tokens (with the tokenizer exceptions' NORMs, as in `tests/tagger.rs`) and the golden
//! sentence starts (spaCy's `ner` runs after the parser), and must find the same entities.

use std::time::Instant;

mod common;

use common::*;
use sitrep_nlp::model::{EntitySpan, Ner, TokenIn};

/// Per-token IOB tags and types ("B"/"I"/"O", type) from entity spans.
fn iob(n: usize, ents: &[EntitySpan]) -> Vec<(&'static str, String)> {
    let mut out = vec![("O", String::new()); n];
    for e in ents {
        for (i, tag) in out.iter_mut().enumerate().take(e.end).skip(e.start) {
            *tag = (if i == e.start { "B" } else { "I" }, e.label.clone());
        }
    }
    out
}

#[test]
fn move_names_follow_spacy_order() {
    let ner = Ner::load(&model_dir("ner")).expect("ner loads");
    let names = ner.move_names();
    // `nlp.get_pipe("ner").moves.get_class_name(i)` in spaCy 3.8.7.
    assert_eq!(names.len(), 74);
    assert_eq!(&names[..4], ["B-ORG", "B-DATE", "B-PERSON", "B-GPE"]);
    assert_eq!(names[17], "B-LANGUAGE");
    assert_eq!(names[18], "I-ORG");
    assert_eq!(names[36], "L-ORG");
    assert_eq!(names[54], "U-ORG");
    assert_eq!(&names[71..], ["U-LANGUAGE", "U-", "O"]);
}

/// Current floor: identical entities (spans and labels) in every golden document.
#[test]
fn entities_agree_with_spacy() {
    let dir = model_dir("ner");
    let ner = Ner::load(&dir).expect("ner loads");
    let exceptions = exceptions(&dir);
    let (mut total, mut same, mut ents_total, mut ents_same) = (0usize, 0usize, 0usize, 0usize);
    let mut diffs = Vec::new();
    let start = Instant::now();
    for (d, doc) in golden_docs().iter().enumerate() {
        let tokens = tokens_in(&doc.tokens, &exceptions);
        let starts: Vec<bool> = doc.tokens.iter().map(|t| t.sent_start).collect();
        let ents = ner.recognize_in_sentences(&tokens, Some(&starts));
        // The golden token tags agree with the golden spans.
        let gold_tags = iob(doc.tokens.len(), &doc.ents);
        for (t, (iob, ty)) in doc.tokens.iter().zip(&gold_tags) {
            assert_eq!(
                (t.ent_iob.as_str(), t.ent_type.as_str()),
                (*iob, ty.as_str())
            );
        }
        let tags = iob(doc.tokens.len(), &ents);
        total += tags.len();
        same += tags.iter().zip(&gold_tags).filter(|(a, b)| a == b).count();
        ents_total += doc.ents.len();
        ents_same += doc.ents.iter().filter(|e| ents.contains(e)).count();
        if ents != doc.ents {
            diffs.push(format!(
                "doc {d}: spaCy {:?}\n        rust  {:?}",
                doc.ents, ents
            ));
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    // Without sentence starts (`ner` alone) spaCy's boundaries no longer block entities.
    let unsplit_same = golden_docs()
        .iter()
        .filter(|doc| ner.recognize_tokens(&tokens_in(&doc.tokens, &exceptions)) == doc.ents)
        .count();
    eprintln!("documents identical without sentence starts: {unsplit_same}");
    eprintln!(
        "entity tokens {same}/{total} = {:.4}%, entities {ents_same}/{ents_total}; \
         {:.0} tokens/s (tok2vec + ner)",
        100.0 * same as f64 / total as f64,
        total as f64 / elapsed
    );
    for d in &diffs {
        eprintln!("  {d}");
    }
    assert!(total > 500, "golden file has too few tokens: {total}");
    assert!(
        diffs.is_empty(),
        "ner differs from spaCy:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn ner_is_shareable_across_threads() {
    fn check<T: Send + Sync>() {}
    check::<Ner>();
}

#[test]
fn empty_document_has_no_entities() {
    let ner = Ner::load(&model_dir("ner")).expect("ner loads");
    assert!(ner.recognize_tokens(&[]).is_empty());
}

/// An entity as (start, end, label).
type Span<'a> = (usize, usize, &'a str);

fn spans(ents: &[EntitySpan]) -> Vec<Span<'_>> {
    ents.iter()
        .map(|e| (e.start, e.end, e.label.as_str()))
        .collect()
}

/// Sentence starts keep entities inside sentences; whitespace tokens never begin one.
/// Expected values: spaCy 3.8.7, `ner(doc)` on `nlp.make_doc(text)` with `is_sent_start` set.
#[test]
fn sentence_starts_and_whitespace_follow_spacy() {
    let ner = Ner::load(&model_dir("ner")).expect("ner loads");
    let words = [
        "Yesterday",
        "I",
        "met",
        "John",
        "Smith",
        "in",
        "New",
        "York",
        "City",
        ".",
    ];
    let tokens: Vec<TokenIn<'_>> = words
        .iter()
        .enumerate()
        .map(|(i, w)| TokenIn {
            text: w,
            space_after: i < 8,
            norm: None,
        })
        .collect();
    let starts_at =
        |at: &[usize]| -> Vec<bool> { (0..words.len()).map(|i| at.contains(&i)).collect() };
    let cases: [(Option<Vec<bool>>, Vec<Span<'_>>); 3] = [
        (None, vec![(0, 1, "DATE"), (3, 5, "PERSON"), (6, 9, "GPE")]),
        (
            Some(starts_at(&[0, 4])),
            vec![(0, 1, "DATE"), (6, 9, "GPE")],
        ),
        (
            Some(starts_at(&[0, 8])),
            vec![(0, 1, "DATE"), (3, 5, "PERSON"), (6, 8, "GPE")],
        ),
    ];
    for (starts, want) in cases {
        let got = ner.recognize_in_sentences(&tokens, starts.as_deref());
        assert_eq!(spans(&got), want, "sentence starts {starts:?}");
    }

    let spaced = [
        ("President", true),
        ("  ", false),
        ("Barack", true),
        ("Obama", true),
        ("visited", true),
        ("\n\n ", false),
        ("Paris", true),
        ("and", true),
        ("  ", false),
        ("Berlin", true),
        ("in", true),
        ("March", true),
        ("2020", false),
        (".", false),
    ];
    let tokens: Vec<TokenIn<'_>> = spaced
        .iter()
        .map(|&(text, space_after)| TokenIn {
            text,
            space_after,
            norm: None,
        })
        .collect();
    assert_eq!(
        spans(&ner.recognize_tokens(&tokens)),
        [
            (2, 4, "PERSON"),
            (6, 7, "GPE"),
            (9, 10, "GPE"),
            (11, 13, "DATE")
        ]
    );
}
