//! The numeric layers thinc models are made of, over row-major `f32` slices: affine maps
//! (`X @ W.T + b`), maxout, layer normalisation.
//!
//! The affine kernel keeps the weights packed in panels of `L` outputs (`[n_in][L]`,
//! contiguous) and updates a 4-rows x `L`-outputs block of accumulators per input value: only
//! elementwise multiply-adds over fixed-size arrays, which the compiler vectorises, and each
//! loaded weight is reused for four rows.
//!
//! The kernel is chosen once, when a layer is built: on x86-64 CPUs with AVX2 and FMA (every
//! x86-64 server CPU since 2013-2015) a copy compiled for those instructions, 16 outputs per
//! panel and fused multiply-adds, about three times the speed of the portable build's SSE2
//! code; elsewhere the portable copy, 8 outputs per panel. `SITREP_NLP_PORTABLE=1` forces the
//! portable copy (for comparison).

use super::weights::{Array, Node, ThincModel};
use crate::NlpError;

/// The compiled copies of the affine kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Plain code for the build's baseline target (SSE2 on x86-64).
    Portable,
    /// x86-64 with AVX2 and FMA, detected at run time.
    Avx2Fma,
}

impl Kernel {
    /// The fastest kernel this CPU runs (read once per process).
    pub fn best() -> Kernel {
        static BEST: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            let forced = std::env::var_os("SITREP_NLP_PORTABLE").is_some_and(|v| v != "0");
            if !forced && simd::avx2_fma_available() {
                Kernel::Avx2Fma
            } else {
                Kernel::Portable
            }
        })
    }

    /// Outputs per weight panel.
    fn lanes(self) -> usize {
        match self {
            Kernel::Portable => 8,
            Kernel::Avx2Fma => 16,
        }
    }
}

/// Accumulates `R` rows of `x` (each `n_in` long) against one packed panel of `L` outputs.
#[inline(always)]
fn panel_block<const R: usize, const L: usize, const FMA: bool>(
    xs: [&[f32]; R],
    panel: &[f32],
) -> [[f32; L]; R] {
    let mut acc = [[0.0f32; L]; R];
    let n_in = panel.len() / L;
    let xs = xs.map(|x| &x[..n_in]);
    for (i, w) in panel.chunks_exact(L).enumerate() {
        let mut wv = [0.0f32; L];
        wv.copy_from_slice(w);
        for r in 0..R {
            let xv = xs[r][i];
            for l in 0..L {
                if FMA {
                    acc[r][l] = xv.mul_add(wv[l], acc[r][l]);
                } else {
                    acc[r][l] += xv * wv[l];
                }
            }
        }
    }
    acc
}

/// `out[r] = W x[r] + b` for every row, with panels of `L` outputs.
#[inline(always)]
fn affine_rows<const L: usize, const FMA: bool>(a: &Affine, x: &[f32], out: &mut [f32]) {
    let (ni, no) = (a.n_in, a.n_out);
    let n = x.len() / ni;
    let row = |r: usize| &x[r * ni..(r + 1) * ni];
    let mut r = 0;
    while r < n {
        if n - r >= 4 {
            block::<4, L, FMA>(
                a,
                [row(r), row(r + 1), row(r + 2), row(r + 3)],
                &mut out[r * no..],
            );
            r += 4;
        } else {
            block::<1, L, FMA>(a, [row(r)], &mut out[r * no..]);
            r += 1;
        }
    }
}

/// One row against one panel, with four independent accumulator sets (inputs `i % 4`) so the
/// multiply-adds do not wait on each other (a single row is the parser's per-step case).
#[inline(always)]
fn panel_row<const L: usize, const FMA: bool>(x: &[f32], panel: &[f32]) -> [f32; L] {
    let mut acc = [[0.0f32; L]; 4];
    let n_in = panel.len() / L;
    let x = &x[..n_in];
    let mut quads = panel.chunks_exact(4 * L);
    for (q, ws) in (&mut quads).enumerate() {
        for k in 0..4 {
            let xv = x[4 * q + k];
            for l in 0..L {
                let w = ws[k * L + l];
                if FMA {
                    acc[k][l] = xv.mul_add(w, acc[k][l]);
                } else {
                    acc[k][l] += xv * w;
                }
            }
        }
    }
    let done = n_in - quads.remainder().len() / L;
    for (k, w) in quads.remainder().chunks_exact(L).enumerate() {
        let xv = x[done + k];
        for l in 0..L {
            if FMA {
                acc[k][l] = xv.mul_add(w[l], acc[k][l]);
            } else {
                acc[k][l] += xv * w[l];
            }
        }
    }
    let mut sum = [0.0f32; L];
    for l in 0..L {
        sum[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
    }
    sum
}

#[inline(always)]
fn block<const R: usize, const L: usize, const FMA: bool>(
    a: &Affine,
    xs: [&[f32]; R],
    out: &mut [f32],
) {
    let (ni, no) = (a.n_in, a.n_out);
    for (p, panel) in a.panels.chunks_exact(ni * L).enumerate() {
        let acc = if R == 1 {
            let mut acc = [[0.0f32; L]; R];
            acc[0] = panel_row::<L, FMA>(xs[0], panel);
            acc
        } else {
            panel_block::<R, L, FMA>(xs, panel)
        };
        let j0 = p * L;
        let width = L.min(no - j0);
        for (r, acc) in acc.iter().enumerate() {
            let dst = &mut out[r * no + j0..r * no + j0 + width];
            for ((d, a), b) in dst.iter_mut().zip(acc).zip(&a.b[j0..j0 + width]) {
                *d = a + b;
            }
        }
    }
}

/// The one place that runs code compiled for instructions the build does not assume.
#[allow(unsafe_code)]
mod simd {
    use super::Affine;

    pub fn avx2_fma_available() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// Runs the AVX2 + FMA copy of the affine kernel.
    ///
    /// # Panics
    ///
    /// If the CPU lacks AVX2 or FMA (callers check [`avx2_fma_available`] first; an `Affine`
    /// only gets this kernel after that check).
    pub fn affine_avx2_fma(a: &Affine, x: &[f32], out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        {
            assert!(
                avx2_fma_available(),
                "AVX2 + FMA kernel on a CPU without them"
            );
            // SAFETY: the only requirement of a `target_feature` function is that the CPU
            // supports the features, checked just above.
            unsafe { kernel(a, x, out) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (a, x, out);
            unreachable!("AVX2 + FMA kernel outside x86-64");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn kernel(a: &Affine, x: &[f32], out: &mut [f32]) {
        super::affine_rows::<16, true>(a, x, out);
    }
}

/// An affine map `y = W x + b`, `W` having `n_out` rows of `n_in` values.
#[derive(Debug, Clone)]
pub struct Affine {
    pub n_out: usize,
    pub n_in: usize,
    kernel: Kernel,
    /// `W` in panels of `kernel.lanes()` outputs: `panels[p][i][l] = W[p * lanes + l][i]`,
    /// zero-padded.
    panels: Vec<f32>,
    b: Vec<f32>,
}

impl Affine {
    /// Builds the map from `W` (row-major, `n_out x n_in`) and `b`, for the best kernel.
    pub fn new(n_out: usize, n_in: usize, w: &[f32], b: &[f32]) -> Self {
        Self::with_kernel(Kernel::best(), n_out, n_in, w, b)
    }

    /// Builds the map for a given kernel (which must run on this CPU).
    pub fn with_kernel(kernel: Kernel, n_out: usize, n_in: usize, w: &[f32], b: &[f32]) -> Self {
        debug_assert_eq!(w.len(), n_out * n_in);
        debug_assert_eq!(b.len(), n_out);
        let lanes = kernel.lanes();
        let n_panels = n_out.div_ceil(lanes);
        let mut panels = vec![0.0; n_panels * n_in * lanes];
        for j in 0..n_out {
            let (p, l) = (j / lanes, j % lanes);
            for i in 0..n_in {
                panels[(p * n_in + i) * lanes + l] = w[j * n_in + i];
            }
        }
        Affine {
            n_out,
            n_in,
            kernel,
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
        let n = x.len() / self.n_in;
        debug_assert_eq!(x.len(), n * self.n_in);
        assert!(out.len() >= n * self.n_out, "affine output too short");
        match self.kernel {
            Kernel::Portable => affine_rows::<8, false>(self, x, out),
            Kernel::Avx2Fma => simd::affine_avx2_fma(self, x, out),
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
        for (n, ni, no) in [
            (1, 3, 1),
            (5, 17, 7),
            (9, 64, 6),
            (4, 8, 2),
            (7, 9, 19),
            (6, 33, 40),
        ] {
            let x: Vec<f32> = (0..n * ni)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
                .collect();
            let w: Vec<f32> = (0..no * ni)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) / 3.0)
                .collect();
            let b: Vec<f32> = (0..no).map(|i| i as f32).collect();
            let mut kernels = vec![Kernel::Portable];
            if simd::avx2_fma_available() {
                kernels.push(Kernel::Avx2Fma);
            }
            for kernel in kernels {
                let layer = Affine::with_kernel(kernel, no, ni, &w, &b);
                let mut out = vec![0.0; n * no];
                layer.forward(&x, &mut out);
                for r in 0..n {
                    for j in 0..no {
                        let want: f32 =
                            (0..ni).map(|i| x[r * ni + i] * w[j * ni + i]).sum::<f32>() + b[j];
                        assert!(
                            (out[r * no + j] - want).abs() < 1e-4,
                            "{kernel:?} {n}x{ni}x{no} at {r},{j}"
                        );
                    }
                }
            }
        }
    }
}
