//! Epilogue: `C = alpha · acc + beta · C`, and the stores.
//!
//! `beta == 0` never reads `C` (BLAS semantics: `C` may hold garbage, even NaN).

use crate::arch::{convert, global, smem, warp};
use crate::element::{Bf16, F16};

/// `alpha · acc + beta · c`, applied to register tiles before they are stored.
#[derive(Clone, Copy)]
pub struct LinearCombination {
    pub alpha: f32,
    pub beta: f32,
}

impl LinearCombination {
    /// `alpha · acc + beta · old`.
    #[inline(always)]
    pub fn apply(&self, acc: f32, old: f32) -> f32 {
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
                    unsafe { self.store_one(p.add(i), x) };
                }
            }
        }
    }

    /// Stores the pair `acc` to `c[row][col ..= col + 1]`, masking rows `>= m` and columns
    /// `>= n`, for any output type.
    ///
    /// `pairs`: `ldc` is even, so (with `c` aligned and `col` even) the pair is aligned to its
    /// size and moves as one access.
    ///
    /// # Safety
    /// `c` is an `m × n` row-major matrix with leading dimension `ldc`, aligned to 16 bytes;
    /// `col` is even.
    #[inline(always)]
    pub unsafe fn store_pair<O: Output>(
        &self,
        c: *mut O,
        ldc: u32,
        (m, n): (u32, u32),
        (row, col): (u32, u32),
        acc: [f32; 2],
        pairs: bool,
    ) {
        if row >= m || col >= n {
            return;
        }
        let p = unsafe { c.add(row as usize * ldc as usize + col as usize) };
        if pairs && col + 1 < n {
            let old = if self.beta != 0.0 {
                unsafe { O::load2(p) }
            } else {
                [0.0; 2]
            };
            unsafe { O::store2(p, [self.apply(acc[0], old[0]), self.apply(acc[1], old[1])]) };
        } else {
            unsafe { self.store_one(p, acc[0]) };
            if col + 1 < n {
                unsafe { self.store_one(p.add(1), acc[1]) };
            }
        }
    }

    /// `alpha · acc + beta · C[row][col ..= col + 1]`, reading only the elements inside the
    /// `m × n` matrix (`beta == 0`: none).
    ///
    /// # Safety
    /// `c` is an `m × n` row-major matrix with leading dimension `ldc`; `col` is even.
    #[inline(always)]
    pub unsafe fn combine_pair<O: Output>(
        &self,
        c: *const O,
        ldc: u32,
        (m, n): (u32, u32),
        (row, col): (u32, u32),
        acc: [f32; 2],
    ) -> [f32; 2] {
        let mut old = [0.0; 2];
        if self.beta != 0.0 && row < m {
            let p = unsafe { c.add(row as usize * ldc as usize + col as usize) };
            for (i, o) in old.iter_mut().enumerate() {
                if col + (i as u32) < n {
                    *o = unsafe { O::load1(p.add(i)) };
                }
            }
        }
        [self.apply(acc[0], old[0]), self.apply(acc[1], old[1])]
    }

    /// Stores one element of any output type.
    ///
    /// # Safety
    /// `p` is a writable (and, when `beta != 0`, readable) global element.
    #[inline(always)]
    pub unsafe fn store_one<O: Output>(&self, p: *mut O, acc: f32) {
        let old = if self.beta != 0.0 {
            unsafe { O::load1(p) }
        } else {
            0.0
        };
        unsafe { O::store1(p, self.apply(acc, old)) };
    }
}

/// An element type the epilogue can store: loads (for `beta`) and stores from f32, singly and
/// as an aligned pair.
pub trait Output: Sized {
    /// # Safety
    /// `p` is a readable global address aligned to `2 · size_of::<Self>()`.
    unsafe fn load2(p: *const Self) -> [f32; 2];
    /// # Safety
    /// `p` is a writable global address aligned to `2 · size_of::<Self>()`.
    unsafe fn store2(p: *mut Self, v: [f32; 2]);
    /// # Safety
    /// `p` is a readable global address aligned to `size_of::<Self>()`.
    unsafe fn load1(p: *const Self) -> f32;
    /// # Safety
    /// `p` is a writable global address aligned to `size_of::<Self>()`.
    unsafe fn store1(p: *mut Self, v: f32);
    /// A pair as it is stored: one 32-bit word for a 16-bit type, two for f32. Lanes that
    /// exchange results exchange them in this form, so a 16-bit pair takes one shuffle.
    type Pair: Copy;
    /// A pair of results in stored form (rounded to nearest even).
    fn pack(v: [f32; 2]) -> Self::Pair;
    /// The pair `v` of lane `lane_id() ^ mask`; every lane of the warp calls it.
    fn shfl_xor(v: Self::Pair, mask: u32) -> Self::Pair;
    /// # Safety
    /// `p` is a readable global address aligned to `4 · size_of::<Self>()`.
    unsafe fn load4(p: *const Self) -> [f32; 4];
    /// Stores two pairs as the four elements `p[0..4]`.
    ///
    /// # Safety
    /// `p` is a writable global address aligned to `4 · size_of::<Self>()`.
    unsafe fn store_pairs(p: *mut Self, v: [Self::Pair; 2]);
    /// Stores a pair, converted, at shared address `addr`.
    ///
    /// # Safety
    /// `addr` is inside the block's shared memory, aligned to `2 · size_of::<Self>()`.
    unsafe fn store2_shared(addr: u32, v: [f32; 2]);
}

impl Output for f32 {
    #[inline(always)]
    unsafe fn load2(p: *const f32) -> [f32; 2] {
        unsafe { global::load_f32x2(p) }
    }
    #[inline(always)]
    unsafe fn store2(p: *mut f32, v: [f32; 2]) {
        unsafe { global::store_f32x2(p, v) }
    }
    #[inline(always)]
    unsafe fn load1(p: *const f32) -> f32 {
        unsafe { global::load_f32(p) }
    }
    #[inline(always)]
    unsafe fn store1(p: *mut f32, v: f32) {
        unsafe { global::store_f32(p, v) }
    }
    type Pair = [f32; 2];
    #[inline(always)]
    fn pack(v: [f32; 2]) -> [f32; 2] {
        v
    }
    #[inline(always)]
    fn shfl_xor(v: [f32; 2], mask: u32) -> [f32; 2] {
        v.map(|x| f32::from_bits(warp::shfl_xor(x.to_bits(), mask)))
    }
    #[inline(always)]
    unsafe fn load4(p: *const f32) -> [f32; 4] {
        unsafe { global::load_f32x4(p) }
    }
    #[inline(always)]
    unsafe fn store_pairs(p: *mut f32, v: [[f32; 2]; 2]) {
        unsafe { global::store_f32x4(p, [v[0][0], v[0][1], v[1][0], v[1][1]]) }
    }
    #[inline(always)]
    unsafe fn store2_shared(addr: u32, v: [f32; 2]) {
        unsafe { smem::store_b32x2(addr, v.map(f32::to_bits)) }
    }
}

/// A 16-bit float stored as bits, with its conversions from [`convert`].
macro_rules! half_output {
    ($t:ty, $widen:path, $narrow:path, $pack:path) => {
        impl Output for $t {
            #[inline(always)]
            unsafe fn load2(p: *const $t) -> [f32; 2] {
                let bits = unsafe { global::load_b32(p as *const u32) };
                [$widen(bits as u16), $widen((bits >> 16) as u16)]
            }
            #[inline(always)]
            unsafe fn store2(p: *mut $t, v: [f32; 2]) {
                unsafe { global::store_b32(p as *mut u32, $pack(v)) }
            }
            #[inline(always)]
            unsafe fn load1(p: *const $t) -> f32 {
                $widen(unsafe { global::load_b16(p as *const u16) })
            }
            #[inline(always)]
            unsafe fn store1(p: *mut $t, v: f32) {
                unsafe { global::store_b16(p as *mut u16, $narrow(v)) }
            }
            type Pair = u32;
            #[inline(always)]
            fn pack(v: [f32; 2]) -> u32 {
                $pack(v)
            }
            #[inline(always)]
            fn shfl_xor(v: u32, mask: u32) -> u32 {
                warp::shfl_xor(v, mask)
            }
            #[inline(always)]
            unsafe fn load4(p: *const $t) -> [f32; 4] {
                let [lo, hi] = unsafe { global::load_b32x2(p as *const u32) };
                [lo, lo >> 16, hi, hi >> 16].map(|bits| $widen(bits as u16))
            }
            #[inline(always)]
            unsafe fn store_pairs(p: *mut $t, v: [u32; 2]) {
                unsafe { global::store_b32x2(p as *mut u32, v) }
            }
            #[inline(always)]
            unsafe fn store2_shared(addr: u32, v: [f32; 2]) {
                unsafe { smem::store_b32(addr, $pack(v)) }
            }
        }
    };
}

half_output!(
    Bf16,
    convert::bf16_to_f32,
    convert::f32_to_bf16,
    convert::f32x2_to_bf16x2
);
half_output!(
    F16,
    convert::f16_to_f32,
    convert::f32_to_f16,
    convert::f32x2_to_f16x2
);
