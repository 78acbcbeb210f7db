//! Epilogue: `C = alpha · acc + beta · C`, converted to the output type, and the stores.
//!
//! `beta == 0` never reads `C` (BLAS semantics: `C` may hold garbage, even NaN).

use crate::arch::convert;
use crate::arch::global;
use crate::arch::mma::{Bf16, F16};

/// An element type the epilogue can write (and, for `beta != 0`, read back), with `f32`
/// arithmetic in between.
pub trait OutputElement: Copy {
    /// # Safety
    /// `p` is a readable, aligned global address.
    unsafe fn load(p: *const Self) -> f32;
    /// # Safety
    /// `p` is a writable, aligned global address.
    unsafe fn store(p: *mut Self, v: f32);
    /// Two consecutive elements.
    ///
    /// # Safety
    /// `p` is a readable global address aligned to two elements.
    unsafe fn load_pair(p: *const Self) -> [f32; 2];
    /// Two consecutive elements, one access.
    ///
    /// # Safety
    /// `p` is a writable global address aligned to two elements.
    unsafe fn store_pair(p: *mut Self, v: [f32; 2]);
}

impl OutputElement for f32 {
    #[inline(always)]
    unsafe fn load(p: *const f32) -> f32 {
        unsafe { global::load_f32(p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: f32) {
        unsafe { global::store_f32(p, v) }
    }
    #[inline(always)]
    unsafe fn load_pair(p: *const f32) -> [f32; 2] {
        unsafe { global::load_f32x2(p) }
    }
    #[inline(always)]
    unsafe fn store_pair(p: *mut f32, v: [f32; 2]) {
        unsafe { global::store_f32x2(p, v) }
    }
}

/// The 16-bit formats: stored as bits, converted with round-to-nearest-even.
macro_rules! output_16 {
    ($ty:ty, $widen:path, $narrow:path, $narrow_pair:path) => {
        impl OutputElement for $ty {
            #[inline(always)]
            unsafe fn load(p: *const Self) -> f32 {
                $widen(unsafe { global::load_b16(p as *const u16) })
            }
            #[inline(always)]
            unsafe fn store(p: *mut Self, v: f32) {
                unsafe { global::store_b16(p as *mut u16, $narrow(v)) }
            }
            #[inline(always)]
            unsafe fn load_pair(p: *const Self) -> [f32; 2] {
                let bits = unsafe { global::load_b32(p as *const u32) };
                [$widen(bits as u16), $widen((bits >> 16) as u16)]
            }
            #[inline(always)]
            unsafe fn store_pair(p: *mut Self, v: [f32; 2]) {
                unsafe { global::store_b32(p as *mut u32, $narrow_pair(v)) }
            }
        }
    };
}

output_16!(
    Bf16,
    convert::f32_from_bf16,
    convert::bf16_from_f32,
    convert::bf16x2_from_f32
);
output_16!(
    F16,
    convert::f32_from_f16,
    convert::f16_from_f32,
    convert::f16x2_from_f32
);

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

    /// Stores `acc` to `c[row][col .. col + 4]`, masking columns `>= n` and rows `>= m`.
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
                    unsafe { self.store_one(p.add(i), x) };
                }
            }
        }
    }

    /// Stores `acc` to `c[row][col .. col + 2]` (one access when both are inside), masking
    /// columns `>= n` and rows `>= m`: the two adjacent columns a thread owns in an `mma`
    /// accumulator.
    ///
    /// # Safety
    /// `c` is an `m × n` row-major matrix with leading dimension `ldc`, aligned to two
    /// elements, `ldc` and `col` even.
    #[inline(always)]
    pub unsafe fn store_pair<O: OutputElement>(
        &self,
        c: *mut O,
        ldc: u32,
        (m, n): (u32, u32),
        (row, col): (u32, u32),
        acc: [f32; 2],
    ) {
        if row >= m || col >= n {
            return;
        }
        let p = unsafe { c.add(row as usize * ldc as usize + col as usize) };
        if col + 1 < n {
            let old = if self.beta != 0.0 {
                unsafe { O::load_pair(p) }
            } else {
                [0.0; 2]
            };
            unsafe { O::store_pair(p, [self.apply(acc[0], old[0]), self.apply(acc[1], old[1])]) };
        } else {
            unsafe { self.store_one(p, acc[0]) };
        }
    }

    /// Stores one element.
    ///
    /// # Safety
    /// `p` is a writable (and, when `beta != 0`, readable) aligned global address.
    #[inline(always)]
    pub unsafe fn store_one<O: OutputElement>(&self, p: *mut O, acc: f32) {
        let old = if self.beta != 0.0 {
            unsafe { O::load(p) }
        } else {
            0.0
        };
        unsafe { O::store(p, self.apply(acc, old)) };
    }
}
