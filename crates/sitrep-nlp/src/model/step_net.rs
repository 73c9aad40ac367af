//! The network of spaCy's `TransitionBasedParser.v2`, shared by the parser and NER: a linear
//! layer over each token's tok2vec row, a precomputable maxout lower layer over the state's
//! feature tokens, and an upper layer scoring the moves.
//!
//! Per document every token goes through the linear layer and all (feature, hidden, piece)
//! slices of the lower layer at once; each step then only sums the feature tokens' rows (or the
//! learned padding for a missing token), adds the bias, takes the maxout and applies the upper
//! layer.

use super::ops::{self, Affine};
use super::weights::ThincModel;
use crate::NlpError;

#[derive(Debug, Clone)]
pub(crate) struct StepNet {
    /// tok2vec width -> hidden input width.
    input: Affine,
    /// All (feature, hidden, piece) rows of the lower layer.
    lower: Affine,
    /// `pad[f]`: the lower layer's contribution of a missing feature token.
    pad: Vec<f32>,
    /// Bias of the lower layer, `n_hidden * n_pieces`.
    bias: Vec<f32>,
    n_feats: usize,
    n_hidden: usize,
    n_pieces: usize,
    upper: Affine,
}

/// One document's precomputed lower-layer rows and the per-step buffers.
pub(crate) struct Steps<'a> {
    net: &'a StepNet,
    cached: Vec<f32>,
    unmaxed: Vec<f32>,
    hiddens: Vec<f32>,
    scores: Vec<f32>,
}

impl StepNet {
    /// Reads the layers from a component's thinc model; `width` is the tok2vec width feeding it
    /// and `n_feats` the number of feature tokens its state type supplies.
    pub(crate) fn from_thinc(
        model: &ThincModel,
        width: usize,
        n_feats: usize,
        what: &str,
    ) -> Result<Self, NlpError> {
        let fail = |reason: &str| model.format_error(reason);
        let mut input = None;
        let mut upper = None;
        for node in model.named("linear") {
            let w = ops::param(model, node, "W", 2)?;
            let b = ops::param(model, node, "b", 1)?;
            let (n_out, n_in) = (w.shape[0], w.shape[1]);
            if b.shape != [n_out] {
                return Err(fail("linear bias shape"));
            }
            let affine = Affine::new(n_out, n_in, &w.data, &b.data);
            if n_in == width && input.is_none() {
                input = Some(affine);
            } else {
                upper = Some(affine);
            }
        }
        let (Some(input), Some(upper)) = (input, upper) else {
            return Err(fail("expected the input and upper linear layers"));
        };
        let pre = model
            .named("precomputable_affine")
            .next()
            .ok_or_else(|| fail("no precomputable_affine layer"))?;
        let w = ops::param(model, pre, "W", 4)?;
        let b = ops::param(model, pre, "b", 2)?;
        let pad = ops::param(model, pre, "pad", 4)?;
        let (feats, n_hidden, n_pieces, n_in) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3]);
        if n_in != input.n_out
            || b.shape != [n_hidden, n_pieces]
            || pad.shape != [1, feats, n_hidden, n_pieces]
            || upper.n_in != n_hidden
        {
            return Err(fail(&format!("{what} layer shapes do not chain")));
        }
        if feats != n_feats {
            return Err(fail(&format!(
                "only the {n_feats}-feature {what} state is supported"
            )));
        }
        let n_rows = feats * n_hidden * n_pieces;
        let lower = Affine::new(n_rows, n_in, &w.data, &vec![0.0; n_rows]);
        Ok(StepNet {
            input,
            lower,
            pad: pad.data.clone(),
            bias: b.data.clone(),
            n_feats,
            n_hidden,
            n_pieces,
            upper,
        })
    }

    /// Width of the tok2vec rows this network reads.
    pub(crate) fn n_in(&self) -> usize {
        self.input.n_in
    }

    /// Number of moves it scores.
    pub(crate) fn n_moves(&self) -> usize {
        self.upper.n_out
    }

    /// Precomputes the lower layer for `n` tokens of tok2vec output.
    pub(crate) fn start(&self, hidden: &[f32], n: usize) -> Steps<'_> {
        let mut x = vec![0.0f32; n * self.input.n_out];
        self.input.forward(&hidden[..n * self.input.n_in], &mut x);
        let mut cached = vec![0.0f32; n * self.lower.n_out];
        self.lower.forward(&x, &mut cached);
        Steps {
            net: self,
            cached,
            unmaxed: vec![0.0; self.n_hidden * self.n_pieces],
            hiddens: vec![0.0; self.n_hidden],
            scores: vec![0.0; self.upper.n_out],
        }
    }
}

impl Steps<'_> {
    /// The move scores for a state whose feature tokens are `context` (negative: missing).
    pub(crate) fn scores(&mut self, context: impl IntoIterator<Item = i64>) -> &[f32] {
        let net = self.net;
        let hp = net.n_hidden * net.n_pieces;
        let stride = net.lower.n_out;
        self.unmaxed.fill(0.0);
        for (f, id) in context.into_iter().enumerate().take(net.n_feats) {
            let row = if id < 0 {
                &net.pad[f * hp..(f + 1) * hp]
            } else {
                let start = id as usize * stride + f * hp;
                &self.cached[start..start + hp]
            };
            for (u, r) in self.unmaxed.iter_mut().zip(row) {
                *u += r;
            }
        }
        for (u, b) in self.unmaxed.iter_mut().zip(&net.bias) {
            *u += b;
        }
        for (h, pieces) in self
            .hiddens
            .iter_mut()
            .zip(self.unmaxed.chunks_exact(net.n_pieces))
        {
            *h = pieces.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        }
        net.upper.forward(&self.hiddens, &mut self.scores);
        &self.scores
    }
}

/// Numbers move labels: `(kind, label)` pairs become `(kind, index)` with the label strings
/// (index 0 is the empty label).
pub(crate) fn intern_labels<K>(moves: Vec<(K, String)>) -> (Vec<(K, u32)>, Vec<String>) {
    let mut labels = vec![String::new()];
    let moves = moves
        .into_iter()
        .map(|(kind, label)| {
            let index = match labels.iter().position(|l| *l == label) {
                Some(i) => i,
                None => {
                    labels.push(label);
                    labels.len() - 1
                }
            };
            (kind, index as u32)
        })
        .collect();
    (moves, labels)
}
