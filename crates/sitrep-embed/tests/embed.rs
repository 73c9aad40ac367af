//! The embedder on team-written sentences: determinism, batch = one by one, paraphrases closer
//! than unrelated pairs, golden values from Python (sentence-transformers' recipe run with
//! transformers' BertModel), and the errors for missing or broken model files.

use std::sync::OnceLock;

use sitrep_embed::{DIM, EmbedError, Embedder, cosine};

fn embedder() -> &'static Embedder {
    static EMBEDDER: OnceLock<Embedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| {
        let dir = sitrep_embed::default_model_dir();
        assert!(
            dir.join("model.safetensors").exists(),
            "model not found in {}: run ./scripts/fetch-models first",
            dir.display()
        );
        Embedder::load(&dir).expect("model loads")
    })
}

const SENTENCES: [&str; 6] = [
    "The ferry to Port Aldane was cancelled after the storm damaged the harbour wall.",
    "Minister Oriel Vasko resigned on Tuesday.",
    "A fire broke out overnight in a grain warehouse in Tessel; no one was hurt.",
    "",
    "Three",
    "Talks between the two delegations resumed in Corvane after a week's pause, with both sides \
     saying a prisoner exchange was close, although neither would name a date.",
];

#[test]
fn unit_length_and_deterministic() {
    let a = embedder().embed(&SENTENCES).expect("embeds");
    let b = embedder().embed(&SENTENCES).expect("embeds");
    assert_eq!(a.len(), SENTENCES.len());
    assert_eq!(a, b, "same texts, same vectors");
    for v in &a {
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
        assert!(v.iter().all(|x| x.is_finite()));
    }
}

/// Embeds `texts` together and checks each vector against its text embedded alone.
fn each_equals_its_text_alone<S: AsRef<str>>(texts: &[S]) {
    let together = embedder().embed(texts).expect("embeds");
    assert_eq!(together.len(), texts.len());
    for (text, in_batch) in texts.iter().zip(&together) {
        let alone = embedder().embed(&[text.as_ref()]).expect("embeds");
        let diff = alone[0]
            .iter()
            .zip(in_batch)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-5, "{:?}: max difference {diff}", text.as_ref());
    }
}

#[test]
fn batch_equals_one_by_one() {
    each_equals_its_text_alone(&SENTENCES);
}

/// More texts than a batch, of several lengths: each vector is its own text's, in input order.
#[test]
fn texts_over_several_batches_keep_their_order() {
    let texts: Vec<String> = (0..2 * sitrep_embed::BATCH + 3)
        .map(|i| {
            let s = SENTENCES[i % SENTENCES.len()];
            format!("{} {}", s.repeat(1 + i % 3), i)
        })
        .collect();
    each_equals_its_text_alone(&texts);
}

#[test]
fn empty_input_gives_no_vectors() {
    let none: [&str; 0] = [];
    assert!(embedder().embed(&none).expect("embeds").is_empty());
}

#[test]
fn long_text_is_truncated_not_refused() {
    let long = "The council met again to discuss the bridge. ".repeat(200);
    let v = embedder().embed(&[long.as_str()]).expect("embeds");
    assert_eq!(v[0].len(), DIM);
    // Cut at 256 word pieces: the same as a text that is already just over that length.
    let shorter = "The council met again to discuss the bridge. ".repeat(40);
    let w = embedder().embed(&[shorter.as_str()]).expect("embeds");
    assert!(cosine(&v[0], &w[0]) > 0.999);
}

/// (a, paraphrase of a, unrelated to a)
const TRIPLES: [(&str, &str, &str); 5] = [
    (
        "Flooding forced hundreds of families in Marrow Bay to leave their homes.",
        "Hundreds of households in Marrow Bay were evacuated because of floods.",
        "The central bank of Estrova raised interest rates by half a point.",
    ),
    (
        "Lena Dorsk won the mayoral election in Halvik by a narrow margin.",
        "Halvik elected Lena Dorsk as its mayor in a close vote.",
        "A new species of frog was found in the rainforest.",
    ),
    (
        "The striking dock workers returned to work after a pay deal was agreed.",
        "Port workers ended their strike once they accepted a wage agreement.",
        "The national football team lost its opening match of the tournament.",
    ),
    (
        "An earthquake of magnitude 6.1 shook the coastal town of Pelleran.",
        "A strong quake struck Pelleran, a town on the coast.",
        "Shares in the software company fell after its quarterly results.",
    ),
    (
        "The two governments signed a ceasefire agreement in Corvane.",
        "A truce was signed by both governments at talks in Corvane.",
        "The museum reopened its sculpture hall after renovation.",
    ),
];

#[test]
fn paraphrases_are_closer_than_unrelated_pairs() {
    let mut texts = Vec::new();
    for (a, p, u) in TRIPLES {
        texts.extend([a, p, u]);
    }
    let v = embedder().embed(&texts).expect("embeds");
    let mut least_paraphrase = f32::MAX;
    let mut most_unrelated = f32::MIN;
    for t in 0..TRIPLES.len() {
        let (a, p, u) = (&v[3 * t], &v[3 * t + 1], &v[3 * t + 2]);
        let close = cosine(a, p);
        let far = cosine(a, u);
        assert!(close > far + 0.3, "{:?}: {close} vs {far}", TRIPLES[t].0);
        least_paraphrase = least_paraphrase.min(close);
        most_unrelated = most_unrelated.max(far);
    }
    assert!(
        least_paraphrase > most_unrelated,
        "every paraphrase pair is closer than every unrelated pair: {least_paraphrase} vs {most_unrelated}"
    );
}

#[test]
fn missing_model_files_are_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("sitrep-embed-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let err = Embedder::load(&dir).err().expect("no model there");
    assert!(matches!(err, EmbedError::Missing { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("config.json") && message.contains("fetch-models"),
        "{message}"
    );

    // Files present but not what they should be: named in the error, no panic.
    std::fs::write(dir.join("config.json"), "{ not json").expect("write");
    std::fs::write(dir.join("model.safetensors"), b"short").expect("write");
    std::fs::write(dir.join("tokenizer.json"), "{}").expect("write");
    let message = Embedder::load(&dir)
        .err()
        .expect("broken config")
        .to_string();
    assert!(
        message.contains("config.json") && message.contains("not a BERT config"),
        "{message}"
    );

    let real = sitrep_embed::default_model_dir();
    std::fs::copy(real.join("config.json"), dir.join("config.json")).expect("copy");
    let message = Embedder::load(&dir)
        .err()
        .expect("broken tokenizer")
        .to_string();
    assert!(message.contains("tokenizer.json"), "{message}");

    std::fs::copy(real.join("tokenizer.json"), dir.join("tokenizer.json")).expect("copy");
    let message = Embedder::load(&dir)
        .err()
        .expect("broken weights")
        .to_string();
    assert!(message.contains("model.safetensors"), "{message}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The first 8 dimensions against `tests/data/golden.jsonl`, written by `tests/data/golden.py`:
/// transformers' BERT forward pass in numpy float64 with Python's tokenizers (torch itself is
/// not installable here: PyPI's Linux wheels need the CUDA packages).
#[test]
fn golden_values_from_python() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    let golden = std::fs::read_to_string(path).expect("golden.jsonl is readable");
    let mut checked = 0;
    for line in golden.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).expect("golden line is JSON");
        let text = row["text"].as_str().expect("text");
        let want: Vec<f64> = row["first8"]
            .as_array()
            .expect("first8")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect();
        let got = embedder().embed(&[text]).expect("embeds");
        for (i, w) in want.iter().enumerate() {
            let g = f64::from(got[0][i]);
            assert!((g - w).abs() < 1e-4, "{text:?} dim {i}: {g} vs {w}");
        }
        checked += 1;
    }
    assert_eq!(checked, 4);
}
