//! The neural components: weights from the model's thinc msgpack files, tok2vec, tagger,
//! parser and NER.
//!
//! [`Tok2Vec`] runs spaCy's `Tok2Vec.v2` = `MultiHashEmbed.v2` (one hashed embedding table per
//! lexical attribute, concatenated, mixed by a maxout layer with layer norm) followed by
//! `MaxoutWindowEncoder.v2` (residual blocks of window concatenation, maxout, layer norm).
//! [`Tagger`] puts `Tagger.v2`'s softmax layer on top. Both are read-only once loaded, so one
//! loaded model can serve many threads.
//!
//! Inputs are one document's tokens with their trailing-space flag and, for tokens made by
//! tokenizer exceptions, the exception's NORM ([`TokenIn`]); documents are independent, as in
//! spaCy. Outputs match Python spaCy 3.8 to ~1e-5 (tok2vec) and tag for tag
//! (`tests/tagger.rs`).
//!
//! ```no_run
//! use sitrep_nlp::model::Tagger;
//!
//! let tagger = Tagger::load(&sitrep_nlp::default_model_dir())?;
//! assert_eq!(tagger.tag(&["Envoys", "arrived", "."]), ["NNS", "VBD", "."]);
//! # Ok::<(), sitrep_nlp::NlpError>(())
//! ```

pub(crate) mod lex;
mod morph;
mod ner;
mod ops;
mod parser;
mod step_net;
mod tables;
mod transition;
pub mod weights;

use std::path::Path;
use std::sync::Arc;

use rmpv::Value;

pub use lex::{Lexicon, hash_string, murmur3_u64, word_shape};
pub use morph::{AttributeRuler, Lemmatizer, RulerToken, TokenAttrs};
pub use ner::{EntitySpan, Ner};
use ops::{Affine, LayerNorm, Maxout};
pub use parser::{Dependency, Parser};
use weights::ThincModel;

use crate::NlpError;

/// One token as the neural components see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenIn<'a> {
    /// The token text (spaCy's ORTH).
    pub text: &'a str,
    /// Whether whitespace follows the token (spaCy's SPACY attribute).
    pub space_after: bool,
    /// A NORM set on the token itself (spaCy's tokenizer exceptions, e.g. "n't" -> "not");
    /// `None` uses the lexeme's norm.
    pub norm: Option<&'a str>,
}

impl<'a> TokenIn<'a> {
    /// A token followed by a space, with the lexeme's norm (as spaCy's `Doc(vocab, words)`).
    pub fn new(text: &'a str) -> Self {
        TokenIn {
            text,
            space_after: true,
            norm: None,
        }
    }
}

/// The lexical attributes the embedding tables are keyed on (`MultiHashEmbed` `attrs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attr {
    Norm,
    Prefix,
    Suffix,
    Shape,
    Spacy,
    IsSpace,
}

impl Attr {
    fn from_name(name: &str) -> Option<Attr> {
        Some(match name {
            "NORM" => Attr::Norm,
            "PREFIX" => Attr::Prefix,
            "SUFFIX" => Attr::Suffix,
            "SHAPE" => Attr::Shape,
            "SPACY" => Attr::Spacy,
            "IS_SPACE" => Attr::IsSpace,
            _ => return None,
        })
    }

    fn id(self, lexicon: &Lexicon, token: &TokenIn<'_>) -> u64 {
        match self {
            Attr::Norm => match token.norm {
                Some(norm) => lexicon.string_id(norm),
                None => lexicon.norm_id(token.text),
            },
            Attr::Prefix => lexicon.string_id(lex::prefix(token.text)),
            Attr::Suffix => lexicon.string_id(lex::suffix(token.text)),
            Attr::Shape => lexicon.string_id(&lex::word_shape(token.text)),
            Attr::Spacy => u64::from(token.space_after),
            Attr::IsSpace => u64::from(lex::is_space(token.text)),
        }
    }
}

/// thinc's `HashEmbed`: the id is hashed four ways, and the four rows picked are summed.
///
/// Once loaded, each row is stored already multiplied by its slice of the mixer's weights:
/// the mixer is linear in the concatenated embeddings, so its pre-activation is the bias plus
/// the sum of the projected rows, 24 row additions instead of a 576-wide matrix product.
#[derive(Debug, Clone)]
struct HashEmbed {
    attr: Attr,
    seed: u32,
    rows: usize,
    width: usize,
    table: Vec<f32>,
}

impl HashEmbed {
    /// Replaces each row `e` by `W e`, `W` being `n_out` rows of `self.width` values.
    fn project(&mut self, n_out: usize, w: &[f32]) {
        let zeros = vec![0.0; n_out];
        let mut projected = vec![0.0; self.rows * n_out];
        Affine::new(n_out, self.width, w, &zeros).forward(&self.table, &mut projected);
        self.table = projected;
        self.width = n_out;
    }

    /// Adds the (projected) embedding of `id` into `out`, which is `width` long.
    fn add_into(&self, id: u64, out: &mut [f32]) {
        for key in murmur3_u64(id, self.seed) {
            let row = key as usize % self.rows;
            let vector = &self.table[row * self.width..(row + 1) * self.width];
            for (o, v) in out.iter_mut().zip(vector) {
                *o += v;
            }
        }
    }
}

/// One encoder block: window concatenation, maxout, layer norm, added to its input.
#[derive(Debug, Clone)]
struct EncoderBlock {
    window: usize,
    maxout: Maxout,
    norm: LayerNorm,
}

/// spaCy's `tok2vec` component: token texts to one context-sensitive vector per token.
#[derive(Debug, Clone)]
pub struct Tok2Vec {
    lexicon: Lexicon,
    /// The embedding tables, projected through the mixer's weights.
    embeds: Vec<HashEmbed>,
    /// The mixer: its bias, the maxout pieces per output, its layer norm.
    mix_bias: Vec<f32>,
    mix_pieces: usize,
    mix_norm: LayerNorm,
    blocks: Vec<EncoderBlock>,
    /// Zero rows thinc's `with_array` puts around each document before the encoder.
    pad: usize,
    width: usize,
}

/// Reusable buffers for one forward pass.
#[derive(Default)]
struct Scratch {
    wide: Vec<f32>,
    pieces: Vec<f32>,
    delta: Vec<f32>,
}

impl Tok2Vec {
    /// Loads a tok2vec component folder (`<model>/tok2vec`, holding `model`); the NORM lookups
    /// come from the sibling `vocab` folder when present.
    pub fn load(dir: &Path) -> Result<Self, NlpError> {
        let model = ThincModel::read(&dir.join("model"))?;
        let lexicon = match dir.parent() {
            Some(root) => Lexicon::load(&root.join("vocab"))?,
            None => Lexicon::new(),
        };
        Self::from_thinc(&model, lexicon)
    }

    /// Builds the forward pass from a decoded thinc model (the `Tok2Vec.v2` tree, alone or
    /// inside a larger model) and the lexicon that computes its features.
    pub fn from_thinc(model: &ThincModel, lexicon: Lexicon) -> Result<Self, NlpError> {
        let fail = |reason: &str| model.format_error(reason);
        let columns = model
            .named("extract_features")
            .next()
            .and_then(|n| n.attr("columns"))
            .and_then(Value::as_array)
            .ok_or_else(|| fail("no extract_features node with columns"))?;
        let attrs = columns
            .iter()
            .map(|c| {
                let name = c.as_str().unwrap_or_default();
                Attr::from_name(name).ok_or_else(|| {
                    model.format_error(format!("unsupported tok2vec attribute {name:?}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut embeds = Vec::new();
        for node in model.named("hashembed") {
            let int_attr = |name: &str| {
                node.attr(name).and_then(Value::as_u64).ok_or_else(|| {
                    model.format_error(format!("hashembed without integer attr {name}"))
                })
            };
            let column = int_attr("column")? as usize;
            let seed = u32::try_from(int_attr("seed")?).map_err(|_| fail("hashembed seed"))?;
            let table = ops::param(model, node, "E", 2)?;
            let attr = *attrs
                .get(column)
                .ok_or_else(|| fail("hashembed column out of range"))?;
            embeds.push(HashEmbed {
                attr,
                seed,
                rows: table.shape[0],
                width: table.shape[1],
                table: table.data.clone(),
            });
        }
        if embeds.is_empty() {
            return Err(fail("no hashembed tables"));
        }
        let maxouts = model
            .named("maxout")
            .map(|n| Maxout::from_node(model, n))
            .collect::<Result<Vec<_>, _>>()?;
        let norms = model
            .named("layernorm")
            .map(|n| LayerNorm::from_node(model, n))
            .collect::<Result<Vec<_>, _>>()?;
        let windows: Vec<usize> = model
            .named("expand_window")
            .map(|n| n.attr("window_size").and_then(Value::as_u64).unwrap_or(1) as usize)
            .collect();
        if maxouts.len() != norms.len() || maxouts.len() != windows.len() + 1 {
            return Err(fail(
                "expected one maxout and layernorm per encoder block plus the mixer",
            ));
        }
        let mut maxouts = maxouts.into_iter();
        let mut norms = norms.into_iter();
        let (Some(mix), Some(mix_norm)) = (maxouts.next(), norms.next()) else {
            return Err(fail("no embedding mixer"));
        };
        let width = mix.n_out;
        let concat: usize = embeds.iter().map(|e| e.width).sum();
        if mix.n_in() != concat || mix_norm.width() != width {
            return Err(fail("mixer shape does not match the embedding tables"));
        }
        // Fold the mixer's weights into the tables (see `HashEmbed`).
        let mix_w = model
            .named("maxout")
            .next()
            .and_then(|n| n.param("W"))
            .ok_or_else(|| fail("no mixer weights"))?;
        let n_pre = mix.n_out * mix.n_pieces;
        let mut offset = 0;
        for embed in &mut embeds {
            let mut w = Vec::with_capacity(n_pre * embed.width);
            for j in 0..n_pre {
                w.extend_from_slice(
                    &mix_w.data[j * concat + offset..j * concat + offset + embed.width],
                );
            }
            offset += embed.width;
            embed.project(n_pre, &w);
        }
        let mix_bias = mix.affine.bias().to_vec();
        let mix_pieces = mix.n_pieces;
        let blocks: Vec<EncoderBlock> = maxouts
            .zip(norms)
            .zip(windows)
            .map(|((maxout, norm), window)| EncoderBlock {
                window,
                maxout,
                norm,
            })
            .collect();
        for block in &blocks {
            if block.maxout.n_out != width
                || block.maxout.n_in() != width * (2 * block.window + 1)
                || block.norm.width() != width
            {
                return Err(fail("encoder block shape does not match the width"));
            }
        }
        let pad = model
            .nodes
            .iter()
            .find(|n| n.name.starts_with("with_array(residual("))
            .and_then(|n| n.attr("pad"))
            .and_then(Value::as_u64)
            .map(|p| p as usize)
            .unwrap_or_else(|| blocks.iter().map(|b| b.window).sum());
        Ok(Tok2Vec {
            lexicon,
            embeds,
            mix_bias,
            mix_pieces,
            mix_norm,
            blocks,
            pad,
            width,
        })
    }

    /// The length of each token's vector (96 for `en_core_web_sm`).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The lexicon computing the token features.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Vectors for the tokens of one document, each token taken as followed by a space and
    /// with its lexeme's norm (see [`Tok2Vec::forward_tokens`] for exact spacing and norms).
    /// Returns `tokens.len() * width()` values, row-major.
    pub fn forward(&self, tokens: &[&str]) -> Vec<f32> {
        let tokens: Vec<TokenIn<'_>> = tokens.iter().map(|t| TokenIn::new(t)).collect();
        self.forward_tokens(&tokens)
    }

    /// Vectors for the tokens of one document: `tokens.len() * width()` values, row-major.
    /// Documents are independent: spaCy gives the same vectors whatever the batch.
    pub fn forward_tokens(&self, tokens: &[TokenIn<'_>]) -> Vec<f32> {
        let n = tokens.len();
        let w = self.width;
        if n == 0 {
            return Vec::new();
        }
        let mut scratch = Scratch::default();

        // The encoder input: the mixed embeddings between `pad` zero rows on each side.
        let p = self.pad;
        let rows = n + 2 * p;
        let mut x = vec![0.0f32; rows * w];
        // Mixer pre-activation: bias plus the projected embedding rows (see `HashEmbed`).
        let n_pre = self.mix_bias.len();
        scratch.pieces.clear();
        scratch.pieces.resize(n * n_pre, 0.0);
        for (token, pre) in tokens.iter().zip(scratch.pieces.chunks_exact_mut(n_pre)) {
            pre.copy_from_slice(&self.mix_bias);
            for embed in &self.embeds {
                embed.add_into(embed.attr.id(&self.lexicon, token), pre);
            }
        }
        let inner = &mut x[p * w..(p + n) * w];
        for (pre, y) in scratch
            .pieces
            .chunks_exact(self.mix_pieces)
            .zip(inner.iter_mut())
        {
            *y = pre.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        }
        self.mix_norm.forward(inner);

        // Each block only computes the rows later blocks read: thinc computes the padding rows
        // too, but rows farther from the document than the remaining receptive field never
        // reach a token's output.
        let mut reach: usize = self.blocks.iter().map(|b| b.window).sum();
        for block in &self.blocks {
            reach -= block.window;
            let lo = p.saturating_sub(reach);
            let hi = (p + n + reach).min(rows);
            block.forward(&x, lo..hi, w, &mut scratch);
            for (xv, d) in x[lo * w..hi * w].iter_mut().zip(&scratch.delta) {
                *xv += d;
            }
        }
        x.drain(..p * w);
        x.truncate(n * w);
        x
    }
}

impl EncoderBlock {
    /// Computes the block's output (before the residual sum) for rows `range` of `x` into
    /// `scratch.delta`.
    fn forward(&self, x: &[f32], range: std::ops::Range<usize>, w: usize, scratch: &mut Scratch) {
        let rows = x.len() / w;
        let nw = self.window;
        let span = 2 * nw + 1;
        scratch.wide.clear();
        scratch.wide.resize(range.len() * span * w, 0.0);
        for (i, wide_row) in range.clone().zip(scratch.wide.chunks_exact_mut(span * w)) {
            for k in 0..span {
                // Neighbour i + k - nw; rows beyond the array stay zero (thinc's seq2col).
                let Some(j) = (i + k).checked_sub(nw) else {
                    continue;
                };
                if j >= rows {
                    continue;
                }
                wide_row[k * w..(k + 1) * w].copy_from_slice(&x[j * w..(j + 1) * w]);
            }
        }
        scratch.delta.clear();
        scratch.delta.resize(range.len() * w, 0.0);
        self.maxout
            .forward(&scratch.wide, &mut scratch.pieces, &mut scratch.delta);
        self.norm.forward(&mut scratch.delta);
    }
}

/// spaCy's `tagger` component: a fine-grained (Penn Treebank) tag per token.
#[derive(Debug, Clone)]
pub struct Tagger {
    tok2vec: Arc<Tok2Vec>,
    output: Affine,
    labels: Vec<String>,
}

impl Tagger {
    /// Loads the tagger and the tok2vec it listens to from a pipeline folder
    /// (e.g. `models/en_core_web_sm`).
    pub fn load(model_dir: &Path) -> Result<Self, NlpError> {
        let tok2vec = Arc::new(Tok2Vec::load(&model_dir.join("tok2vec"))?);
        Self::from_parts(tok2vec, &model_dir.join("tagger"))
    }

    /// Builds the tagger from its component folder (`model`, `cfg`) and the tok2vec it
    /// listens to (shared with the parser in a pipeline).
    pub fn from_parts(tok2vec: Arc<Tok2Vec>, dir: &Path) -> Result<Self, NlpError> {
        let model = ThincModel::read(&dir.join("model"))?;
        let softmax = model
            .named("softmax")
            .next()
            .ok_or_else(|| model.format_error("no softmax layer"))?;
        let w = ops::param(&model, softmax, "W", 2)?;
        let b = ops::param(&model, softmax, "b", 1)?;
        let (n_out, n_in) = (w.shape[0], w.shape[1]);
        if b.shape != [n_out] || n_in != tok2vec.width() {
            return Err(model.format_error("softmax shape does not match tok2vec"));
        }
        let output = Affine::new(n_out, n_in, &w.data, &b.data);

        let cfg_path = dir.join("cfg");
        let cfg: serde_json::Value = serde_json::from_slice(&crate::read_file(&cfg_path)?)
            .map_err(|e| NlpError::format(&cfg_path, format!("invalid JSON: {e}")))?;
        let labels: Vec<String> = cfg
            .get("labels")
            .and_then(|l| l.as_array())
            .ok_or_else(|| NlpError::format(&cfg_path, "no labels list"))?
            .iter()
            .map(|l| l.as_str().unwrap_or_default().to_string())
            .collect();
        if labels.len() != n_out {
            return Err(NlpError::format(
                &cfg_path,
                format!("{} labels for {n_out} softmax outputs", labels.len()),
            ));
        }
        Ok(Tagger {
            tok2vec,
            output,
            labels,
        })
    }

    /// The tok2vec this tagger runs on.
    pub fn tok2vec(&self) -> &Tok2Vec {
        &self.tok2vec
    }

    /// The tag set, in the order of the output layer.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Tags for the tokens of one document, each taken as followed by a space.
    pub fn tag(&self, tokens: &[&str]) -> Vec<&str> {
        let tokens: Vec<TokenIn<'_>> = tokens.iter().map(|t| TokenIn::new(t)).collect();
        self.tag_tokens(&tokens)
    }

    /// Tags for the tokens of one document.
    pub fn tag_tokens(&self, tokens: &[TokenIn<'_>]) -> Vec<&str> {
        let hidden = self.tok2vec.forward_tokens(tokens);
        self.predict(&hidden)
            .into_iter()
            .map(|i| self.labels[i].as_str())
            .collect()
    }

    /// Label indices from tok2vec output (`width()` values per token): the argmax of the
    /// output layer (the softmax does not change it).
    pub fn predict(&self, hidden: &[f32]) -> Vec<usize> {
        let n = hidden.len() / self.output.n_in;
        let mut scores = vec![0.0f32; n * self.output.n_out];
        self.output
            .forward(&hidden[..n * self.output.n_in], &mut scores);
        scores
            .chunks_exact(self.output.n_out)
            .map(|row| {
                let mut best = 0;
                for (i, &s) in row.iter().enumerate() {
                    if s > row[best] {
                        best = i;
                    }
                }
                best
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_shareable_across_threads() {
        fn check<T: Send + Sync>() {}
        check::<Tok2Vec>();
        check::<Tagger>();
    }

    #[test]
    fn hashembed_hash_matches_thinc() {
        // thinc NumpyOps().hash(numpy.array([5983625672228268878], dtype="uint64"), 8)
        assert_eq!(
            murmur3_u64(5983625672228268878, 8),
            [2726685510, 2083710382, 4090028265, 978081925]
        );
        assert_eq!(
            murmur3_u64(1, 8),
            [1161550108, 2247783286, 1742325162, 1224191281]
        );
    }
}
