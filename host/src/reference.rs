//! The CPU reference: float64 accumulation over the same (already rounded) inputs, and the
//! comparison the tests and the benchmark apply to a GPU result.
//!
//! Two criteria, both must hold:
//! - relative Frobenius error `‖out − ref‖ / ‖ref‖` under a per-dtype tolerance;
//! - per element, `|out − ref| ≤ (u_out + 2·K·u_acc) · (Σ_k |alpha·a_ik·b_kj| + |beta·c_ij|) +
//!   s_out`, the classical bound for a K-term f32 dot product plus the rounding of the output
//!   (`s_out`: half the subnormal spacing of the output type): a wrong, missing or stale
//!   element fails it even when the Frobenius norm hides it.

use crate::desc::GemmDesc;
use crate::element::{DType, Element};
use crate::error::Operand;

/// The exact (float64) result at `(i, j)` and the magnitude the error bound scales with.
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    /// `alpha · Σ_k a_ik · b_kj + beta · c_ij`, accumulated in f64.
    pub value: f64,
    /// `Σ_k |alpha · a_ik · b_kj| + |beta · c_ij|`.
    pub magnitude: f64,
}

/// Host copies of the operands of one call.
pub struct Operands<'a, I, O> {
    /// Shape, layouts, leading dimensions and batch, as passed to the GPU call.
    pub desc: GemmDesc,
    /// The scale of `A · B`.
    pub alpha: f32,
    /// `A`, laid out as `desc` says.
    pub a: &'a [I],
    /// `B`, laid out as `desc` says.
    pub b: &'a [I],
    /// The scale of the old `C`.
    pub beta: f32,
    /// `C` before the call.
    pub c: &'a [O],
}

impl<I: Element, O: Element> Operands<'_, I, O> {
    /// The expected output element `(i, j)` of problem `batch`.
    pub fn expected(&self, batch: usize, i: usize, j: usize) -> Expected {
        let d = &self.desc;
        let (alpha, beta) = (f64::from(self.alpha), f64::from(self.beta));
        let (mut dot, mut magnitude) = (0.0f64, 0.0f64);
        for k in 0..d.k {
            let a = self.a[d.index(Operand::A, batch, i, k)].to_f64();
            let p = a * self.b[d.index(Operand::B, batch, k, j)].to_f64();
            dot += p;
            magnitude += p.abs();
        }
        // beta = 0 ignores C, even when it holds NaN.
        let old = if beta == 0.0 {
            0.0
        } else {
            beta * self.c[d.index(Operand::C, batch, i, j)].to_f64()
        };
        Expected {
            value: alpha * dot + old,
            magnitude: alpha.abs() * magnitude + old.abs(),
        }
    }

    /// Compares every output element of every problem (`out` laid out like `C`), rows spread
    /// over all cores.
    pub fn check_all(&self, out: &[O]) -> Comparison {
        let d = &self.desc;
        // Rows of all problems, `batch · M` of them, numbered problem after problem.
        let rows = d.batch * d.m;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(rows.max(1));
        let rows_per_thread = rows.div_ceil(threads.max(1)).max(1);
        let parts: Vec<Comparison> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..rows)
                .step_by(rows_per_thread)
                .map(|first| {
                    scope.spawn(move || {
                        let mut cmp = Comparison::new(I::DTYPE, O::DTYPE, d.k);
                        for row in first..(first + rows_per_thread).min(rows) {
                            let (b, i) = (row / d.m, row % d.m);
                            for j in 0..d.n {
                                let got = out[d.index(Operand::C, b, i, j)].to_f64();
                                cmp.add((b, i, j), got, self.expected(b, i, j));
                            }
                        }
                        cmp
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("reference thread panicked"))
                .collect()
        });
        parts
            .into_iter()
            .fold(Comparison::new(I::DTYPE, O::DTYPE, d.k), Comparison::merge)
    }

    /// Compares `samples` pseudo-random output elements (deterministic in `seed`), plus the
    /// four corners; for shapes too large for a full reference.
    pub fn check_sampled(&self, out: &[O], samples: usize, seed: u64) -> Comparison {
        let d = &self.desc;
        let mut cmp = Comparison::new(I::DTYPE, O::DTYPE, d.k);
        let mut state = seed | 1;
        let mut next = move |bound: usize| {
            // xorshift64*: enough to spread samples, no dependency.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as usize % bound
        };
        let last = d.batch - 1;
        let corners = [
            (0, 0, 0),
            (0, 0, d.n - 1),
            (last, d.m - 1, 0),
            (last, d.m - 1, d.n - 1),
        ];
        for (b, i, j) in corners
            .into_iter()
            .chain((0..samples).map(|_| (next(d.batch), next(d.m), next(d.n))))
        {
            let got = out[d.index(Operand::C, b, i, j)].to_f64();
            cmp.add((b, i, j), got, self.expected(b, i, j));
        }
        cmp
    }
}

/// The outcome of comparing a GPU result with the reference.
#[derive(Clone, Debug)]
pub struct Comparison {
    input: DType,
    output: DType,
    k: usize,
    err_sq: f64,
    ref_sq: f64,
    /// Elements compared.
    pub checked: usize,
    /// Elements outside their bound (NaN included), and the first few of them.
    pub violations: usize,
    /// The first violations found, for the report.
    pub first_violations: Vec<Violation>,
}

/// One element that failed its bound.
#[derive(Clone, Copy, Debug)]
pub struct Violation {
    /// `(problem, row, column)` in `C`.
    pub at: (usize, usize, usize),
    /// The GPU's value.
    pub got: f64,
    /// The reference value.
    pub expected: f64,
    /// The largest error allowed there.
    pub bound: f64,
}

impl Comparison {
    fn new(input: DType, output: DType, k: usize) -> Self {
        Comparison {
            input,
            output,
            k,
            err_sq: 0.0,
            ref_sq: 0.0,
            checked: 0,
            violations: 0,
            first_violations: Vec::new(),
        }
    }

    /// Both comparisons' elements in one (the first violations of `self` first).
    fn merge(mut self, other: Comparison) -> Comparison {
        self.err_sq += other.err_sq;
        self.ref_sq += other.ref_sq;
        self.checked += other.checked;
        self.violations += other.violations;
        let room = 8 - self.first_violations.len().min(8);
        self.first_violations
            .extend(other.first_violations.into_iter().take(room));
        self
    }

    fn add(&mut self, at: (usize, usize, usize), got: f64, e: Expected) {
        let bound = self.element_bound(e.magnitude);
        let err = (got - e.value).abs();
        self.checked += 1;
        self.err_sq += if err.is_finite() {
            err * err
        } else {
            f64::INFINITY
        };
        self.ref_sq += e.value * e.value;
        // NaN fails: it is not within any bound.
        if err.is_nan() || err > bound {
            self.violations += 1;
            if self.first_violations.len() < 8 {
                self.first_violations.push(Violation {
                    at,
                    got,
                    expected: e.value,
                    bound,
                });
            }
        }
    }

    /// The per-element bound (see the module docs).
    fn element_bound(&self, magnitude: f64) -> f64 {
        let u_acc = DType::F32.unit_roundoff();
        (self.output.unit_roundoff() + 2.0 * self.k as f64 * u_acc) * magnitude
            + self.output.subnormal_roundoff()
    }

    /// `‖out − ref‖ / ‖ref‖` over the checked elements (`err` itself when `ref` is 0).
    pub fn rel_frobenius(&self) -> f64 {
        if self.ref_sq == 0.0 {
            self.err_sq.sqrt()
        } else {
            (self.err_sq / self.ref_sq).sqrt()
        }
    }

    /// The relative Frobenius tolerance for these types (shared/DESIGN.md): 1e-5 for fp32,
    /// 1e-2 when inputs or output are 16-bit.
    pub fn tolerance(&self) -> f64 {
        if self.input == DType::F32 && self.output == DType::F32 {
            1e-5
        } else {
            1e-2
        }
    }

    /// Both criteria hold.
    pub fn passed(&self) -> bool {
        self.violations == 0 && self.rel_frobenius() < self.tolerance()
    }
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} elements checked, rel. Frobenius error {:.3e} (tolerance {:.0e}), {} outside their bound",
            self.checked,
            self.rel_frobenius(),
            self.tolerance(),
            self.violations
        )?;
        for v in &self.first_violations {
            write!(
                f,
                "\n  at {:?}: got {}, expected {} ± {:.3e}",
                v.at, v.got, v.expected, v.bound
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use half::bf16;

    fn ops<'a>(
        desc: GemmDesc,
        a: &'a [f32],
        b: &'a [f32],
        c: &'a [f32],
        beta: f32,
    ) -> Operands<'a, f32, f32> {
        Operands {
            desc,
            alpha: 1.0,
            a,
            b,
            beta,
            c,
        }
    }

    #[test]
    fn two_by_two_known_answer() {
        let (a, b, c) = (
            [1.0, 2.0, 3.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [1.0, 1.0, 1.0, 1.0],
        );
        let o = ops(GemmDesc::new(2, 2, 2), &a, &b, &c, 2.0);
        let got: Vec<f64> = (0..4).map(|x| o.expected(0, x / 2, x % 2).value).collect();
        assert_eq!(got, [21.0, 24.0, 45.0, 52.0]);
        assert!(o.check_all(&[21.0, 24.0, 45.0, 52.0]).passed());
    }

    #[test]
    fn layouts_and_batches_index_the_same_matrices() {
        use crate::desc::Layout::*;
        // Two problems; A column-major, B shared (stride 0), C column-major.
        let a_rows = [[1.0, 2.0, 3.0, 4.0], [2.0, 0.0, 1.0, -1.0]]; // per problem, row-major 2 × 2
        let a: Vec<f32> = a_rows
            .iter()
            .flat_map(|p| [p[0], p[2], p[1], p[3]]) // column-major
            .collect();
        let b = [5.0, 6.0, 7.0, 8.0];
        let c = [0.0; 8];
        let d = GemmDesc::new(2, 2, 2)
            .with_layouts(ColMajor, RowMajor, ColMajor)
            .with_batch(2, 4, 0, 4);
        let o = ops(d, &a, &b, &c, 0.0);
        // Problem 0: [[19, 22], [43, 50]]; problem 1: [[10, 12], [-2, -2]]; C column-major.
        let out = [19.0, 43.0, 22.0, 50.0, 10.0, -2.0, 12.0, -2.0];
        assert!(o.check_all(&out).passed());
        assert_eq!(o.expected(1, 1, 0).value, -2.0);
    }

    #[test]
    fn beta_zero_ignores_nan_in_c() {
        let (a, b, c) = ([2.0], [3.0], [f32::NAN]);
        let o = ops(GemmDesc::new(1, 1, 1), &a, &b, &c, 0.0);
        assert_eq!(o.expected(0, 0, 0).value, 6.0);
    }

    #[test]
    fn one_wrong_element_fails_even_if_the_norm_is_small() {
        let n = 64;
        let a = vec![1.0f32; n * n];
        let b = vec![1.0f32; n * n];
        let c = vec![0.0f32; n * n];
        let o = ops(GemmDesc::new(n, n, n), &a, &b, &c, 0.0);
        let mut out = vec![n as f32; n * n];
        out[77] += 0.01;
        let cmp = o.check_all(&out);
        assert!(cmp.rel_frobenius() < 1e-5, "{cmp}");
        assert!(!cmp.passed());
        assert_eq!(cmp.first_violations[0].at, (0, 1, 13));
    }

    #[test]
    fn nan_output_fails() {
        let (a, b, c) = ([2.0], [3.0], [0.0]);
        let o = ops(GemmDesc::new(1, 1, 1), &a, &b, &c, 0.0);
        assert!(!o.check_all(&[f32::NAN]).passed());
    }

    #[test]
    fn bf16_output_rounding_is_within_bound() {
        let a = [bf16::from_f32(1.0), bf16::from_f32(1.0 / 3.0)];
        let b = [bf16::from_f32(1.0), bf16::from_f32(1.0)];
        let c = [bf16::ZERO];
        let o = Operands {
            desc: GemmDesc::new(1, 1, 2),
            alpha: 1.0,
            a: &a,
            b: &b,
            beta: 0.0,
            c: &c,
        };
        let exact = o.expected(0, 0, 0).value;
        assert!(o.check_all(&[bf16::from_f64(exact)]).passed());
        assert!(!o.check_all(&[bf16::from_f64(exact * 1.02)]).passed());
    }

    #[test]
    fn sampled_check_includes_corners() {
        let (a, b, c) = (vec![1.0f32; 6], vec![1.0f32; 6], vec![0.0f32; 9]);
        let o = ops(GemmDesc::new(3, 3, 2), &a, &b, &c, 0.0);
        let mut out = vec![2.0f32; 9];
        out[8] = 0.0;
        assert!(!o.check_sampled(&out, 0, 1).passed());
    }
}
