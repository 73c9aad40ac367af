//! The numeric layers thinc models are made of, over row-major `f32` slices: affine maps
//! (`X @ W.T + b`), maxout, layer normalisation.
//!
//! The affine kernel works on blocks of 4 input rows by 2 output rows with 8 independent
//! accumulator lanes, so the compiler vectorises it (a plain running sum would not vectorise,
//! float addition being ordered) and each loaded weight is reused four times.

use super::weights::{Array, Node, ThincModel};
use crate::NlpError;

const LANES: usize = 8;

#[inline(always)]
fn load(s: &[f32]) -> [f32; LANES] {
    let mut a = [0.0; LANES];
    a.copy_from_slice(s);
    a
}

#[inline(always)]
fn hsum(a: [f32; LANES]) -> f32 {
    ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
}

/// Dot products of 4 rows of `x` with 2 rows of `w`, all of the same length.
#[inline(always)]
fn dot_4x2(x: [&[f32]; 4], w: [&[f32]; 2]) -> [[f32; 2]; 4] {
    let k = x[0].len();
    let body = k - k % LANES;
    let mut acc = [[[0.0f32; LANES]; 2]; 4];
    let chunks = x[0][..body]
        .chunks_exact(LANES)
        .zip(x[1][..body].chunks_exact(LANES))
        .zip(x[2][..body].chunks_exact(LANES))
        .zip(x[3][..body].chunks_exact(LANES))
        .zip(w[0][..body].chunks_exact(LANES))
        .zip(w[1][..body].chunks_exact(LANES));
    for (((((x0, x1), x2), x3), w0), w1) in chunks {
        let xs = [load(x0), load(x1), load(x2), load(x3)];
        let ws = [load(w0), load(w1)];
        for (r, xv) in xs.iter().enumerate() {
            for (j, wv) in ws.iter().enumerate() {
                for l in 0..LANES {
                    acc[r][j][l] += xv[l] * wv[l];
                }
            }
        }
    }
    let mut out = [[0.0; 2]; 4];
    for r in 0..4 {
        for j in 0..2 {
            let mut s = hsum(acc[r][j]);
            for i in body..k {
                s += x[r][i] * w[j][i];
            }
            out[r][j] = s;
        }
    }
    out
}

#[inline(always)]
fn dot(x: &[f32], w: &[f32]) -> f32 {
    let k = x.len().min(w.len());
    let body = k - k % LANES;
    let mut acc = [0.0f32; LANES];
    for (a, b) in x[..body]
        .chunks_exact(LANES)
        .zip(w[..body].chunks_exact(LANES))
    {
        let (a, b) = (load(a), load(b));
        for l in 0..LANES {
            acc[l] += a[l] * b[l];
        }
    }
    let mut s = hsum(acc);
    for i in body..k {
        s += x[i] * w[i];
    }
    s
}

/// An affine map `y = W x + b` with `W` stored as `n_out` rows of `n_in` values.
#[derive(Debug, Clone)]
pub struct Affine {
    pub n_out: usize,
    pub n_in: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

impl Affine {
    /// `out[i] = W x[i] + b` for the `x.len() / n_in` rows of `x`; `out` gets `n_out` per row.
    pub fn forward(&self, x: &[f32], out: &mut [f32]) {
        let (ni, no) = (self.n_in, self.n_out);
        let n = x.len() / ni;
        debug_assert_eq!(x.len(), n * ni);
        debug_assert_eq!(out.len(), n * no);
        let rows4 = n - n % 4;
        let outs2 = no - no % 2;
        for r in (0..rows4).step_by(4) {
            let xr = [
                &x[r * ni..(r + 1) * ni],
                &x[(r + 1) * ni..(r + 2) * ni],
                &x[(r + 2) * ni..(r + 3) * ni],
                &x[(r + 3) * ni..(r + 4) * ni],
            ];
            for j in (0..outs2).step_by(2) {
                let wj = [
                    &self.w[j * ni..(j + 1) * ni],
                    &self.w[(j + 1) * ni..(j + 2) * ni],
                ];
                let d = dot_4x2(xr, wj);
                for (dr, row) in d.iter().enumerate() {
                    out[(r + dr) * no + j] = row[0] + self.b[j];
                    out[(r + dr) * no + j + 1] = row[1] + self.b[j + 1];
                }
            }
            for j in outs2..no {
                let wj = &self.w[j * ni..(j + 1) * ni];
                for (dr, xrow) in xr.iter().enumerate() {
                    out[(r + dr) * no + j] = dot(xrow, wj) + self.b[j];
                }
            }
        }
        for r in rows4..n {
            let xrow = &x[r * ni..(r + 1) * ni];
            for j in 0..no {
                out[r * no + j] = dot(xrow, &self.w[j * ni..(j + 1) * ni]) + self.b[j];
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
        let affine = Affine {
            n_out: n_out * n_pieces,
            n_in,
            w: w.data.clone(),
            b: b.data.clone(),
        };
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
        for (pieces, y) in scratch.chunks_exact(self.n_pieces).zip(out.iter_mut()) {
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
        for (n, ni, no) in [(1, 3, 1), (5, 17, 7), (9, 64, 6), (4, 8, 2)] {
            let x: Vec<f32> = (0..n * ni)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
                .collect();
            let w: Vec<f32> = (0..no * ni)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) / 3.0)
                .collect();
            let b: Vec<f32> = (0..no).map(|i| i as f32).collect();
            let layer = Affine {
                n_out: no,
                n_in: ni,
                w: w.clone(),
                b: b.clone(),
            };
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
