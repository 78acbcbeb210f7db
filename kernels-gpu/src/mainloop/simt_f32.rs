//! Tiled fp32 SIMT GEMM: block tile, warp tile, per-thread register tile, double-buffered
//! shared memory.
//!
//! # Tiling
//! Block tile 128 × 128 × 8 ([`SIMT_F32`]). Eight warps in a 2 (M) × 4 (N) arrangement, each
//! owning a 64 × 32 warp tile; a warp's 32 lanes form an 8 × 4 grid, and lane `(lm, ln)` owns
//! rows `{lm·4 .. +4, lm·4 + 32 .. +4}` and columns `{ln·4 .. +4, ln·4 + 16 .. +4}` of it:
//! 8 × 8 accumulators in registers, fed by 16-byte shared-memory reads.
//!
//! # Thread mapping of the loads
//! Per k-step of 8, each thread loads one 16-byte group of `A` (row `t / 2`, columns
//! `(t % 2)·4 ..`) and one of `B` (row `t / 32`, columns `(t % 32)·4 ..`): a warp reads whole
//! 32-byte sectors of `A` and 512 contiguous bytes of `B`.
//!
//! # Shared memory
//! `A` is stored transposed (`s_a[k][m]`) so that the compute loop reads 4 consecutive rows
//! with one 16-byte access. The transposing stores of a warp hit 16 rows × 2 k-offsets
//! (0 and 4); with rows of 128 floats both k-offsets fall in the same bank (2-way conflict).
//! Padding each k-row to 132 floats shifts k-offset 4 by 16 banks: conflict-free, and rows
//! stay 16-byte aligned. Two buffers: the next k-step's global loads are in flight while the
//! current one is multiplied, with one barrier per k-step.
//!
//! # Persistence
//! The pipeline does not drain between tiles: the k-loop runs on across the tiles of a block
//! (as in Triton's persistent matmul), so the first loads of the next tile are in flight
//! during the last k-step of the current one, and the next tile's first step is already in
//! shared memory when the epilogue ends. On a [`NaiveGrid`](crate::schedule::NaiveGrid) every
//! block has one tile and this never happens; that, and a block's setup paid once, is what
//! persistence buys here.

use crate::arch::{global, smem, sync, thread};
use crate::epilogue::LinearCombination;
use crate::params::GemmParams;
use crate::schedule::{TileGrid, TileScheduler, WorkTile};
use crate::shapes::{SIMT_F32, SIMT_F32_A_PAD, SIMT_F32_SMEM_BYTES};
use crate::unroll;

const BM: usize = SIMT_F32.block_m as usize;
const BN: usize = SIMT_F32.block_n as usize;
const BK: usize = SIMT_F32.block_k as usize;
const A_ROW: usize = BM + SIMT_F32_A_PAD as usize;

/// 16 bytes of floats: loads and stores of this type are single vector accesses.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
struct F32x4([f32; 4]);

/// The block's shared memory: two stages of the `A` tile (transposed) and the `B` tile.
#[repr(C, align(16))]
struct Storage {
    s_a: [[[f32; A_ROW]; BK]; 2], // (stage, BK, BM + pad)
    s_b: [[[f32; BN]; BK]; 2],    // (stage, BK, BN)
}

const _: () = assert!(core::mem::size_of::<Storage>() == SIMT_F32_SMEM_BYTES as usize);

/// One k-step of global data held in registers between its load and its shared-memory store.
#[derive(Clone, Copy)]
struct Staged {
    a: [f32; 4],
    b: [f32; 4],
}

/// Loads four consecutive elements `row[col .. col + 4]`, zero outside `limit`.
///
/// `VECTOR`: the row start and `col` keep the group 16-byte aligned.
#[inline(always)]
unsafe fn load_group<const VECTOR: bool>(
    row: *const f32,
    col: u32,
    limit: u32,
    row_ok: bool,
) -> [f32; 4] {
    let mut v = [0.0f32; 4];
    if !row_ok {
        return v;
    }
    if VECTOR && col + 4 <= limit {
        return unsafe { global::load_f32x4(row.add(col as usize)) };
    }
    for (i, x) in v.iter_mut().enumerate() {
        if col + (i as u32) < limit {
            *x = unsafe { global::load_f32(row.add(col as usize + i)) };
        }
    }
    v
}

/// The per-thread state of the mainloop for one tile.
struct Mainloop {
    p: GemmParams,
    t: u32,
}

impl Mainloop {
    /// Global loads of k-step `k0` of `tile` into registers.
    #[inline(always)]
    unsafe fn fetch<const VECTOR: bool>(&self, tile: WorkTile, k0: u32) -> Staged {
        let p = &self.p;
        let (a_row, a_col) = (tile.m * BM as u32 + self.t / 2, k0 + (self.t % 2) * 4);
        let (b_row, b_col) = (k0 + self.t / 32, tile.n * BN as u32 + (self.t % 32) * 4);
        let g_a = p.a as *const f32;
        let g_b = p.b as *const f32;
        unsafe {
            Staged {
                a: load_group::<VECTOR>(
                    g_a.add(a_row as usize * p.lda as usize),
                    a_col,
                    p.k,
                    a_row < p.m,
                ),
                b: load_group::<VECTOR>(
                    g_b.add(b_row as usize * p.ldb as usize),
                    b_col,
                    p.n,
                    b_row < p.k,
                ),
            }
        }
    }

    /// Stores a staged k-step into shared stage `stage`.
    #[inline(always)]
    unsafe fn stash(&self, s: *mut Storage, stage: usize, g: Staged) {
        let (a_m, a_k) = ((self.t / 2) as usize, ((self.t % 2) * 4) as usize);
        let (b_k, b_n) = ((self.t / 32) as usize, ((self.t % 32) * 4) as usize);
        unsafe {
            unroll!(I in 0..4 => {
                (*s).s_a[stage][a_k + I][a_m] = g.a[I];
            });
            *((&raw mut (*s).s_b[stage][b_k][b_n]) as *mut F32x4) = F32x4(g.b);
        }
    }

    /// `r_acc += s_a[stage]ᵀ · s_b[stage]` for this thread's 8 × 8 outputs.
    #[inline(always)]
    unsafe fn multiply(&self, s: *const Storage, stage: usize, r_acc: &mut [[f32; 8]; 8]) {
        let (m0, n0) = self.fragment_origin();
        unroll!(KK in 0..8 => {
            let a_row = unsafe { &raw const (*s).s_a[stage][KK] } as *const f32;
            let b_row = unsafe { &raw const (*s).s_b[stage][KK] } as *const f32;
            let mut r_a = [0.0f32; 8];
            let mut r_b = [0.0f32; 8];
            unroll!(HALF in 0..2 => {
                let a = unsafe { *(a_row.add(m0 + HALF * 32) as *const F32x4) };
                let b = unsafe { *(b_row.add(n0 + HALF * 16) as *const F32x4) };
                unroll!(Q in 0..4 => {
                    r_a[HALF * 4 + Q] = a.0[Q];
                    r_b[HALF * 4 + Q] = b.0[Q];
                });
            });
            unroll!(I in 0..8 => {
                unroll!(J in 0..8 => {
                    r_acc[I][J] = unsafe { core::intrinsics::fmaf32(r_a[I], r_b[J], r_acc[I][J]) };
                });
            });
        });
    }

    /// Top-left corner, within the block tile, of this thread's first 4 × 4 sub-tile.
    #[inline(always)]
    fn fragment_origin(&self) -> (usize, usize) {
        let (warp, lane) = ((self.t / 32) as usize, (self.t % 32) as usize);
        let (warp_m, warp_n) = (warp / 4, warp % 4);
        (warp_m * 64 + (lane / 4) * 4, warp_n * 32 + (lane % 4) * 4)
    }

    #[inline(always)]
    unsafe fn store<const VECTOR: bool>(&self, tile: WorkTile, r_acc: &[[f32; 8]; 8]) {
        let p = &self.p;
        let epilogue = LinearCombination {
            alpha: p.alpha,
            beta: p.beta,
        };
        let (m0, n0) = self.fragment_origin();
        unroll!(I in 0..8 => {
            let row = tile.m * BM as u32 + (m0 + (I / 4) * 32 + I % 4) as u32;
            unroll!(HALF in 0..2 => {
                let col = tile.n * BN as u32 + (n0 + HALF * 16) as u32;
                let v = [0, 1, 2, 3].map(|q| r_acc[I][HALF * 4 + q]);
                unsafe { epilogue.store_f32::<VECTOR>(p.c as *mut f32, p.ldc, (p.m, p.n), (row, col), v) };
            });
        });
    }
}

/// The kernel body: `S` hands out tiles, each is computed by the double-buffered mainloop and
/// stored by the epilogue.
///
/// `VECTOR`: `A`, `B`, `C` and their leading dimensions are 16-byte aligned, so full 4-float
/// groups move as one access.
///
/// # Safety
/// Launched with [`SIMT_F32`]`.threads` threads and [`SIMT_F32_SMEM_BYTES`] of dynamic shared
/// memory on parameters the host validated.
#[inline(always)]
pub unsafe fn gemm<S: TileScheduler, const VECTOR: bool>(p: GemmParams) {
    let s = unsafe { smem::dynamic::<Storage>() };
    let grid = TileGrid::new(p.m, p.n, SIMT_F32.block_m, SIMT_F32.block_n, p.group_m);
    let mut scheduler = S::new(grid, thread::block_index_x(), thread::grid_dim_x());
    let ml = Mainloop {
        p,
        t: thread::index_x(),
    };
    let k_steps = p.k.div_ceil(BK as u32);

    let Some(mut tile) = scheduler.next() else {
        return;
    };
    let mut stage = 0;
    unsafe { ml.stash(s, stage, ml.fetch::<VECTOR>(tile, 0)) };
    sync::threads();
    loop {
        let next_tile = scheduler.next();
        let mut r_acc = [[0.0f32; 8]; 8]; // (8 rows, 8 columns) of this thread's outputs
        for ks in 0..k_steps {
            // The k-step after this one: of this tile, or the first of the next tile, so
            // that the pipeline runs on across tiles instead of draining before each one.
            let staged = if ks + 1 < k_steps {
                Some(unsafe { ml.fetch::<VECTOR>(tile, (ks + 1) * BK as u32) })
            } else {
                next_tile.map(|t| unsafe { ml.fetch::<VECTOR>(t, 0) })
            };
            unsafe { ml.multiply(s, stage, &mut r_acc) };
            if let Some(g) = staged {
                // The other stage was last read before the barrier that opened this step.
                stage ^= 1;
                unsafe { ml.stash(s, stage, g) };
                sync::threads();
            }
        }
        unsafe { ml.store::<VECTOR>(tile, &r_acc) };
        match next_tile {
            Some(t) => tile = t,
            None => return,
        }
    }
}
