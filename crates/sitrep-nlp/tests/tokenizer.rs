//! Parity of the tokenizer with Python spaCy 3.8.7 (`tests/data/golden.jsonl`, written by
//! `scripts/spacy-golden` from the team-written `tests/data/sentences.txt`), plus robustness on
//! inputs no news article should hold but a crawler will deliver.

use std::path::Path;
use std::sync::OnceLock;

use sitrep_nlp::tokenizer::{Token, Tokenizer};

fn tokenizer() -> &'static Tokenizer {
    static TOKENIZER: OnceLock<Tokenizer> = OnceLock::new();
    TOKENIZER.get_or_init(|| {
        let dir = sitrep_nlp::default_model_dir();
        assert!(
            dir.join("tokenizer").is_file(),
            "model not found in {}: run ./scripts/fetch-models first",
            dir.display()
        );
        Tokenizer::load(&dir).unwrap_or_else(|e| panic!("loading the tokenizer: {e}"))
    })
}

/// (text, byte offset, followed by a space) of each token.
type Triple = (String, usize, bool);

fn triples(text: &str, tokens: &[Token]) -> Vec<Triple> {
    tokens
        .iter()
        .map(|t| (t.text(text).to_string(), t.start, t.ws))
        .collect()
}

fn golden() -> Vec<(String, Vec<Triple>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    let data = std::fs::read_to_string(&path).expect("reading golden.jsonl");
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let doc: serde_json::Value = serde_json::from_str(line).expect("golden line is JSON");
            let text = doc["text"].as_str().expect("golden text").to_string();
            let tokens = doc["tokens"]
                .as_array()
                .expect("golden tokens")
                .iter()
                .map(|t| {
                    (
                        t["text"].as_str().expect("token text").to_string(),
                        t["idx"].as_u64().expect("token idx") as usize,
                        t["ws"].as_bool().expect("token ws"),
                    )
                })
                .collect();
            (text, tokens)
        })
        .collect()
}

#[test]
fn tokens_identical_to_spacy_on_every_golden_document() {
    let tok = tokenizer();
    let docs = golden();
    assert!(!docs.is_empty(), "golden.jsonl holds no documents");
    let (mut same_docs, mut same_tokens, mut total_tokens) = (0, 0, 0);
    let mut report = String::new();
    for (text, expected) in &docs {
        let got = triples(text, &tok.tokenize(text));
        total_tokens += expected.len();
        same_tokens += got
            .iter()
            .filter(|t| expected.contains(t))
            .count()
            .min(expected.len());
        if &got == expected {
            same_docs += 1;
        } else {
            let missing: Vec<_> = expected.iter().filter(|t| !got.contains(t)).collect();
            let extra: Vec<_> = got.iter().filter(|t| !expected.contains(t)).collect();
            report.push_str(&format!(
                "\n{text:?}\n  spaCy only: {missing:?}\n  ours only:  {extra:?}"
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{same_docs}/{} documents and {same_tokens}/{total_tokens} tokens identical:{report}",
        docs.len()
    );
}

#[track_caller]
fn check(text: &str, expected: &[&str]) {
    let tokens = tokenizer().tokenize(text);
    let got: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
    assert_eq!(got, expected, "tokenizing {text:?}");
}

#[test]
fn special_cases_split_and_carry_norms() {
    check(
        "I'd say they don't.",
        &["I", "'d", "say", "they", "do", "n't", "."],
    );
    let text = "don't";
    let tokens = tokenizer().tokenize(text);
    let norms: Vec<Option<&str>> = tokens.iter().map(|t| t.norm.as_deref()).collect();
    assert_eq!(norms, [Some("do"), Some("not")]);
    let text = "Sen. Kroll (D-Ore.) said";
    let tokens = tokenizer().tokenize(text);
    let norms: Vec<Option<&str>> = tokens.iter().map(|t| t.norm.as_deref()).collect();
    assert_eq!(
        norms,
        [None, None, None, None, None, Some("Oregon"), None, None]
    );
}

#[test]
fn whitespace_runs_become_tokens() {
    check("a  b\nc", &["a", " ", "b", "\n", "c"]);
    check(" lead", &[" ", "lead"]);
    let tokens = tokenizer().tokenize("a b");
    assert!(tokens[0].ws && !tokens[1].ws);
}

#[test]
fn empty_text_has_no_tokens() {
    assert!(tokenizer().tokenize("").is_empty());
}

/// Tokens are in order, do not overlap, lie on char boundaries, and cover every
/// non-whitespace character.
#[track_caller]
fn assert_well_formed(text: &str, tokens: &[Token]) {
    let mut covered = 0;
    for t in tokens {
        assert!(
            t.start >= covered && t.start < t.end && t.end <= text.len(),
            "bad token {t:?}"
        );
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        assert!(
            text[covered..t.start].chars().all(char::is_whitespace),
            "gap before {t:?}"
        );
        covered = t.end;
    }
    assert!(text[covered..].chars().all(char::is_whitespace));
}

#[test]
fn long_text_without_spaces() {
    let words = "Selvik-Dravna/ferry,(2026)...";
    let text = words.repeat(100_000 / words.len());
    let tokens = tokenizer().tokenize(&text);
    assert_well_formed(&text, &tokens);
    assert!(tokens.len() > text.len() / 10);
    let text = "x".repeat(100_000);
    assert_eq!(tokenizer().tokenize(&text).len(), 1);
    let text = "(".repeat(50_000) + &")".repeat(50_000);
    let tokens = tokenizer().tokenize(&text);
    assert_well_formed(&text, &tokens);
    assert_eq!(tokens.len(), 100_000);
}

#[test]
fn control_characters_and_mixed_scripts() {
    for text in [
        "a\u{0}b\u{7}c \u{1b}[0m \r\n\t\u{1c}x\u{85}y",
        "Москва заявила, что переговоры продолжатся.",
        "قال المتحدث إن المحادثات ستستمر.",
        "外交部发言人表示，谈判将继续。",
        "Talks resume 🕊️👍🏽 — officials 😀 said",
        "mixed: Kyiv/Київ, 東京-Tokyo, العربية-English",
    ] {
        let tokens = tokenizer().tokenize(text);
        assert_well_formed(text, &tokens);
        assert!(!tokens.is_empty());
    }
    check("\u{1c}x", &["\u{1c}", "x"]);
}

#[test]
fn ten_megabyte_paragraph() {
    let sentence = "Officials in Dravna said on Monday that 1,200 people (about 3.5%) had left; \
                    the U.S. envoy didn't comment. ";
    let text = sentence.repeat(10_000_000 / sentence.len());
    let tokens = tokenizer().tokenize(&text);
    assert_well_formed(&text, &tokens);
    let per_sentence = tokenizer().tokenize(sentence).len();
    assert_eq!(tokens.len(), per_sentence * (10_000_000 / sentence.len()));
}

/// Inputs on which Python spaCy is quadratic (seconds for 5,000 characters) or its regexes
/// backtrack; the expected counts are spaCy's on the same patterns at 5,000 characters.
#[test]
fn pathological_inputs_finish() {
    let n = 50_000;
    let cases: [(String, usize); 15] = [
        ("a:".repeat(n), 2 * n),
        ("@".repeat(2 * n), 1),
        ("a.".repeat(n), 2),
        ("-".repeat(2 * n), 1),
        ("'".repeat(2 * n), 2 * n - 3),
        (".a".repeat(n), 1),
        ("1+".repeat(n), 2 * n),
        ("a-".repeat(n), 2 * n - 1),
        ("http://".to_string() + &"a:b@".repeat(n / 2), n + 1),
        ("www.".to_string() + &"x.".repeat(n) + "com", 1),
        ("(".repeat(2 * n), 2 * n),
        (")".repeat(2 * n), 2 * n),
        ("1.".repeat(n), 2),
        ("A.".repeat(n), 1),
        ("\u{2019}s".repeat(n), n),
    ];
    for (text, expected) in &cases {
        let tokens = tokenizer().tokenize(text);
        assert_well_formed(text, &tokens);
        assert_eq!(
            tokens.len(),
            *expected,
            "token count of {:?}...",
            &text[..8]
        );
    }
}

#[test]
fn tokenizer_is_shareable_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Tokenizer>();
    let text = "Sen. Kroll (D-Ore.) didn't comment.";
    let alone = triples(text, &tokenizer().tokenize(text));
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert_eq!(triples(text, &tokenizer().tokenize(text)), alone));
        }
    });
}

/// Special cases split apart by the affix rules are merged back by the matcher (spaCy's
/// `_apply_special_cases`), but only where the affix split produced their exact pieces.
#[test]
fn special_case_matcher_merges_emoticons() {
    check("wow:)", &["wow", ":)"]);
    check("(:)", &["(", ":)"]);
    check("ok:-)", &["ok:-", ")"]);
}
