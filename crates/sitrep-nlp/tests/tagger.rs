//! Parity of the tagger with Python spaCy: the golden file holds spaCy 3.8.7's tokens and tags
//! for team-written documents; the tagger runs on the same tokens and must agree on >= 99.5% of
//! the tags.

mod common;

use common::*;
use sitrep_nlp::model::{Tagger, TokenIn};

#[test]
fn tags_agree_with_spacy() {
    let dir = model_dir("tagger");
    let tagger = Tagger::load(&dir).expect("tagger loads");
    let exceptions = exceptions(&dir);
    let (mut total, mut same) = (0usize, 0usize);
    let mut diffs = Vec::new();
    for doc in golden_docs().into_iter().map(|d| d.tokens) {
        let tokens = tokens_in(&doc, &exceptions);
        let tags = tagger.tag_tokens(&tokens);
        assert_eq!(tags.len(), doc.len());
        for (i, (gold, tag)) in doc.iter().zip(&tags).enumerate() {
            total += 1;
            if gold.tag == *tag {
                same += 1;
            } else {
                let context: Vec<&str> = doc[i.saturating_sub(3)..(i + 4).min(doc.len())]
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect();
                diffs.push(format!(
                    "{:?}: spaCy {} rust {tag} in {context:?}",
                    gold.text, gold.tag
                ));
            }
        }
    }
    let agreement = same as f64 / total as f64;
    eprintln!("tag agreement {same}/{total} = {:.4}%", 100.0 * agreement);
    for d in &diffs {
        eprintln!("  {d}");
    }
    assert!(total > 500, "golden file has too few tokens: {total}");
    assert!(
        agreement >= 0.995,
        "tag agreement {agreement:.4} < 0.995; differences:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn tokens_are_independent_of_other_documents() {
    let tagger = Tagger::load(&model_dir("tagger")).expect("tagger loads");
    let a = tagger.tok2vec().forward(&["The", "envoy", "arrived", "."]);
    let b = tagger.tok2vec().forward(&["The", "envoy", "arrived", "."]);
    assert_eq!(a.len(), 4 * tagger.tok2vec().width());
    assert_eq!(a, b);
    assert!(tagger.tag(&[]).is_empty());
}

#[test]
fn norms_follow_the_vocab_lookups() {
    let tagger = Tagger::load(&model_dir("tagger")).expect("tagger loads");
    let lexicon = tagger.tok2vec().lexicon();
    // Ids from spaCy 3.8.7: `nlp.vocab[word].norm`.
    for (word, norm) in [
        ("cuz", 16950148841647037698),
        ("Cuz", 16950148841647037698),
        ("colour", 7045580820573707335),
        ("’", 11221368173670222813),
        ("Hello", 5983625672228268878),
        ("Mark", 423),
    ] {
        assert_eq!(lexicon.norm_id(word), norm, "norm of {word:?}");
    }
}

#[test]
fn tok2vec_matches_spacy_numerically() {
    let tagger = Tagger::load(&model_dir("tagger")).expect("tagger loads");
    let t2v = tagger.tok2vec();
    let texts = ["Envoy", "Ilse", "Brandt", "did", "n't", "arrive", "."];
    let spaces = [true, true, true, false, true, false, false];
    let tokens: Vec<TokenIn<'_>> = texts
        .iter()
        .zip(spaces)
        .map(|(&text, space_after)| TokenIn {
            text,
            space_after,
            norm: None,
        })
        .collect();
    // spaCy 3.8.7: `nlp.get_pipe("tok2vec").model.predict([Doc(vocab, words, spaces)])`,
    // first three and last two values of each row.
    let expected: [([f32; 3], [f32; 2]); 7] = [
        ([-0.20961, -1.30426, 0.6555], [0.58444, -0.45166]),
        ([0.78928, -1.66622, 0.46841], [-0.05007, -0.84015]),
        ([-0.01643, -1.02654, -0.15189], [0.93539, 0.75652]),
        ([-0.47266, 0.34069, 0.74688], [1.08436, 0.43526]),
        ([-1.27555, -0.9211, 0.14737], [0.60111, -0.83748]),
        ([-1.0736, -1.00852, 0.68462], [0.93951, -0.14712]),
        ([-0.59997, -0.6795, -1.03691], [-0.56132, -0.40515]),
    ];
    let width = t2v.width();
    assert_eq!(width, 96);
    let vectors = t2v.forward_tokens(&tokens);
    for (i, (row, (head, tail))) in vectors.chunks_exact(width).zip(expected).enumerate() {
        let got = [row[0], row[1], row[2], row[width - 2], row[width - 1]];
        let want = [head[0], head[1], head[2], tail[0], tail[1]];
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() < 1e-4,
                "token {i} ({}): {got:?} != {want:?}",
                texts[i]
            );
        }
    }
}

/// NER carries its own tok2vec (NORM, PREFIX, SUFFIX, SHAPE only) inside its model file; the
/// same loader reads it from there.
#[test]
fn ner_tok2vec_matches_spacy_numerically() {
    use sitrep_nlp::model::{Lexicon, Tok2Vec, weights::ThincModel};
    let dir = model_dir("tagger");
    let model = ThincModel::read(&dir.join("ner/model")).expect("ner model reads");
    let lexicon = Lexicon::load(&dir.join("vocab")).expect("vocab reads");
    let t2v = Tok2Vec::from_thinc(&model, lexicon).expect("ner tok2vec builds");
    let texts = ["Envoy", "Ilse", "Brandt", "did", "n't", "arrive", "."];
    let spaces = [true, true, true, false, true, false, false];
    let tokens: Vec<TokenIn<'_>> = texts
        .iter()
        .zip(spaces)
        .map(|(&text, space_after)| TokenIn {
            text,
            space_after,
            norm: None,
        })
        .collect();
    // spaCy 3.8.7: `nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0].predict([doc])`.
    let expected: [([f32; 3], [f32; 2]); 7] = [
        ([-0.24971, -1.87577, 0.12221], [-1.88858, 0.2608]),
        ([-0.61137, -0.33811, 1.41433], [-0.12587, -0.75788]),
        ([-2.01152, -0.47006, 0.68067], [-1.67699, 2.06571]),
        ([-1.29891, 0.33835, 0.67189], [-0.78734, 3.07454]),
        ([-1.09879, -0.70317, 0.68095], [-0.11723, 2.06928]),
        ([-2.89258, -0.40392, 0.1433], [-0.65601, 1.34426]),
        ([-1.8491, -1.61536, 0.3262], [-1.20222, 2.3824]),
    ];
    let width = t2v.width();
    let vectors = t2v.forward_tokens(&tokens);
    assert_eq!(vectors.len(), texts.len() * width);
    for (i, (row, (head, tail))) in vectors.chunks_exact(width).zip(expected).enumerate() {
        let got = [row[0], row[1], row[2], row[width - 2], row[width - 1]];
        let want = [head[0], head[1], head[2], tail[0], tail[1]];
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() < 1e-4,
                "token {i} ({}): {got:?} != {want:?}",
                texts[i]
            );
        }
    }
}
