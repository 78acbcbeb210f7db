//! The three-loop GEMM, one thread per output element: the baseline the tiled kernels are
//! measured against, and the path that takes any element type, alignment and `K` (including
//! 0) when no faster kernel can. Every thread streams a row of `A` and a column of `B` from global
//! memory; nothing is reused on chip except by the caches.
//!
//! # Thread mapping
//! A 16 × 16 block of threads ([`TEXTBOOK`]) per 16 × 16 output tile; thread `t` computes
//! `C[tile.m·16 + t / 16][tile.n·16 + t % 16]`, so a warp's 32 lanes read 2 rows of `A`
//! (broadcast) and 16 consecutive columns of `B` (coalesced).

use crate::arch::thread;
use crate::epilogue::{LinearCombination, Output};
use crate::params::{GemmParams, ParamSpace};
use crate::schedule::{TileGrid, TileScheduler};
use crate::shapes::TEXTBOOK;

/// Inputs `I`, output `O`, any of f32, bf16, f16, accumulated in f32.
///
/// # Safety
/// Launched with [`TEXTBOOK`]`.threads` threads on parameters the host validated.
#[inline(always)]
pub unsafe fn gemm<S: TileScheduler, I: Output, O: Output>(p: &GemmParams, _: ParamSpace) {
    let grid = TileGrid::new(p.m, p.n, TEXTBOOK.block_m, TEXTBOOK.block_n, p.group_m);
    let mut scheduler = S::new(grid, thread::block_index_x(), thread::grid_dim_x());
    let t = thread::index_x();
    let epilogue = LinearCombination {
        alpha: p.alpha,
        beta: p.beta,
    };
    let (g_a, g_b) = (p.a as *const I, p.b as *const I);
    while let Some(tile) = scheduler.next() {
        let row = tile.m * TEXTBOOK.block_m + t / TEXTBOOK.block_n;
        let col = tile.n * TEXTBOOK.block_n + t % TEXTBOOK.block_n;
        if row >= p.m || col >= p.n {
            continue;
        }
        let mut acc = 0.0f32;
        for k in 0..p.k {
            unsafe {
                let a = I::load1(g_a.add(row as usize * p.lda as usize + k as usize));
                let b = I::load1(g_b.add(k as usize * p.ldb as usize + col as usize));
                acc = core::intrinsics::fmaf32(a, b, acc);
            }
        }
        let out = unsafe { (p.c as *mut O).add(row as usize * p.ldc as usize + col as usize) };
        unsafe { epilogue.store_one(out, acc) };
    }
}
