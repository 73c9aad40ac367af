//! Sentence embeddings: sentence-transformers' all-MiniLM-L6-v2 (a 6-layer BERT, 384
//! dimensions) run on the CPU in f32 with candle.
//!
//! Input: texts (a title and lead, a sentence). Output: one unit-length vector of [`DIM`]
//! floats per text, in input order: the mean of the last layer's token vectors over the
//! attention mask, L2-normalised, as sentence-transformers computes it. The cosine of two
//! embeddings is their dot product ([`cosine`]).
//!
//! The model files (`config.json`, `model.safetensors`, `tokenizer.json`) are read from a
//! folder, `models/minilm` as written by `scripts/fetch-models`. The tokenizer file pads every
//! text to 128 word pieces and truncates there; [`Embedder`] overrides both: a text alone is not
//! padded, a batch is padded to its longest text (the attention mask hides the padding), and a
//! text is cut after [`MAX_TOKENS`] word pieces.
//!
//! Invariants: deterministic (the same text gives the same vector); a text's vector does not
//! depend on the batch it is in beyond float rounding (< 1e-5); missing or unreadable model
//! files are an [`EmbedError`] naming the file, never a panic.
//!
//! ```no_run
//! let embedder = sitrep_embed::Embedder::load(std::path::Path::new("models/minilm"))?;
//! let v = embedder.embed(&["The ferry left Port Aldane at dawn.", "A boat sailed early."])?;
//! assert!(sitrep_embed::cosine(&v[0], &v[1]) > 0.3);
//! # Ok::<(), sitrep_embed::EmbedError>(())
//! ```

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{
    PaddingDirection, PaddingParams, PaddingStrategy, Tokenizer, TruncationDirection,
    TruncationParams, TruncationStrategy,
};

/// Dimensions of an embedding.
pub const DIM: usize = 384;

/// Word pieces kept per text (the `[CLS]` and `[SEP]` included); the rest is cut.
pub const MAX_TOKENS: usize = 256;

/// Texts run through the model together; a longer input is cut into batches of this size,
/// each of texts of similar length (less padding). 8: on 2 cores larger batches are no faster
/// and hold more memory (100 article leads, `sitrep ingest`: peak RSS 316 MB at 8, 387 MB at
/// 16, 520 MB at 32; BENCHMARKS.md, Stories, step 16).
pub const BATCH: usize = 8;

/// One sentence embedding: unit length, so the cosine of two is their dot product.
pub type Embedding = [f32; DIM];

/// What went wrong loading the model or embedding texts.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{}: model file missing (run scripts/fetch-models)", path.display())]
    Missing { path: PathBuf },
    #[error("{}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    #[error("tokenizing text {index}: {reason}")]
    Tokenize { index: usize, reason: String },
    #[error("running the model: {0}")]
    Model(#[from] candle_core::Error),
}

/// The loaded model and tokenizer; read-only after [`Embedder::load`], shareable across
/// threads.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

impl Embedder {
    /// Loads `config.json`, `model.safetensors` and `tokenizer.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        let file = |name: &str| -> Result<PathBuf, EmbedError> {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(EmbedError::Missing { path })
            }
        };
        let (config_path, weights_path, tokenizer_path) = (
            file("config.json")?,
            file("model.safetensors")?,
            file("tokenizer.json")?,
        );
        let bad = |path: &Path, reason: String| EmbedError::File {
            path: path.to_path_buf(),
            reason,
        };

        let text =
            std::fs::read_to_string(&config_path).map_err(|e| bad(&config_path, e.to_string()))?;
        let config: Config = serde_json::from_str(&text)
            .map_err(|e| bad(&config_path, format!("not a BERT config: {e}")))?;
        if config.hidden_size != DIM {
            return Err(bad(
                &config_path,
                format!("hidden size {} where {DIM} is expected", config.hidden_size),
            ));
        }

        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| bad(&tokenizer_path, format!("not a tokenizer: {e}")))?;
        let pad_id = tokenizer.token_to_id("[PAD]").unwrap_or(0);
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            direction: PaddingDirection::Right,
            pad_to_multiple_of: None,
            pad_id,
            pad_type_id: 0,
            pad_token: "[PAD]".to_string(),
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: MAX_TOKENS,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| bad(&tokenizer_path, format!("truncation: {e}")))?;

        let device = Device::Cpu;
        let bytes = std::fs::read(&weights_path).map_err(|e| bad(&weights_path, e.to_string()))?;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device)
            .map_err(|e| bad(&weights_path, format!("not safetensors: {e}")))?;
        let model = BertModel::load(vb, &config)
            .map_err(|e| bad(&weights_path, format!("weights do not fit the config: {e}")))?;
        Ok(Self {
            model,
            tokenizer,
            device,
        })
    }

    /// One embedding per text, in input order. Texts are run in batches of [`BATCH`] texts of
    /// similar length.
    pub fn embed<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Embedding>, EmbedError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        // Similar lengths together: bytes are a good enough proxy for word pieces.
        order.sort_by_key(|&i| (texts[i].as_ref().len(), i));
        let mut out = vec![[0.0f32; DIM]; texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_ref()).collect();
            let vectors = self.embed_batch(&batch).map_err(|e| match e {
                EmbedError::Tokenize { index, reason } => EmbedError::Tokenize {
                    index: chunk.get(index).copied().unwrap_or(index),
                    reason,
                },
                other => other,
            })?;
            for (&i, v) in chunk.iter().zip(vectors) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    /// One forward pass over `texts`, padded to the longest.
    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Embedding>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Tokenize {
                index: 0,
                reason: e.to_string(),
            })?;
        let rows = encodings.len();
        let len = encodings.iter().map(|e| e.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(rows * len);
        let mut mask = Vec::with_capacity(rows * len);
        for e in &encodings {
            ids.extend_from_slice(e.get_ids());
            mask.extend_from_slice(e.get_attention_mask());
        }
        let ids = Tensor::from_vec(ids, (rows, len), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, len), &self.device)?;
        let types = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?; // (rows, len, DIM)
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // (rows, len, 1)
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?; // (rows, DIM)
        let counts = mask.sum(1)?.clamp(1e-9, f32::MAX)?; // (rows, 1)
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
        let unit = mean.broadcast_div(&norms)?;
        let flat: Vec<f32> = unit.flatten_all()?.to_vec1()?;
        Ok(flat
            .chunks_exact(DIM)
            .map(|c| {
                let mut v = [0.0f32; DIM];
                v.copy_from_slice(c);
                v
            })
            .collect())
    }
}

/// Characters of a text's lead that are embedded ([`lead`]).
pub const LEAD_CHARS: usize = 600;

/// The part of a text that is embedded for story clustering: its lead, the first
/// [`LEAD_CHARS`] bytes cut at a word boundary (title and first paragraph of a news article,
/// ~130 word pieces; all of most short reports). Longer leads cost more than they add on a
/// loaded 2-core machine (BENCHMARKS.md, "Sentence embeddings"). `sitrep-eval stories` and
/// `sitrep ingest --embed` both embed this.
pub fn lead(text: &str) -> &str {
    if text.len() <= LEAD_CHARS {
        return text;
    }
    let mut end = LEAD_CHARS;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(space) if space > LEAD_CHARS / 2 => &text[..space],
        _ => &text[..end],
    }
}

/// The [`lead`] of an article given as title and body: the title on its own line, then the
/// body, as the evaluation's documents read (their first line is the headline).
pub fn article_lead(title: Option<&str>, body: &str) -> String {
    match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => lead(&format!("{t}\n{body}")).to_string(),
        None => lead(body).to_string(),
    }
}

/// The default model folder: `SITREP_EMBED_DIR`, else `models/minilm` under the workspace root
/// (where `scripts/fetch-models` puts it).
pub fn default_model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SITREP_EMBED_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/minilm")
}

/// Cosine of two embeddings (their dot product: both have unit length).
pub fn cosine(a: &Embedding, b: &Embedding) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_text_is_its_own_lead() {
        assert_eq!(lead("The ferry sailed."), "The ferry sailed.");
        assert_eq!(
            article_lead(Some(" Ferry late "), "It sailed at noon."),
            "Ferry late\nIt sailed at noon."
        );
        assert_eq!(article_lead(Some(""), "Body only."), "Body only.");
        assert_eq!(article_lead(None, "Body only."), "Body only.");
    }

    #[test]
    fn a_long_text_is_cut_at_a_word_boundary() {
        let text = "harbour ".repeat(200);
        let cut = lead(&text);
        assert!(cut.len() <= LEAD_CHARS && cut.len() > LEAD_CHARS / 2);
        assert!(cut.ends_with("harbour"), "{cut:?}");
        // Multi-byte characters: never cut inside one.
        let text = "é".repeat(400);
        assert!(lead(&text).len() <= LEAD_CHARS);
        assert!(lead(&text).chars().all(|c| c == 'é'));
    }
}
