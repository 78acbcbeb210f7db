//! Shared pieces of the GPU tests: random operands, poisoning, running one case.

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
pub fn random<T: Element>(rng: &mut StdRng, len: usize) -> Vec<T> {
    (0..len)
        .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
        .collect()
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
    let mut c_host: Vec<O> = vec![nan; c_len];
    if case.beta != 0.0 {
        for i in 0..d.m {
            for j in 0..d.n {
                c_host[oc + i * d.ldc + j] = O::from_f64(rng.random_range(-1.0..1.0));
            }
        }
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
    let inside = |idx: usize| {
        idx >= oc && idx < c_len - GUARD && {
            let r = idx - oc;
            r / d.ldc < d.m && r % d.ldc < d.n
        }
    };
    let wrote_outside = (0..c_len).any(|idx| !inside(idx) && !out[idx].to_f64().is_nan());
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
