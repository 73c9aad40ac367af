//! The numeric layers thinc models are made of, over row-major `f32` slices: affine maps
//! (`X @ W.T + b`), maxout, layer normalisation.
//!
//! The affine kernel keeps the weights packed in panels of 8 outputs (`[n_in][8]`, contiguous)
//! and updates a 4-rows x 8-outputs block of accumulators per input value: only elementwise
//! multiply-adds over fixed-size arrays, which the compiler vectorises, and each loaded weight
//! is reused for four rows.

use super::weights::{Array, Node, ThincModel};
use crate::NlpError;

/// Outputs per panel: two vector registers' worth. Builds for x86-64-v3 and up (AVX2, e.g.
/// `RUSTFLAGS="-C target-cpu=x86-64-v3"`) get 16 lanes and fused multiply-adds, about twice
/// the speed of the portable SSE2 build.
const LANES: usize = if cfg!(target_feature = "avx2") { 16 } else { 8 };

#[inline(always)]
fn load(s: &[f32]) -> [f32; LANES] {
    let mut a = [0.0; LANES];
    a.copy_from_slice(s);
    a
}

/// Accumulates `R` rows of `x` (each `n_in` long) against one packed panel.
#[inline(always)]
fn panel_block<const R: usize>(xs: [&[f32]; R], panel: &[f32]) -> [[f32; LANES]; R] {
    let mut acc = [[0.0f32; LANES]; R];
    let n_in = panel.len() / LANES;
    let xs = xs.map(|x| &x[..n_in]);
    for (i, w) in panel.chunks_exact(LANES).enumerate() {
        let w = load(w);
        for r in 0..R {
            let xv = xs[r][i];
            for l in 0..LANES {
                if cfg!(target_feature = "fma") {
                    acc[r][l] = xv.mul_add(w[l], acc[r][l]);
                } else {
                    acc[r][l] += xv * w[l];
                }
            }
        }
    }
    acc
}

/// An affine map `y = W x + b`, `W` having `n_out` rows of `n_in` values.
#[derive(Debug, Clone)]
pub struct Affine {
    pub n_out: usize,
    pub n_in: usize,
    /// `W` in panels of `LANES` outputs: `panels[p][i][l] = W[p * LANES + l][i]`, zero-padded.
    panels: Vec<f32>,
    b: Vec<f32>,
}

impl Affine {
    /// Builds the map from `W` (row-major, `n_out x n_in`) and `b`.
    pub fn new(n_out: usize, n_in: usize, w: &[f32], b: &[f32]) -> Self {
        debug_assert_eq!(w.len(), n_out * n_in);
        debug_assert_eq!(b.len(), n_out);
        let n_panels = n_out.div_ceil(LANES);
        let mut panels = vec![0.0; n_panels * n_in * LANES];
        for j in 0..n_out {
            let (p, l) = (j / LANES, j % LANES);
            for i in 0..n_in {
                panels[(p * n_in + i) * LANES + l] = w[j * n_in + i];
            }
        }
        Affine {
            n_out,
            n_in,
            panels,
            b: b.to_vec(),
        }
    }

    /// The bias `b`.
    pub fn bias(&self) -> &[f32] {
        &self.b
    }

    /// `out[i] = W x[i] + b` for the `x.len() / n_in` rows of `x`; `out` gets `n_out` per row.
    pub fn forward(&self, x: &[f32], out: &mut [f32]) {
        let (ni, no) = (self.n_in, self.n_out);
        let n = x.len() / ni;
        debug_assert_eq!(x.len(), n * ni);
        debug_assert_eq!(out.len(), n * no);
        let row = |r: usize| &x[r * ni..(r + 1) * ni];
        let mut r = 0;
        while r < n {
            if n - r >= 4 {
                self.rows(
                    [row(r), row(r + 1), row(r + 2), row(r + 3)],
                    &mut out[r * no..],
                );
                r += 4;
            } else {
                self.rows([row(r)], &mut out[r * no..]);
                r += 1;
            }
        }
    }

    #[inline(always)]
    fn rows<const R: usize>(&self, xs: [&[f32]; R], out: &mut [f32]) {
        let (ni, no) = (self.n_in, self.n_out);
        for (p, panel) in self.panels.chunks_exact(ni * LANES).enumerate() {
            let acc = panel_block(xs, panel);
            let j0 = p * LANES;
            let width = LANES.min(no - j0);
            for (r, acc) in acc.iter().enumerate() {
                let dst = &mut out[r * no + j0..r * no + j0 + width];
                for ((d, a), b) in dst.iter_mut().zip(acc).zip(&self.b[j0..j0 + width]) {
                    *d = a + b;
                }
            }
        }
    }
}

/// thinc's `Maxout`: an affine map to `n_out * n_pieces` values, then the maximum of each
/// output's pieces (the weights are stored `(n_out, n_pieces, n_in)`).
#[derive(Debug, Clone)]
pub struct Maxout {
    pub affine: Affine,
    pub n_out: usize,
    pub n_pieces: usize,
}

impl Maxout {
    pub fn from_node(model: &ThincModel, node: &Node) -> Result<Self, NlpError> {
        let w = param(model, node, "W", 3)?;
        let b = param(model, node, "b", 2)?;
        let (n_out, n_pieces, n_in) = (w.shape[0], w.shape[1], w.shape[2]);
        if b.shape != [n_out, n_pieces] {
            return Err(model.format_error("maxout bias shape does not match its weights"));
        }
        let affine = Affine::new(n_out * n_pieces, n_in, &w.data, &b.data);
        Ok(Maxout {
            affine,
            n_out,
            n_pieces,
        })
    }

    pub fn n_in(&self) -> usize {
        self.affine.n_in
    }

    /// Applies the layer to the rows of `x`; `scratch` is resized as needed.
    pub fn forward(&self, x: &[f32], scratch: &mut Vec<f32>, out: &mut [f32]) {
        let n = x.len() / self.affine.n_in;
        scratch.resize(n * self.affine.n_out, 0.0);
        self.affine.forward(x, scratch);
        self.reduce(scratch, out);
    }

    /// The maximum of each output's pieces: `pieces` holds `n_pieces` values per output.
    pub fn reduce(&self, pieces: &[f32], out: &mut [f32]) {
        for (pieces, y) in pieces.chunks_exact(self.n_pieces).zip(out.iter_mut()) {
            *y = pieces.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        }
    }
}

/// thinc's `LayerNorm`: each row scaled to zero mean and unit variance (variance + 1e-8),
/// then `* G + b`.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    pub g: Vec<f32>,
    pub b: Vec<f32>,
}

impl LayerNorm {
    pub fn from_node(model: &ThincModel, node: &Node) -> Result<Self, NlpError> {
        let g = param(model, node, "G", 1)?;
        let b = param(model, node, "b", 1)?;
        if g.shape != b.shape {
            return Err(model.format_error("layernorm G and b differ in shape"));
        }
        Ok(LayerNorm {
            g: g.data.clone(),
            b: b.data.clone(),
        })
    }

    pub fn width(&self) -> usize {
        self.g.len()
    }

    /// Normalises every row of `x` in place.
    pub fn forward(&self, x: &mut [f32]) {
        let width = self.g.len();
        let nf = width as f32;
        for row in x.chunks_exact_mut(width) {
            let mean = row.iter().sum::<f32>() / nf;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / nf + 1e-8;
            let inv = 1.0 / var.sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.g).zip(&self.b) {
                *v = (*v - mean) * inv * g + b;
            }
        }
    }
}

/// A node's parameter with the expected number of dimensions.
pub fn param<'a>(
    model: &ThincModel,
    node: &'a Node,
    name: &str,
    ndim: usize,
) -> Result<&'a Array, NlpError> {
    let array = node
        .param(name)
        .ok_or_else(|| model.format_error(format!("{} has no parameter {name}", node.name)))?;
    if array.shape.len() != ndim {
        return Err(model.format_error(format!(
            "{} parameter {name} has shape {:?}, expected {ndim} dimensions",
            node.name, array.shape
        )));
    }
    Ok(array)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_matches_naive_product() {
        for (n, ni, no) in [(1, 3, 1), (5, 17, 7), (9, 64, 6), (4, 8, 2), (7, 9, 19)] {
            let x: Vec<f32> = (0..n * ni)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
                .collect();
            let w: Vec<f32> = (0..no * ni)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) / 3.0)
                .collect();
            let b: Vec<f32> = (0..no).map(|i| i as f32).collect();
            let layer = Affine::new(no, ni, &w, &b);
            let mut out = vec![0.0; n * no];
            layer.forward(&x, &mut out);
            for r in 0..n {
                for j in 0..no {
                    let want: f32 =
                        (0..ni).map(|i| x[r * ni + i] * w[j * ni + i]).sum::<f32>() + b[j];
                    assert!(
                        (out[r * no + j] - want).abs() < 1e-4,
                        "{n}x{ni}x{no} at {r},{j}"
                    );
                }
            }
        }
    }
}
