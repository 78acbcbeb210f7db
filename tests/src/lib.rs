//! Shared pieces of the GPU tests: random operands, poisoning, running one case.

pub mod reliability;

use rand::{Rng, SeedableRng, rngs::StdRng};
use std::sync::Arc;
use tessera::cudarc::driver::{CudaSlice, CudaStream};
use tessera::reference::{Comparison, Operands};
use tessera::{Element, Gemm, GemmDesc, Kernel};

/// One GEMM call to check: shape, scalars, and where the operands sit in their buffers.
#[derive(Clone, Debug)]
pub struct Case {
    pub desc: GemmDesc,
    pub alpha: f32,
    pub beta: f32,
    /// Elements before the start of A, B, C in their buffers (misaligns the pointers).
    pub offsets: [usize; 3],
    pub seed: u64,
}

impl Case {
    pub fn dense(m: usize, n: usize, k: usize, seed: u64) -> Self {
        Case {
            desc: GemmDesc::new(m, n, k),
            alpha: 1.0,
            beta: 0.0,
            offsets: [0; 3],
            seed,
        }
    }
}

/// Values the NaN-free parts of a buffer get: uniform in [-1, 1), never all zero.
///
/// Filled in parallel, in chunks with seeds derived from one draw of `rng`, so the values
/// depend only on the seed, not on the number of threads.
pub fn random<T: Element>(rng: &mut StdRng, len: usize) -> Vec<T> {
    const CHUNK: usize = 1 << 16;
    let base: u64 = rng.random();
    let mut v = vec![T::default(); len];
    parallel_chunks(&mut v, CHUNK, |i, chunk| {
        let mut r = StdRng::seed_from_u64(base ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for x in chunk {
            *x = T::from_f64(r.random_range(-1.0..1.0));
        }
    });
    v
}

/// The indices of a `c_len`-element C buffer that are not elements of the matrices `d`
/// describes at offset `oc`: the offset before them, the padding of each row (column) and
/// between problems, the rest.
fn outside(d: &GemmDesc, oc: usize, c_len: usize) -> impl Iterator<Item = usize> {
    let mut inside = vec![false; c_len];
    for b in 0..d.batch {
        for i in 0..d.m {
            for j in 0..d.n {
                inside[oc + d.index(tessera::Operand::C, b, i, j)] = true;
            }
        }
    }
    (0..c_len).filter(move |&idx| !inside[idx])
}

/// Runs `f(chunk index, chunk)` over `chunk`-sized pieces of `v` on all cores.
fn parallel_chunks<T: Send>(v: &mut [T], chunk: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = v.len().div_ceil(chunk).div_ceil(threads).max(1) * chunk;
    std::thread::scope(|scope| {
        for (t, part) in v.chunks_mut(per_thread).enumerate() {
            let f = &f;
            scope.spawn(move || {
                for (i, c) in part.chunks_mut(chunk).enumerate() {
                    f(t * per_thread / chunk + i, c);
                }
            });
        }
    });
}

/// How a case's output was checked.
pub enum Check {
    Full,
    Sampled(usize),
}

/// The result of one case: the comparison, plus whether anything outside `C` was written.
pub struct Outcome {
    pub comparison: Comparison,
    pub wrote_outside: bool,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.comparison.passed() && !self.wrote_outside
    }
}

/// Runs `case` with `kernel` and compares with the CPU reference.
///
/// The C buffer is filled so that every element the kernel must not touch (the offset before
/// C, the padding between rows, a guard after the end) is NaN, and so is all of C when
/// `beta == 0`; afterwards those elements must still be NaN, and C must match the reference.
pub fn run_case<I: Element, O: Element>(
    gemm: &Gemm,
    kernel: Kernel,
    case: &Case,
    check: Check,
) -> Result<Outcome, tessera::Error> {
    let stream: &Arc<CudaStream> = gemm.stream();
    let d = case.desc;
    let mut rng = StdRng::seed_from_u64(case.seed);
    let [oa, ob, oc] = case.offsets;
    let a_host: Vec<I> = random(&mut rng, oa + d.min_len(tessera::Operand::A));
    let b_host: Vec<I> = random(&mut rng, ob + d.min_len(tessera::Operand::B));
    const GUARD: usize = 64;
    let c_len = oc + d.min_len(tessera::Operand::C) + GUARD;
    let nan = O::from_f64(f64::NAN);
    let mut c_host: Vec<O> = if case.beta != 0.0 {
        random(&mut rng, c_len)
    } else {
        vec![nan; c_len]
    };
    for idx in outside(&d, oc, c_len) {
        c_host[idx] = nan;
    }
    let a: CudaSlice<I> = stream.clone_htod(&a_host)?;
    let b: CudaSlice<I> = stream.clone_htod(&b_host)?;
    let mut c: CudaSlice<O> = stream.clone_htod(&c_host)?;
    {
        let (a_view, b_view) = (a.slice(oa..), b.slice(ob..));
        let mut c_view = c.slice_mut(oc..c_len - GUARD);
        gemm.matmul(
            kernel,
            &d,
            case.alpha,
            &a_view,
            &b_view,
            case.beta,
            &mut c_view,
        )?;
    }
    let out: Vec<O> = stream.clone_dtoh(&c)?;
    let wrote_outside = outside(&d, oc, c_len).any(|idx| !out[idx].to_f64().is_nan());
    let ops = Operands {
        desc: d,
        alpha: case.alpha,
        a: &a_host[oa..],
        b: &b_host[ob..],
        beta: case.beta,
        c: &c_host[oc..],
    };
    let comparison = match check {
        Check::Full => ops.check_all(&out[oc..]),
        Check::Sampled(n) => ops.check_sampled(&out[oc..], n, case.seed),
    };
    Ok(Outcome {
        comparison,
        wrote_outside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_is_offset_padding_and_guard() {
        // 2 × 3 matrix with ldc 5 at offset 1 in a buffer of 1 + 8 + 2 elements.
        let d = GemmDesc::new(2, 3, 1).with_leading_dims(1, 3, 5);
        let v: Vec<usize> = outside(&d, 1, 11).collect();
        assert_eq!(v, [0, 4, 5, 9, 10]);
        // Two column-major 2 × 1 problems, ldc 3, 4 apart, at offset 0 in 9 elements.
        let d = GemmDesc::new(2, 1, 1)
            .with_layouts(
                tessera::Layout::RowMajor,
                tessera::Layout::RowMajor,
                tessera::Layout::ColMajor,
            )
            .with_leading_dims(1, 1, 3)
            .with_batch(2, 2, 1, 4);
        let v: Vec<usize> = outside(&d, 0, 9).collect();
        assert_eq!(v, [2, 3, 6, 7, 8]);
    }
}
