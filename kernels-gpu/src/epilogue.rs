//! Epilogue: `C = alpha · acc + beta · C`, and the stores.
//!
//! `beta == 0` never reads `C` (BLAS semantics: `C` may hold garbage, even NaN).

use crate::arch::global;

/// `alpha · acc + beta · c`, applied to register tiles before they are stored.
#[derive(Clone, Copy)]
pub struct LinearCombination {
    pub alpha: f32,
    pub beta: f32,
}

impl LinearCombination {
    #[inline(always)]
    fn apply(&self, acc: f32, old: f32) -> f32 {
        core::intrinsics::fmaf32(self.beta, old, self.alpha * acc)
    }

    /// Stores `acc` to `c[row][col .. col + N]`, masking columns `>= n` and rows `>= m`.
    ///
    /// `VECTOR`: the caller guarantees that `c` and `ldc` keep every 4-column group 16-byte
    /// aligned, so full groups use one 16-byte access.
    ///
    /// # Safety
    /// `c` is an `m × n` row-major matrix with leading dimension `ldc`; `col` is a multiple of
    /// 4 when `VECTOR`.
    #[inline(always)]
    pub unsafe fn store_f32<const VECTOR: bool>(
        &self,
        c: *mut f32,
        ldc: u32,
        (m, n): (u32, u32),
        (row, col): (u32, u32),
        acc: [f32; 4],
    ) {
        if row >= m {
            return;
        }
        let p = unsafe { c.add(row as usize * ldc as usize + col as usize) };
        if VECTOR && col + 4 <= n {
            let old = if self.beta != 0.0 {
                unsafe { global::load_f32x4(p) }
            } else {
                [0.0; 4]
            };
            let out = [0, 1, 2, 3].map(|i| self.apply(acc[i], old[i]));
            unsafe { global::store_f32x4(p, out) };
        } else {
            for (i, &x) in acc.iter().enumerate() {
                if col + (i as u32) < n {
                    unsafe { self.store_one_f32(p.add(i), x) };
                }
            }
        }
    }

    /// Stores one element.
    ///
    /// # Safety
    /// `p` is a writable (and, when `beta != 0`, readable) global `f32`.
    #[inline(always)]
    pub unsafe fn store_one_f32(&self, p: *mut f32, acc: f32) {
        let old = if self.beta != 0.0 {
            unsafe { global::load_f32(p) }
        } else {
            0.0
        };
        unsafe { global::store_f32(p, self.apply(acc, old)) };
    }
}
