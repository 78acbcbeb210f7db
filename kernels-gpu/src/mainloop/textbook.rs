//! The three-loop GEMM, one thread per output element: the baseline the tiled kernels are
//! measured against, and the path that takes any element type, alignment, layout and `K`
//! (including 0) when no faster kernel can. Every thread streams a row of `A` and a column of `B` from global
//! memory; nothing is reused on chip except by the caches.
//!
//! # Thread mapping
//! A 16 × 16 block of threads ([`TEXTBOOK`]) per 16 × 16 output tile; thread `t` computes
//! `C[tile.m·16 + t / 16][tile.n·16 + t % 16]`, so a warp's 32 lanes read 2 rows of `A`
//! (broadcast) and 16 consecutive columns of `B` (coalesced).

use crate::arch::thread;
use crate::epilogue::{LinearCombination, Output};
use crate::params::{GemmParams, Layout, ParamSpace};
use crate::schedule::TileScheduler;
use crate::shapes::TEXTBOOK;

/// Inputs `I`, output `O`, any of f32, bf16, f16, accumulated in f32.
///
/// # Safety
/// Launched with [`TEXTBOOK`]`.threads` threads on parameters the host validated.
#[inline(always)]
pub unsafe fn gemm<S: TileScheduler, I: Output, O: Output>(p: &GemmParams, _: ParamSpace) {
    let grid = p.tile_grid(TEXTBOOK.block_m, TEXTBOOK.block_n);
    let mut scheduler = S::new(grid, thread::block_index_x(), thread::grid_dim_x());
    let t = thread::index_x();
    let epilogue = LinearCombination {
        alpha: p.alpha,
        beta: p.beta,
    };
    // Element strides along (row, column) of `A` (M × K) and `B` (K × N), for either layout.
    let (lda, ldb) = (p.lda as usize, p.ldb as usize);
    let a_strides = if p.layout & Layout::A_COLUMN_MAJOR != 0 {
        (1, lda)
    } else {
        (lda, 1)
    };
    let b_strides = if p.layout & Layout::B_COLUMN_MAJOR != 0 {
        (1, ldb)
    } else {
        (ldb, 1)
    };
    let (in_size, out_size) = (
        core::mem::size_of::<I>() as u64,
        core::mem::size_of::<O>() as u64,
    );
    while let Some(tile) = scheduler.next() {
        let row = tile.m * TEXTBOOK.block_m + t / TEXTBOOK.block_n;
        let col = tile.n * TEXTBOOK.block_n + t % TEXTBOOK.block_n;
        if row >= p.m || col >= p.n {
            continue;
        }
        let [a, b, c] = p.batch_operands(tile.batch, in_size, out_size);
        let g_a = unsafe { (a as *const I).add(row as usize * a_strides.0) };
        let g_b = unsafe { (b as *const I).add(col as usize * b_strides.1) };
        let mut acc = 0.0f32;
        for k in 0..p.k as usize {
            unsafe {
                let a = I::load1(g_a.add(k * a_strides.1));
                let b = I::load1(g_b.add(k * b_strides.0));
                acc = core::intrinsics::fmaf32(a, b, acc);
            }
        }
        let out = unsafe { (c as *mut O).add(row as usize * p.ldc as usize + col as usize) };
        unsafe { epilogue.store_one(out, acc) };
    }
}
