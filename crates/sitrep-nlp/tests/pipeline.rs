//! The whole pipeline against Python spaCy: each golden document's raw text goes through
//! `Pipeline::analyze` (tokenizer, its exception NORMs, shared tok2vec, tagger, parser,
//! attribute ruler, lemmatizer, NER within the parser's sentences) and every token attribute
//! (text, offset, space, tag, POS, lemma, head, label, sentence start, entity) must equal
//! spaCy's `nlp(text)`.
//! Also the bad inputs the pipeline must survive.

use std::path::Path;

use sitrep_nlp::Pipeline;

fn pipeline() -> Pipeline {
    let dir = sitrep_nlp::default_model_dir();
    assert!(
        dir.join("ner").join("model").exists(),
        "model not found in {}: run ./scripts/fetch-models first",
        dir.display()
    );
    Pipeline::load(&dir).expect("pipeline loads")
}

fn golden() -> Vec<serde_json::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    std::fs::read_to_string(path)
        .expect("golden.jsonl is readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("golden line is JSON"))
        .collect()
}

#[test]
fn raw_text_analysis_agrees_with_spacy() {
    let nlp = pipeline();
    let docs = golden();
    let texts: Vec<&str> = docs
        .iter()
        .map(|d| d["text"].as_str().expect("text"))
        .collect();
    let analysed = nlp.analyze_batch(&texts);
    let (mut total, mut same) = (0usize, 0usize);
    let mut diffs = Vec::new();
    for (gold, doc) in docs.iter().zip(&analysed) {
        let gold_tokens = gold["tokens"].as_array().expect("tokens");
        let words: Vec<&str> = (0..doc.tokens.len()).map(|i| doc.token_text(i)).collect();
        let gold_words: Vec<&str> = gold_tokens
            .iter()
            .map(|t| t["text"].as_str().expect("token text"))
            .collect();
        assert_eq!(words, gold_words, "tokens of {:?}", doc.text);
        for (i, (g, t)) in gold_tokens.iter().zip(&doc.tokens).enumerate() {
            total += 1;
            let expected = (
                g["idx"].as_u64().expect("idx") as usize,
                g["ws"].as_bool().expect("ws"),
                g["tag"].as_str().expect("tag"),
                g["head"].as_u64().expect("head") as usize,
                g["dep"].as_str().expect("dep"),
                g["sent_start"].as_bool().unwrap_or(false),
                g["ent_iob"].as_str().expect("iob"),
                g["ent_type"].as_str().expect("type"),
                g["pos"].as_str().expect("pos"),
                g["lemma"].as_str().expect("lemma"),
            );
            let iob = t.ent_iob.to_string();
            let got = (
                t.start,
                t.ws,
                t.tag.as_str(),
                t.head,
                t.dep.as_str(),
                t.sent_start || i == 0,
                iob.as_str(),
                t.ent_type.as_str(),
                t.pos.as_str(),
                t.lemma.as_str(),
            );
            if expected == got {
                same += 1;
            } else {
                diffs.push(format!(
                    "{:?} token {i}: spaCy {expected:?}, we {got:?}",
                    doc.text
                ));
            }
        }
        let gold_ents: Vec<(usize, usize, &str)> = gold["ents"]
            .as_array()
            .expect("ents")
            .iter()
            .map(|e| {
                (
                    e["start"].as_u64().expect("start") as usize,
                    e["end"].as_u64().expect("end") as usize,
                    e["label"].as_str().expect("label"),
                )
            })
            .collect();
        let ents: Vec<(usize, usize, &str)> = doc
            .entities
            .iter()
            .map(|e| (e.tokens.start, e.tokens.end, e.label.as_str()))
            .collect();
        assert_eq!(ents, gold_ents, "entities of {:?}", doc.text);
        for e in &doc.entities {
            assert_eq!(e.start, doc.tokens[e.tokens.start].start);
            assert_eq!(e.end, doc.tokens[e.tokens.end - 1].end);
        }
    }
    eprintln!("pipeline: {same}/{total} tokens identical in every attribute");
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn sentences_cover_the_tokens() {
    let nlp = pipeline();
    let doc =
        nlp.analyze("Envoy Mara Quill landed in Velstad. She met the council. Talks resume today.");
    assert_eq!(doc.sentences.len(), 3);
    let mut next = 0;
    for s in &doc.sentences {
        assert_eq!(s.tokens.start, next);
        next = s.tokens.end;
        assert_eq!(s.start, doc.tokens[s.tokens.start].start);
    }
    assert_eq!(next, doc.tokens.len());
    assert_eq!(
        &doc.text[doc.sentences[1].start..doc.sentences[1].end],
        "She met the council."
    );
}

#[test]
fn words_input_keeps_the_words() {
    let nlp = pipeline();
    let words = ["Minister", "Ilsa", "Varga", "visited", "Orlund", "."];
    let doc = nlp.analyze_words(&words, None);
    assert_eq!(doc.text, "Minister Ilsa Varga visited Orlund .");
    let got: Vec<&str> = (0..doc.tokens.len()).map(|i| doc.token_text(i)).collect();
    assert_eq!(got, words);
    assert!(doc.entities.iter().any(|e| e.label == "PERSON"));
}

/// Inputs that must not panic and must give sensible output: each token a non-empty byte
/// range on char boundaries, heads in range, sentences covering the tokens.
#[test]
fn bad_inputs_are_survived() {
    let nlp = pipeline();
    let long_paragraph =
        "The council met again and the envoy said talks would go on, ".repeat(10_000);
    let no_spaces = "talks".repeat(20_000);
    let inputs: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("blank", " \n\t  \n".to_string()),
        (
            "control characters",
            "Talks\u{0}resumed\u{7}\u{1b}[0m in Velstad\u{feff}.\r\n\u{85}Done.".to_string(),
        ),
        (
            "mixed scripts",
            "Переговоры в Вельстаде 和平谈判 محادثات السلام Talks in Velstad 🚀🇺🇦 resumed."
                .to_string(),
        ),
        ("no spaces", no_spaces),
        ("one long paragraph", long_paragraph),
        ("punctuation only", "?!.,;:-–—\"'“”()[]{}…".repeat(500)),
    ];
    for (name, text) in &inputs {
        let doc = nlp.analyze(text);
        assert_eq!(doc.text, *text, "{name}");
        for (i, t) in doc.tokens.iter().enumerate() {
            assert!(t.start < t.end && t.end <= text.len(), "{name}: token {i}");
            assert!(
                text.is_char_boundary(t.start) && text.is_char_boundary(t.end),
                "{name}"
            );
            assert!(t.head < doc.tokens.len(), "{name}: head of token {i}");
        }
        let covered: usize = doc.sentences.iter().map(|s| s.tokens.len()).sum();
        assert_eq!(
            covered,
            doc.tokens.len(),
            "{name}: sentences cover the tokens"
        );
        for e in &doc.entities {
            assert!(
                e.tokens.start < e.tokens.end && e.tokens.end <= doc.tokens.len(),
                "{name}"
            );
        }
    }
}
