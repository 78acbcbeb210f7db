//! Warp-level tensor-core instructions (sm_80+): `ldmatrix` and `mma.sync` m16n8k16.
//!
//! # Fragment layouts (PTX ISA, "Matrix fragments for mma.m16n8k16")
//! Let `g = lane / 4` (the "group") and `q = lane % 4` (the thread in the group). Every
//! 32-bit register holds two 16-bit elements, the lower column/k index in the low half.
//! - `A` (16 × 16, row-major): `a[0]` = rows `g`, k `2q, 2q+1`; `a[1]` = row `g + 8`;
//!   `a[2]` = row `g`, k `+8`; `a[3]` = row `g + 8`, k `+8`.
//! - `B` (16 × 8, "col": indexed `[k][n]`): `b[0]` = k `2q, 2q+1`, column `g`;
//!   `b[1]` = k `+8`.
//! - `C`/`D` (16 × 8, f32): `c[0], c[1]` = row `g`, columns `2q, 2q+1`; `c[2], c[3]` = row
//!   `g + 8`, same columns.
//!
//! `ldmatrix.x4` loads four 8 × 8 matrices of 16-bit elements; lanes `8j .. 8j+8` give the
//! addresses of the 8 rows (16 bytes each) of matrix `j`, and register `j` of every lane
//! receives row `g`, elements `2q, 2q+1` of matrix `j`, exactly the layout of one `A`
//! register. With `.trans` lane receives elements `[2q][g]` and `[2q+1][g]` instead, which
//! is one `B` register when the matrix rows are k-rows of a row-major (`N`-contiguous) `B`.

use crate::element::{Bf16, F16};
use core::arch::asm;

/// A 16-bit input type of the tensor cores, with f32 accumulation.
pub trait MmaInput: Copy {
    /// `d += a · b` for one m16n8k16 tile; see the module docs for the fragment layouts.
    fn mma_m16n8k16(d: &mut [f32; 4], a: [u32; 4], b: [u32; 2]);
}

macro_rules! mma_input {
    ($ty:ty, $ptx:literal) => {
        impl MmaInput for $ty {
            #[inline(always)]
            fn mma_m16n8k16(d: &mut [f32; 4], a: [u32; 4], b: [u32; 2]) {
                // SAFETY: register-only warp instruction; the kernels call it from warp-uniform
                // code with every lane active, as `.sync.aligned` requires.
                unsafe {
                    asm!(
                        concat!("mma.sync.aligned.m16n8k16.row.col.f32.", $ptx, ".", $ptx, ".f32 ",
                            "{{{0}, {1}, {2}, {3}}}, {{{4}, {5}, {6}, {7}}}, {{{8}, {9}}}, ",
                            "{{{0}, {1}, {2}, {3}}};"),
                        inout(reg32) d[0], inout(reg32) d[1], inout(reg32) d[2], inout(reg32) d[3],
                        in(reg32) a[0], in(reg32) a[1], in(reg32) a[2], in(reg32) a[3],
                        in(reg32) b[0], in(reg32) b[1],
                        options(pure, nomem, nostack)
                    )
                }
            }
        }
    };
}

mma_input!(Bf16, "bf16");
mma_input!(F16, "f16");

/// Four 8 × 8 matrices of 16-bit elements from shared memory, one register each (see the
/// module docs); lane `l` gives the address of row `l % 8` of matrix `l / 8`.
///
/// # Safety
/// Every lane of the warp calls it with a 16-byte aligned shared-window address of 16
/// readable bytes.
#[inline(always)]
pub unsafe fn ldmatrix_x4(row: u32) -> [u32; 4] {
    let r: [u32; 4];
    unsafe {
        let (r0, r1, r2, r3);
        asm!(
            "ldmatrix.sync.aligned.m8n8.x4.shared.b16 {{{0}, {1}, {2}, {3}}}, [{4}];",
            out(reg32) r0, out(reg32) r1, out(reg32) r2, out(reg32) r3, in(reg32) row,
            options(readonly, nostack, pure)
        );
        r = [r0, r1, r2, r3];
    }
    r
}

/// As [`ldmatrix_x4`], each matrix transposed on the way.
///
/// # Safety
/// As [`ldmatrix_x4`].
#[inline(always)]
pub unsafe fn ldmatrix_x4_trans(row: u32) -> [u32; 4] {
    let r: [u32; 4];
    unsafe {
        let (r0, r1, r2, r3);
        asm!(
            "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {{{0}, {1}, {2}, {3}}}, [{4}];",
            out(reg32) r0, out(reg32) r1, out(reg32) r2, out(reg32) r3, in(reg32) row,
            options(readonly, nostack, pure)
        );
        r = [r0, r1, r2, r3];
    }
    r
}
